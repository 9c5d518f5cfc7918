// Several tabs: two pages of one origin map the same file for writing.
// Writes of one file are serialized with a Web Lock; a commit is announced
// on a BroadcastChannel and the other tab shows, within a second, every
// page it has not dirtied itself; a page both dirtied keeps the local bytes
// until the local flush, and then the last flush wins for that page.
// Nothing committed is lost, also under concurrent flushes of one chunk.
// In every engine of VMMAP_ENGINES: two windows of one WebDriver session
// (one browser, one profile); each test's name ends in its engine.
import assert from "node:assert/strict";
import { after, before, describe, test as nodeTest } from "node:test";
import { ENGINES, launch, serve } from "../harness.mjs";

/** The engine whose tests are being registered (test names carry it). */
let named;
let current, server, br, a, b;

const test = (name, ...rest) => nodeTest(`${name} [${named}]`, ...rest);

for (const engine of ENGINES) {
  describe(engine, () => {
    named = engine;
    before(async () => {
      current = engine;
      server = await serve();
      br = await launch(engine);
      a = await br.openPage(server.url);
      b = await br.openPage(server.url);
      for (const tab of [a, b]) await tab.evaluate(lockWatcher);
    });
    after(async () => {
      const errors = [];
      for (const p of [a, b]) if (p) errors.push(...(await p.evaluate(() => window.pageErrors)));
      await br?.close();
      await server?.close();
      assert.deepEqual(errors, [], "no uncaught errors in the pages");
    });
    suite();
  });
}

const PAGE = 4096;

/**
 * Installed in each tab: the Web Locks of database `db` seen held or pending
 * while `flushing` runs (asked until one is seen or the flush settles: an
 * engine may take the lock a task or two after flush() returns).
 */
function lockWatcher() {
  window.locksDuring = async (flushing, db) => {
    let settled = false;
    flushing.then(() => (settled = true), () => (settled = true));
    const seen = new Set();
    do {
      const q = await navigator.locks.query();
      for (const l of [...q.held, ...q.pending]) if (l.name.includes(db)) seen.add(l.name);
    } while (!settled && seen.size === 0);
    await flushing;
    return [...seen];
  };
}

/** Maps `file` of database `db` in a tab as `window.m`. */
async function mapIn(tab, db, file) {
  await tab.evaluate(async ([db, file]) => {
    window.s = await window.vmmap.FileStore.open(db);
    window.m = await window.s.map(file);
  }, [db, file]);
}

/** Waits (at most `ms`) until the tab's map shows `want` (page -> text). */
async function shows(tab, want, ms = 1000) {
  const t0 = Date.now();
  await tab.waitFor(([want, PAGE]) => Object.entries(want).every(([p, t]) =>
    window.text(window.m.slice(p * PAGE, p * PAGE + t.length)) === t), [want, PAGE], ms, 10);
  return Date.now() - t0;
}

