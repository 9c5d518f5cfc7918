// The OPFS store from the npm package: in a dedicated module worker of
// headless Chromium (pages/opfs-worker.js) every FileStore call works over
// OPFS files, whose bytes OPFS's own File API reads back as they are; on
// the main thread `{ store: "opfs" }` rejects with a NotSupportedError that
// says why and what to use instead; a flush past the origin's quota
// rejects with a QuotaExceededError, changes nothing, and a retry writes it;
// two workers of two pages on one file: while one keeps a map of it the
// other's map rejects, after a bounded wait, with a NoModificationAllowedError
// that names the file; once the maps are closed the other gets it; calls
// that each hold the file briefly hand it over to each other; a worker
// ended with a map open holds nothing.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { browser, openPage, serve } from "./harness.mjs";

let server, chrome;
before(async () => ([server, chrome] = await Promise.all([serve(), browser()])));
after(async () => {
  await chrome?.close();
  await server?.close();
});

/**
 * Runs `fn(page, cdp)` in a fresh page of the package (of origin
 * `localhost` if `host` says so: an origin of its own), then checks that
 * nothing was thrown uncaught in it and closes it.
 */
async function inPage(fn, host = "127.0.0.1") {
  const page = await openPage(chrome.context, server.url.replace("127.0.0.1", host));
  try {
    await fn(page, await chrome.context.newCDPSession(page));
    assert.deepEqual(page.pageErrors, [], "no uncaught errors in the page");
  } finally {
    await page.close();
  }
}

test("on the main thread { store: \"opfs\" } is a NotSupportedError naming the way out", () => inPage(async (page) => {
  const e = await page.evaluate(() => window.caughtAsync(() => window.vmmap.FileStore.open("x", { store: "opfs" })));
  assert.equal(e.name, "NotSupportedError");
  assert.match(e.message, /dedicated worker/);
  assert.match(e.message, /IndexedDB/);
  const bad = await page.evaluate(() => window.caughtAsync(() => window.vmmap.FileStore.open("x", { store: "disk" })));
  assert.equal(bad.name, "RangeError");
}));

/** Posts `message` to the page's worker (started on first use) and resolves with its answer. */
const ask = (on, message) =>
  on.evaluate(
    (message) =>
      new Promise((resolve) => {
        window.opfsWorker ??= new Worker("/opfs-worker.js", { type: "module" });
        window.opfsWorker.onmessage = ({ data }) => resolve(data);
        window.opfsWorker.onerror = (e) => resolve({ error: `worker: ${e.message}` });
        window.opfsWorker.postMessage(message);
      }),
    message,
  );

test("in a dedicated worker every call works over OPFS files", () => inPage(async (page) => {
  const r = await ask(page, `vmmap-opfs-${Date.now()}`);
  assert.equal(r.error, undefined, r.error);
  const MiB = 1 << 20;
  assert.deepEqual(r.ok, {
    mapped: "Hello vmmap\n",
    plain: "Hello vmmap\n",
    entries: ["notes.txt"],
    progress: [[4 * MiB, 9 * MiB], [8 * MiB, 9 * MiB], [9 * MiB, 9 * MiB]],
    window: [4096 % 251, 4097 % 251, 4098 % 251, 4099 % 251],
    errors: { missing: "NotFoundError", badName: "TypeError", offset: "RangeError", replaceHeld: "Error" },
    together: ["J", 12],
    list: ["notes.txt"],
    size: 12,
  });
}));

test("a flush past the quota is a QuotaExceededError that changes nothing, and a retry writes every change", () =>
  // A page of its own origin (localhost, not 127.0.0.1), whose quota is
  // lowered: to 2 MiB, which holds the 1 MiB file but not the flush's 1 MiB
  // journal beside it (Chromium reserves OPFS space in steps).
  inPage(async (page, cdp) => {
    const origin = new URL(page.url()).origin;
    await cdp.send("Storage.overrideQuotaForOrigin", { origin, quotaSize: 2 << 20 });
    const failed = await ask(page, ["fail", `vmmap-opfs-quota-${Date.now()}`]);
    await cdp.send("Storage.overrideQuotaForOrigin", { origin });
    const retried = await ask(page, ["retry"]);
    assert.deepEqual(failed, {
      ok: {
        flush: "QuotaExceededError", again: "QuotaExceededError", write: "QuotaExceededError",
        list: ["f"], unchanged: true, fileUntouched: true,
      },
    });
    assert.deepEqual(retried, { ok: { same: true, ends: [7, "w".charCodeAt(0), 7] } });
  }, "localhost"));

