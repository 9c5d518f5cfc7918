#!/usr/bin/env bash
# Builds the npm package `vmmap` into pkg/: the crate for
# wasm32-unknown-unknown (release, as a cdylib), wasm-bindgen's ES module
# (--target web) with src/js/epilogue.js appended, and its JS snippets
# (pkg/snippets/); src/js/node.js becomes pkg/node.js, the entry for Node,
# Deno and Bun. Installs the target and
# the wasm-bindgen CLI if missing. No wasm-opt: Debian's binaryen (version
# 108) turns wasm-bindgen's externref table into the function table, and
# init() then fails in Chromium.
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
# The license texts ship in the npm package too (copies; git ignores them).
cp LICENSE-MIT LICENSE-APACHE "$out"/

ls -l "$out"
