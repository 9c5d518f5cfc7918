# shellcheck shell=bash
# Shared helpers for the scripts in this folder: steps with timing, a summary
# line, and installers that skip what is already there.

STEPS_PASSED=0
STEPS_FAILED=0
FAILED_NAMES=()

# step NAME CMD...: runs CMD, prints how long it took; a failure is counted
# and reported at the end instead of stopping the other suites.
step() {
  local name=$1; shift
  local start=$SECONDS
  echo "=== $name"
  if "$@"; then
    STEPS_PASSED=$((STEPS_PASSED + 1))
    echo "--- ok: $name ($((SECONDS - start)) s)"
  else
    STEPS_FAILED=$((STEPS_FAILED + 1))
    FAILED_NAMES+=("$name")
    echo "--- FAILED: $name ($((SECONDS - start)) s)"
  fi
}

# summary: the closing line, and the exit status.
summary() {
  echo
  for n in "${FAILED_NAMES[@]}"; do echo "failed step: $n"; done
  echo "steps: $STEPS_PASSED passed, $STEPS_FAILED failed"
  [ "$STEPS_FAILED" -eq 0 ]
}

# need_rust_components NAME...: rustup components such as rustfmt, clippy.
need_rust_components() {
  local missing=()
  for c in "$@"; do
    rustup component list --installed 2>/dev/null | grep -q "^$c" || missing+=("$c")
  done
  [ ${#missing[@]} -eq 0 ] || rustup component add "${missing[@]}"
}

# need_rust_target NAME...: rustup targets such as wasm32-unknown-unknown.
need_rust_target() {
  local missing=()
  for t in "$@"; do
    rustup target list --installed 2>/dev/null | grep -qx "$t" || missing+=("$t")
  done
  [ ${#missing[@]} -eq 0 ] || rustup target add "${missing[@]}"
}

# need_rust_toolchain NAME [TARGET...]: a rustup toolchain (minimal profile)
# and targets for it. An installed toolchain is used as it is: `rustup
# toolchain install nightly` would update it, and Miri with it.
need_rust_toolchain() {
  local name=$1; shift
  rustup toolchain list 2>/dev/null | grep -q "^$name-" ||
    quietly rustup toolchain install "$name" --profile minimal || return 1
  [ $# -eq 0 ] || RUSTUP_TOOLCHAIN=$name need_rust_target "$@"
}

# need_apt PACKAGE...: Debian packages, installed as root (CI and this
# machine have no sudo); the package index is updated once per run.
APT_UPDATED=0
need_apt() {
  if [ "$APT_UPDATED" -eq 0 ]; then
    quietly apt-get update || return 1
    APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive quietly apt-get install -y "$@"
}

# need_chromium: headless Chromium and its WebDriver for the browser suite.
need_chromium() {
  [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ] && return 0
  need_apt chromium chromium-driver
}

# need_firefox: Firefox ESR (Debian's) and geckodriver, its WebDriver, for
# the browser suite in Firefox. Debian has no geckodriver package: it comes
# from crates.io (cargo install puts it in ~/.cargo/bin), pinned to the
# version tested with Firefox ESR 153, so that a fresh machine builds what
# was tested and a newer release cannot ask for a newer Rust.
GECKODRIVER_VERSION=0.37.1
need_firefox() {
  if ! [ -x /usr/bin/firefox-esr ]; then
    need_apt firefox-esr || return 1
  fi
  geckodriver --version 2>/dev/null | grep -q "^geckodriver $GECKODRIVER_VERSION" && return 0
  # --locked builds what upstream tested; a registry that lacks one of those
  # pinned versions gets a fresh resolution (as in need_wasm_bindgen_cli).
  quietly cargo install --locked geckodriver --version "$GECKODRIVER_VERSION" && return 0
  echo "cargo install --locked geckodriver failed; retrying without --locked" >&2
  quietly cargo install --force geckodriver --version "$GECKODRIVER_VERSION"
}

# need_webkit: WebKitGTK's WebDriver (/usr/bin/WebKitWebDriver, which starts
# WebKitGTK's MiniBrowser) and Xvfb: MiniBrowser has no headless mode, so the
# suite runs under xvfb-run. Also WebKitGTK for Python (python3-gi,
# gir1.2-webkit2-4.1): MiniBrowser keeps no data across a restart in
# automation mode, so the JS crash test drives tests/js/reliability/webkit-browser.py.
need_webkit() {
  [ -x /usr/bin/WebKitWebDriver ] && command -v xvfb-run >/dev/null &&
    command -v xauth >/dev/null &&
    /usr/bin/python3 -c 'import gi; gi.require_version("WebKit2", "4.1")' 2>/dev/null && return 0
  # xvfb-run needs xauth, which xvfb only recommends.
  need_apt webkit2gtk-driver xvfb xauth python3-gi gir1.2-webkit2-4.1
}

# need_miri: the nightly toolchain with Miri and the standard library's
# source (Miri builds its own sysroot from it).
need_miri() {
  rustup +nightly component list --installed 2>/dev/null | grep -q '^miri' && return 0
  quietly rustup toolchain install nightly --profile minimal --component miri,rust-src
}

# need_emcc: Emscripten's compiler driver for wasm32-unknown-emscripten
# (Debian's emscripten package: emcc 3.1.6, with binaryen and its own node).
need_emcc() {
  command -v emcc >/dev/null && return 0
  need_apt emscripten
}

# need_node: Node.js runs the WASI and Emscripten test binaries.
need_node() {
  command -v node >/dev/null && return 0
  need_apt nodejs
}

# need_npm: Node.js and npm for the npm package's tests (tests/js).
need_npm() {
  command -v node >/dev/null && command -v npm >/dev/null && return 0
  need_apt nodejs npm
}

# npm_deps DIR: installs the npm project in DIR from its package-lock.json.
# Not `npm ci`: it rejects the lockfiles this registry gives (they leave out
# rollup's platform packages the registry lacks) as out of sync. `npm install
# --no-save` installs the locked versions and changes no file.
npm_deps() {
  quietly npm install --prefix "$1" --no-save --no-audit --no-fund
}

# need_wasm_bindgen_cli: wasm-bindgen and wasm-bindgen-test-runner of exactly
# the wasm-bindgen version in Cargo.lock (the runner refuses any other).
need_wasm_bindgen_cli() {
  local want
  want=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3 }' Cargo.lock)
  if [ -z "$want" ]; then
    echo "no wasm-bindgen in Cargo.lock" >&2
    return 1
  fi
  [ "$(wasm-bindgen --version 2>/dev/null)" = "wasm-bindgen $want" ] && return 0
  # --locked builds what upstream tested; a registry that lacks one of those
  # pinned versions (a yanked or unmirrored crate) gets a fresh resolution.
  cargo install --locked --quiet wasm-bindgen-cli --version "$want" 2>/dev/null && return 0
  echo "cargo install --locked wasm-bindgen-cli $want failed; retrying without --locked" >&2
  quietly cargo install --force wasm-bindgen-cli --version "$want"
}

# quietly CMD...: runs CMD with its output kept aside; shows it only if CMD fails.
quietly() {
  local log status=0
  log=$(mktemp)
  "$@" >"$log" 2>&1 || status=$?
  [ "$status" -eq 0 ] || { echo "failed ($status): $*" >&2; tail -n 50 "$log" >&2; }
  rm -f "$log"
  return "$status"
}
