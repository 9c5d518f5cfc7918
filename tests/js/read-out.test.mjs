// Reading whole files out (readFile, readFileBlob, readFileStream) and
// flushing large maps, without long tasks on the page's main thread: the
// bytes (stored chunks, chunks never stored, a short last chunk, an empty
// file), one state of the file per read, the errors, the flush's puts issued
// in slices across tasks yet committed as one transaction, and no growth of
// wasm memory when reading.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { browser, openPage, serve } from "./harness.mjs";

let server, chrome, page;

before(async () => {
  server = await serve();
  chrome = await browser();
  page = await openPage(chrome.context, server.url);
  // Records each IndexedDB put and getAll call, grouped in bursts: the calls
  // made with no microtask checkpoint in between, that is in one run of code
  // that never gave the thread back.
  await page.evaluate(() => {
    const calls = (window.idbCalls = { put: [], getAll: 0 });
    let burst = null;
    const put = IDBObjectStore.prototype.put;
    IDBObjectStore.prototype.put = function (...args) {
      const now = performance.now();
      if (!burst) {
        burst = { start: now, end: now, puts: 0 };
        calls.put.push(burst);
        queueMicrotask(() => (burst = null));
      }
      burst.puts++;
      const request = put.apply(this, args);
      burst.end = performance.now();
      return request;
    };
    // A stream's chunks, read to the end (not `for await`: not every engine
    // has async iteration of streams).
    window.drain = async (stream) => {
      const reader = stream.getReader();
      const parts = [];
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return parts;
        parts.push(value);
      }
    };
    const getAll = IDBObjectStore.prototype.getAll;
    IDBObjectStore.prototype.getAll = function (...args) {
      calls.getAll++;
      return getAll.apply(this, args);
    };
  });
});

after(async () => {
  assert.deepEqual(page.pageErrors, [], "no uncaught errors in the page");
  await chrome?.close();
  await server?.close();
});

const run = (fn, arg) => page.evaluate(fn, arg);
const MiB = 1024 * 1024;

