// The JS API tests of api-suite.mjs in Node, against the directory store:
// one body of tests, two harnesses (api.test.mjs is the browser's). Here
// `run(fn, arg)` runs `fn(arg)` in this process, where `window` is
// `{ vmmap, wasm }` (the package imported as "vmmap", the node entry, after
// `init()`) and the helpers of pages/helpers.js are globals, as in the
// page. The working directory is a fresh temporary directory, so
// `FileStore.open(name)` is a directory under it. A page of its own, or a
// reloaded page, is a child Node process in that directory (node-page.mjs).
// Tests about what only browsers have say in their name what Node does
// instead, and test that.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, describe } from "node:test";
import { suite } from "./api-suite.mjs";
import { evaluate, load, openNodePage } from "./node-page.mjs";

const home = process.cwd();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vmmap-api-node-"));
const pages = [];

describe("node", () => {
  before(async () => {
    process.chdir(dir);
    await load();
  });
  after(async () => {
    await Promise.all(pages.map((p) => p.close()));
    process.chdir(home);
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const openPage = async () => {
    const p = await openNodePage(dir);
    pages.push(p);
    return p;
  };
  suite({ engine: "node", run: evaluate, openPage, reload: openPage });
});
