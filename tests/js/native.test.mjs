// Files shared with the native crate: a directory the npm package writes in
// Node is read byte for byte by the native crate's `FileStore::open(dir)`
// (examples/cross_check.rs, built here with cargo), and what the native
// crate writes maps in Node as it is.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import init, { FileStore, PAGESIZE } from "vmmap";
import { here } from "./harness.mjs";

const ROOT = path.resolve(here, "../..");
const BIN = path.join(ROOT, "target/debug/examples/cross_check");
let dir;

before(async () => {
  execFileSync("cargo", ["build", "--quiet", "--locked", "--example", "cross_check"], { cwd: ROOT, stdio: "inherit" });
  await init();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "vmmap-native-"));
});
after(() => fs.rmSync(dir, { recursive: true, force: true }));

const pattern = (n) => Uint8Array.from({ length: n }, (_, i) => i % 251);
const native = (...args) => execFileSync(BIN, args, { maxBuffer: 1 << 28 });

test("what Node writes and flushes, the native crate maps byte for byte", async () => {
  const store = await FileStore.open(dir);
  const len = 3 * 65536 + 123;
  await store.writeFile("from-node", pattern(len));
  const m = await store.map("from-node");
  m.setSlice(PAGESIZE - 2, new TextEncoder().encode("node!"));
  m.set(len - 1, 7);
  await m.flush();
  m.close();
  const expected = pattern(len);
  expected.set(new TextEncoder().encode("node!"), PAGESIZE - 2);
  expected[len - 1] = 7;
  const seen = native("read", dir, "from-node");
  assert.equal(seen.length, len);
  assert.ok(Buffer.compare(seen, expected) === 0, "the native map differs");
});

test("what the native crate writes and flushes, Node maps byte for byte", async () => {
  const len = 2 * 65536 + 77;
  native("write", dir, "from-native", String(len));
  const store = await FileStore.open(dir);
  const expected = pattern(len);
  expected.set(new TextEncoder().encode("native"), 10);
  expected.set(new TextEncoder().encode("end"), len - 3);
  const m = await store.map("from-native", { access: "read" });
  assert.deepEqual(m.slice(), expected);
  m.close();
  assert.deepEqual(await store.readFile("from-native"), expected);
  assert.deepEqual((await store.list()).sort(), ["from-native", "from-node"]);
});