/** Opens a page of the package, runs `fn(page, otherPage)` with a second one, closes both. */
async function twoPages(fn) {
  const [a, b] = await Promise.all([openPage(chrome.context, server.url), openPage(chrome.context, server.url)]);
  try {
    await fn(a, b);
    assert.deepEqual([...a.pageErrors, ...b.pageErrors], [], "no uncaught errors in the pages");
  } finally {
    await Promise.all([a.close(), b.close()]);
  }
}

test("a file another page's worker keeps mapped is a NoModificationAllowedError after a bounded wait, then handed over once closed", () =>
  twoPages(async (a, b) => {
    const name = `vmmap-opfs-two-${Date.now()}`;
    assert.deepEqual(await ask(a, ["hold", name]), { ok: "holding" });
    const refused = (await ask(b, ["attempt", [name, "BBBB"]])).ok;
    assert.equal(refused.name, "NoModificationAllowedError", refused.message);
    assert.match(refused.message, /"shared"/);
    assert.match(refused.message, /another worker or tab/);
    assert.match(refused.message, /close the maps/);
    assert.ok(refused.ms >= 2900 && refused.ms < 10000, `waited ${refused.ms} ms`);
    assert.deepEqual(await ask(b, ["replaceHeld", name]), {
      ok: {
        write: "NoModificationAllowedError", remove: "NoModificationAllowedError", list: ["shared"],
        files: ["shared", "shared.vmmap-journal"],
      },
    });
    // The holder's file is as it flushed it.
    assert.deepEqual(await ask(a, ["release"]), { ok: "released" });
    const got = (await ask(b, ["attempt", [name, "BBBB"]])).ok;
    assert.equal(got.before, "held", JSON.stringify(got));
    assert.ok(got.ms < 2000, `took ${got.ms} ms`);
    // And back: the first page maps what the second flushed.
    const back = (await ask(a, ["attempt", [name, "AAAA"]])).ok;
    assert.equal(back.before, "BBBB", JSON.stringify(back));
  }));

test("calls of two pages' workers on one file take turns: none fails, none is lost", () =>
  twoPages(async (a, b) => {
    const name = `vmmap-opfs-turns-${Date.now()}`;
    assert.deepEqual(await ask(a, ["hold", name]), { ok: "holding" });
    assert.deepEqual(await ask(a, ["release"]), { ok: "released" });
    const attempts = async () => {
      const out = [];
      for (let i = 0; i < 10; i++) out.push((await ask(b, ["attempt", [name, `b${i % 10}..`]])).ok);
      return out;
    };
    const [churned, tried] = await Promise.all([ask(a, ["churn", [name, 1500]]), attempts()]);
    assert.equal(churned.error, undefined, churned.error);
    assert.ok(churned.ok.calls > 0);
    for (const [i, t] of tried.entries()) {
      assert.equal(t.name, undefined, `attempt ${i}: ${t.name}: ${t.message}`);
      if (i > 0) assert.equal(t.before, `b${(i - 1) % 10}..`, `attempt ${i} reads what attempt ${i - 1} flushed`);
    }
  }));

test("a worker ended with a map open lets the file go: another page's worker maps it", () =>
  twoPages(async (a, b) => {
    const name = `vmmap-opfs-ended-${Date.now()}`;
    assert.deepEqual(await ask(a, ["hold", name]), { ok: "holding" });
    await a.evaluate(() => {
      window.opfsWorker.terminate();
      window.opfsWorker = undefined;
    });
    const got = (await ask(b, ["attempt", [name, "BBBB"]])).ok;
    assert.equal(got.before, "held", JSON.stringify(got));
    assert.ok(got.ms < 2900, `took ${got.ms} ms`);
  }));
