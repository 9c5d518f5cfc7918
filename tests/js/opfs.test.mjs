// The OPFS store from the npm package: in a dedicated module worker of
// headless Chromium (pages/opfs-worker.js) every FileStore call works over
// OPFS files, whose bytes OPFS's own File API reads back as they are; on
// the main thread `{ store: "opfs" }` rejects with a NotSupportedError that
// says why and what to use instead.
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
  assert.deepEqual(page.pageErrors, [], "no uncaught errors in the page");
  await chrome?.close();
  await server?.close();
});

test("on the main thread { store: \"opfs\" } is a NotSupportedError naming the way out", async () => {
  const e = await page.evaluate(() => window.caughtAsync(() => window.vmmap.FileStore.open("x", { store: "opfs" })));
  assert.equal(e.name, "NotSupportedError");
  assert.match(e.message, /dedicated worker/);
  assert.match(e.message, /IndexedDB/);
  const bad = await page.evaluate(() => window.caughtAsync(() => window.vmmap.FileStore.open("x", { store: "disk" })));
  assert.equal(bad.name, "RangeError");
});

test("in a dedicated worker every call works over OPFS files", async () => {
  const r = await page.evaluate(
    (name) =>
      new Promise((resolve) => {
        const worker = new Worker("/opfs-worker.js", { type: "module" });
        worker.onmessage = ({ data }) => {
          worker.terminate();
          resolve(data);
        };
        worker.onerror = (e) => resolve({ error: `worker: ${e.message}` });
        worker.postMessage(name);
      }),
    `vmmap-opfs-${Date.now()}`,
  );
  assert.equal(r.error, undefined, r.error);
  const MiB = 1 << 20;
  assert.deepEqual(r.ok, {
    mapped: "Hello vmmap\n",
    plain: "Hello vmmap\n",
    entries: ["notes.txt"],
    progress: [[4 * MiB, 9 * MiB], [8 * MiB, 9 * MiB], [9 * MiB, 9 * MiB]],
    window: [4096 % 251, 4097 % 251, 4098 % 251, 4099 % 251],
    errors: { missing: "NotFoundError", badName: "TypeError", offset: "RangeError", replaceHeld: "Error" },
    list: ["notes.txt"],
    size: 12,
  });
});