describe("readFile, readFileBlob, readFileStream", () => {
  test("the same bytes as the file, zero where nothing is stored, for odd sizes", async () => {
    const r = await run(async (MiB) => {
      const s = await window.vmmap.FileStore.open(unique("out"));
      const results = {};
      // 3 MiB + 5 bytes, made by a map: pages never written are stored as
      // nothing; pages written far apart; the last chunk short.
      const size = 3 * MiB + 5;
      const m = await s.map("f", { create: true, length: size });
      const want = new Uint8Array(size);
      for (const at of [0, 4095, 40000, MiB + 12345, 2 * MiB + 70000, size - 1]) {
        m.set(at, (at % 255) + 1);
        want[at] = (at % 255) + 1;
      }
      await m.flush();
      m.close();
      await s.writeFile("empty", new Uint8Array(0));
      const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
      const streamed = async (name) => {
        const parts = await window.drain(s.readFileStream(name));
        const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
        let at = 0;
        for (const p of parts) {
          out.set(p, at);
          at += p.length;
        }
        return { out, parts: parts.length, types: parts.every((p) => p instanceof Uint8Array) };
      };
      const file = await s.readFile("f");
      const blob = await s.readFileBlob("f");
      const stream = await streamed("f");
      results.readFile = same(file, want);
      results.blob = blob instanceof Blob && same(new Uint8Array(await blob.arrayBuffer()), want);
      results.stream = same(stream.out, want) && stream.types;
      results.streamParts = stream.parts;
      results.empty = [
        (await s.readFile("empty")).length,
        (await s.readFileBlob("empty")).size,
        (await streamed("empty")).out.length,
      ];
      return results;
    }, MiB);
    assert.deepEqual(r, { readFile: true, blob: true, stream: true, streamParts: 7, empty: [0, 0, 0] });
  });

  test("no such file, a bad name or type, a closed store: the error names of readFile", async () => {
    const r = await run(async () => {
      const s = await window.vmmap.FileStore.open(unique("errors"));
      const streamError = async (make) => {
        try {
          const stream = make();
          await stream.getReader().read();
          return null;
        } catch (e) {
          return e.name;
        }
      };
      const out = {
        readFile: (await caughtAsync(() => s.readFile("nope")))?.name,
        blob: (await caughtAsync(() => s.readFileBlob("nope")))?.name,
        stream: await streamError(() => s.readFileStream("nope")),
        badName: (await caughtAsync(() => s.readFile("a/b")))?.name,
        badBlob: (await caughtAsync(() => s.readFileBlob("a/b")))?.name,
        badNameStream: await streamError(() => s.readFileStream("a/b")),
        badStream: await streamError(() => s.readFileStream(42)),
      };
      s.close();
      out.closedBlob = (await caughtAsync(() => s.readFileBlob("f")))?.name;
      out.closedStream = await streamError(() => s.readFileStream("f"));
      return out;
    });
    assert.deepEqual(r, {
      readFile: "NotFoundError", blob: "NotFoundError", stream: "NotFoundError",
      badName: "TypeError", badBlob: "TypeError", badNameStream: "TypeError", badStream: "TypeError",
      closedBlob: "InvalidStateError", closedStream: "InvalidStateError",
    });
  });

  test("readFileBlob is one state of the file: a flush during the read is wholly in it or wholly not", async () => {
    const r = await run(async (MiB) => {
      const s = await window.vmmap.FileStore.open(unique("snapshot"));
      const size = 16 * MiB;
      const m = await s.map("f", { create: true, length: size });
      const fill = (byte) => {
        const part = new Uint8Array(MiB).fill(byte);
        for (let i = 0; i < 16; i++) m.setSlice(i * MiB, part);
      };
      fill(1);
      await m.flush();
      const outcomes = [];
      for (let round = 0; round < 4; round++) {
        // The read starts, then a flush of every page is asked for at once.
        const reading = s.readFileBlob("f");
        fill(round + 2);
        const flushed = m.flush();
        const bytes = new Uint8Array(await (await reading).arrayBuffer());
        await flushed;
        const seen = new Set();
        for (let i = 0; i < size; i += 4096) seen.add(bytes[i]);
        outcomes.push([...seen]);
      }
      m.close();
      return outcomes;
    }, MiB);
    for (const seen of r) assert.equal(seen.length, 1, `one state per read, saw bytes ${seen}`);
  });

  test("readFileStream fails with NotReadableError if the file changes before it is read to the end", async () => {
    const r = await run(async (MiB) => {
      const s = await window.vmmap.FileStore.open(unique("changed"));
      const m = await s.map("f", { create: true, length: 4 * MiB });
      m.setSlice(0, new Uint8Array(4 * MiB).fill(1));
      await m.flush();
      const reader = s.readFileStream("f").getReader();
      const first = await reader.read();
      m.set(3 * MiB, 9);
      await m.flush();
      let error = null;
      try {
        for (;;) if ((await reader.read()).done) break;
      } catch (e) {
        error = { name: e.name, message: e.message };
      }
      m.close();
      // Read again, it is the new state.
      const again = await window.drain(s.readFileStream("f"));
      return { first: first.value.length, error, newByte: again[6][0] };
    }, MiB);
    assert.equal(r.first, MiB / 2);
    assert.equal(r.error?.name, "NotReadableError");
    assert.match(r.error.message, /changed while it was read/);
    assert.equal(r.newByte, 9);
  });

  test("readFileStream reads as its consumer asks: one slice ahead, not the whole file", async () => {
    const r = await run(async (MiB) => {
      const s = await window.vmmap.FileStore.open(unique("pull"));
      await s.writeFile("f", new Blob([new Uint8Array(16 * MiB).fill(5)]));
      window.idbCalls.getAll = 0;
      const reader = s.readFileStream("f").getReader();
      const first = await reader.read();
      // Time for a stream that read ahead without limit to do so.
      await new Promise((ok) => setTimeout(ok, 300));
      const asked = window.idbCalls.getAll;
      await reader.cancel();
      return { first: first.value.length, asked };
    }, MiB);
    assert.equal(r.first, MiB / 2);
    assert.ok(r.asked <= 2, `${r.asked} slices asked for after one was read`);
  });

  test("reading a 64 MiB file grows no wasm memory and asks for it 512 KiB at a time", async () => {
    const r = await run(async (MiB) => {
      const s = await window.vmmap.FileStore.open(unique("memory"));
      const parts = [];
      for (let i = 0; i < 64; i++) parts.push(new Uint8Array(MiB).fill(i + 1));
      await s.writeFile("f", new Blob(parts));
      const memory = () => window.wasm.memory.buffer.byteLength;
      const before = memory();
      window.idbCalls.getAll = 0;
      const bytes = await s.readFile("f");
      const getAlls = window.idbCalls.getAll;
      const blob = await s.readFileBlob("f");
      const streamed = (await window.drain(s.readFileStream("f"))).reduce((n, p) => n + p.length, 0);
      const tail = new Uint8Array(await blob.slice(64 * MiB - 4).arrayBuffer());
      return {
        growth: memory() - before, getAlls, length: bytes.length, last: bytes[64 * MiB - 1],
        blob: blob.size, tail: [...tail], streamed,
      };
    }, MiB);
    assert.equal(r.growth, 0, "wasm memory did not grow");
    assert.equal(r.getAlls, 128, "one getAll per 512 KiB slice");
    assert.deepEqual(
      { length: r.length, last: r.last, blob: r.blob, tail: r.tail, streamed: r.streamed },
      { length: 64 * MiB, last: 64, blob: 64 * MiB, tail: [64, 64, 64, 64], streamed: 64 * MiB },
    );
  });
});

