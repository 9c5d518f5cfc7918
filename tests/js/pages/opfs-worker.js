// A dedicated (module) worker that uses the OPFS store the way an app
// would, and posts back what it saw: opfs.test.mjs starts it from a page.
// The README's OPFS example is this file's first part.
import init, { FileStore, PAGESIZE } from "/pkg/vmmap.js";

/** The name of what `f` rejects with, or null. */
const errorName = (f) => Promise.resolve().then(f).then(() => null, (e) => e.name);

async function scenario(name) {
  await init();
  const store = await FileStore.open(name, { store: "opfs" });
  await store.writeFile("notes.txt", new TextEncoder().encode("Hello OPFS!\n"));
  const m = await store.map("notes.txt");
  m.setSlice(6, new TextEncoder().encode("vmmap"));
  await m.flush();
  const mapped = new TextDecoder().decode(m.slice());
  m.close();

  // What OPFS itself holds: the plain file, read with the File API.
  const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle(name);
  const plain = await (await (await dir.getFileHandle("notes.txt")).getFile()).text();
  const entries = [];
  for await (const [entry] of dir.entries()) entries.push(entry);

  const big = new Uint8Array(9 << 20).map((_, i) => i % 251);
  const progress = [];
  await store.writeFile("big", new Blob([big]), { onProgress: (done, total) => progress.push([done, total]) });
  const big2 = await store.map("big", { access: "read", offset: 0, length: 4 * PAGESIZE });
  const window = Array.from(big2.slice(PAGESIZE, PAGESIZE + 4));
  big2.close();

  const errors = {
    missing: await errorName(() => store.readFile("nope")),
    badName: await errorName(() => store.readFile("../x")),
    offset: await errorName(() => store.map("notes.txt", { offset: 1 })),
  };
  // Calls made at once on one file share its one OPFS handle.
  const [a, b, bytes] = await Promise.all([store.map("notes.txt"), store.map("notes.txt", { access: "read" }), store.readFile("notes.txt")]);
  a.set(0, "J".charCodeAt(0));
  const together = [String.fromCharCode(b.get(0)), bytes.length];
  a.close();
  b.close();
  const held = await store.map("notes.txt");
  errors.replaceHeld = await errorName(() => store.writeFile("notes.txt", new Uint8Array(1)));
  held.close();
  await store.remove("big");
  return {
    mapped, plain, entries: entries.sort(), progress, window, errors, together,
    list: await store.list(), size: await store.size("notes.txt"),
  };
}

// A full store, in two steps around the test raising the quota again:
// `fail` fills a mapped file with new bytes and flushes past the quota,
// `retry` flushes again.
const full = {};
const sum = (b) => b.reduce((h, x, i) => (h * 31 + x + i) >>> 0, 7);

async function fail(name) {
  await init();
  full.s = await FileStore.open(name, { store: "opfs" });
  await full.s.writeFile("f", new Uint8Array(1 << 20));
  full.m = await full.s.map("f");
  full.m.view().fill(7);
  for (let i = 0; i < full.m.length; i += 65536) full.m.setSlice(i + 100, new TextEncoder().encode(`write ${i}`));
  const before = sum(full.m.slice());
  const flush = await errorName(() => full.m.flush());
  const again = await errorName(() => full.m.flush());
  const write = await errorName(() => full.s.writeFile("big", new Uint8Array(8 << 20)));
  const file = await full.s.readFile("f");
  return {
    flush, again, write, list: await full.s.list(), unchanged: sum(full.m.slice()) === before,
    fileUntouched: file.length === 1 << 20 && file.every((x) => x === 0),
  };
}

async function retry() {
  await full.m.flush();
  const file = await full.s.readFile("f");
  const map = full.m.slice();
  full.m.close();
  return { same: file.length === map.length && file.every((x, i) => x === map[i]), ends: [file[0], file[100], file[file.length - 1]] };
}

// Two workers of two pages on one file (opfs.test.mjs): `hold` maps it
// and keeps the map, `attempt` maps it from the other, `release` closes the
// held map, `churn` calls on it in a loop while the other attempts.
const shared = {};
const letter = (c) => new TextEncoder().encode(c);

async function hold(name) {
  await init();
  shared.s = await FileStore.open(name, { store: "opfs" });
  shared.m = await shared.s.map("shared", { create: true, length: 2 * PAGESIZE });
  shared.m.setSlice(0, letter("held"));
  await shared.m.flush();
  return "holding";
}

async function release() {
  shared.m.close();
  return "released";
}

/** Maps the shared file, writes `tag` at its start, flushes and closes; what it read before, or the error. */
async function attempt([name, tag]) {
  await init();
  const s = await FileStore.open(name, { store: "opfs" });
  const t0 = performance.now();
  try {
    const m = await s.map("shared", { create: true, length: 2 * PAGESIZE });
    const before = new TextDecoder().decode(m.slice(0, 4));
    m.setSlice(0, letter(tag));
    await m.flush();
    m.close();
    return { before, ms: performance.now() - t0 };
  } catch (e) {
    return { name: e.name, message: e.message, ms: performance.now() - t0 };
  }
}

/** What `writeFile` and `remove` of the shared file reject with (names), `list`, and the OPFS files. */
async function replaceHeld(name) {
  await init();
  const s = await FileStore.open(name, { store: "opfs" });
  const write = await errorName(() => s.writeFile("shared", letter("new")));
  const remove = await errorName(() => s.remove("shared"));
  // What OPFS holds: no `shared.vmmap-partial` left by the refused writeFile.
  const files = [];
  const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle(name);
  for await (const [entry] of dir.entries()) files.push(entry);
  return { write, remove, list: await s.list(), files: files.sort() };
}

/** Calls on the shared file for `ms` ms (each opens and closes its handle); how many, and any error. */
async function churn([name, ms]) {
  await init();
  const s = await FileStore.open(name, { store: "opfs" });
  let calls = 0;
  for (const end = performance.now() + ms; performance.now() < end; calls++) {
    const bytes = await s.readFile("shared");
    if (bytes.length !== 2 * PAGESIZE) throw new Error(`read ${bytes.length} bytes`);
    const m = await s.map("shared");
    m.set(PAGESIZE, calls & 0xff);
    await m.flush();
    m.close();
  }
  return { calls };
}

onmessage = async ({ data }) => {
  try {
    const [step, name] = Array.isArray(data) ? data : ["scenario", data];
    postMessage({ ok: await { scenario, fail, retry, hold, release, attempt, replaceHeld, churn }[step](name) });
  } catch (e) {
    postMessage({ error: `${e.name}: ${e.message}` });
  }
};
