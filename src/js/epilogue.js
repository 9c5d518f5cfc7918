
// ---- vmmap: appended to wasm-bindgen's output by scripts/build-pkg.sh ----
// Python's mmap constants. wasm-bindgen exports no constants; the numbers are
// the ones src/js/mod.rs accepts (Python's ACCESS_*, Linux's MADV_*) and the
// emulation's page size and allocation granularity (src/backend/emulated/mod.rs).
export const ACCESS_DEFAULT = 0;
export const ACCESS_READ = 1;
export const ACCESS_WRITE = 2;
export const ACCESS_COPY = 3;
export const PAGESIZE = 4096;
export const ALLOCATIONGRANULARITY = 65536;
export const MADV_NORMAL = 0;
export const MADV_RANDOM = 1;
export const MADV_SEQUENTIAL = 2;
export const MADV_WILLNEED = 3;
export const MADV_DONTNEED = 4;

// `using m = ...` closes the map (or store), as Python's `with` does;
// wasm-bindgen's default would free the object, after which every call throws
// a bare "null pointer" error instead of an InvalidStateError.
if (typeof Symbol.dispose === "symbol") {
  Mmap.prototype[Symbol.dispose] = function () { this.close(); };
  FileStore.prototype[Symbol.dispose] = function () { this.close(); };
}
