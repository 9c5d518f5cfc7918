// The OPFS store in a dedicated worker of headless Chromium, next to raw
// FileSystemSyncAccessHandle calls on the same files in the same worker
// and run (issue 13's numbers): map a 1 GiB file and read its last page; a
// 64 MiB all-dirty flush vs raw `write` + `flush` of the same bytes; a
// one-page flush vs a raw 4 KiB `write` + `flush` (taken in turns: the disk
// is shared). Needs pkg/ built (scripts/build-pkg.sh). Prints a markdown
// table; never asserts timings.
//   cd tests/js && node opfs-bench.mjs
import { browser, openPage, serve } from "./harness.mjs";

const worker = `
import init, { FileStore, PAGESIZE } from "/pkg/vmmap.js";
const median = (xs) => xs.toSorted((a, b) => a - b)[xs.length >> 1];
const MiB = 1 << 20, GiB = 1 << 30;
onmessage = async () => {
  await init();
  const name = "vmmap-bench-" + Date.now();
  const store = await FileStore.open(name, { store: "opfs" });
  const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle(name);
  const raw = async (file, size) => {
    const h = await (await dir.getFileHandle(file, { create: true })).createSyncAccessHandle();
    if (size !== undefined) h.truncate(size);
    return h;
  };
  const rows = [];
  // (a) a 1 GiB file made with truncate, mapped, its last page read.
  (await raw("huge", GiB)).close();
  let t0 = performance.now();
  let m = await store.map("huge", { access: "read" });
  m.slice(GiB - PAGESIZE);
  const cold = performance.now() - t0;
  m.close();
  const warm = [];
  for (let i = 0; i < 9; i++) {
    t0 = performance.now();
    m = await store.map("huge", { access: "read" });
    m.slice(GiB - PAGESIZE);
    warm.push(performance.now() - t0);
    m.close();
  }
  const h = await raw("huge");
  const page = new Uint8Array(PAGESIZE);
  const rawLast = median(Array.from({ length: 9 }, () => { const t = performance.now(); h.read(page, { at: GiB - PAGESIZE }); return performance.now() - t; }));
  h.close();
  rows.push(["map 1 GiB + read its last page, first map of the worker", cold, "sync handle read of that page", rawLast, "≤ 10 ms"]);
  rows.push(["map 1 GiB + read its last page, median of 9", median(warm), "sync handle read of that page", rawLast, "≤ 10 ms"]);
  await store.remove("huge");
  // (c) 64 MiB all dirty, vs raw write + flush of the same bytes, in turns.
  await store.writeFile("big", new Uint8Array(64 * MiB));
  const rb = await raw("rawbig", 64 * MiB);
  const big = [], rawBig = [];
  const bytes = new Uint8Array(64 * MiB);
  for (let i = 1; i <= 3; i++) {
    m = await store.map("big");
    m.view().fill(i);
    t0 = performance.now();
    await m.flush();
    big.push(performance.now() - t0);
    m.close();
    bytes.fill(i);
    t0 = performance.now();
    for (let at = 0; at < bytes.length; at += MiB) rb.write(bytes.subarray(at, at + MiB), { at });
    rb.flush();
    rawBig.push(performance.now() - t0);
  }
  rb.close();
  rows.push(["64 MiB all-dirty flush (journaled), median of 3", median(big), "64 x 1 MiB write + flush", median(rawBig), "≤ 2.2x"]);
  await store.remove("big");
  // (d) one page, in turns.
  await store.writeFile("small", new Uint8Array(64 * PAGESIZE));
  const rs = await raw("rawsmall", 64 * PAGESIZE);
  m = await store.map("small");
  const one = [], rawOne = [];
  for (let i = 0; i < 40; i++) {
    m.set((i % 64) * PAGESIZE + 1, i);
    t0 = performance.now();
    await m.flush();
    one.push(performance.now() - t0);
    page[1] = i;
    t0 = performance.now();
    rs.write(page, { at: (i % 64) * PAGESIZE });
    rs.flush();
    rawOne.push(performance.now() - t0);
  }
  m.close();
  rs.close();
  rows.push(["one-page flush (journaled), median of 40", median(one), "4 KiB write + flush", median(rawOne), "≤ 3x"]);
  await (await navigator.storage.getDirectory()).removeEntry(name, { recursive: true });
  postMessage(rows);
};
`;

const server = await serve();
const chrome = await browser();
try {
  const page = await openPage(chrome.context, server.url);
  const rows = await page.evaluate(
    (src) =>
      new Promise((resolve, reject) => {
        const w = new Worker(URL.createObjectURL(new Blob([src], { type: "text/javascript" })), { type: "module" });
        w.onmessage = ({ data }) => resolve(data);
        w.onerror = (e) => reject(new Error(e.message));
        w.postMessage(0);
      }),
    worker.replaceAll('"/pkg/', `"${server.url}/pkg/`),
  );
  console.log(`Chromium ${chrome.context.browser()?.version() ?? ""} (headless), a dedicated worker\n`);
  console.log("| vmmap (OPFS store) | time | raw sync access handle | time | ratio | goal |\n|---|---|---|---|---|---|");
  // A worker that is not cross-origin isolated reads the clock in steps of 0.1 ms.
  const ms = (t) => (t === 0 ? "< 0.1 ms" : `${t.toFixed(2)} ms`);
  for (const [what, ours, peer, theirs, goal] of rows) {
    const ratio = theirs === 0 ? "" : `${(ours / theirs).toFixed(2)}x`;
    console.log(`| ${what} | ${ms(ours)} | ${peer} | ${ms(theirs)} | ${ratio} | ${goal} |`);
  }
} finally {
  await chrome.close();
  await server.close();
}
