// Crash atomicity in Node: node-flush-crash.mjs (the npm package's
// directory store) SIGKILLed during and just after 8 MiB flushes; every
// flush all old or all new (crash-rounds.mjs says how). Needs pkg/ built
// (scripts/build-pkg.sh) and no npm packages:
//
//   node --test tests/js/reliability/node-crash.mjs                       # 20 kills
//   VMMAP_CRASH_KILLS=200 node --test tests/js/reliability/node-crash.mjs  # the long run
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { ROOT, crashRounds, kills } from "./crash-rounds.mjs";

const PROGRAM = join(ROOT, "tests/js/reliability/node-flush-crash.mjs");

test(`Node: ${kills} SIGKILLs during and after 8 MiB flushes; every flush all old or all new`, async () => {
  assert.ok(existsSync(join(ROOT, "pkg/node.js")), "build pkg/ first (scripts/build-pkg.sh)");
  await crashRounds("node-crash", () => [process.execPath, PROGRAM]);
});
