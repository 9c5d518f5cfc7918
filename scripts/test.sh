#!/usr/bin/env bash
# Runs every test suite of vmmap, installing whatever is missing first.
#   scripts/test.sh            every suite
#   scripts/test.sh native     only the named suites (lint, native, browser, docs)
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
}

suite_native() {
  step "cargo test (native backend: unit, conformance, model, examples, doc tests)" \
    cargo test --locked
  step "example hello (Python docs' hello.txt)" check_hello
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

suite_docs() {
  step "cargo doc (every public item documented, no broken links)" \
    env RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --locked
}

check_hello() {
  local out expected
  out=$(cargo run --quiet --locked --example hello)
  expected=$(printf '%s\n' "b'Hello Python!\\n'" "b'Hello'" "b'Hello  world!\\n'")
  if [ "$out" != "$expected" ]; then
    printf 'hello example printed:\n%s\nexpected:\n%s\n' "$out" "$expected" >&2
    return 1
  fi
}

suites=("$@")
[ ${#suites[@]} -gt 0 ] || suites=(lint native browser docs)
for s in "${suites[@]}"; do
  "suite_$s"
done
summary
