// Crash atomicity on WASI: `examples/flush_crash.rs` under Node's WASI
// (scripts/wasi-run.mjs), SIGKILLed during and just after 8 MiB flushes;
// every flush all old or all new (crash-rounds.mjs says how). Needs no npm
// packages; the program must be built first:
//
//   cargo build --release --target wasm32-wasip1 --example flush_crash
//   node --test tests/js/reliability/wasi-crash.mjs                       # 20 kills (scripts/test.sh reliability)
//   VMMAP_CRASH_KILLS=200 node --test tests/js/reliability/wasi-crash.mjs  # the long run
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { test } from "node:test";
import { ROOT, crashRounds, kills } from "./crash-rounds.mjs";

const WASM = resolve(
  ROOT,
  process.env.VMMAP_CRASH_WASM ?? "target/wasm32-wasip1/release/examples/flush_crash.wasm",
);
const RUNNER = join(ROOT, "scripts/wasi-run.mjs");

test(`WASI: ${kills} SIGKILLs during and after 8 MiB flushes; every flush all old or all new`, async () => {
  assert.ok(existsSync(WASM), `build ${WASM} first (see the header of this file)`);
  await crashRounds("wasi-crash", () => [process.execPath, "--no-warnings", RUNNER, WASM]);
});
