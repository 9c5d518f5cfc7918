#!/usr/bin/env bash
# Runs every test suite of vmmap, installing whatever is missing first.
#   scripts/test.sh            every suite
#   scripts/test.sh native     only the named suites (lint, native, miri, browser,
#                              npm, reliability, wasi, emscripten, docs; demo: only the
#                              demo page's tests, which npm runs too)
# The same script runs in CI (.ci/run) and on a developer's machine.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

suite_lint() {
  need_rust_components rustfmt clippy
  step "cargo fmt --check" cargo fmt --all -- --check
  step "clippy (native, all targets)" cargo clippy --all-targets --locked -- -D warnings
  need_rust_target wasm32-unknown-unknown
  step "clippy (browser: wasm32-unknown-unknown, all targets)" \
    cargo clippy --all-targets --locked --target wasm32-unknown-unknown -- -D warnings
  need_rust_target wasm32-wasip1 wasm32-unknown-emscripten x86_64-pc-windows-msvc x86_64-apple-darwin
  step "clippy (WASI: wasm32-wasip1, all targets)" \
    cargo clippy --all-targets --locked --target wasm32-wasip1 -- -D warnings
  step "clippy (Emscripten: wasm32-unknown-emscripten, all targets)" \
    cargo clippy --all-targets --locked --target wasm32-unknown-emscripten -- -D warnings
  # The native backend where memmap2 runs but this machine cannot: type-checked
  # only (no linker for these targets here).
  step "cargo check (Windows: x86_64-pc-windows-msvc, all targets)" \
    cargo check --all-targets --locked --target x86_64-pc-windows-msvc
  step "cargo check (macOS: x86_64-apple-darwin, all targets)" \
    cargo check --all-targets --locked --target x86_64-apple-darwin
}

suite_native() {
  step "cargo test (native backend: unit, conformance, model, a 10,000-op fuzz, examples, doc tests)" \
    cargo test --locked
  step "example hello (Python docs' hello.txt)" check_hello
}

# WASI under Node's built-in WASI: the runner (.cargo/config.toml) is
# scripts/wasi-run.mjs, which preopens the package root and a scratch /tmp.
# `--tests` leaves out doc tests: they use std::env::temp_dir, which WASI
# lacks; the native suite runs them.
suite_wasi() {
  step "install: rust target wasm32-wasip1" need_rust_target wasm32-wasip1
  step "install: node" need_node
  step "cargo test --target wasm32-wasip1 (Node WASI: conformance, model, std::fs)" \
    cargo test --locked --no-fail-fast --target wasm32-wasip1 --tests
  step "example hello under Node WASI (Python docs' hello.txt)" \
    check_hello --target wasm32-wasip1
}

# Emscripten with Debian's emcc, run by Node (files in Emscripten's MEMFS).
suite_emscripten() {
  step "install: rust target wasm32-unknown-emscripten" need_rust_target wasm32-unknown-emscripten
  step "install: node" need_node
  step "install: emcc (Debian's emscripten)" need_emcc
  step "cargo test --target wasm32-unknown-emscripten (Node, MEMFS: conformance, model, std::fs)" \
    cargo test --locked --no-fail-fast --target wasm32-unknown-emscripten --tests
  step "example hello under Emscripten (Python docs' hello.txt)" \
    check_hello --target wasm32-unknown-emscripten
}

# The browser backend in headless Chromium, IndexedDB included: the runner
# (.cargo/config.toml) drives Chromium through chromedriver with the flags in
# webdriver.json. WASM_BINDGEN_TEST_TIMEOUT is the limit for one test binary
# (the runner's default of 20 s is too short for the whole suite). `--tests`
# leaves out doc tests: cargo builds them for the target, but they use
# host-only dev-dependencies and the runner runs only #[wasm_bindgen_test]s.
suite_browser() {
  step "install: rust target wasm32-unknown-unknown" need_rust_target wasm32-unknown-unknown
  step "install: chromium, chromedriver" need_chromium
  step "install: wasm-bindgen-cli (the version in Cargo.lock)" need_wasm_bindgen_cli
  step "cargo test --target wasm32-unknown-unknown (headless Chromium, IndexedDB)" \
    env CHROMEDRIVER=/usr/bin/chromedriver WASM_BINDGEN_TEST_TIMEOUT=600 \
    cargo test --locked --no-fail-fast --target wasm32-unknown-unknown --tests
}

# The npm package (pkg/): built by scripts/build-pkg.sh, then tests/js with
# its locked dependencies (playwright-core, typescript, vite) under node's
# test runner: the JS API page by page in headless Chromium, a 256 MiB
# streaming writeFile, a Vite build, tsc --noEmit on the types, and the demo
# page www/ end to end through scripts/demo.sh's server (demo.test.mjs).
suite_npm() {
  step "install: chromium" need_chromium
  step "install: node, npm" need_npm
  step "build pkg/ (scripts/build-pkg.sh)" scripts/build-pkg.sh
  step "install: tests/js dependencies (locked)" npm_deps tests/js
  step "node --test (tests/js: JS API in headless Chromium, streaming, Vite, tsc, demo page)" \
    bash -c 'cd tests/js && node --test'
}

