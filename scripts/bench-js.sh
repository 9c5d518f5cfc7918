#!/usr/bin/env bash
# The JS API's benchmark in headless Chromium (tests/js/bench.mjs): builds
# pkg/, installs tests/js's locked dependencies, prints a markdown table of
# get/set ns per call and slice/setSlice MB/s beside plain Uint8Array work.
#   scripts/bench-js.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh
need_chromium
need_npm
scripts/build-pkg.sh >/dev/null
npm_deps tests/js
node tests/js/bench.mjs
