// The npm package in Node over its directory store, next to plain `node:fs`
// calls on the same file in the same run (issue 15's numbers): map a 1 GiB
// file and read its last page (the first map of the process, which also
// compiles the wasm functions it calls, and the median of later maps); a
// 4 KiB read at a random page through `get`/`slice` vs `fs.readSync`; a
// one-page flush (journaled: two syncs) vs `fs.writeSync` + `fs.fsyncSync`;
// and the process's RSS growth after touching one page of the 1 GiB map.
// Needs pkg/ built (scripts/build-pkg.sh). Prints a markdown table; never
// asserts timings.
//   node tests/js/node-bench.mjs
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import init, { FileStore, PAGESIZE } from "../../pkg/node.js";

const GiB = 1 << 30;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vmmap-node-bench-"));
const median = (xs) => xs.toSorted((a, b) => a - b)[xs.length >> 1];
const time = (f) => {
  const t0 = performance.now();
  f();
  return performance.now() - t0;
};
const rows = [];
const row = (what, ours, peer, peerMs, goal = "") =>
  rows.push([what, `${ours.toFixed(3)} ms`, peer, peerMs === undefined ? "" : `${peerMs.toFixed(3)} ms`,
    peerMs === undefined ? "" : `${(ours / peerMs).toFixed(2)}x`, goal]);

try {
  await init();
  const store = await FileStore.open(dir);
  const huge = path.join(dir, "huge");
  fs.writeFileSync(huge, "");
  fs.truncateSync(huge, GiB);

  // (a) map 1 GiB, read the last page; (d) RSS growth.
  const rss0 = process.memoryUsage().rss;
  let t0 = performance.now();
  const first = await store.map("huge", { access: "read" });
  first.slice(GiB - PAGESIZE);
  const cold = performance.now() - t0;
  const grown = (process.memoryUsage().rss - rss0) / (1 << 20);
  first.close();
  const warm = [];
  for (let i = 0; i < 15; i++) {
    t0 = performance.now();
    const m = await store.map("huge", { access: "read" });
    m.slice(GiB - PAGESIZE);
    warm.push(performance.now() - t0);
    m.close();
  }
  const fd = fs.openSync(huge, "r+");
  const page = Buffer.alloc(PAGESIZE);
  const rawLast = median(Array.from({ length: 15 }, () => time(() => fs.readSync(fd, page, 0, PAGESIZE, GiB - PAGESIZE))));
  row("map 1 GiB + read its last page, first in the process", cold, "`fs.readSync` of that page", rawLast, "≤ 5 ms");
  row("map 1 GiB + read its last page, median of 15", median(warm), "`fs.readSync` of that page", rawLast, "≤ 5 ms");

  // (b) 4 KiB random reads: a page not loaded yet, through slice; a byte through get.
  const m = await store.map("huge", { access: "read" });
  const pages = GiB / PAGESIZE;
  const pick = (i) => ((i * 2654435761) % pages) * PAGESIZE;
  const N = 2000;
  const slice = time(() => { for (let i = 0; i < N; i++) m.slice(pick(i), pick(i) + PAGESIZE); }) / N;
  const get = time(() => { for (let i = 0; i < N; i++) m.get(pick(i + N) + 7); }) / N;
  const raw = time(() => { for (let i = 0; i < N; i++) fs.readSync(fd, page, 0, PAGESIZE, pick(i + 2 * N)); }) / N;
  row("4 KiB read of a page not yet loaded: `slice`", slice, "`fs.readSync` 4 KiB", raw, "report");
  row("4 KiB read of a page not yet loaded: `get` of a byte", get, "`fs.readSync` 4 KiB", raw, "report");
  m.close();

  // (c) one-page flush vs write + fsync of the same bytes, taken in turns
  // (the disk is shared: a peer timed apart would see another disk).
  await store.writeFile("small", new Uint8Array(64 * PAGESIZE));
  await store.writeFile("plain", new Uint8Array(64 * PAGESIZE));
  const w = await store.map("small");
  const sfd = fs.openSync(path.join(dir, "plain"), "r+");
  const flushes = [];
  const writes = [];
  for (let i = 0; i < 40; i++) {
    w.set((i % 64) * PAGESIZE + 1, i);
    t0 = performance.now();
    await w.flush();
    flushes.push(performance.now() - t0);
    writes.push(time(() => {
      page[1] = i;
      fs.writeSync(sfd, page, 0, PAGESIZE, (i % 64) * PAGESIZE);
      fs.fsyncSync(sfd);
    }));
  }
  w.close();
  fs.closeSync(sfd);
  row("one-page flush (journaled), median of 40", median(flushes), "`writeSync` + `fsyncSync` 4 KiB", median(writes), "≤ 3x");
  fs.closeSync(fd);

  console.log(`Node ${process.version}, ${os.cpus().length} cores, ${os.tmpdir()} (${os.platform()})\n`);
  console.log("| vmmap (npm, Node) | time | peer | time | ratio | goal |\n|---|---|---|---|---|---|");
  for (const r of rows) console.log(`| ${r.join(" | ")} |`);
  console.log(`\nRSS growth after mapping 1 GiB and reading its last page: ${grown.toFixed(1)} MiB (goal ≤ 16 MiB)`);
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