function suite() {

test("a commit reaches the other tab within a second; dirty pages are kept; last flush wins per page", async () => {
  const db = await a.evaluate(() => unique("tabs"));
  await a.evaluate(async (db) => {
    const s = await window.vmmap.FileStore.open(db);
    await s.writeFile("f", new Uint8Array(4 * 65536)); // 64 pages; a chunk holds 8
  }, db);
  await mapIn(a, db, "f");
  await mapIn(b, db, "f");

  // B dirties page 1 (in chunk 0, beside A's page 0) and page 20 (A writes it too), no flush.
  await b.evaluate((PAGE) => {
    window.m.setSlice(1 * PAGE, bytes("B1"));
    window.m.view().set(bytes("B20"), 20 * PAGE); // through a raw view
  }, PAGE);
  // A writes pages 0, 20 and 40 (three chunks) and waits for the commit.
  const locks = await a.evaluate(async ([PAGE, db]) => {
    window.m.setSlice(0, bytes("A0"));
    window.m.setSlice(20 * PAGE, bytes("A20"));
    window.m.view().set(bytes("A40"), 40 * PAGE);
    return window.locksDuring(window.m.flush(), db);
  }, [PAGE, db]);
  assert.ok(locks.includes(`vmmap:${db}:f`), `the flush holds the file's Web Lock: ${JSON.stringify(locks)}`);

  const seenB = await shows(b, { 0: "A0", 40: "A40" });
  const keptB = await b.evaluate((PAGE) => [0, 1, 20, 40].map((p) => text(window.m.slice(p * PAGE, p * PAGE + 3))), PAGE);
  assert.deepEqual(keptB, ["A0\0", "B1\0", "B20", "A40"], "B shows A's pages, keeps its own dirty ones");

  // B flushes: its pages win where it wrote; A's committed page 0 in the same chunk is kept.
  await b.evaluate(() => window.m.flush());
  const seenA = await shows(a, { 1: "B1", 20: "B20" });
  const file = await a.evaluate(async (PAGE) => {
    const f = await window.s.readFile("f");
    return [0, 1, 20, 40].map((p) => text(f.subarray(p * PAGE, p * PAGE + 3)));
  }, PAGE);
  assert.deepEqual(file, ["A0\0", "B1\0", "B20", "A40"], "the file holds every committed page; B's flush won page 20");
  const mapA = await a.evaluate((PAGE) => [0, 1, 20, 40].map((p) => text(window.m.slice(p * PAGE, p * PAGE + 3))), PAGE);
  assert.deepEqual(mapA, file, "A's map converged to the file");
  console.log(`tabs [${current}]: B saw A's commit after ${seenB} ms, A saw B's after ${seenA} ms (limit 1000 ms)`);
});

test("concurrent flushes of the same chunks from two tabs lose nothing", async () => {
  const db = await a.evaluate(() => unique("tabs-race"));
  await a.evaluate(async (db) => {
    const s = await window.vmmap.FileStore.open(db);
    await s.writeFile("f", new Uint8Array(2 * 65536)); // 32 pages in 4 chunks
  }, db);
  await mapIn(a, db, "f");
  await mapIn(b, db, "f");
  const ROUNDS = 25;
  // A owns the even pages, B the odd ones, interleaved in every chunk.
  const round = (tab, parity, r) => tab.evaluate(([parity, r, PAGE]) => {
    for (let p = parity; p < 32; p += 2) window.m.setSlice(p * PAGE, bytes(`${parity ? "B" : "A"}${r}p${p};`));
    return window.m.flush();
  }, [parity, r, PAGE]);
  for (let r = 0; r < ROUNDS; r++) await Promise.all([round(a, 0, r), round(b, 1, r)]);
  const want = (p) => `${p % 2 ? "B" : "A"}${ROUNDS - 1}p${p};`;
  const file = await a.evaluate(async ([PAGE]) => {
    const f = await window.s.readFile("f");
    return Array.from({ length: 32 }, (_, p) => text(f.subarray(p * PAGE, p * PAGE + 8)).replace(/\0+$/, ""));
  }, [PAGE]);
  assert.deepEqual(file, Array.from({ length: 32 }, (_, p) => want(p)));
  // Each tab sees the other's last round within a second.
  const all = Object.fromEntries(Array.from({ length: 32 }, (_, p) => [p, want(p)]));
  await shows(a, all);
  await shows(b, all);
});

test("a commit made before the other tab was heard of still reaches it", async () => {
  const db = await a.evaluate(() => unique("tabs-late"));
  await b.evaluate(async (db) => {
    const s = await window.vmmap.FileStore.open(db);
    await s.writeFile("f", new Uint8Array(65536));
  }, db);
  await mapIn(b, db, "f"); // B loads (its lease on the file ends when A asks for it)
  // Tab A holds back the messages of channels made from now on (its first
  // of this database comes next), as a busy tab would: B's answer to its
  // hello reaches it only when released.
  await a.evaluate(() => {
    const onmessage = Object.getOwnPropertyDescriptor(BroadcastChannel.prototype, "onmessage");
    window.held = [];
    window.release = () => {
      Object.defineProperty(BroadcastChannel.prototype, "onmessage", onmessage);
      window.holding = false;
      for (const deliver of window.held.splice(0)) deliver();
    };
    window.holding = true;
    Object.defineProperty(BroadcastChannel.prototype, "onmessage", {
      configurable: true,
      get() { return onmessage.get.call(this); },
      set(fn) {
        onmessage.set.call(this, fn && ((e) => (window.holding ? window.held.push(() => fn(e)) : fn(e))));
      },
    });
  });
  await mapIn(a, db, "f");

  // A, alone as far as it knows, commits under its lease on the file and tells nobody.
  const locks = await a.evaluate(async (db) => {
    window.m.setSlice(0, bytes("A0"));
    return window.locksDuring(window.m.flush(), db);
  }, db);
  assert.deepEqual(locks, [`vmmap:${db}:f`], "A holds the file's Web Lock");
  await new Promise((ok) => setTimeout(ok, 300));
  assert.equal(await b.evaluate(() => text(window.m.slice(0, 2))), "\0\0", "B heard of A's commit before A heard of B");

  // A hears B: it announces what it committed since the version B loaded.
  await a.evaluate(() => window.release());
  const seen = await shows(b, { 0: "A0" });
  // B's flush asks A for the lock; its commit reaches A.
  await b.evaluate((PAGE) => {
    window.m.setSlice(PAGE, bytes("B1"));
    return window.m.flush();
  }, PAGE);
  await shows(a, { 1: "B1" });
  const file = await a.evaluate(async () => text((await window.s.readFile("f")).subarray(0, 4098)));
  assert.equal(file.slice(0, 2) + file.slice(4096), "A0B1");
  console.log(`tabs [${current}]: B saw A's earlier commit ${seen} ms after A heard of B`);
});
}
