#!/usr/bin/env bash
# The browser benchmark: vmmap's IndexedDB store against raw IndexedDB calls,
# side by side in one page, release build (tests/web_bench.rs says what each
# row measures), in each engine of VMMAP_ENGINES in turn: headless Chromium
# (chromedriver), headless Firefox ESR (geckodriver) and WebKitGTK
# (WebKitWebDriver's MiniBrowser under xvfb-run), as scripts/test.sh browser
# runs the browser suites. Prints the markdown tables for BENCHMARKS.md, an
# engine's after its header line.
#
#   scripts/bench-web.sh            both parts, then the native find for a ratio
#   scripts/bench-web.sh vmmap      only vmmap vs raw IndexedDB (sections 1-5)
#   scripts/bench-web.sh chunks     only the chunk-size comparison (section 6)
#   scripts/bench-web.sh find       only find in wasm, on an anonymous map (e.g. to
#                                   compare RUSTFLAGS="-C target-feature=+simd128")
#   scripts/bench-web.sh parts      a one-page flush in parts, vmmap vs a raw put,
#                                   with the IndexedDB/lock/channel calls counted
#   VMMAP_BENCH_NATIVE=0 scripts/bench-web.sh   skip the native find
#   VMMAP_ENGINES="firefox webkit" scripts/bench-web.sh   only these engines
#                                   (default: chromium firefox webkit)
#
# Each part runs in a page of its own (a fresh wasm instance): the memory row
# measures wasm memory growth, which a page that already freed large buffers
# would hide. Takes about 4 minutes per engine on 2 cores; run it on a quiet
# machine. The load average is printed before each engine's part.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

read -r -a engines <<<"${VMMAP_ENGINES:-chromium firefox webkit}"
need_rust_target wasm32-unknown-unknown
need_wasm_bindgen_cli
for engine in "${engines[@]}"; do
  case $engine in
    chromium) need_chromium ;;
    firefox) need_firefox ;;
    webkit) need_webkit ;;
    *) echo "unknown engine $engine (VMMAP_ENGINES: chromium, firefox, webkit)" >&2; exit 2 ;;
  esac
done

parts=("$@")
[ ${#parts[@]} -gt 0 ] || parts=(vmmap chunks)

echo "date: $(date -u +%Y-%m-%d)"
if git rev-parse --git-dir >/dev/null 2>&1; then
  echo "vmmap: commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src Cargo.toml || echo ', with uncommitted changes in src/ or Cargo.toml')"
fi

out=$(mktemp)
trap 'rm -f "$out"' EXIT

# The build, once for every engine (the runner only loads it in a browser).
cargo test --release --locked --target wasm32-unknown-unknown --test web_bench --no-run \
  >"$out" 2>&1 || { cat "$out" >&2; echo "bench-web: build failed" >&2; exit 1; }

# engine_env ENGINE: the VAR=VALUE words and wrapper that make the runner
# drive ENGINE (as scripts/test.sh's suite_browser does): the runner takes the
# first of GECKODRIVER, SAFARIDRIVER, CHROMEDRIVER it finds, so run() unsets
# the others.
engine_env() {
  case $1 in
    chromium) echo CHROMEDRIVER=/usr/bin/chromedriver ;;
    firefox) echo GECKODRIVER="$(command -v geckodriver)" GECKODRIVER_ARGS=--binary=/usr/bin/firefox-esr ;;
    webkit) echo SAFARIDRIVER=/usr/bin/WebKitWebDriver xvfb-run -a ;;
  esac
}

browser_version() {
  case $1 in
    chromium) chromium --version 2>/dev/null ;;
    firefox) firefox-esr --version 2>/dev/null ;;
    webkit) echo "WebKitGTK $(dpkg-query -W -f '${Version}' 'libwebkit2gtk-4.1-0' 2>/dev/null ||
      dpkg-query -W -f '${Version}' 'libwebkitgtk-6.0-4' 2>/dev/null), WebKitWebDriver's MiniBrowser under xvfb-run" ;;
  esac
}

# run ENGINE FILTER: the ignored benchmark test FILTER of tests/web_bench.rs
# in ENGINE; the harness lines are dropped, the bench's own output is printed.
run() {
  local envs
  read -r -a envs <<<"$(engine_env "$1")"
  env -u CHROMEDRIVER -u GECKODRIVER -u SAFARIDRIVER -u MSEDGEDRIVER \
    -u CHROMEDRIVER_REMOTE -u GECKODRIVER_REMOTE -u SAFARIDRIVER_REMOTE -u MSEDGEDRIVER_REMOTE \
    WASM_BINDGEN_TEST_TIMEOUT=1200 "${envs[@]}" \
    cargo test --release --locked --target wasm32-unknown-unknown --test web_bench \
    -- --include-ignored --nocapture --exact "$2" >"$out" 2>&1 || {
    cat "$out" >&2
    echo "bench-web: $2 failed in $1" >&2
    return 1
  }
  { grep -v -E '^(Set WASM_BINDGEN_TEST_TIMEOUT|Running (headless )?tests? in|Running headless|Try find|Ok$|Loading Wasm|using deprecated|running [0-9]+ test|Invoking test|test .* \.\.\. ok|test result:|\s*(Compiling|Finished|Running|Blocking) )' "$out" || true; } |
    cat -s
}

status=0
for engine in "${engines[@]}"; do
  echo
  echo "## engine: $engine"
  echo "browser: $(browser_version "$engine")"
  for p in "${parts[@]}"; do
    echo "load average before $p: $(cut -d' ' -f1-3 /proc/loadavg)"
    case $p in
      vmmap) run "$engine" vmmap_vs_raw_indexeddb || status=1 ;;
      chunks) run "$engine" chunk_size_raw_indexeddb || status=1 ;;
      find) run "$engine" find_in_wasm || status=1 ;;
      parts) run "$engine" one_page_parts || status=1 ;;
      *) echo "unknown part $p (vmmap, chunks, find, parts)" >&2; exit 2 ;;
    esac
  done
done

# The native find on the same kind of haystack (64 MiB of random bytes, a
# 24-byte needle in the last KiB), from the native bench, for a wasm/native ratio.
if [ "${VMMAP_BENCH_NATIVE:-1}" != 0 ] && [[ " ${parts[*]} " == *" vmmap "* ]]; then
  echo
  echo "native find (VMMAP_BENCH_MB=64 cargo bench --bench native, its find rows):"
  VMMAP_BENCH_MB=64 cargo bench --locked --bench native 2>/dev/null | grep -F '`find`' | grep -F 'random bytes' || true
fi
exit $status
