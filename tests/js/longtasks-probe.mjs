// What the long-task benchmark and test run in the page: a probe of how long
// the page's main thread stays busy at a time while a call runs, and the
// calls themselves (a 64 MiB all-dirty flush, writing and exporting a large
// file). Passed to page.evaluate as source (installProbe), so it works in any
// engine the harness drives.

/**
 * Installs `window.longtasks` in the page: `measure(fn)` runs `await fn()`
 * and returns `{ ms, longest, gap, tasks, value }`:
 * - `longest`: the longest task the engine reported through
 *   `PerformanceObserver` `longtask` entries (tasks of 50 ms or more; 0 if
 *   none; `null` where the engine has no such entries: Firefox, WebKit);
 * - `gap`: the longest time between two turns of a `MessageChannel` ping
 *   loop that runs beside the call: how long the thread could not run
 *   anything else (every task in between, plus the ping's own queueing);
 *   `null` unless `ping` is set, or the engine has no longtask entries: the
 *   loop's own hundreds of thousands of tasks and events make garbage, and
 *   so more collection pauses in the very tasks it measures;
 * - `tasks`: how many turns the loop made.
 */
export function installProbe() {
  const supported = globalThis.PerformanceObserver?.supportedEntryTypes?.includes("longtask");
  window.longtasks = {
    supported,
    async measure(fn, { ping = !supported } = {}) {
      const entries = [];
      let observer;
      if (supported) {
        observer = new PerformanceObserver((list) => entries.push(...list.getEntries()));
        observer.observe({ type: "longtask" });
      }
      // Let a task that was running when the probe started end first.
      await new Promise((ok) => setTimeout(ok, 50));
      const channel = new MessageChannel();
      let running = true, last = performance.now(), gap = 0, tasks = 0;
      channel.port1.onmessage = () => {
        const now = performance.now();
        gap = Math.max(gap, now - last);
        last = now;
        tasks++;
        if (running) channel.port2.postMessage(0);
      };
      if (ping) channel.port2.postMessage(0);
      const t0 = performance.now();
      let value;
      try {
        value = await fn();
      } finally {
        running = false;
      }
      const ms = performance.now() - t0;
      // Long-task entries arrive after their task: give them time.
      await new Promise((ok) => setTimeout(ok, 200));
      channel.port1.close();
      if (observer) {
        entries.push(...observer.takeRecords());
        observer.disconnect();
      }
      const mine = entries.filter((e) => e.startTime + e.duration >= t0);
      const longest = supported ? Math.max(0, ...mine.map((e) => e.duration)) : null;
      return { ms, longest, gap: ping ? gap : null, tasks, value };
    },
  };
}

/**
 * One measured call, in the page (`vmmap` loaded as `window.vmmap`), on the
 * store `db`; returns a row `{ what, ms, longest, gap, tasks, ... }`, or
 * `null` where the package lacks the call. Each phase runs in a fresh page
 * (a page's wasm memory never shrinks, and large Blobs are let go with it):
 * - `"flush"`: a map of `flushMiB` MiB, every page written, then one flush;
 * - `"write"`: `writeFile` of a Blob of `exportMiB` parts of 1 MiB, each
 *   tagged with its number, with `onProgress` (the file the others read);
 * - `"blob"`: `readFileBlob` and an object URL of it: the demo's export;
 * - `"stream"`: `readFileStream`, read to the end;
 * - `"readFile"`: `readFile` alone;
 * - `"oldExport"`: `readFile` and an object URL of a Blob of it: the demo's
 *   export before `readFileBlob`.
 */
export async function runPhase({ phase, db, flushMiB, exportMiB, ping }) {
  const MiB = 1024 * 1024;
  const { FileStore } = window.vmmap;
  const memory = () => window.wasm.memory.buffer.byteLength;
  const s = await FileStore.open(db);
  const measure = async (what, fn, extra) => {
    const wasm0 = memory();
    const r = await window.longtasks.measure(fn, { ping });
    const { value, ...row } = r;
    return { what, ...row, wasmGrowth: memory() - wasm0, ...(await extra(value)) };
  };
  // Whether a Blob holds the file "write" wrote.
  const check = async (blob) => {
    const tag = async (i) => new DataView(await blob.slice(i * MiB, i * MiB + 8).arrayBuffer()).getUint32(0);
    return blob.size === exportMiB * MiB && (await tag(0)) === 0 && (await tag(exportMiB - 1)) === exportMiB - 1;
  };
  try {
    if (phase === "flush") {
      const m = await s.map("flush.bin", { create: true, length: flushMiB * MiB });
      const page = new Uint8Array(MiB);
      for (let i = 0; i < flushMiB; i++) {
        page.fill((i % 250) + 1);
        m.setSlice(i * MiB, page);
      }
      let callMs = 0;
      const row = await measure(`flush of a ${flushMiB} MiB map, all pages dirty`, async () => {
        const t = performance.now();
        const p = m.flush();
        callMs = performance.now() - t;
        await p;
      }, async () => {
        m.close();
        const back = await s.map("flush.bin", { access: "read" });
        const ok = back.get(0) === 1 && back.get(flushMiB * MiB - 1) === ((flushMiB - 1) % 250) + 1;
        back.close();
        return { ok, callMs };
      });
      return row;
    }
    if (phase === "write") {
      const page = new Uint8Array(MiB);
      const parts = [];
      for (let i = 0; i < exportMiB; i++) {
        page.fill(i % 251);
        new DataView(page.buffer).setUint32(0, i);
        parts.push(new Blob([page]));
      }
      const source = new Blob(parts);
      let events = 0;
      return await measure(`writeFile of a ${exportMiB} MiB Blob, with onProgress`,
        () => s.writeFile("big.bin", source, { onProgress: () => events++ }),
        async () => ({ events, ok: (await s.size("big.bin")) === exportMiB * MiB }));
    }
    if (phase === "blob") {
      if (typeof s.readFileBlob !== "function") return null;
      let url;
      return await measure(`export of a ${exportMiB} MiB file: readFileBlob + object URL (the demo now)`, async () => {
        const blob = await s.readFileBlob("big.bin");
        url = URL.createObjectURL(blob);
        return blob;
      }, async (blob) => {
        URL.revokeObjectURL(url);
        return { ok: await check(blob) };
      });
    }
    if (phase === "stream") {
      if (typeof s.readFileStream !== "function") return null;
      return await measure(`readFileStream of a ${exportMiB} MiB file, read to the end`, async () => {
        let n = 0, first = -1;
        const reader = s.readFileStream("big.bin").getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          if (n === 0) first = new DataView(value.buffer, value.byteOffset).getUint32(0);
          n += value.length;
        }
        return { n, first };
      }, async (v) => ({ ok: v.n === exportMiB * MiB && v.first === 0 }));
    }
    if (phase === "readFile") {
      return await measure(`readFile of a ${exportMiB} MiB file`,
        () => s.readFile("big.bin"),
        async (bytes) => ({ ok: bytes.length === exportMiB * MiB && bytes[MiB + 8] === 1 }));
    }
    if (phase === "oldExport") {
      let url;
      return await measure(`export of a ${exportMiB} MiB file: readFile + Blob + object URL (the demo before)`, async () => {
        const blob = new Blob([await s.readFile("big.bin")]);
        url = URL.createObjectURL(blob);
        return blob;
      }, async (blob) => {
        URL.revokeObjectURL(url);
        return { ok: await check(blob) };
      });
    }
    throw new Error(`no phase ${phase}`);
  } finally {
    s.close();
  }
}
