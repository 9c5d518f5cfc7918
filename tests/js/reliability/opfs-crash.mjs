// Crash atomicity of the OPFS store: a dedicated worker
// (pages/opfs-crash-worker.js) flushes 512 pages spread over an 8 MiB file
// generation after generation, and Chromium (every process of its
// profile) is SIGKILLed at a random moment in the first half of its 1st,
// 2nd or 3rd flush (of the median flush so far, timed from the driver's
// "go"), and every fifth time just after a flush resolved. Restarted on the same profile, a worker opens
// the store (which replays a complete journal and discards a torn one) and
// reads the file: every changed page must hold one generation, the same
// for all (the last flushed one, or the one whose flush was cut; after a
// flush resolved, that one), and no unchanged page may differ.
//
//   node --test reliability/opfs-crash.mjs                          # 20 kills
//   VMMAP_CRASH_KILLS=200 node --test reliability/opfs-crash.mjs    # the long run
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { serve } from "../harness.mjs";
import { launch } from "./chromium.mjs";

const KILLS = Number(process.env.VMMAP_CRASH_KILLS ?? 20);
const SIZE = 8 * 1024 * 1024;

let server, profile;
before(async () => {
  server = await serve();
  profile = await mkdtemp(join(tmpdir(), "vmmap-opfs-crash-"));
});
let passed = false;
after(async () => {
  await server?.close();
  if (profile && passed) await rm(profile, { recursive: true, force: true });
  else if (profile) console.log(`opfs-crash: the profile is kept in ${profile}`);
});

/**
 * Chromium on the profile with the worker started; `onMessage` sees what
 * the worker posts, as it comes.
 */
async function withWorker(onMessage) {
  const chrome = await launch(profile, server.url);
  chrome.page.on("console", (msg) => {
    const text = msg.text();
    if (text.startsWith("worker: ")) onMessage(JSON.parse(text.slice(8)), chrome);
  });
  await chrome.page.evaluate(() => {
    window.crashWorker = new Worker("/opfs-crash-worker.js", { type: "module" });
    window.crashWorker.onmessage = ({ data }) => console.log(`worker: ${JSON.stringify(data)}`);
  });
  chrome.post = (message) => chrome.page.evaluate((m) => window.crashWorker.postMessage(m), message);
  return chrome;
}

/** Starts the worker, posts `message`, and resolves with its first answer. */
async function ask(message) {
  let answer;
  const answered = new Promise((ok) => (answer = ok));
  const chrome = await withWorker((data) => answer(data));
  await chrome.post(message);
  const data = await answered;
  await chrome.close();
  assert.equal(data.error, undefined, data.error);
  return data;
}

const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

test(`OPFS: ${KILLS} SIGKILLs of Chromium during and after flushes in a worker; every flush all old or all new`, { timeout: KILLS * 60000 }, async () => {
  assert.equal(await ask(["init", SIZE]), "ready");
  let known = 0;
  const durations = [];
  const flushMs = () => (durations.length === 0 ? 30 : durations.toSorted((a, b) => a - b)[durations.length >> 1]);
  const counts = { kills: 0, inFlush: 0, old: 0, new: 0, present: 0, journals: 0, replayed: 0 };
  for (let round = 1; round <= KILLS; round++) {
    const justAfter = round % 5 === 0;
    let flushes = 1 + Math.floor(Math.random() * 3);
    let flushed = known, flushing, started, killing, error;
    const chrome = await withWorker((data, chrome) => {
      if (typeof data !== "string") return void (error = data.error);
      if (killing) return;
      const [word, g] = data.split(" ");
      if (word === "ready") {
        // From "go" on, flush G may be running: it is done once "flushed G" comes.
        flushing = Number(g);
        started = performance.now();
        // The median counts the messages' way there and back too: kill in its first half.
        if (!justAfter && --flushes === 0) killing = sleep(Math.random() * 0.5 * flushMs()).then(() => chrome.kill());
        chrome.post(["go"]).catch(() => {});
      } else if (word === "flushed") {
        flushed = Number(g);
        flushing = undefined;
        durations.push(performance.now() - started);
        if (justAfter) killing = chrome.kill();
        else chrome.post(["go"]).catch(() => {});
      }
    });
    await chrome.post(["run", known]);
    for (let i = 0; !killing && i < 600; i++) await sleep(50);
    assert.ok(killing, `no flush started in 30 s: ${error}`);
    await killing;
    counts.kills++;
    if (flushing !== undefined) counts.inFlush++;

    const seen = await ask(["check"]);
    assert.equal(seen.untouchedBad, 0, `round ${round}: pages no flush writes changed`);
    assert.equal(seen.generations.length, 1, `round ${round}: a mix of generations ${seen.generations} (flushed ${flushed}, flushing ${flushing})`);
    const [g] = seen.generations;
    if (flushing !== undefined && g === flushing % 256) counts.new++, (known = flushing);
    else if (g === flushed % 256) {
      if (flushing !== undefined) counts.old++;
      else counts.present++;
      known = flushed;
    } else assert.fail(`round ${round}: the file holds generation ${g}; flushed ${flushed}, flushing ${flushing}`);
    assert.deepEqual(seen.listed, ["data.bin"], "the store lists data.bin alone");
    if (seen.journal) counts.journals++;
    if (seen.journal && flushing !== undefined && g === flushing % 256) counts.replayed++;
  }
  passed = true;
  console.log(
    `opfs-crash: ${counts.kills} kills; ${counts.inFlush} while a flush ran: ${counts.old} old, ${counts.new} new; ` +
      `${counts.present} between flushes with the last flush present; 0 mixed. ${counts.journals} kills left a journal; ` +
      `replaying it completed ${counts.replayed} of the new ones. A flush of 512 pages takes about ${flushMs().toFixed(0)} ms ` +
      `here (median, with the messages' way from the driver and back)`,
  );
  assert.ok(counts.inFlush >= Math.floor(KILLS / 3), "too few kills landed inside a flush");
});
