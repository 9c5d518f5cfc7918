// A smoke test of the npm package that any runtime with `node:fs` runs as
// a plain script (Deno, Bun; runtimes.test.mjs starts it): `import "vmmap"`
// resolves to its entry for that runtime, `init()` reads the .wasm from
// disk, and a directory store maps, writes, flushes and reads back plain
// files. Prints one JSON line of what it saw; exits 1 on any error.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import init, { FileStore, PAGESIZE } from "vmmap";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vmmap-smoke-"));
try {
  await init();
  const store = await FileStore.open(path.join(dir, "store"));
  const data = Uint8Array.from({ length: 3 * PAGESIZE + 5 }, (_, i) => i % 251);
  await store.writeFile("f", data);
  const m = await store.map("f");
  m.setSlice(PAGESIZE - 1, new TextEncoder().encode("xyz"));
  await m.flush();
  const last = m.get(-1);
  m.close();
  const onDisk = fs.readFileSync(path.join(dir, "store", "f"));
  const expected = data.slice();
  expected.set(new TextEncoder().encode("xyz"), PAGESIZE - 1);
  fs.writeFileSync(path.join(dir, "store", "plain"), "from fs");
  const plain = await store.map("plain", { access: "read" });
  const errorName = (f) => Promise.resolve().then(f).then(() => null, (e) => e.name);
  console.log(JSON.stringify({
    entry: import.meta.resolve("vmmap").split("/").pop(),
    same: Buffer.compare(onDisk, expected) === 0,
    last,
    plain: new TextDecoder().decode(plain.slice()),
    list: await store.list(),
    errors: [await errorName(() => store.readFile("nope")), await errorName(() => store.readFile("../x"))],
  }));
  plain.close();
} catch (e) {
  console.error(e);
  process.exitCode = 1;
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
