// The npm package in Node, no browser: `import "vmmap"` resolves to the
// "node" entry (pkg/node.js), `init()` reads the .wasm from disk, and
// `FileStore.open(dir)` is a directory on disk whose files are plain files
// with their bytes as they are (src/store/sync_dir/, src/js/sync_dir.js).
// Every check of a file's bytes reads it with `node:fs`, not with vmmap.
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import vm from "node:vm";
import { after, before, describe, test } from "node:test";
import init, { ACCESS_READ, ALLOCATIONGRANULARITY, FileStore, Mmap, PAGESIZE } from "vmmap";
import { checkReadOut, readOutCases } from "./pages/read-out-cases.js";

let root, wasm;
before(async () => {
  wasm = await init();
  root = fs.mkdtempSync(path.join(os.tmpdir(), "vmmap-node-"));
});
after(() => fs.rmSync(root, { recursive: true, force: true }));

let next = 0;
/** A store in a directory of its own (not made yet: `open` makes it). */
async function store() {
  const dir = path.join(root, `store-${next++}`);
  return { dir, s: await FileStore.open(dir) };
}

/** Deterministic bytes, different in every granule. */
const pattern = (n, seed = 0) => Uint8Array.from({ length: n }, (_, i) => (i * 7 + seed + (i >> 16)) % 251);
const text = (s) => new TextEncoder().encode(s);

/** What `f` threw or rejected with. */
async function caught(f) {
  try {
    await f();
  } catch (e) {
    return e;
  }
  assert.fail("expected an error");
}

describe("entry point", () => {
  test('"vmmap" resolves to the node entry, and init() is idempotent', async () => {
    assert.match(import.meta.resolve("vmmap"), /\/node\.js$/);
    await init();
    assert.equal(Mmap.anonymous(3).length, 3);
    assert.equal(PAGESIZE, 4096);
  });
});

