#!/usr/bin/env bash
# Runs every test suite of vmmap, installing whatever is missing first.
#   scripts/test.sh            every suite
#   scripts/test.sh native     only the named suites (lint, native, miri, browser,
#                              npm, reliability, wasi, emscripten, docs, publish; demo:
#                              only the demo page's tests, which npm runs too)
#   VMMAP_ENGINES="chromium firefox" scripts/test.sh browser npm demo reliability
#                              the browser suites and the JS page tests in
#                              some engines (default: chromium firefox webkit)
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
  step "clippy (browser without the JS API: --no-default-features)" \
    cargo clippy --lib --locked --target wasm32-unknown-unknown --no-default-features -- -D warnings
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

# The browser backend in three engines, IndexedDB included: Chromium
# (chromedriver), Firefox ESR (geckodriver) and WebKitGTK (WebKitWebDriver,
# whose MiniBrowser has no headless mode: it runs under xvfb-run). The runner
# (.cargo/config.toml) picks the driver from CHROMEDRIVER, GECKODRIVER or
# SAFARIDRIVER, so each engine's step sets one and unsets the others. It sends
# webdriver.json to chromedriver and to geckodriver (which ignores its
# goog:chromeOptions), adding its own headless flag for each; WebKitWebDriver
# gets empty capabilities and starts MiniBrowser --automation. Firefox's path
# goes to geckodriver as GECKODRIVER_ARGS rather than into webdriver.json, so
# a plain `cargo test` with GECKODRIVER set still finds a Firefox installed
# elsewhere. WASM_BINDGEN_TEST_TIMEOUT is the limit for one test binary
# (the runner's default of 20 s is too short for the whole suite). `--tests`
# leaves out doc tests: cargo builds them for the target, but they use
# host-only dev-dependencies and the runner runs only #[wasm_bindgen_test]s.
# The tests are built once; each engine runs the same binaries: tests/web.rs
# in a page and tests/web_worker.rs in a dedicated module worker that the
# runner's page starts (the IndexedDB cases and persistence tests of
# tests/indexeddb/ in both; the worker adds the model's property test), and
# tests/web_memory.rs (the memory store).
#   VMMAP_ENGINES="chromium firefox" scripts/test.sh browser   some engines
# (default, and in CI: all three).
suite_browser() {
  local engines engine
  read -r -a engines <<<"${VMMAP_ENGINES:-chromium firefox webkit}"
  step "install: rust target wasm32-unknown-unknown" need_rust_target wasm32-unknown-unknown
  step "install: wasm-bindgen-cli (the version in Cargo.lock)" need_wasm_bindgen_cli
  step "build the browser tests (cargo test --no-run --target wasm32-unknown-unknown)" \
    quietly cargo test --locked --target wasm32-unknown-unknown --tests --no-run
  for engine in "${engines[@]}"; do
    case $engine in
      chromium)
        step "install: chromium, chromedriver" need_chromium
        step "browser tests in Chromium (headless, chromedriver; IndexedDB in a page and in a worker)" \
          browser_test CHROMEDRIVER=/usr/bin/chromedriver
        ;;
      firefox)
        step "install: firefox-esr, geckodriver" need_firefox
        step "browser tests in Firefox (headless Firefox ESR, geckodriver; IndexedDB in a page and in a worker)" \
          browser_test GECKODRIVER="$(command -v geckodriver)" \
          GECKODRIVER_ARGS="--binary /usr/bin/firefox-esr"
        ;;
      webkit)
        step "install: WebKitWebDriver, xvfb" need_webkit
        step "browser tests in WebKit (WebKitGTK MiniBrowser under xvfb-run; IndexedDB in a page and in a worker)" \
          browser_test SAFARIDRIVER=/usr/bin/WebKitWebDriver xvfb-run -a
        ;;
      *)
        step "browser engine '$engine' (VMMAP_ENGINES: chromium, firefox, webkit)" false
        ;;
    esac
  done
}