describe("flush and writeFile of many bytes", () => {
  test("a 64 MiB all-dirty flush copies nothing in the call, issues its puts in short bursts across tasks, and commits atomically what the map held at the call", async () => {
    const r = await run(async (MiB) => {
      const name = unique("sliced");
      const s = await window.vmmap.FileStore.open(name);
      const size = 64 * MiB;
      const m = await s.map("f", { create: true, length: size });
      const fill = (byte) => {
        const part = new Uint8Array(MiB).fill(byte);
        for (let i = 0; i < 64; i++) m.setSlice(i * MiB, part);
      };
      fill(1);
      await m.flush();
      // While the second flush runs, raw read-only transactions look at the
      // first and the last chunk: each must see both old or both new.
      const db = await new Promise((ok, fail) => {
        const open = indexedDB.open(name);
        open.onsuccess = () => ok(open.result);
        open.onerror = fail;
      });
      const id = await new Promise((ok) => {
        const get = db.transaction("files").objectStore("files").get("f");
        get.onsuccess = () => ok(get.result.id);
      });
      const look = () => new Promise((ok) => {
        const chunks = db.transaction("chunks").objectStore("chunks");
        const a = chunks.get([id, 0]);
        const b = chunks.get([id, size / 32768 - 1]);
        b.onsuccess = () => ok([new Uint8Array(a.result)[0], new Uint8Array(b.result)[0]]);
      });
      fill(2);
      window.idbCalls.put.length = 0;
      let done = false;
      const memory = () => window.wasm.memory.buffer.byteLength;
      const before = memory();
      const flushed = m.flush().then(() => (done = true));
      const growth = memory() - before;
      // Written after the call: not in this flush (its pages are copied
      // aside before they change), in the next one.
      fill(3);
      const seen = [];
      while (!done) seen.push(await look());
      await flushed;
      seen.push(await look());
      await m.flush();
      const next = await look();
      db.close();
      m.close();
      const bursts = window.idbCalls.put;
      return {
        bursts: bursts.length,
        puts: bursts.reduce((n, b) => n + b.puts, 0),
        longest: Math.max(...bursts.map((b) => b.end - b.start)),
        mixed: seen.filter(([a, b]) => a !== b).length,
        looks: seen.length,
        last: seen.at(-1),
        next,
        growth,
      };
    }, MiB);
    assert.ok(r.puts >= 2048, `${r.puts} puts`);
    assert.ok(r.bursts >= 8, `the puts came in ${r.bursts} bursts`);
    // The budget is 8 ms a slice; a loaded machine may stretch one put.
    assert.ok(r.longest < 50, `the longest burst of puts took ${r.longest} ms`);
    assert.equal(r.mixed, 0, `${r.mixed} of ${r.looks} looks saw the flush half done`);
    assert.deepEqual(r.last, [2, 2]);
    assert.deepEqual(r.next, [3, 3]);
    // The call copies no dirty byte (it used to copy all 64 MiB into wasm memory).
    assert.ok(r.growth < 4 * MiB, `the flush() call grew wasm memory by ${r.growth} bytes`);
  });

  test("writeFile of a 16 MiB Blob issues its puts in short bursts", async () => {
    const r = await run(async (MiB) => {
      const s = await window.vmmap.FileStore.open(unique("write"));
      window.idbCalls.put.length = 0;
      await s.writeFile("f", new Blob([new Uint8Array(16 * MiB).fill(3)]));
      const bursts = window.idbCalls.put;
      return { bursts: bursts.length, longest: Math.max(...bursts.map((b) => b.end - b.start)), last: (await s.readFile("f"))[16 * MiB - 1] };
    }, MiB);
    assert.ok(r.bursts >= 4, `the puts came in ${r.bursts} bursts`);
    assert.ok(r.longest < 50, `the longest burst of puts took ${r.longest} ms`);
    assert.equal(r.last, 3);
  });
});
