// How long the page's main thread stays busy at a time during the calls that
// move many bytes: a 64 MiB all-dirty flush, a 256 MiB writeFile from a Blob,
// and a 256 MiB export (readFileBlob, readFileStream, readFile). Prints a
// markdown table: the longest task Chromium reports (PerformanceObserver
// "longtask"), the longest gap of a ping loop beside the call, the call's
// time. Never asserts (read-out.test.mjs checks the bursts of puts).
//   node tests/js/longtasks.mjs                  the package in pkg/
//   VMMAP_PKG=/some/pkg node tests/js/longtasks.mjs   another build, e.g. an older one
//   FLUSH_MIB=64 EXPORT_MIB=256 ROUNDS=3         the defaults
//   PHASES="flush readFile"                      only these calls (default: all)
import { resolve } from "node:path";
import { browser, openPage, serve } from "./harness.mjs";
import { installProbe, runPhase } from "./longtasks-probe.mjs";

const flushMiB = Number(process.env.FLUSH_MIB ?? 64);
const exportMiB = Number(process.env.EXPORT_MIB ?? 256);
const rounds = Number(process.env.ROUNDS ?? 3);
// PING=1: also the ping loop's gaps (see longtasks-probe.mjs), which disturb what they measure.
const ping = process.env.PING === "1";
const roots = process.env.VMMAP_PKG ? { "/pkg/": resolve(process.env.VMMAP_PKG) + "/" } : {};
const server = await serve(roots);
const chrome = await browser();
const fmt = (x) => (x == null ? "n/a" : x.toFixed(0));
try {
  const phases = (process.env.PHASES ?? "flush write blob stream readFile oldExport").split(/\s+/);
  const all = phases.map(() => []);
  let ua;
  for (let round = 0; round < rounds; round++) {
    const db = `longtasks-${Date.now()}-${round}`;
    for (const [i, phase] of phases.entries()) {
      // A fresh page for each call: wasm memory never shrinks, and Blobs go with their page.
      const page = await openPage(chrome.context, server.url);
      await page.evaluate(installProbe);
      process.stderr.write(`round ${round + 1}/${rounds}: ${phase}\n`);
      const row = await page.evaluate(runPhase, { phase, db, flushMiB, exportMiB, ping });
      ua ??= await page.evaluate(() => navigator.userAgent);
      await page.close();
      if (!row) continue;
      if (!row.ok) throw new Error(`${row.what}: wrong bytes`);
      all[i].push(row);
    }
  }
  console.log(`${ua}; pkg: ${process.env.VMMAP_PKG ?? "pkg/"}; ${rounds} rounds, each in a fresh page (median, and max over rounds)`);
  console.log("");
  console.log("| call | longest task (longtask API) | longest ping gap | call time | wasm memory growth |");
  console.log("|---|---:|---:|---:|---:|");
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  for (const rows of all.filter((rows) => rows.length)) {
    const col = (key) => rows.map((r) => r[key]);
    const longest = col("longest");
    const growth = `${(median(col("wasmGrowth")) / 1048576).toFixed(0)} MiB`;
    const sync = rows[0].callMs == null ? "" : ` (the flush() call itself: ${fmt(median(col("callMs")))} ms)`;
    const gaps = col("gap");
    const gap = gaps[0] == null ? "n/a" : `${fmt(median(gaps))} ms (max ${fmt(Math.max(...gaps))})`;
    console.log(`| ${rows[0].what}${sync} | ${longest[0] == null ? "n/a" : `${fmt(median(longest))} ms (max ${fmt(Math.max(...longest))})`}` +
      ` | ${gap} | ${fmt(median(col("ms")))} ms | ${growth} |`);
  }
} finally {
  await chrome.close();
  await server.close();
}