# browser_test VAR=VALUE... [WRAPPER...]: the browser tests with only the
# driver named in VAR=VALUE set (the runner takes the first of GECKODRIVER,
# SAFARIDRIVER, CHROMEDRIVER it finds, and a *_REMOTE one before any),
# cargo run under WRAPPER if given.
browser_test() {
  env -u CHROMEDRIVER -u GECKODRIVER -u SAFARIDRIVER -u MSEDGEDRIVER \
    -u CHROMEDRIVER_REMOTE -u GECKODRIVER_REMOTE -u SAFARIDRIVER_REMOTE -u MSEDGEDRIVER_REMOTE \
    WASM_BINDGEN_TEST_TIMEOUT=600 "$@" \
    cargo test --locked --no-fail-fast --target wasm32-unknown-unknown --tests
}

# The npm package (pkg/): built by scripts/build-pkg.sh, then tests/js under
# node's test runner. Once: a 256 MiB streaming writeFile (Chromium's memory
# counters, through playwright-core), files read out slice by slice and
# flushes in short bursts of puts (read-out.test.mjs), OPFS in a module worker
# (opfs.test.mjs), a Vite build, tsc --noEmit on the types, the demo modules'
# import graph; and with no browser, the Node entry and its directory store
# (node.test.mjs), the API tests of api-suite.mjs against the directory
# store (api-node.test.mjs; its full-disk test lowers a child's file size
# limit with prlimit, from util-linux), the README's vitest example
# (vitest.test.mjs: vitest-app/ under vitest in Node), the native crate
# reading what Node wrote and the reverse (native.test.mjs), Deno and Bun
# (runtimes.test.mjs).
# In each engine of VMMAP_ENGINES, over WebDriver (tests/js/webdriver.mjs):
# every JS call and error name (api.test.mjs: the same api-suite.mjs), the
# package in a dedicated worker
# (worker.test.mjs) and the demo page www/ end to end through
# scripts/demo.sh's server (demo.test.mjs).
JS_ONCE=(stream.test.mjs vite.test.mjs types.test.mjs demo-imports.test.mjs
  read-out.test.mjs opfs.test.mjs node.test.mjs api-node.test.mjs vitest.test.mjs native.test.mjs
  runtimes.test.mjs)
JS_PER_ENGINE=(api.test.mjs worker.test.mjs demo.test.mjs)
suite_npm() {
  step "install: node, npm" need_npm
  step "build pkg/ (scripts/build-pkg.sh)" scripts/build-pkg.sh
  step "install: tests/js dependencies (locked)" npm_deps tests/js
  step "install: chromium" need_chromium
  command -v prlimit >/dev/null || step "install: prlimit (util-linux)" need_apt util-linux
  step "every tests/js/*.test.mjs runs (JS_ONCE or JS_PER_ENGINE in scripts/test.sh)" check_js_files
  step "node --test (tests/js, once: streaming, read-out and OPFS in Chromium; Vite, tsc, demo imports; Node (the API tests, vitest), Deno, Bun)" \
    bash -c "cd tests/js && node --test ${JS_ONCE[*]}"
  in_engines "JS API, the package in a worker, demo page (${JS_PER_ENGINE[*]})" "${JS_PER_ENGINE[@]}"
}

# The demo page alone (also part of npm): its modules' imports checked for a
# cycle, then www/ served by `scripts/demo.sh --serve-only`, driven in each
# engine of VMMAP_ENGINES; screenshots in target/screenshots/demo-<engine>-*.png.
suite_demo() {
  step "install: node, npm" need_npm
  command -v python3 >/dev/null || step "install: python3" need_apt python3
  step "build pkg/ (scripts/build-pkg.sh)" scripts/build-pkg.sh
  step "node --test demo-imports.test.mjs (no import cycle)" \
    bash -c 'cd tests/js && node --test demo-imports.test.mjs'
  in_engines "demo page (demo.test.mjs)" demo.test.mjs
}

