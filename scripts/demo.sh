#!/usr/bin/env bash
# The main job: builds the npm package into pkg/ (scripts/build-pkg.sh, which
# installs what is missing), then serves the demo page www/ (a hex editor over
# a memory-mapped file kept in the browser's IndexedDB) on loopback and prints
# the URL to open. Ctrl+C stops it.
#   scripts/demo.sh                 build, then serve on port 8000 (or the next free one)
#   PORT=9000 scripts/demo.sh       a given port (0: any free port)
#   scripts/demo.sh --serve-only    serve what is built (the e2e tests, tests/js/demo.test.mjs)
# The Rust example of Python's mmap docs is `cargo run --example hello`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

if [ "${1:-}" != "--serve-only" ]; then
  echo "building pkg/ (scripts/build-pkg.sh)..." >&2
  scripts/build-pkg.sh >/dev/null
fi
command -v python3 >/dev/null || need_apt python3
exec python3 scripts/serve.py
