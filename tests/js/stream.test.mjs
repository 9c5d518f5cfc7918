// FileStore.writeFile streams: a 256 MiB Blob is written 4 MiB at a time
// with progress events, without a copy of its size in wasm memory or the JS
// heap; a write cut short keeps the old file and leaves nothing behind.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { browser, openPage, serve } from "./harness.mjs";

let server, chrome, page;

before(async () => {
  server = await serve();
  chrome = await browser();
  page = await openPage(chrome.context, server.url);
});

after(async () => {
  await chrome?.close();
  await server?.close();
});

const MiB = 1024 * 1024;

test("a 256 MiB Blob streams in with monotone progress and bounded memory", async () => {
  const r = await page.evaluate(async (MiB) => {
    const total = 256 * MiB;
    // The Blob is made of 1 MiB parts, each tagged with its number, from one
    // reused buffer: the page never holds 256 MiB itself.
    const part = new Uint8Array(MiB).map((_, i) => i % 251);
    const parts = [];
    for (let i = 0; i < 256; i++) {
      new DataView(part.buffer).setUint32(0, i);
      parts.push(new Blob([part]));
    }
    const blob = new Blob(parts);
    // What the page holds: collected first (--js-flags=--expose-gc), so that
    // garbage the write made and dropped does not count.
    const heap = () => (gc(), performance.memory.usedJSHeapSize);
    const wasmBefore = window.wasm.memory.buffer.byteLength;
    const heapBefore = heap();
    let heapPeak = heapBefore;
    const events = [];
    const s = await window.vmmap.FileStore.open(unique("big"));
    await s.writeFile("big.bin", new Uint8Array([1, 2, 3]));
    const t0 = performance.now();
    await s.writeFile("big.bin", blob, {
      onProgress(done, all) {
        events.push([done, all]);
        heapPeak = Math.max(heapPeak, heap());
      },
    });
    const seconds = (performance.now() - t0) / 1000;
    const wasmAfter = window.wasm.memory.buffer.byteLength;
    // Check windows of the stored file: each 1 MiB part's tag and pattern.
    const bad = [];
    for (const i of [0, 1, 77, 128, 255]) {
      const m = await s.map("big.bin", { offset: i * MiB, length: 64 * 1024, access: "read" });
      const v = m.slice();
      const tag = new DataView(v.buffer).getUint32(0);
      if (tag !== i || v[1000] !== 1000 % 251 || v[65535] !== 65535 % 251) bad.push(i);
      m.close();
    }
    const last = await s.map("big.bin", { offset: total - 64 * 1024, access: "read" });
    const lastOk = last.length === 64 * 1024 && last.get(-1) === (MiB - 1) % 251;
    return {
      size: await s.size("big.bin"), list: await s.list(), events, seconds, bad, lastOk,
      wasmGrowth: wasmAfter - wasmBefore, heapGrowth: heapPeak - heapBefore,
    };
  }, MiB);
  const total = 256 * MiB;
  assert.equal(r.size, total);
  assert.deepEqual(r.list, ["big.bin"]);
  assert.deepEqual(r.bad, []);
  assert.ok(r.lastOk);
  assert.ok(r.events.length >= 64, `${r.events.length} progress events`);
  assert.ok(r.events.every(([, all]) => all === total), "every event reports the total");
  for (let i = 1; i < r.events.length; i++) assert.ok(r.events[i][0] >= r.events[i - 1][0], "progress is monotone");
  assert.deepEqual(r.events.at(-1), [total, total], "the last event is (total, total)");
  assert.ok(r.wasmGrowth <= 16 * MiB, `wasm memory grew by ${r.wasmGrowth} bytes`);
  assert.ok(r.heapGrowth <= 32 * MiB, `the JS heap grew by ${r.heapGrowth} bytes`);
  console.log(`# 256 MiB writeFile(Blob): ${r.seconds.toFixed(1)} s (${(256 / r.seconds).toFixed(0)} MB/s), ` +
    `wasm memory +${(r.wasmGrowth / MiB).toFixed(1)} MiB, JS heap held at most +${(r.heapGrowth / MiB).toFixed(1)} MiB`);
});

test("onProgress that throws stops the write: the old file stays, no pieces are left", async () => {
  const r = await page.evaluate(async (MiB) => {
    const name = unique("stop");
    const s = await window.vmmap.FileStore.open(name);
    await s.writeFile("f", bytes("old"));
    const thrown = new Error("stop here");
    let caughtError;
    try {
      await s.writeFile("f", new Blob([new Uint8Array(10 * MiB)]), { onProgress() { throw thrown; } });
    } catch (e) {
      caughtError = e;
    }
    const keys = await new Promise((ok, fail) => {
      const open = indexedDB.open(name);
      open.onsuccess = () => {
        const req = open.result.transaction(["files", "chunks"]).objectStore("chunks").count();
        req.onsuccess = () => { ok(req.result); open.result.close(); };
        req.onerror = fail;
      };
    });
    return { same: caughtError === thrown, old: text(await s.readFile("f")), list: await s.list(), chunks: keys };
  }, MiB);
  assert.deepEqual(r, { same: true, old: "old", list: ["f"], chunks: 1 });
});

test("a write cut short earlier (a closed tab) is cleaned up by the next write of the name", async () => {
  const r = await page.evaluate(async () => {
    const name = unique("stale");
    const s = await window.vmmap.FileStore.open(name);
    await s.writeFile("f", bytes("v1"));
    const db = await new Promise((ok) => {
      const open = indexedDB.open(name);
      open.onsuccess = () => ok(open.result);
    });
    const tx = (mode) => db.transaction(["files", "chunks"], mode);
    const done = (t) => new Promise((ok, fail) => { t.oncomplete = ok; t.onabort = fail; });
    // What an interrupted streaming write leaves: its marker and some chunks.
    let t = tx("readwrite");
    t.objectStore("files").put({ id: 12345, size: 200000, chunk: 65536, version: 0 }, "f\u000012345");
    t.objectStore("chunks").put(new ArrayBuffer(65536), [12345, 0]);
    t.objectStore("chunks").put(new ArrayBuffer(65536), [12345, 1]);
    await done(t);
    const listed = await s.list();
    await s.writeFile("f", new Blob([bytes("v2")]));
    t = tx("readonly");
    const left = await new Promise((ok) => {
      const req = t.objectStore("chunks").count(IDBKeyRange.bound([12345, 0], [12345, Infinity]));
      req.onsuccess = () => ok(req.result);
    });
    const marker = await new Promise((ok) => {
      const req = t.objectStore("files").get("f\u000012345");
      req.onsuccess = () => ok(req.result ?? null);
    });
    db.close();
    return { listed, left, marker, text: text(await s.readFile("f")) };
  });
  assert.deepEqual(r, { listed: ["f"], left: 0, marker: null, text: "v2" });
});
