// The generated TypeScript types say what the contract says: a file that
// uses the whole API (types/usage.ts) passes `tsc --noEmit` in strict mode,
// and the declarations name no `any` in the public classes.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
import { here, pkgDir } from "./harness.mjs";

test("tsc --noEmit passes on a file that uses the whole API", async () => {
  const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
  const run = promisify(execFile);
  try {
    await run(process.execPath, [tsc, "--noEmit", "-p", join(here, "types", "tsconfig.json")]);
  } catch (e) {
    assert.fail(`tsc failed:\n${e.stdout}${e.stderr}`);
  }
});

test("the public classes and constants have no `any` in their types", async () => {
  const dts = await readFile(join(pkgDir, "vmmap.d.ts"), "utf8");
  const publicPart = dts.slice(0, dts.indexOf("export type InitInput"));
  const anys = publicPart.split("\n").filter((l) => /\bany\b/.test(l) && !l.trim().startsWith("*"));
  assert.deepEqual(anys, []);
  for (const name of ["class FileStore", "class Mmap", "const PAGESIZE", "const MADV_DONTNEED", "[Symbol.dispose]", "interface MapOptions"]) {
    assert.ok(dts.includes(name), name);
  }
});
