// The npm package in Deno 2 and Bun 1: runtimes/smoke.mjs under each, no
// bundler and no flags (Deno: -A for the file system). The binaries come
// from the `deno` and `bun` npm packages, installed into
// target/js-runtimes/ when missing (or named by DENO and BUN).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { here } from "./harness.mjs";

const PREFIX = path.resolve(here, "../../target/js-runtimes");

const VERSIONS = { deno: "2", bun: "1" };

/** The binary `name`, installed from npm into target/js-runtimes/ if missing. */
function binary(name) {
  const env = process.env[name.toUpperCase()];
  if (env) return env;
  const bin = (n) => path.join(PREFIX, "node_modules", ".bin", n);
  if (!Object.keys(VERSIONS).every((n) => fs.existsSync(bin(n)))) {
    // Both at once, saved in target/js-runtimes/package.json: a later
    // install keeps what an earlier one put there.
    fs.mkdirSync(PREFIX, { recursive: true });
    const specs = Object.entries(VERSIONS).map(([n, v]) => `${n}@${v}`);
    execFileSync("npm", ["install", "--prefix", PREFIX, "--no-audit", "--no-fund", ...specs], { stdio: "inherit" });
  }
  return bin(name);
}

const expected = (entry) => ({
  entry,
  same: true,
  last: (3 * 4096 + 4) % 251,
  plain: "from fs",
  list: ["f", "plain"],
  errors: ["NotFoundError", "TypeError"],
});

for (const [name, args] of [
  ["deno", ["run", "-A", "runtimes/smoke.mjs"]],
  ["bun", ["runtimes/smoke.mjs"]],
]) {
  test(`${name}: the package loads, and its directory store maps, flushes and reads plain files`, () => {
    const out = execFileSync(binary(name), args, { cwd: here, encoding: "utf8" });
    const seen = JSON.parse(out.trim().split("\n").pop());
    assert.deepEqual(seen, expected("node.js"));
  });
}
