// Reading whole files out (readFileStream, readFileBlob, readFile) on any
// store, run where the package is: node.test.mjs runs them in Node over a
// directory on disk, worker.test.mjs in a dedicated worker of each engine
// (pages/worker.js) over OPFS and over IndexedDB. `readOutCases` returns
// what it saw as plain data (it crosses postMessage); `checkReadOut` checks
// it with the test process's `assert`.

const KiB = 1024;
const MiB = 1024 * KiB;
/** The bytes of one chunk of a stream. */
export const SLICE = 512 * KiB;

const pattern = (n, seed) => Uint8Array.from({ length: n }, (_, i) => (i * 7 + seed + (i >> 12)) % 251);
const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);

/** The chunks of `stream`, read to the end. */
async function drain(stream) {
  const reader = stream.getReader();
  const chunks = [];
  for (let r = await reader.read(); !r.done; r = await reader.read()) chunks.push(r.value);
  return chunks;
}

const concat = (chunks) => {
  const out = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
};

/** The name of what `f` threw or rejected with, or null. */
async function errorName(f) {
  try {
    await f();
    return null;
  } catch (e) {
    return e?.name ?? String(e);
  }
}

/**
 * Reads `reader` to its end or its failure after `change()`: how many
 * chunks came, whether they were all of the old bytes, and the error.
 */
async function readAcross(reader, change) {
  const first = await reader.read();
  await change();
  let chunks = 1;
  let old = true;
  let byte = first.value[0];
  try {
    for (let r = await reader.read(); !r.done; r = await reader.read()) {
      chunks++;
      old &&= r.value[0] === byte;
    }
    return { chunks, old, error: null };
  } catch (e) {
    return { chunks, old, error: { name: e.name, message: e.message } };
  }
}

/**
 * Every case on `store` (an open FileStore of its own); `memory` is the
 * wasm module's memory (`init()`'s `memory`).
 */
export async function readOutCases(store, memory) {
  const out = {};

  // A file of 3.5 slices and 3 bytes, written whole, then changed by a map
  // (a flush across a slice boundary) and read back three ways.
  const size = 3.5 * SLICE + 3;
  const want = pattern(size, 1);
  await store.writeFile("multi", want);
  const m = await store.map("multi");
  const edit = pattern(3 * 4096, 9);
  m.setSlice(SLICE - 4096, edit);
  want.set(edit, SLICE - 4096);
  await m.flush();
  m.close();
  const chunks = await drain(store.readFileStream("multi"));
  const blob = await store.readFileBlob("multi");
  out.multi = {
    chunks: chunks.map((c) => c.length),
    arrays: chunks.every((c) => c instanceof Uint8Array),
    stream: same(concat(chunks), want),
    blob: blob instanceof Blob && same(new Uint8Array(await blob.arrayBuffer()), want),
    readFile: same(await store.readFile("multi"), want),
  };

  await store.writeFile("empty", new Uint8Array(0));
  out.empty = {
    chunks: (await drain(store.readFileStream("empty"))).length,
    blob: (await store.readFileBlob("empty")).size,
    readFile: (await store.readFile("empty")).length,
  };

  out.missing = {
    stream: await errorName(() => drain(store.readFileStream("nope"))),
    blob: await errorName(() => store.readFileBlob("nope")),
    readFile: await errorName(() => store.readFile("nope")),
  };

  // 64 MiB, written from a Blob (which never goes through wasm memory
  // either), then read three ways: wasm memory must not grow by the file.
  const big = 64 * MiB;
  const parts = [];
  for (let i = 0; i < 64; i++) parts.push(new Uint8Array(MiB).fill(i + 1));
  await store.writeFile("big", new Blob(parts));
  parts.length = 0;
  const before = memory.buffer.byteLength;
  let streamed = 0;
  let last = 0;
  for (const c of await drain(store.readFileStream("big"))) {
    streamed += c.length;
    last = c[c.length - 1];
  }
  const bigBlob = await store.readFileBlob("big");
  const tail = [...new Uint8Array(await bigBlob.slice(big - 2).arrayBuffer())];
  const whole = await store.readFile("big");
  out.big = {
    growth: memory.buffer.byteLength - before,
    streamed, last, blob: bigBlob.size, tail, readFile: [whole.length, whole[MiB], whole[big - 1]],
  };

  // A stream cancelled after two chunks lets the file go: it is written,
  // read and removed at once (OPFS: no handle of it is left open).
  await store.writeFile("cancel", pattern(8 * SLICE, 3));
  const cancelled = store.readFileStream("cancel").getReader();
  const got = [(await cancelled.read()).value?.length, (await cancelled.read()).value?.length];
  await cancelled.cancel();
  out.cancel = {
    got,
    after: (await cancelled.read()).done,
    rewrite: await errorName(() => store.writeFile("cancel", pattern(SLICE, 4))),
    again: (await drain(store.readFileStream("cancel"))).length,
    remove: await errorName(() => store.remove("cancel")),
    list: (await store.list()).includes("cancel"),
  };

  // A flush, a writeFile and a remove of the file while a stream reads it:
  // the stream fails with NotReadableError after the chunks read before
  // (no more than one ahead of its consumer), the call succeeds, and a new
  // read sees the new state.
  const four = 8 * SLICE;
  await store.writeFile("flushed", new Uint8Array(four).fill(1));
  const w = await store.map("flushed");
  // Unflushed bytes are not the file's: a stream read meanwhile ends well.
  w.set(0, 5);
  const unflushed = concat(await drain(store.readFileStream("flushed")));
  out.unflushed = [unflushed.length, unflushed[0], unflushed[four - 1]];
  const flushed = await readAcross(store.readFileStream("flushed").getReader(), async () => {
    w.set(6 * SLICE, 9);
    await w.flush();
  });
  w.close();
  const after = await store.readFile("flushed");
  out.flushed = { ...flushed, now: [after[0], after[6 * SLICE]] };

  await store.writeFile("replaced", new Uint8Array(four).fill(1));
  let writeError = "not called";
  const replaced = await readAcross(store.readFileStream("replaced").getReader(), async () => {
    writeError = await errorName(() => store.writeFile("replaced", new Uint8Array(SLICE).fill(2)));
  });
  const now = await store.readFile("replaced");
  out.replaced = { ...replaced, writeError, now: [now.length, now[0]] };

  await store.writeFile("removed", new Uint8Array(four).fill(1));
  let removeError = "not called";
  const removed = await readAcross(store.readFileStream("removed").getReader(), async () => {
    removeError = await errorName(() => store.remove("removed"));
  });
  out.removed = { ...removed, removeError, list: (await store.list()).includes("removed") };

  // readFileBlob is one state of the file: a flush asked for right after
  // the call is wholly in it or wholly out.
  const snapshot = 4 * MiB;
  await store.writeFile("snapshot", new Uint8Array(snapshot).fill(1));
  const s = await store.map("snapshot");
  out.snapshot = [];
  for (let round = 2; round < 5; round++) {
    const reading = store.readFileBlob("snapshot");
    s.setSlice(0, new Uint8Array(snapshot).fill(round));
    const flushing = s.flush();
    const bytes = new Uint8Array(await (await reading).arrayBuffer());
    await flushing;
    const seen = new Set();
    for (let i = 0; i < snapshot; i += 4096) seen.add(bytes[i]);
    out.snapshot.push([...seen]);
  }
  s.close();

  for (const name of await store.list()) await store.remove(name);
  return out;
}

