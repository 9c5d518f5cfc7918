// Crash atomicity: a flush of many pages over many IndexedDB chunks, and
// Chromium SIGKILLed (every process of its profile) at moments spread over
// the flush (0 to 240 ms after `flush()` returned) and just after it; restarted on the same profile, the file must
// hold exactly the old content or exactly the new one, never a mix; and
// once `flush()` has resolved, exactly the new.
//
//   node --test reliability/crash.mjs                            # 20 kills (scripts/test.sh reliability)
//   VMMAP_CRASH_KILLS=200 node --test reliability/crash.mjs      # the long run
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { serve } from "../harness.mjs";
import { launch } from "./chromium.mjs";

const KILLS = Number(process.env.VMMAP_CRASH_KILLS ?? 20);
const SIZE = 8 * 1024 * 1024; // 2048 pages of 4 KiB, 256 IndexedDB chunks of 32 KiB

let server, profile;

before(async () => {
  server = await serve();
  profile = await mkdtemp(join(tmpdir(), "vmmap-crash-"));
});

let passed = false;
after(async () => {
  await server?.close();
  // A failed run keeps the profile to look at (its IndexedDB folder).
  if (profile && passed) await rm(profile, { recursive: true, force: true });
  else if (profile) console.log(`crash: the profile is kept in ${profile}`);
});

// Installed in the page: generation `g` of the file. Every 4th page (512
// pages, in every chunk) holds bytes of its generation; the others never change.
function helpers() {
  const PAGE = 4096;
  window.crash = {
    changed: (p) => p % 4 === 1,
    page(g, p) {
      const b = new Uint8Array(PAGE);
      for (let i = 0; i < PAGE; i++) b[i] = this.changed(p) ? (g * 31 + p * 7 + i) & 255 : (p * 13 + i * 3) & 255;
      return b;
    },
    file(g, size) {
      const b = new Uint8Array(size);
      for (let p = 0; p < size / PAGE; p++) b.set(this.page(g, p), p * PAGE);
      return b;
    },
    /** Writes generation `g` into the changed pages: half through setSlice, half through a view. */
    write(m, g) {
      const view = m.view();
      for (let p = 0; p < m.length / PAGE; p++) {
        if (!this.changed(p)) continue;
        if (p % 8 === 1) m.setSlice(p * PAGE, this.page(g, p));
        else view.set(this.page(g, p), p * PAGE);
      }
    },
    /** Which generation each changed page holds: `old`, `new`, or a mix. */
    classify(bytes, g) {
      const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
      const counts = { old: 0, new: 0, other: 0, untouchedBad: 0 };
      for (let p = 0; p < bytes.length / PAGE; p++) {
        const got = bytes.subarray(p * PAGE, (p + 1) * PAGE);
        if (!this.changed(p)) {
          if (!same(got, this.page(0, p))) counts.untouchedBad++;
        } else if (same(got, this.page(g, p))) counts.old++;
        else if (same(got, this.page(g + 1, p))) counts.new++;
        else counts.other++;
      }
      return counts;
    },
  };
}

test(`flush is atomic across ${KILLS} SIGKILLs of Chromium`, { timeout: KILLS * 30000 + 60000 }, async () => {
  const db = "crash";
  let chrome = await launch(profile, server.url);
  await chrome.page.evaluate(helpers);
  await chrome.page.evaluate(async ([db, size]) => {
    const s = await window.vmmap.FileStore.open(db);
    await s.writeFile("data.bin", window.crash.file(0, size));
  }, [db, SIZE]);
  await chrome.close();

  let gen = 0;
  const outcomes = { old: 0, new: 0 };
  const log = [];
  for (let i = 0; i < KILLS; i++) {
    chrome = await launch(profile, server.url);
    const page = chrome.page;
    await page.evaluate(helpers);
    // Every fifth kill comes once flush() resolved: then the new content must be there.
    const afterFlush = i % 5 === 4;
    // 0..240 ms after flush() returned: the commit takes about 150 ms here, so
    // kills land before it starts, during it, and after it.
    const delay = afterFlush ? 0 : (i * 53) % 241;
    const started = await page.evaluate(async ([db, g, wait]) => {
      const s = await window.vmmap.FileStore.open(db);
      const m = await s.map("data.bin").catch(async (e) => {
        throw new Error(`${e.message}; databases: ${JSON.stringify(await indexedDB.databases())}, files: ${JSON.stringify(await s.list())}`);
      });
      window.crash.write(m, g);
      const t0 = performance.now();
      window.flushing = m.flush();
      window.flushing.catch(() => {});
      if (wait) await window.flushing;
      return performance.now() - t0;
    }, [db, gen + 1, afterFlush]);
    if (delay) await new Promise((ok) => setTimeout(ok, delay));
    await chrome.kill();

    chrome = await launch(profile, server.url);
    await chrome.page.evaluate(helpers);
    const counts = await chrome.page.evaluate(async ([db, g]) => {
      const s = await window.vmmap.FileStore.open(db);
      const m = await s.map("data.bin", { access: "read" });
      return window.crash.classify(m.slice(), g);
    }, [db, gen]);
    await chrome.close();

    const total = counts.old + counts.new + counts.other;
    const outcome = counts.old === total ? "old" : counts.new === total ? "new" : "MIX";
    log.push(`kill ${i + 1}: ${afterFlush ? "after flush() resolved" : `${delay} ms after flush()`} (flush took ${started.toFixed(0)} ms in the page): ${outcome}`);
    assert.equal(counts.untouchedBad, 0, `pages no flush wrote changed: ${log.at(-1)}`);
    assert.notEqual(outcome, "MIX", `a mix of old and new after a crash: ${JSON.stringify(counts)}; ${log.at(-1)}`);
    if (afterFlush) assert.equal(outcome, "new", `a flush that resolved was lost: ${log.at(-1)}`);
    console.log(log.at(-1));
    outcomes[outcome]++;
    if (outcome === "new") gen++;
  }
  passed = true;
  console.log(`crash: ${KILLS} kills of Chromium during or after a flush of ${SIZE / 4096 / 4} pages in every chunk of an 8 MiB file: ${outcomes.old} old, ${outcomes.new} new, 0 mixed`);
});