# in_engines WHAT FILE...: `node --test FILE...` in tests/js once for each
# engine of VMMAP_ENGINES (default: all three), after installing it:
# Chromium (headless, chromedriver), Firefox ESR (headless, geckodriver),
# WebKitGTK (WebKitWebDriver; MiniBrowser has no headless mode, so the test
# process runs under xvfb-run). Each engine is a step of its own.
in_engines() {
  local what=$1; shift
  local engines engine
  read -r -a engines <<<"${VMMAP_ENGINES:-chromium firefox webkit}"
  for engine in "${engines[@]}"; do
    case $engine in
      chromium)
        step "install: chromium, chromedriver" need_chromium
        step "$what in Chromium (headless, chromedriver)" js_test chromium "$@"
        ;;
      firefox)
        step "install: firefox-esr, geckodriver" need_firefox
        step "$what in Firefox (headless Firefox ESR, geckodriver)" js_test firefox "$@"
        ;;
      webkit)
        step "install: WebKitWebDriver, xvfb, WebKitGTK for Python" need_webkit
        step "$what in WebKit (WebKitGTK under xvfb-run, WebKitWebDriver)" js_test webkit "$@"
        ;;
      *)
        step "engine '$engine' (VMMAP_ENGINES: chromium, firefox, webkit)" false
        ;;
    esac
  done
}

# js_test ENGINE FILE...: node --test FILE... in tests/js with only ENGINE.
js_test() {
  local engine=$1; shift
  local wrap=()
  [ "$engine" != webkit ] || wrap=(xvfb-run -a)
  (cd tests/js && VMMAP_ENGINES=$engine "${wrap[@]}" node --test "$@")
}

