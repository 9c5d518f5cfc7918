// Crash atomicity in every engine of VMMAP_ENGINES: a flush of many pages
// over many IndexedDB chunks, and the browser SIGKILLed (its driver's whole
// process group, and every process below it) at moments spread over the
// flush and just after it resolved; restarted on the same profile, the file
// must hold exactly the old content or exactly the new one, never a mix
// (torn); and once `flush()` has resolved, exactly the new.
// Chromium keeps its data in --user-data-dir, Firefox in -profile; WebKit's
// MiniBrowser keeps none in automation mode, so WebKit runs in
// webkit-browser.py (WebKitGTK with a persistent data directory).
//
//   node --test reliability/crash.mjs                            # 20 kills an engine (scripts/test.sh reliability)
//   VMMAP_CRASH_KILLS=200 node --test reliability/crash.mjs      # the long run
//   VMMAP_ENGINES=firefox node --test reliability/crash.mjs      # one engine (WebKit: under xvfb-run -a)
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { ENGINES, launch, serve } from "../harness.mjs";

const KILLS = Number(process.env.VMMAP_CRASH_KILLS ?? 20);
const SIZE = 8 * 1024 * 1024; // 2048 pages of 4 KiB, 256 IndexedDB chunks of 32 KiB

let server;
/** Called when a page says its flush() returned (POST /flushing). */
let onFlushing = () => {};

before(async () => {
  server = await serve({}, (path, res) => {
    if (path !== "/flushing") return false;
    onFlushing();
    res.writeHead(204).end();
    return true;
  });
});

after(async () => {
  await server?.close();
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

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

for (const engine of ENGINES) {
  test(`flush is atomic across ${KILLS} SIGKILLs of ${engine} (its driver's process group), restarted on the same profile [${engine}]`, { timeout: KILLS * 60000 + 120000 }, async () => {
    const profile = await mkdtemp(join(tmpdir(), `vmmap-crash-${engine}-`));
    const start = async () => {
      const br = await launch(engine, { profile, keepData: true });
      const page = await br.openPage(server.url);
      await page.evaluate(helpers);
      return { br, page };
    };
    let passed = false;
    try {
      const db = "crash";
      let { br, page } = await start();
      await page.evaluate(async ([db, size]) => {
        const s = await window.vmmap.FileStore.open(db);
        await s.writeFile("data.bin", window.crash.file(0, size));
      }, [db, SIZE]);
      await br.close();

      let gen = 0;
      const outcomes = { old: 0, new: 0, torn: 0 };
      const commits = []; // how long resolved flushes took, in the page
      const t0 = Date.now();
      ({ br, page } = await start());
      for (let i = 0; i < KILLS; i++) {
        // Every fifth kill (the first among them) comes once flush() resolved:
        // then the new content must be there. The others land 0 to 1.2x the
        // median time flush() took to resolve after it returned, most of
        // them early (the square of an even spread): the engine's own
        // commit is often a small part of that time. The page says when
        // flush() returned with a request to the test server, which starts
        // the timer: a WebDriver round trip would take as long as a commit.
        const afterFlush = i % 5 === 0;
        const spread = ((i * 53) % 241) / 240;
        const delay = afterFlush ? 0 : Math.round(spread * spread * 1.2 * median(commits));
        await br.armKill();
        const killed = afterFlush ? null : new Promise((ok) => {
          onFlushing = () => setTimeout(() => ok(br.kill()), delay);
        });
        const running = page.evaluate(async ([db, g, wait]) => {
          const s = await window.vmmap.FileStore.open(db);
          const m = await s.map("data.bin").catch(async (e) => {
            throw new Error(`${e.message}; databases: ${JSON.stringify(await indexedDB.databases?.())}, files: ${JSON.stringify(await s.list())}`);
          });
          window.crash.write(m, g);
          const t0 = performance.now();
          window.flushing = m.flush();
          window.flushing.catch(() => {});
          if (wait) {
            await window.flushing;
          } else {
            fetch("/flushing", { method: "POST" });
          }
          return performance.now() - t0;
        }, [db, gen + 1, afterFlush]);
        running.catch(() => {}); // a kill may end the browser before it answers
        let took = null;
        if (afterFlush) {
          took = await running;
          commits.push(took);
          await br.kill();
        } else {
          await killed;
          onFlushing = () => {};
          await running.catch(() => {});
        }

        // The same profile again: what the crash left.
        ({ br, page } = await start());
        const counts = await page.evaluate(async ([db, g]) => {
          const s = await window.vmmap.FileStore.open(db);
          const m = await s.map("data.bin", { access: "read" });
          const c = window.crash.classify(m.slice(), g);
          m.close();
          s.close();
          return c;
        }, [db, gen]);
        const total = counts.old + counts.new + counts.other;
        const outcome = counts.old === total ? "old" : counts.new === total ? "new" : "torn";
        const line = `${engine} kill ${i + 1}: ${afterFlush ? `after flush() resolved (${took.toFixed(0)} ms)` : `${delay} ms after flush() returned`}: ${outcome}`;
        console.log(line);
        assert.equal(counts.untouchedBad, 0, `pages no flush wrote changed: ${line}`);
        assert.notEqual(outcome, "torn", `a mix of old and new after a crash: ${JSON.stringify(counts)}; ${line}`);
        if (afterFlush) assert.equal(outcome, "new", `a flush that resolved was lost: ${line}`);
        outcomes[outcome]++;
        if (outcome === "new") gen++;
      }
      await br.close();
      passed = true;
      console.log(`crash [${engine}]: kills ${KILLS}, old ${outcomes.old}, new ${outcomes.new}, torn ${outcomes.torn} `
        + `(${SIZE / 4096 / 4} pages in every chunk of an 8 MiB file; median commit ${median(commits).toFixed(0)} ms; ${((Date.now() - t0) / 1000).toFixed(0)} s)`);
    } finally {
      // A failed run keeps the profile to look at (its IndexedDB folder).
      if (passed) await rm(profile, { recursive: true, force: true });
      else console.log(`crash [${engine}]: the profile is kept in ${profile}`);
    }
  });
}
