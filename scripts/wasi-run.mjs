#!/usr/bin/env -S node --no-warnings
// Runs a wasm32-wasip1 program under Node's built-in WASI: the cargo runner
// for `cargo test` / `cargo run --target wasm32-wasip1` (.cargo/config.toml).
//   node --no-warnings scripts/wasi-run.mjs PROGRAM.wasm [ARGS...]
// The program sees the current directory preopened as `.` (cargo runs test
// binaries in the package root), a fresh scratch directory preopened as
// `/tmp` (TMPDIR=/tmp; removed afterwards), its arguments, and the test
// variables named below. The exit code is the program's; a trap (a panic
// aborts on WASI) exits 1 with its stack.
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { WASI } from 'node:wasi';

// Node 20 and 22 run WASI calls as V8 fast API calls, inside which uvwasi's
// allocations can start a garbage collection that cannot see the JS frames
// below: live objects are freed and Node crashes later (nodejs/node#46777,
// #53087; Node 24 is fine). A program that grows wasm memory by tens of MiB
// (a map of a large file) and then reads a file sets it off. Plain calls
// avoid it, at no measurable cost here (BENCHMARKS.md, "Pages on demand").
setFlagsFromString('--no-turbo-fast-api-calls');

const [program, ...args] = process.argv.slice(2);
if (!program) {
  console.error('usage: node scripts/wasi-run.mjs PROGRAM.wasm [ARGS...]');
  process.exit(2);
}
const env = { TMPDIR: '/tmp' };
for (const name of ['RUST_BACKTRACE', 'RUST_TEST_THREADS', 'PROPTEST_CASES']) {
  if (process.env[name] !== undefined) env[name] = process.env[name];
}
const scratch = await mkdtemp(join(tmpdir(), 'vmmap-wasi-'));
try {
  const wasi = new WASI({
    version: 'preview1',
    args: [program, ...args],
    env,
    preopens: { '.': '.', '/tmp': scratch },
    returnOnExit: true,
  });
  const module = await WebAssembly.compile(await readFile(program));
  // `vmmap_bench.rss`: the process's resident set size, for benches/on_demand.rs.
  const imports = { ...wasi.getImportObject(), vmmap_bench: { rss: () => process.memoryUsage.rss() } };
  const instance = await WebAssembly.instantiate(module, imports);
  process.exitCode = wasi.start(instance);
} finally {
  await rm(scratch, { recursive: true, force: true });
}
