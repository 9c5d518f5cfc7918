#!/usr/bin/env bash
# Builds the npm package `vmmap` into pkg/: the crate for
# wasm32-unknown-unknown (release, as a cdylib), wasm-bindgen's ES module
# (--target web) with src/js/epilogue.js appended, and its JS snippets
# (pkg/snippets/); src/js/node.js becomes pkg/node.js, the entry for Node,
# Deno and Bun. Then `wasm-opt -Oz` from binaryen's npm package (version 132,
# locked in scripts/wasm-opt/): the .wasm shrinks from 529 KB to 387 KB
# (159 KB gzipped instead of 191 KB). Not Debian's binaryen: its version 108
# turns wasm-bindgen's externref table into the function table, and init()
# then fails in Chromium. Installs the target, the wasm-bindgen CLI and
# binaryen if missing. WASM_OPT=0 skips wasm-opt (a faster build to try
# something).
# pkg/package.json and pkg/README.md are hand-written; the rest is generated
# or copied.
#   scripts/build-pkg.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib.sh

need_rust_target wasm32-unknown-unknown
need_wasm_bindgen_cli

# `cargo rustc --crate-type cdylib` makes the .wasm without a cdylib entry in
# Cargo.toml, which every other target would then build too. One codegen unit
# makes it smaller (352 KB; LTO made it larger here).
CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1 \
  cargo rustc --quiet --locked --lib --release --target wasm32-unknown-unknown --crate-type cdylib

out=pkg
rm -f "$out"/vmmap.js "$out"/node.js "$out"/vmmap.d.ts "$out"/vmmap_bg.wasm "$out"/vmmap_bg.wasm.d.ts "$out"/LICENSE-*
rm -rf "$out"/snippets
wasm-bindgen --target web --out-dir "$out" --out-name vmmap \
  target/wasm32-unknown-unknown/release/vmmap.wasm
cat src/js/epilogue.js >>"$out/vmmap.js"
cp src/js/node.js "$out"/node.js
if [ "${WASM_OPT:-1}" != 0 ]; then
  need_npm
  npm_deps scripts/wasm-opt
  # The features come from the module's target_features section.
  scripts/wasm-opt/node_modules/.bin/wasm-opt -Oz --strip-debug --strip-producers \
    "$out/vmmap_bg.wasm" -o "$out/vmmap_bg.wasm"
fi
# The license texts ship in the npm package too (copies; git ignores them).
cp LICENSE-MIT LICENSE-APACHE "$out"/

ls -l "$out"
