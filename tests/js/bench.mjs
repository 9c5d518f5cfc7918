// The JS API's speed in headless Chromium, next to plain Uint8Array work of
// the same size in the same page and run: ns per call of get/set (and of a
// view's [] for reference), MB/s of slice/setSlice vs Uint8Array slice/set.
// Run by scripts/bench-js.sh; prints a markdown table. Never asserts timings.
import { browser, openPage, serve } from "./harness.mjs";

const server = await serve();
const chrome = await browser();
try {
  const page = await openPage(chrome.context, server.url);
  const rows = await page.evaluate(() => {
    const { Mmap } = window.vmmap;
    const MAP = 16 * 1024 * 1024;
    const m = Mmap.anonymous(MAP);
    const plain = new Uint8Array(MAP);
    const best = (f, rounds = 7) => {
      let t = Infinity;
      for (let r = 0; r < rounds; r++) {
        const t0 = performance.now();
        f();
        t = Math.min(t, performance.now() - t0);
      }
      return t; // ms
    };
    const rows = [];
    const N = 1_000_000;
    const mask = MAP - 1;
    let sink = 0;
    const perCall = (label, f, peerLabel, peer) => {
      const a = best(f) * 1e6 / N, b = best(peer) * 1e6 / N;
      rows.push([label, `${a.toFixed(1)} ns/call`, peerLabel, `${b.toFixed(2)} ns/call`, (a / b).toFixed(1)]);
    };
    perCall("`m.get(i)`", () => { for (let i = 0; i < N; i++) sink += m.get((i * 4099) & mask); },
      "`u8[i]`", () => { for (let i = 0; i < N; i++) sink += plain[(i * 4099) & mask]; });
    perCall("`m.set(i, b)`", () => { for (let i = 0; i < N; i++) m.set((i * 4099) & mask, i & 255); },
      "`u8[i] = b`", () => { for (let i = 0; i < N; i++) plain[(i * 4099) & mask] = i & 255; });
    const v = m.view();
    perCall("`m.view()[i]`", () => { for (let i = 0; i < N; i++) sink += v[(i * 4099) & mask]; },
      "`u8[i]`", () => { for (let i = 0; i < N; i++) sink += plain[(i * 4099) & mask]; });
    for (const size of [4096, 65536, 1024 * 1024]) {
      const reps = Math.max(16, Math.floor((64 * 1024 * 1024) / size));
      const src = new Uint8Array(size).fill(7);
      const mbs = (ms) => (size * reps) / (ms / 1000) / 1e6;
      const span = MAP - size;
      const sl = best(() => { for (let k = 0; k < reps; k++) sink += m.slice((k * 4096) % span, (k * 4096) % span + size).length; });
      const psl = best(() => { for (let k = 0; k < reps; k++) sink += plain.slice((k * 4096) % span, (k * 4096) % span + size).length; });
      rows.push([`\`m.slice\` ${size / 1024} KiB`, `${mbs(sl).toFixed(0)} MB/s`, "`u8.slice`", `${mbs(psl).toFixed(0)} MB/s`, (sl / psl).toFixed(2)]);
      const ss = best(() => { for (let k = 0; k < reps; k++) m.setSlice((k * 4096) % span, src); });
      const pss = best(() => { for (let k = 0; k < reps; k++) plain.set(src, (k * 4096) % span); });
      rows.push([`\`m.setSlice\` ${size / 1024} KiB`, `${mbs(ss).toFixed(0)} MB/s`, "`u8.set`", `${mbs(pss).toFixed(0)} MB/s`, (ss / pss).toFixed(2)]);
    }
    window.sink = sink;
    return { rows, ua: navigator.userAgent };
  });
  console.log(`Chromium: ${rows.ua}`);
  console.log("");
  console.log("| vmmap call | vmmap | plain Uint8Array peer | peer | time ratio vmmap/peer |");
  console.log("|---|---:|---|---:|---:|");
  for (const r of rows.rows) console.log(`| ${r.join(" | ")} |`);
} finally {
  await chrome.close();
  await server.close();
}