describe("directory store", () => {
  test("a Uint8Array from another realm (node:vm; a frame, a WebDriver sandbox) is a Uint8Array", async () => {
    const { dir, s } = await store();
    const foreign = vm.runInNewContext("new Uint8Array([1, 2, 3, 4])");
    assert.equal(foreign instanceof Uint8Array, false, "instanceof does not see it");
    await s.writeFile("f", foreign);
    assert.deepEqual(new Uint8Array(fs.readFileSync(path.join(dir, "f"))), Uint8Array.of(1, 2, 3, 4));
    const m = await s.map("f");
    m.setSlice(1, vm.runInNewContext("new Uint8Array([9, 9])"));
    assert.equal(m.find(vm.runInNewContext("new Uint8Array([9, 4])")), 2);
    m.close();
  });

  test("readFileBlob and readFileStream read a plain file whole", async () => {
    const { dir, s } = await store();
    const data = pattern(2 * ALLOCATIONGRANULARITY + 7, 3);
    fs.writeFileSync(path.join(dir, "r.bin"), data);
    const blob = await s.readFileBlob("r.bin");
    assert.deepEqual(new Uint8Array(await blob.arrayBuffer()), data);
    const chunks = [];
    for await (const chunk of s.readFileStream("r.bin")) chunks.push(chunk);
    assert.deepEqual(new Uint8Array(await new Blob(chunks).arrayBuffer()), data);
    fs.writeFileSync(path.join(dir, "empty"), new Uint8Array(0));
    let count = 0;
    for await (const _ of s.readFileStream("empty")) count++;
    assert.equal(count, 0, "an empty file is a stream with no chunk");
    const missing = await caught(async () => {
      for await (const _ of s.readFileStream("nope")) {
      }
    });
    assert.equal(missing.name, "NotFoundError");
  });

  test("readFileStream, readFileBlob, readFile: in slices straight into JS arrays, wasm memory never grows by the file, one state or a NotReadableError (pages/read-out-cases.js)", async (t) => {
    const { dir, s } = await store();
    const r = await readOutCases(s, wasm.memory);
    t.diagnostic(`wasm memory growth of reading 64 MiB three ways: ${r.big.growth} bytes`);
    checkReadOut(assert, r);
    assert.deepEqual(fs.readdirSync(dir), [], "no file, journal or partial file is left");
  });

  test("open makes the directory; writeFile writes a plain file, byte for byte", async () => {
    const { dir, s } = await store();
    assert.ok(fs.statSync(dir).isDirectory());
    const data = pattern(3 * ALLOCATIONGRANULARITY + 123);
    await s.writeFile("a.bin", data);
    assert.deepEqual(new Uint8Array(fs.readFileSync(path.join(dir, "a.bin"))), data);
    assert.deepEqual(fs.readdirSync(dir), ["a.bin"], "nothing else is left in the directory");
    assert.deepEqual(await s.readFile("a.bin"), data);
    assert.equal(await s.size("a.bin"), data.length);
  });

  test("map, write, flush: the file on disk holds the writes, and only them", async () => {
    const { dir, s } = await store();
    const file = path.join(dir, "f");
    const data = pattern(5 * PAGESIZE + 100, 3);
    await s.writeFile("f", data);
    const m = await s.map("f");
    assert.equal(m.length, data.length);
    assert.deepEqual(m.slice(0, 10), data.slice(0, 10));
    m.set(1, 0xaa);
    m.setSlice(3 * PAGESIZE - 2, text("across"));
    m.seek(0, 2);
    m.seek(-3, 1);
    m.write(text("end"));
    assert.deepEqual(new Uint8Array(fs.readFileSync(file)), data, "nothing reaches the file before flush");
    await m.flush();
    const expected = data.slice();
    expected[1] = 0xaa;
    expected.set(text("across"), 3 * PAGESIZE - 2);
    expected.set(text("end"), data.length - 3);
    assert.deepEqual(new Uint8Array(fs.readFileSync(file)), expected);
    assert.deepEqual(fs.readdirSync(dir).sort(), ["f", "f.vmmap-journal"], "the journal lives while the map does");
    m.close();
    assert.deepEqual(fs.readdirSync(dir), ["f"], "a closed map leaves no journal");
    assert.deepEqual(await s.readFile("f"), expected);
  });

  test("a file written by fs.writeFileSync maps as it is, and the map's flush changes it in place", async () => {
    const { dir, s } = await store();
    const file = path.join(dir, "plain.txt");
    fs.writeFileSync(file, "Hello Python!\n");
    assert.deepEqual(await s.list(), ["plain.txt"]);
    const m = await s.map("plain.txt");
    assert.equal(new TextDecoder().decode(m.readline()), "Hello Python!\n");
    assert.equal(m.find("Python"), -1, "find starts at the cursor, as in Python");
    assert.equal(m.find("Python", 0), 6);
    m.setSlice(6, text(" world!\n"));
    await m.flush();
    m.close();
    assert.equal(fs.readFileSync(file, "utf8"), "Hello  world!\n");
  });

  test("resize grows and shrinks the file on disk", async () => {
    const { dir, s } = await store();
    const file = path.join(dir, "r");
    await s.writeFile("r", pattern(100));
    const m = await s.map("r");
    m.resize(3 * PAGESIZE);
    assert.equal(fs.statSync(file).size, 3 * PAGESIZE);
    m.set(3 * PAGESIZE - 1, 7);
    await m.flush();
    assert.equal(fs.readFileSync(file)[3 * PAGESIZE - 1], 7);
    m.resize(10);
    assert.equal(fs.statSync(file).size, 10);
    m.close();
    assert.deepEqual(new Uint8Array(fs.readFileSync(file)), pattern(10));
  });

  test("create makes a missing file of offset + length zeros; read and copy maps never write", async () => {
    const { dir, s } = await store();
    const m = await s.map("new", { length: 2 * PAGESIZE, create: true });
    assert.equal(fs.statSync(path.join(dir, "new")).size, 2 * PAGESIZE);
    m.close();
    await s.writeFile("ro", text("abc"));
    const r = await s.map("ro", { access: ACCESS_READ });
    assert.equal((await caught(() => r.set(0, 1))).name, "TypeError");
    const c = await s.map("ro", { access: "copy" });
    c.set(0, 0x7a);
    await c.flush();
    assert.equal(c.get(0), 0x7a);
    r.close();
    c.close();
    assert.equal(fs.readFileSync(path.join(dir, "ro"), "utf8"), "abc");
  });

  test("two write maps of one file share their bytes; a replaced file's old maps keep the old bytes", async () => {
    const { dir, s } = await store();
    await s.writeFile("f", pattern(2 * PAGESIZE));
    const [a, b] = [await s.map("f"), await s.map("f")];
    a.set(5, 99);
    assert.equal(b.get(5), 99);
    await b.flush();
    assert.equal(fs.readFileSync(path.join(dir, "f"))[5], 99);
    await s.writeFile("f", text("new content"));
    assert.equal(a.length, 2 * PAGESIZE);
    assert.equal(a.get(PAGESIZE + 1), pattern(2 * PAGESIZE)[PAGESIZE + 1], "a page never loaded comes from the old file");
    a.set(0, 1);
    await a.flush();
    assert.equal(fs.readFileSync(path.join(dir, "f"), "utf8"), "new content", "the old map's flush never reaches the new file");
    a.close();
    b.close();
    const m = await s.map("f");
    assert.equal(new TextDecoder().decode(m.slice()), "new content");
    m.close();
    assert.deepEqual(fs.readdirSync(dir), ["f"]);
  });

  test("maps made at once share one open file, and see each other's writes", async () => {
    const { s } = await store();
    await s.writeFile("f", pattern(PAGESIZE));
    const [a, b] = await Promise.all([s.map("f"), s.map("f")]);
    a.set(9, 42);
    assert.equal(b.get(9), 42);
    a.close();
    b.close();
  });

  test("readFile, size, list and remove", async () => {
    const { dir, s } = await store();
    await s.writeFile("b.txt", text("hello"));
    await s.writeFile("a.bin", new Blob([text("from a blob")]));
    await s.writeFile("empty", new Uint8Array(0));
    assert.deepEqual(await s.list(), ["a.bin", "b.txt", "empty"]);
    assert.deepEqual([await s.size("a.bin"), await s.size("b.txt"), await s.size("empty")], [11, 5, 0]);
    assert.equal(new TextDecoder().decode(await s.readFile("a.bin")), "from a blob");
    fs.mkdirSync(path.join(dir, "sub"));
    assert.deepEqual(await s.list(), ["a.bin", "b.txt", "empty"], "a subdirectory is not a file");
    await s.remove("a.bin");
    assert.deepEqual(await s.list(), ["b.txt", "empty"]);
    assert.ok(!fs.existsSync(path.join(dir, "a.bin")));
  });

  test("a streamed writeFile reports progress and replaces the file only at the end", async () => {
    const { dir, s } = await store();
    const big = pattern(9 << 20, 11);
    const seen = [];
    await s.writeFile("big", new Blob([big]), { onProgress: (done, total) => seen.push([done, total]) });
    assert.deepEqual(seen, [[4 << 20, big.length], [8 << 20, big.length], [big.length, big.length]]);
    assert.ok(Buffer.compare(fs.readFileSync(path.join(dir, "big")), big) === 0);
    const thrown = new Error("stop");
    const e = await caught(() => s.writeFile("big", new Blob([pattern(9 << 20)]), { onProgress: () => { throw thrown; } }));
    assert.equal(e, thrown);
    assert.ok(Buffer.compare(fs.readFileSync(path.join(dir, "big")), big) === 0, "the old file is kept");
    assert.deepEqual(fs.readdirSync(dir), ["big"], "no partial file is left");
  });

  test("errors: NotFoundError, RangeError, TypeError naming the bad name, InvalidStateError", async () => {
    const { dir, s } = await store();
    for (const f of [() => s.readFile("nope"), () => s.size("nope"), () => s.remove("nope"), () => s.map("nope")]) {
      assert.equal((await caught(f)).name, "NotFoundError");
    }
    await s.writeFile("f", pattern(PAGESIZE));
    assert.equal((await caught(() => s.map("f", { offset: 1 }))).name, "RangeError");
    assert.equal((await caught(() => s.map("f", { length: 2 * PAGESIZE }))).name, "RangeError");
    const m = await s.map("f");
    assert.equal((await caught(() => m.get(PAGESIZE))).name, "RangeError");
    m.close();
    assert.equal((await caught(() => m.get(0))).name, "InvalidStateError");
    for (const bad of ["../x", "..", "/etc/passwd", "a/b", "a\\b", "nul\0", "x.vmmap-journal", ""]) {
      for (const f of [() => s.writeFile(bad, text("x")), () => s.readFile(bad), () => s.map(bad, { length: 1, create: true })]) {
        const e = await caught(f);
        assert.equal(e.name, "TypeError", `${JSON.stringify(bad)}: ${e.message}`);
        // Named as Rust's Debug shows a string: NUL as \0.
        const shown = JSON.stringify(bad).replace("\\u0000", "\\0");
        assert.ok(e.message.includes(shown), `the message names ${shown}: ${e.message}`);
      }
    }
    assert.ok(!fs.existsSync(path.join(dir, "..", "x")), "nothing was written outside the store");
    assert.deepEqual(fs.readdirSync(dir), ["f"]);
    const plain = path.join(root, "a-file");
    fs.writeFileSync(plain, "not a directory");
    assert.equal((await caught(() => FileStore.open(plain))).name, "RangeError");
    assert.equal((await caught(() => FileStore.open(dir, { store: "opfs" }))).name, "NotSupportedError");
    assert.equal((await caught(() => FileStore.open(dir, { store: "indexeddb" }))).name, "NotSupportedError");
    s.close();
    assert.equal((await caught(() => s.list())).name, "InvalidStateError");
  });

  test("a store reopened on the same directory sees every flushed write", async () => {
    const { dir, s } = await store();
    await s.writeFile("f", pattern(4 * PAGESIZE));
    const m = await s.map("f");
    m.set(4 * PAGESIZE - 1, 42);
    await m.flush();
    const again = await FileStore.open(dir);
    assert.equal((await again.readFile("f"))[4 * PAGESIZE - 1], 42);
    const other = await again.map("f", { access: "read" });
    assert.equal(other.get(-1), 42);
    m.close();
    other.close();
  });
});

