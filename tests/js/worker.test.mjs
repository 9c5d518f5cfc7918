// The npm package in a dedicated module worker (pages/worker.js), started by
// a page with `new Worker(url, { type: "module" })`: the API's round trip
// over IndexedDB with no window (open, writeFile, map, writes, flush,
// readFile, a new handle, errors by name), reading files out
// (pages/read-out-cases.js) over OPFS and over IndexedDB, and a page and a worker mapping
// one file, each seeing what the other commits (the file's Web Lock handed
// over between them, commits announced on the store's BroadcastChannel).
//
// Each engine the harness drives (its ENGINES and launch(), where it has
// them; else its headless Chromium).
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import * as harness from "./harness.mjs";
import { checkReadOut } from "./pages/read-out-cases.js";

const ENGINES = harness.ENGINES ?? ["chromium"];

/** A browser of `engine` with a page of `url` loaded: `{ page, close }`. */
async function open(engine, url) {
  if (harness.launch) {
    const br = await harness.launch(engine);
    return { page: await br.openPage(url), close: () => br.close() };
  }
  const chrome = await harness.browser();
  return { page: await harness.openPage(chrome.context, url), close: () => chrome.close() };
}

for (const engine of ENGINES) {
  describe(`npm package in a dedicated worker [${engine}]`, () => {
    let server, browser, page;

    before(async () => {
      server = await harness.serve();
      browser = await open(engine, server.url);
      page = browser.page;
      // window.workerJob(job): starts pages/worker.js as a module worker,
      // posts it `job`, resolves with its result, rejects with its error
      // (or with the error that kept the worker from loading), then ends it.
      await page.evaluate(() => {
        window.workerJob = (job) => {
          const worker = new Worker("/worker.js", { type: "module" });
          return new Promise((ok, fail) => {
            worker.onmessage = ({ data }) =>
              data.ok ? ok(data.result) : fail(Object.assign(new Error(data.error.message), data.error));
            worker.onerror = (e) => fail(new Error(`the worker failed to run: ${e.message}`));
            worker.postMessage(job);
          }).finally(() => worker.terminate());
        };
      });
    });

    after(async () => {
      await browser?.close();
      await server?.close();
    });

    test("open, writeFile, map, write, flush, read back, errors: all inside the worker", async () => {
      const r = await page.evaluate(() => window.workerJob({ job: "smoke", store: unique("worker-smoke") }));
      assert.equal(r.global, "DedicatedWorkerGlobalScope");
      assert.equal(r.hasWindow, false);
      assert.equal(r.hasDocument, false);
      assert.deepEqual(r.constants, [4096, 65536]);
      const len = 3 * 65536 + 100;
      assert.equal(r.sizeAfterWrite, len);
      assert.equal(r.mapLength, len);
      assert.equal(r.readFileDiff, -1, "readFile after flush differs from what was written");
      assert.equal(r.newHandleDiff, -1, "a new handle reads other bytes");
      assert.equal(r.find, 65537);
      assert.equal(r.window, "from the worker");
      assert.equal(r.readOnlySet?.name, "TypeError");
      assert.ok(r.readOnlySet.isError);
      assert.equal(r.closedGet?.name, "InvalidStateError");
      assert.equal(r.missing?.name, "NotFoundError");
      assert.match(r.missing.message, /missing\.bin/);
      assert.equal(r.badOffset?.name, "RangeError");
      assert.deepEqual(r.anonymous, [7, 4096]);
      assert.deepEqual(r.list, ["f.bin"]);
      assert.deepEqual(r.listAfterRemove, []);
    });

    for (const [store, opfs] of [["OPFS", true], ["IndexedDB", false]]) {
      // WebKitGTK's MiniBrowser has no OPFS sync access handles.
      const none = opfs && engine === "webkit";
      const name = none
        ? "WebKitGTK has no OPFS sync access handles: FileStore.open(name, { store: \"opfs\" }) in a worker is a NotSupportedError"
        : `readFileStream, readFileBlob, readFile over ${store}: slices straight into JS arrays, wasm memory never grows by the file, one state or a NotReadableError`;
      test(name, async (t) => {
        const r = await page.evaluate(
          (job) => window.workerJob({ ...job, store: unique(job.store) }),
          { job: "readOut", store: `read-out-${store}`, opfs },
        );
        if (none) return assert.deepEqual(r, { unsupported: "NotSupportedError" });
        t.diagnostic(`wasm memory growth of reading 64 MiB three ways: ${r.big.growth} bytes`);
        checkReadOut(assert, r);
      });
    }

    test("a page and a worker map one file and see each other's commits", async () => {
      const r = await page.evaluate(async () => {
        const { FileStore } = window.vmmap;
        const store = unique("worker-page");
        const s = await FileStore.open(store);
        // Bytes made by the page's own helper: a script run over WebDriver
        // may live in another realm (Firefox), whose Uint8Array vmmap rejects.
        await s.writeFile("f", bytes(".".repeat(2 * 65536)));
        const m = await s.map("f");
        // The page holds the file's lock as a lease: the worker must ask
        // for it, and its commit is announced to the page's map.
        await window.workerJob({ job: "commit", store, name: "f", at: 100, text: "worker" });
        const seen = async (at, length, want) => {
          const until = performance.now() + 10000;
          let got;
          while ((got = text(m.slice(at, at + length))) !== want && performance.now() < until) {
            await new Promise((ok) => setTimeout(ok, 20));
          }
          return got;
        };
        const pageSees = await seen(100, 6, "worker");
        m.setSlice(70000, bytes("page"));
        await m.flush();
        const workerSees = await window.workerJob({ job: "read", store, name: "f", at: 70000, length: 4 });
        const file = await s.readFile("f");
        m.close();
        s.close();
        return { pageSees, workerSees, file: [text(file.slice(100, 106)), text(file.slice(70000, 70004)), file[99], file[106]] };
      });
      assert.equal(r.pageSees, "worker", "the page's map never showed the worker's commit");
      assert.equal(r.workerSees, "page");
      assert.deepEqual(r.file, ["worker", "page", 46, 46]);
    });
  });
}
