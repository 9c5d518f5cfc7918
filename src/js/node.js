// vmmap in Node, Deno and Bun: the package's entry where `exports` matches
// the "node", "deno" or "bun" condition (pkg/package.json). Everything is
// the browser module's (vmmap.js); only `init()` differs: with no argument
// it reads vmmap_bg.wasm from disk beside this file instead of fetching it
// by URL. `FileStore.open(dir)` here is a directory on disk (each file a
// plain file in it); see src/store/sync_dir/.
// scripts/build-pkg.sh copies this file to pkg/node.js.
import { readFile } from "node:fs/promises";
import initWeb from "./vmmap.js";

export * from "./vmmap.js";

/**
 * Loads the WebAssembly module: from `input` as the browser's `init` takes
 * it (`{ module_or_path }`, bytes, a `WebAssembly.Module`, a URL), or, with
 * none, from `vmmap_bg.wasm` on disk. Resolves once vmmap is ready; calling
 * it again is harmless.
 */
export default async function init(input) {
  if (input === undefined) {
    input = { module_or_path: await readFile(new URL("./vmmap_bg.wasm", import.meta.url)) };
  }
  return initWeb(input);
}