describe("globals", () => {
  test("a stub `window` (as a test setup makes, so browser code loads) hides nothing: readFileStream, Blob and navigator are globalThis's", async () => {
    const { dir, s } = await store();
    await s.writeFile("f", text("abc"));
    s.close();
    // A process of its own: the stub must be there before vmmap's first call.
    const child = `
      globalThis.window = {};
      const { default: init, FileStore } = await import(${JSON.stringify(new URL("../../pkg/node.js", import.meta.url).href)});
      await init();
      const s = await FileStore.open(${JSON.stringify(dir)});
      const chunks = [];
      for await (const c of s.readFileStream("f")) chunks.push(...c);
      const blob = await (await s.readFileBlob("f")).text();
      globalThis.navigator = { storage: { persisted: async () => true } };
      console.log(JSON.stringify({ stream: chunks, blob, persisted: await s.persisted() }));`;
    const { execFileSync } = await import("node:child_process");
    const out = execFileSync(process.execPath, ["--input-type=module", "-e", child], { encoding: "utf8" });
    assert.deepEqual(JSON.parse(out), { stream: [97, 98, 99], blob: "abc", persisted: true });
  });
});

describe("a large sparse file", () => {
  test("mapping 1 GiB reads only the pages touched: time to the last page, and memory", async () => {
    const { dir, s } = await store();
    const file = path.join(dir, "huge");
    const size = 1 << 30;
    fs.writeFileSync(file, "");
    fs.truncateSync(file, size);
    const fd = fs.openSync(file, "r+");
    fs.writeSync(fd, text("last"), 0, 4, size - 4);
    fs.closeSync(fd);
    const rss0 = process.memoryUsage().rss;
    const t0 = performance.now();
    const m = await s.map("huge", { access: "read" });
    const last = m.slice(size - 4);
    const ms = performance.now() - t0;
    const grown = (process.memoryUsage().rss - rss0) / (1 << 20);
    assert.equal(new TextDecoder().decode(last), "last");
    console.log(`# map 1 GiB and read its last page: ${ms.toFixed(2)} ms; RSS growth ${grown.toFixed(1)} MiB`);
    assert.ok(grown < 64, `RSS grew by ${grown.toFixed(1)} MiB`);
    m.close();
  });
});

