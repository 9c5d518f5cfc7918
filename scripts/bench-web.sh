#!/usr/bin/env bash
# The browser benchmark: vmmap's IndexedDB store against raw IndexedDB calls,
# side by side in headless Chromium, release build (tests/web_bench.rs says
# what each row measures). Prints the markdown tables for BENCHMARKS.md.
#
#   scripts/bench-web.sh            both parts, then the native find for a ratio
#   scripts/bench-web.sh vmmap      only vmmap vs raw IndexedDB (sections 1-5)
#   scripts/bench-web.sh chunks     only the chunk-size comparison (section 6)
#   scripts/bench-web.sh find       only find in wasm, on an anonymous map (e.g. to
#                                   compare RUSTFLAGS="-C target-feature=+simd128")
#   VMMAP_BENCH_NATIVE=0 scripts/bench-web.sh   skip the native find
#
# Each part runs in a page of its own (a fresh wasm instance): the memory row
# measures wasm memory growth, which a page that already freed large buffers
# would hide. Takes about 4 minutes on 2 cores; run it on a quiet machine.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

need_rust_target wasm32-unknown-unknown
need_chromium
need_wasm_bindgen_cli

parts=("$@")
[ ${#parts[@]} -gt 0 ] || parts=(vmmap chunks)

echo "date: $(date -u +%Y-%m-%d)"
echo "browser: $(chromium --version 2>/dev/null)"
if git rev-parse --git-dir >/dev/null 2>&1; then
  echo "vmmap: commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src Cargo.toml || echo ', with uncommitted changes in src/ or Cargo.toml')"
fi

out=$(mktemp)
trap 'rm -f "$out"' EXIT

# run FILTER: the ignored benchmark test FILTER of tests/web_bench.rs; the
# harness lines are dropped, the bench's own output is printed.
run() {
  env CHROMEDRIVER=/usr/bin/chromedriver WASM_BINDGEN_TEST_TIMEOUT=600 \
    cargo test --release --locked --target wasm32-unknown-unknown --test web_bench \
    -- --include-ignored --nocapture --exact "$1" >"$out" 2>&1 || {
    cat "$out" >&2
    echo "bench-web: $1 failed" >&2
    return 1
  }
  { grep -v -E '^(Set WASM_BINDGEN_TEST_TIMEOUT|Running headless|Try find|Ok$|Loading Wasm|using deprecated|running [0-9]+ test|Invoking test|test .* \.\.\. ok|test result:|\s*(Compiling|Finished|Running|Blocking) )' "$out" || true; } |
    cat -s
}

for p in "${parts[@]}"; do
  case $p in
    vmmap) run vmmap_vs_raw_indexeddb ;;
    chunks) run chunk_size_raw_indexeddb ;;
    find) run find_in_wasm ;;
    *) echo "unknown part $p (vmmap, chunks, find)" >&2; exit 2 ;;
  esac
done

# The native find on the same kind of haystack (64 MiB of random bytes, a
# 24-byte needle in the last KiB), from the native bench, for a wasm/native ratio.
if [ "${VMMAP_BENCH_NATIVE:-1}" != 0 ] && [[ " ${parts[*]} " == *" vmmap "* ]]; then
  echo
  echo "native find (VMMAP_BENCH_MB=64 cargo bench --bench native, its find rows):"
  VMMAP_BENCH_MB=64 cargo bench --locked --bench native 2>/dev/null | grep -F '`find`' | grep -F 'random bytes' || true
fi