# check_js_files: every tests/js/*.test.mjs is in JS_ONCE or JS_PER_ENGINE,
# so that a new test file cannot be left out of the npm suite unnoticed.
check_js_files() {
  local f missing=0
  for f in tests/js/*.test.mjs; do
    f=${f#tests/js/}
    if ! printf '%s\n' "${JS_ONCE[@]}" "${JS_PER_ENGINE[@]}" | grep -qx "$f"; then
      echo "tests/js/$f is in neither JS_ONCE nor JS_PER_ENGINE (scripts/test.sh)" >&2
      missing=1
    fi
  done
  return "$missing"
}

# Reliability (RELIABILITY.md): a million random operations on the native
# map, the emulated map and the model at once (release build); a WASI
# program under Node SIGKILLed 20 times during and after an 8 MiB flush;
# in each engine of VMMAP_ENGINES, the browser SIGKILLed 20 times (its
# driver's whole process group) during and after a flush, each time
# restarted on the same profile; and two tabs of one file. The long runs:
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
  step "install: node, npm" need_npm
  step "build pkg/ (scripts/build-pkg.sh)" scripts/build-pkg.sh
  step "install: tests/js dependencies (locked)" npm_deps tests/js
  in_engines "crash: SIGKILL the browser ${VMMAP_CRASH_KILLS:-20} times during and after a flush, old or new, never a mix; tabs: two tabs map one file" \
    reliability/crash.mjs reliability/tabs.mjs
  step "crash (Node): SIGKILL Node ${VMMAP_CRASH_KILLS:-20} times during and after an 8 MiB flush of the npm package's directory store; old or new, never a mix" \
    node --test tests/js/reliability/node-crash.mjs
  step "install: chromium" need_chromium
  step "crash (OPFS): SIGKILL Chromium ${VMMAP_CRASH_KILLS:-20} times during and after a worker's flush of an OPFS file; old or new, never a mix" \
    bash -c 'cd tests/js && node --test reliability/opfs-crash.mjs'
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
  # The conformance cases are most of the work: every other case goes to
  # each half; the property test (about 100 s) goes with one half, the unit
  # and soundness tests with the other.
  local cases half_a half_b
  cases=$(miri_test --test emulated -- --list --format terse 2>/dev/null | sed -n 's/: test$//p')
  half_a=$(printf '%s\n' "$cases" | sed -n 'p;n' | tr '\n' ' ')
  half_b=$(printf '%s\n' "$cases" | sed -n 'n;p' | tr '\n' ' ')
  step "cargo +nightly miri test (emulation: conformance, property, unit, soundness; two at once)" \
    run_both "miri_test --test emulated -- --exact $half_a && miri_test --test memory_model" \
    "miri_test --test emulated -- --exact $half_b && miri_test --lib --test soundness -- $MIRI_SKIP"
}

# Left out of Miri's unit tests: the directory store's and the journal's
# (std::fs code with no unsafe; their tests sync real directories, which Miri
# cannot, and replay every crash point of a simulated disk, minutes under
# Miri). `cargo test`, WASI and Emscripten run them.
MIRI_SKIP="--skip store::dir::tests --skip store::journal"

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
  # The internal docs too: their links name the modules a reader goes to next.
  need_rust_target wasm32-unknown-unknown
  local target
  for target in x86_64-unknown-linux-gnu wasm32-unknown-unknown; do
    step "cargo doc --document-private-items for $target (no broken internal links)" \
      env RUSTDOCFLAGS="-D warnings" cargo doc --no-deps --locked --document-private-items \
      --target "$target"
  done
}

# What users install: the crate as crates.io and docs.rs get it, and the npm
# package. The crate is packed and its packed copy built (cargo publish
# --dry-run; a tree with uncommitted changes to packed files fails, as a
# real publish would); docs.rs's three builds run on a packed copy; the
# declared rust-version checks the whole repository; npm pack lists the
# package's files. Versions of the two packages and the changelog agree.
suite_publish() {
  step "versions agree: Cargo.toml, pkg/package.json, CHANGELOG.md" check_versions
  step "crate files: sources, README, CHANGELOG, licenses only (cargo package --list)" \
    check_crate_files
  step "cargo publish --dry-run (packs the crate, builds the packed copy)" publish_dry_run
  step "install: nightly toolchain, wasm32-unknown-unknown and wasm32-wasip1 for it" \
    need_rust_toolchain nightly wasm32-unknown-unknown wasm32-wasip1
  step "unpack the crate as docs.rs gets it (cargo package)" unpack_crate
  local target
  for target in x86_64-unknown-linux-gnu wasm32-unknown-unknown wasm32-wasip1; do
    step "docs.rs build for $target (the packed crate, --cfg docsrs, no warnings)" \
      docs_rs_build "$target"
  done
  local msrv
  msrv=$(awk -F'"' '/^rust-version = / { print $2; exit }' Cargo.toml)
  step "install: rust $msrv (Cargo.toml's rust-version)" need_rust_toolchain "$msrv"
  step "MSRV: cargo +$msrv check --all-targets (native)" \
    cargo "+$msrv" check --all-targets --locked
  step "install: node, npm" need_npm
  step "build pkg/ (scripts/build-pkg.sh)" scripts/build-pkg.sh
  step "npm pack --dry-run: JS, types, wasm, README, licenses and nothing else" \
    check_npm_pack
}

# crate_version: the version in Cargo.toml (`cargo pkgid` ends in it).
crate_version() {
  local id
  id=$(cargo pkgid --quiet) || return 1
  echo "${id##*[#@]}"
}

# check_versions: one version for the crate, the npm package and the newest
# changelog entry.
check_versions() {
  local crate npm changelog
  crate=$(crate_version) || return 1
  npm=$(node -p 'require("./pkg/package.json").version') || return 1
  changelog=$(grep -m1 -oE '^## \[[0-9][^]]*\]' CHANGELOG.md | tr -d '#[] ')
  echo "Cargo.toml $crate, pkg/package.json $npm, CHANGELOG.md $changelog"
  [ "$crate" = "$npm" ] && [ "$crate" = "$changelog" ]
}

# check_crate_files: the crate ships what a dependent builds (src/**/*.rs and
# the JS snippet src/js/sync_dir.js, which the browser build imports)
# and the README, changelog and license texts; cargo adds Cargo.toml.orig,
# Cargo.lock and .cargo_vcs_info.json. Anything else fails. (--allow-dirty:
# the list does not depend on what is committed; the dry run checks that.)
check_crate_files() {
  local files extra f
  files=$(cargo package --list --locked --quiet --allow-dirty) || return 1
  extra=$(grep -vxE 'src/.*\.rs|src/js/sync_dir\.js|Cargo\.toml(\.orig)?|Cargo\.lock|\.cargo_vcs_info\.json|README\.md|CHANGELOG\.md|LICENSE-(MIT|APACHE)' <<<"$files")
  if [ -n "$extra" ]; then
    printf 'not for the crate package:\n%s\n' "$extra" >&2
    return 1
  fi
  for f in src/lib.rs src/js/sync_dir.js README.md CHANGELOG.md LICENSE-MIT LICENSE-APACHE; do
    grep -qx "$f" <<<"$files" || { echo "missing from the crate package: $f" >&2; return 1; }
  done
  echo "$(wc -l <<<"$files") files"
}

# publish_dry_run: cargo publish --dry-run, showing the package's size. The
# only warnings allowed are cargo's notes on the tests, benchmarks and
# examples left out of the package (it drops their targets from the
# published manifest) and the dry run's "aborting upload".
publish_dry_run() {
  local log status=0
  log=$(mktemp)
  cargo publish --dry-run --locked >"$log" 2>&1 || status=$?
  local unexpected
  unexpected=$(grep '^warning' "$log" |
    grep -vE '^warning: ignoring (test|benchmark|example) `[^`]+` as `[^`]+` is not included in the published package$' |
    grep -vx 'warning: aborting upload due to dry run')
  if [ "$status" -ne 0 ] || [ -n "$unexpected" ]; then
    cat "$log" >&2
    rm -f "$log"
    return 1
  fi
  grep -E 'Packaged|Verifying|Finished' "$log"
  rm -f "$log"
}

# unpack_crate: the crate as docs.rs downloads it, unpacked in target/docsrs/
# (cargo publish keeps its own .crate where it likes). --allow-dirty: the
# docs are of the files as they are; the dry run checks they are committed.
# tar -m: files dated now, not the archive's fixed date, so cargo sees them
# change.
unpack_crate() {
  local version
  version=$(crate_version) || return 1
  cargo package --no-verify --locked --quiet --allow-dirty --target-dir target/docsrs || return 1
  rm -rf "target/docsrs/vmmap-$version"
  tar -xzmf "target/docsrs/package/vmmap-$version.crate" -C target/docsrs
}

# docs_rs_build TARGET: the documentation docs.rs builds for TARGET, from the
# unpacked crate, with --cfg docsrs as docs.rs passes it; every warning (a
# broken link, a missing doc) is an error.
docs_rs_build() {
  local version
  version=$(crate_version) || return 1
  env RUSTDOCFLAGS="--cfg docsrs -D warnings" cargo +nightly doc --no-deps --locked \
    --manifest-path "target/docsrs/vmmap-$version/Cargo.toml" --target-dir target --target "$1"
}

# check_npm_pack: `npm pack --dry-run` in pkg/ lists exactly these files
# (a missing one and an extra one both fail) and the tarball's sizes.
# A `*` stands for one path segment (the snippets' hashed directory).
NPM_FILES=(LICENSE-APACHE LICENSE-MIT README.md package.json
  vmmap.d.ts vmmap.js vmmap_bg.wasm vmmap_bg.wasm.d.ts
  node.js 'snippets/*/src/js/sync_dir.js')
check_npm_pack() {
  local json
  json=$(cd pkg && npm pack --dry-run --json 2>/dev/null) || return 1
  node -e '
    const [pack] = JSON.parse(process.argv[1]);
    const want = process.argv.slice(2).sort();
    const got = pack.files.map((f) => f.path).sort();
    for (const f of pack.files) console.log(`${String(f.size).padStart(9)}  ${f.path}`);
    console.log(`${pack.filename}: ${pack.entryCount} files, ${pack.size} bytes packed, ${pack.unpackedSize} unpacked`);
    const like = (w, f) => new RegExp(`^${w.split("*").map((p) => p.replace(/[.?+^$()[\]{}|\\]/g, "\\$&")).join("[^/]+")}$`).test(f);
    const extra = got.filter((f) => !want.some((w) => like(w, f)));
    const missing = want.filter((w) => !got.some((f) => like(w, f)));
    if (extra.length) console.error(`not for the npm package: ${extra.join(", ")}`);
    if (missing.length) console.error(`missing from the npm package: ${missing.join(", ")}`);
    process.exit(extra.length || missing.length ? 1 : 0);
  ' "$json" "${NPM_FILES[@]}"
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
[ ${#suites[@]} -gt 0 ] || suites=(lint native miri browser npm reliability wasi emscripten docs publish)
for s in "${suites[@]}"; do
  "suite_$s"
done
summary