describe("a full disk", () => {
  test("a flush past the file size limit is a QuotaExceededError that changes nothing; the pages stay dirty", async () => {
    const { dir, s } = await store();
    s.close();
    const file = path.join(dir, "f");
    fs.writeFileSync(file, new Uint8Array(64 * PAGESIZE));
    // A child whose files may not grow past 128 KiB (`ulimit -f`: EFBIG,
    // which Node reports instead of dying of SIGXFSZ), as a full disk
    // (ENOSPC) would stop it: the 256 KiB flush's journal cannot be written.
    const child = `
      import init, { FileStore, PAGESIZE } from ${JSON.stringify(new URL("../../pkg/node.js", import.meta.url).href)};
      await init();
      const s = await FileStore.open(${JSON.stringify(dir)});
      const m = await s.map("f");
      m.view().fill(7);
      const out = {};
      for (const k of ["flush", "again"]) {
        try { await m.flush(); out[k] = "ok"; } catch (e) { out[k] = e.name; }
      }
      out.mapKept = m.slice().every((x) => x === 7);
      await m.flush(0, 4 * PAGESIZE); // a flush that fits still works
      console.log(JSON.stringify(out));`;
    const { execFileSync } = await import("node:child_process");
    const out = execFileSync("bash", ["-c", `ulimit -f 128; exec "${process.execPath}" --input-type=module -e "$0"`, child], {
      encoding: "utf8",
    });
    assert.deepEqual(JSON.parse(out), { flush: "QuotaExceededError", again: "QuotaExceededError", mapKept: true });
    const bytes = fs.readFileSync(file);
    assert.equal(bytes.length, 64 * PAGESIZE);
    assert.ok(bytes.subarray(0, 4 * PAGESIZE).every((x) => x === 7), "the flush that fit is in the file");
    assert.ok(bytes.subarray(4 * PAGESIZE).every((x) => x === 0), "the failed flushes changed nothing");
    const again = await FileStore.open(dir);
    assert.deepEqual(await again.list(), ["f"], "no journal is listed");
  });
});
