#!/usr/bin/env bash
# The main job. Until the demo page in www/ exists, it runs the Rust example
# that reproduces Python's mmap documentation example (hello.txt) and prints
# the same three lines Python prints.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run --quiet --locked --example hello -- "${1:-target/hello}"