/** Checks what `readOutCases` saw, with `assert` (node:assert/strict). */
export function checkReadOut(assert, r) {
  assert.deepEqual(r.multi, {
    chunks: [SLICE, SLICE, SLICE, SLICE / 2 + 3], arrays: true, stream: true, blob: true, readFile: true,
  });
  assert.deepEqual(r.empty, { chunks: 0, blob: 0, readFile: 0 });
  assert.deepEqual(r.missing, { stream: "NotFoundError", blob: "NotFoundError", readFile: "NotFoundError" });
  const { growth, ...big } = r.big;
  assert.deepEqual(big, {
    streamed: 64 * MiB, last: 64, blob: 64 * MiB, tail: [64, 64], readFile: [64 * MiB, 2, 64],
  });
  assert.ok(growth < 4 * MiB, `reading 64 MiB grew wasm memory by ${growth / MiB} MiB`);
  assert.deepEqual(r.cancel, {
    got: [SLICE, SLICE], after: true, rewrite: null, again: 1, remove: null, list: false,
  });
  assert.deepEqual(r.unflushed, [8 * SLICE, 1, 1]);
  for (const [what, seen] of [["flush", r.flushed], ["writeFile", r.replaced], ["remove", r.removed]]) {
    assert.equal(seen.error?.name, "NotReadableError", `a ${what} during the stream: ${JSON.stringify(seen)}`);
    assert.match(seen.error.message, /changed while it was read/);
    assert.ok(seen.chunks <= 3, `${seen.chunks} chunks came after a ${what}: the stream read ahead`);
    assert.ok(seen.old, `a chunk after a ${what} was of the new file`);
  }
  assert.deepEqual(r.flushed.now, [5, 9], "the flush wrote the byte set before too");
  assert.equal(r.replaced.writeError, null);
  assert.deepEqual(r.replaced.now, [SLICE, 2]);
  assert.equal(r.removed.removeError, null);
  assert.equal(r.removed.list, false);
  for (const seen of r.snapshot) assert.equal(seen.length, 1, `one state per readFileBlob, saw bytes ${seen}`);
}
