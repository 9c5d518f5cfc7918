// The OPFS store from the npm package: in a dedicated module worker of
// headless Chromium (pages/opfs-worker.js) every FileStore call works over
// OPFS files, whose bytes OPFS's own File API reads back as they are; on
// the main thread `{ store: "opfs" }` rejects with a NotSupportedError that
// says why and what to use instead; a flush past the origin's quota
// rejects with a QuotaExceededError, changes nothing, and a retry writes it.
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
