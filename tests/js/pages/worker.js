// A dedicated module worker that uses the npm package as a worker script of
// an app would: `import init, { FileStore } from ".../vmmap.js"`, files in
// IndexedDB (and in OPFS for `readOut`), no window. worker.test.mjs starts it from a page with
// `new Worker("/worker.js", { type: "module" })` and posts it jobs
// `{ job, store, ... }`; it answers each with `{ ok: true, result }` or
// `{ ok: false, error: { name, message, stack } }`.
import init, { FileStore, Mmap, PAGESIZE, ALLOCATIONGRANULARITY } from "/pkg/vmmap.js";
import { readOutCases } from "/read-out-cases.js";

const ready = init();

const jobs = { smoke, commit, read, readOut };

onmessage = async ({ data }) => {
  try {
    await ready;
    postMessage({ ok: true, result: await jobs[data.job](data) });
  } catch (e) {
    postMessage({ ok: false, error: { name: e?.name, message: e?.message ?? String(e), stack: e?.stack } });
  }
};

const bytes = (s) => new TextEncoder().encode(s);
const text = (b) => new TextDecoder().decode(b);

/** The file every job starts from: three granules and a bit, a pattern. */
const original = (len) => new Uint8Array(len).map((_, i) => i % 251);

/** The first index where `a` and `b` differ, or -1. */
function firstDifference(a, b) {
  if (a.length !== b.length) return Math.min(a.length, b.length);
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return i;
  return -1;
}

/** What a call threw, as the test compares it. */
async function thrown(fn) {
  try {
    await fn();
    return null;
  } catch (e) {
    return { name: e?.name, message: e?.message, isError: e instanceof Error };
  }
}

/**
 * The npm API's round trip in this worker: open a store, write a file, map
 * it, write through the map (`set`, `setSlice`, the cursor), flush, and read
 * the file back through `readFile`, a new handle and a read-only map; plus
 * what an app meets first when it goes wrong (errors by name).
 */
async function smoke({ store: name }) {
  const out = {
    global: self.constructor.name,
    hasWindow: typeof window !== "undefined",
    hasDocument: typeof document !== "undefined",
    constants: [PAGESIZE, ALLOCATIONGRANULARITY],
  };
  const len = 3 * ALLOCATIONGRANULARITY + 100;
  const expected = original(len);
  const s = await FileStore.open(name);
  await s.writeFile("f.bin", expected);
  out.sizeAfterWrite = await s.size("f.bin");

  const m = await s.map("f.bin");
  out.mapLength = m.length;
  m.set(0, 42);
  m.setSlice(ALLOCATIONGRANULARITY + 1, bytes("from the worker"));
  m.seek(len - 4);
  m.write(bytes("tail"));
  expected[0] = 42;
  expected.set(bytes("from the worker"), ALLOCATIONGRANULARITY + 1);
  expected.set(bytes("tail"), len - 4);
  await m.flush();
  out.readFileDiff = firstDifference(await s.readFile("f.bin"), expected);
  out.find = m.find(bytes("from the worker"), 0);
  m.close();

  // A new handle (another connection) reads what the first one committed.
  const again = await FileStore.open(name);
  out.newHandleDiff = firstDifference(await again.readFile("f.bin"), expected);
  const ro = await again.map("f.bin", { access: "read", offset: ALLOCATIONGRANULARITY, length: 64 });
  out.window = text(ro.slice(1, 16));
  out.readOnlySet = await thrown(() => ro.set(0, 1));
  ro.close();
  out.closedGet = await thrown(() => ro.get(0));
  out.missing = await thrown(() => again.readFile("missing.bin"));
  out.badOffset = await thrown(() => again.map("f.bin", { offset: 1 }));

  // Anonymous maps need no store.
  const anon = Mmap.anonymous(PAGESIZE);
  anon.set(-1, 7);
  out.anonymous = [anon.get(PAGESIZE - 1), anon.length];
  anon.close();

  out.list = await again.list();
  await again.remove("f.bin");
  out.listAfterRemove = await again.list();
  s.close();
  again.close();
  return out;
}

/**
 * Writes `text` at `at` in the existing file `name` of store `store` through
 * a map, and flushes: a commit the page's own map of the file must see.
 */
async function commit({ store: storeName, name, at, text: t }) {
  const s = await FileStore.open(storeName);
  const m = await s.map(name);
  m.setSlice(at, bytes(t));
  await m.flush();
  m.close();
  s.close();
  return at;
}

/** The text of `length` bytes at `at` of file `name`, read through a new map. */
async function read({ store: storeName, name, at, length }) {
  const s = await FileStore.open(storeName);
  const m = await s.map(name, { access: "read" });
  const t = text(m.slice(at, at + length));
  m.close();
  s.close();
  return t;
}

/**
 * The read-out cases (read-out-cases.js) on a store of its own: OPFS
 * (`opfs` true; its directory removed after) or IndexedDB; `{ unsupported }`
 * with the error's name where the engine has no OPFS store.
 */
async function readOut({ store: name, opfs }) {
  const { memory } = await ready;
  let s;
  try {
    s = await FileStore.open(name, opfs ? { store: "opfs" } : undefined);
  } catch (e) {
    // An engine without OPFS sync access handles (WebKitGTK).
    if (e?.name === "NotSupportedError") return { unsupported: e.name };
    throw e;
  }
  try {
    return await readOutCases(s, memory);
  } finally {
    s.close();
    if (opfs) await (await navigator.storage.getDirectory()).removeEntry(name, { recursive: true });
  }
}