# The demo page alone (also part of npm): www/ served by `scripts/demo.sh
# --serve-only`, driven in headless Chromium; screenshots in target/screenshots/.
suite_demo() {
  step "install: chromium" need_chromium
  step "install: node, npm" need_npm
  command -v python3 >/dev/null || step "install: python3" need_apt python3
  step "build pkg/ (scripts/build-pkg.sh)" scripts/build-pkg.sh
  step "install: tests/js dependencies (locked)" npm_deps tests/js
  step "node --test demo.test.mjs (the demo page in headless Chromium)" \
    bash -c 'cd tests/js && node --test demo.test.mjs'
}

# Reliability (RELIABILITY.md): a million random operations on the native
# map, the emulated map and the model at once (release build); a WASI
# program under Node SIGKILLed 20 times during and after an 8 MiB flush,
# and Chromium 20 times, each restarted on the same files; two tabs of one
# file. The long runs:
#   VMMAP_FUZZ_OPS=50000000 VMMAP_CRASH_KILLS=200 scripts/test.sh reliability
# (The full-store test is in the npm suite: tests/js/api.test.mjs.)
suite_reliability() {
  local fuzz_ops=${VMMAP_FUZZ_OPS:-1000000}
  step "fuzz: native vs emulated vs model, $fuzz_ops operations (cargo test --release --test fuzz)" \
    env VMMAP_FUZZ_OPS="$fuzz_ops" cargo test --locked --release --test fuzz -- --nocapture
  step "install: rust target wasm32-wasip1" need_rust_target wasm32-wasip1
  step "install: node" need_node
  step "build the WASI crash program (examples/flush_crash.rs, release)" \
    cargo build --locked --release --target wasm32-wasip1 --example flush_crash
  step "crash (WASI): SIGKILL Node's WASI ${VMMAP_CRASH_KILLS:-20} times during and after an 8 MiB flush; old or new, never a mix" \
    node --test tests/js/reliability/wasi-crash.mjs
  step "install: chromium" need_chromium
  step "install: node, npm" need_npm
  step "build pkg/ (scripts/build-pkg.sh)" scripts/build-pkg.sh
  step "install: tests/js dependencies (locked)" npm_deps tests/js
  step "crash: SIGKILL Chromium ${VMMAP_CRASH_KILLS:-20} times during and after a flush; old or new, never a mix" \
    bash -c 'cd tests/js && node --test reliability/crash.mjs'
  step "tabs: two tabs map one file (Web Locks, BroadcastChannel)" \
    bash -c 'cd tests/js && node --test reliability/tabs.mjs'
}

# Miri (README "Safety"): the emulation under Rust's aliasing rules and
# Miri's data-race detector, on the host over FileStore::memory(): the unit
# tests, the shared conformance suite (tests/emulated.rs), the property test
# with a few cases, and tests/soundness.rs (two maps, borrows, two threads).
# Left out: everything that maps through memmap2 (tests/native.rs, the
# native property test, the fuzz test, doc tests) — FFI that Miri cannot run.
# Isolation is off for tempfile and proptest (clock, environment).
# Miri interprets on one core: the conformance suite runs beside the rest.
suite_miri() {
  step "install: nightly toolchain with miri, rust-src" need_miri
  step "cargo miri setup" quietly cargo +nightly miri setup
  export MIRIFLAGS="-Zmiri-disable-isolation" PROPTEST_CASES="${VMMAP_MIRI_CASES:-2}"
  step "build the tests for Miri" quietly miri_test --no-run
  step "cargo +nightly miri test (emulation: conformance | unit, property, soundness)" \
    run_both "miri_test --test emulated" "miri_test --lib --test soundness --test memory_model"
}

miri_test() {
  cargo +nightly miri test --locked "$@"
}

# run_both CMD1 CMD2: runs two commands at once, prints each one's output
# when it ends; fails if either does.
run_both() {
  local a b status=0
  a=$(mktemp) b=$(mktemp)
  (eval "$1") >"$a" 2>&1 &
  local pid=$!
  (eval "$2") >"$b" 2>&1 || status=$?
  wait "$pid" || status=$?
  cat "$a" "$b"
  rm -f "$a" "$b"
  return "$status"
}

suite_docs() {
  step "cargo doc (every public item documented, no broken links)" \
    env RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --locked
}

# check_hello [CARGO ARGS...]: the hello example prints what Python prints.
check_hello() {
  local out expected
  out=$(cargo run --quiet --locked "$@" --example hello)
  expected=$(printf '%s\n' "b'Hello Python!\\n'" "b'Hello'" "b'Hello  world!\\n'")
  if [ "$out" != "$expected" ]; then
    printf 'hello example printed:\n%s\nexpected:\n%s\n' "$out" "$expected" >&2
    return 1
  fi
}

suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(lint native miri browser npm reliability wasi emscripten docs)
for s in "${suites[@]}"; do
  "suite_$s"
done
summary
