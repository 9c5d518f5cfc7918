// Every method of the JS API in each engine of VMMAP_ENGINES (Chromium,
// Firefox, WebKit, driven over WebDriver: webdriver.mjs), loaded from the
// built pkg/ by a plain <script type="module"> page (pages/index.html), with
// Python's semantics and the contract's error names. The tests are
// api-suite.mjs, which api-node.test.mjs also runs in Node against the
// directory store: this file is the browser harness. Each test's name ends
// in its engine. Where an engine lacks something, the test says so in its
// name and tests what the engine has.
import assert from "node:assert/strict";
import { after, before, describe as nodeDescribe } from "node:test";
import { suite } from "./api-suite.mjs";
import { ENGINES, launch, serve } from "./harness.mjs";

/** The running engine's server, browser and page. */
let server, br, page;

const MiB = 1024 * 1024;

/**
 * How each engine is made to run out of storage for the full-store test, and
 * given room again for the retry: `start()` resolves with a page whose
 * origin has a small quota, `fill()` if the test must call it once its
 * store's database exists, `lift()` and `close()`.
 */
const QUOTA = {
  chromium: {
    how: "CDP Storage.overrideQuotaForOrigin: 256 KiB for a localhost page, then lifted",
    async start() {
      // A page of its own origin (localhost, not 127.0.0.1), whose quota is
      // lowered before it opens a database.
      const url = server.url.replace("127.0.0.1", "localhost");
      const origin = new URL(url).origin;
      await br.session.cmd("POST", "/goog/cdp/execute", { cmd: "Storage.overrideQuotaForOrigin", params: { origin, quotaSize: 256 * 1024 } });
      const page = await br.openPage(url);
      return {
        page,
        lift: () => br.session.cmd("POST", "/goog/cdp/execute", { cmd: "Storage.overrideQuotaForOrigin", params: { origin } }),
        close: () => page.close(),
      };
    },
  },
  firefox: {
    // Firefox counts a database's free pages in the origin's usage: after
    // the failed flushes the store's database stays larger than its chunks
    // (5.6 MB for 1.2 MB), and in a 10 MiB quota the 8 MiB retry did not
    // fit. A ballast of half the quota or more fills the origin whole a
    // few seconds after it is written (estimate: usage = quota), so it is
    // written once the store's database exists.
    how: "preference dom.quotaManager.temporaryStorage.fixedLimit 100 MiB (20 MiB an origin) and a 14 MiB ballast database, written once the map exists and deleted for the retry",
    start: () => withBallast(launch("firefox", { prefs: { "dom.quotaManager.temporaryStorage.fixedLimit": 100 * 1024 } }), { size: 14 * MiB, late: true }),
  },
  webkit: {
    how: "a 10 MiB origin quota (WebKitGTK's origin-storage-ratio, in reliability/webkit-browser.py: MiniBrowser sets none) and a 4 MiB ballast database, deleted for the retry",
    async start() {
      const { statfs } = await import("node:fs/promises");
      const { tmpdir } = await import("node:os");
      const fs = await statfs(tmpdir());
      return withBallast(launch("webkit", { originStorageRatio: (10 * MiB) / (fs.blocks * fs.bsize) }));
    },
  },
};

/**
 * A page of `launching` (a browser whose origins have a small quota) and a
 * database of `size` random bytes (default 4 MiB, for a 10 MiB quota) so
 * that an 8 MiB flush does not fit; `lift()` deletes that database, after
 * which it does. The database is written at once, or with `late` by
 * `fill()`, which the test calls once its store's database exists.
 */
async function withBallast(launching, { size = 4 * MiB, late = false } = {}) {
  const own = await launching;
  try {
    const page = await own.openPage(server.url);
    const fill = () => page.evaluate(async (size) => {
      const db = await new Promise((ok, no) => {
        const r = indexedDB.open("ballast", 1);
        r.onupgradeneeded = () => r.result.createObjectStore("b");
        r.onsuccess = () => ok(r.result);
        r.onerror = () => no(r.error);
      });
      const data = new Uint8Array(size);
      for (let i = 0; i < size; i += 65536) crypto.getRandomValues(data.subarray(i, i + 65536));
      await new Promise((ok, no) => {
        const t = db.transaction("b", "readwrite");
        for (let i = 0; i < size; i += 65536) t.objectStore("b").put(data.slice(i, i + 65536), i);
        t.oncomplete = ok;
        t.onerror = () => no(t.error);
      });
      db.close();
    }, size);
    if (!late) await fill();
    return {
      page,
      ballast: true,
      fill: late ? fill : undefined,
      lift: () => page.evaluate(() => new Promise((ok, no) => {
        const r = indexedDB.deleteDatabase("ballast");
        r.onsuccess = ok;
        r.onerror = () => no(r.error);
      })),
      close: () => own.close(),
    };
  } catch (e) {
    await own.close();
    throw e;
  }
}

for (const e of ENGINES) {
  nodeDescribe(e, () => {
    before(async () => {
      server = await serve();
      br = await launch(e);
      page = await br.openPage(server.url);
    });
    after(async () => {
      const errors = page ? await page.evaluate(() => window.pageErrors) : [];
      await br?.close();
      await server?.close();
      assert.deepEqual(errors, [], "no uncaught errors in the page");
    });
    suite({
      engine: e,
      run: (fn, arg) => page.evaluate(fn, arg),
      openPage: () => br.openPage(server.url),
      async reload() {
        await page.reload();
        await page.waitReady();
        return page;
      },
      quota: QUOTA[e],
    });
  });
}
