#!/usr/bin/env bash
# Runs every test suite of vmmap, installing whatever is missing first.
#   scripts/test.sh            every suite
#   scripts/test.sh native     only the named suites (native, lint, docs)
# The same script runs in CI (.ci/run) and on a developer's machine.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

suite_lint() {
  need_rust_components rustfmt clippy
  step "cargo fmt --check" cargo fmt --all -- --check
  step "clippy (native, all targets)" cargo clippy --all-targets --locked -- -D warnings
}

suite_native() {
  step "cargo test (native backend: unit, conformance, model, examples, doc tests)" \
    cargo test --locked
  step "example hello (Python docs' hello.txt)" check_hello
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
[ ${#suites[@]} -gt 0 ] || suites=(lint native docs)
for s in "${suites[@]}"; do
  "suite_$s"
done
summary
