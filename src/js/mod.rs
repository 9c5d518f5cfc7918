//! The JS API of the npm package `vmmap` (`docs/api.md`): the
//! `#[wasm_bindgen]` classes `FileStore` and `Mmap` over the crate's Rust
//! API, with Python's semantics and JS names, argument checks and errors.
//!
//! `mmap.rs` is the class `Mmap`, `store.rs` the class `FileStore`
//! (`storage.rs`: its calls on the browser's `navigator.storage`;
//! `read_out.rs`: its reads of whole files, slice by slice),
//! `args.rs` checks the JS values that arrive, `errors.rs` makes the errors
//! thrown. The module constants (`ACCESS_*`, `PAGESIZE`, `MADV_*`) and
//! `[Symbol.dispose]` as `close` are in `epilogue.js`, which
//! `scripts/build-pkg.sh` appends to the generated `vmmap.js`: wasm-bindgen
//! exports no constants, and it makes `[Symbol.dispose]` free the object
//! instead of closing it. Their TypeScript declarations are below.

mod args;
mod cursor;
mod errors;
mod mmap;
mod read_out;
mod search;
mod storage;
mod store;

use wasm_bindgen::JsValue;
use wasm_bindgen::prelude::wasm_bindgen;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(thread_local_v2, js_name = globalThis)]
    static GLOBAL_THIS: JsValue;
}

/// `globalThis`, where JS code finds `navigator`, `Blob` or `ReadableStream`
/// by their bare names. Not `js_sys::global()`, which prefers `self` and
/// `window`: in Node, Deno and Bun those are whatever a program or a test
/// setup put there (a stub `window = {}` so that browser code loads), not the
/// global object.
fn global_this() -> JsValue {
    GLOBAL_THIS.with(JsValue::clone)
}

use crate::options::{Access, Advice};

/// Python's `mmap.ACCESS_*` values (the numbers `epilogue.js` exports).
const ACCESS_DEFAULT: i64 = 0;
const ACCESS_READ: i64 = 1;
const ACCESS_WRITE: i64 = 2;
const ACCESS_COPY: i64 = 3;

/// The access an `ACCESS_*` number names.
fn access_of(n: i64) -> Option<Access> {
    match n {
        ACCESS_DEFAULT | ACCESS_WRITE => Some(Access::Write),
        ACCESS_READ => Some(Access::Read),
        ACCESS_COPY => Some(Access::Copy),
        _ => None,
    }
}

/// The name the JS API gives an access: its `access` property and option.
fn access_name(access: Access) -> &'static str {
    match access {
        Access::Read => "read",
        Access::Write => "write",
        Access::Copy => "copy",
    }
}

/// The advice a `MADV_*` number names: Linux's values, as Python's on Linux.
fn advice_of(n: i64) -> Option<Advice> {
    match n {
        0 => Some(Advice::Normal),
        1 => Some(Advice::Random),
        2 => Some(Advice::Sequential),
        3 => Some(Advice::WillNeed),
        4 => Some(Advice::DontNeed),
        _ => None,
    }
}

#[wasm_bindgen(typescript_custom_section)]
const CONSTANTS_TS: &'static str = r#"
/** `mmap.ACCESS_DEFAULT`: the same as `ACCESS_WRITE`. */
export const ACCESS_DEFAULT: 0;
/** `mmap.ACCESS_READ`: writes throw a `TypeError`. */
export const ACCESS_READ: 1;
/** `mmap.ACCESS_WRITE`: writes reach the file at `flush()`. */
export const ACCESS_WRITE: 2;
/** `mmap.ACCESS_COPY`: writes change the map only, never the file. */
export const ACCESS_COPY: 3;
/** `mmap.PAGESIZE` of the emulation: `flush` and `madvise` offsets are multiples of it. */
export const PAGESIZE: 4096;
/** `mmap.ALLOCATIONGRANULARITY` of the emulation: the `offset` of `map()` is a multiple of it. */
export const ALLOCATIONGRANULARITY: 65536;
/** `mmap.MADV_NORMAL` (advice is accepted and has no effect: every page is in memory). */
export const MADV_NORMAL: 0;
/** `mmap.MADV_RANDOM`. */
export const MADV_RANDOM: 1;
/** `mmap.MADV_SEQUENTIAL`. */
export const MADV_SEQUENTIAL: 2;
/** `mmap.MADV_WILLNEED`. */
export const MADV_WILLNEED: 3;
/** `mmap.MADV_DONTNEED` (never drops bytes). */
export const MADV_DONTNEED: 4;

/** How `FileStore.map` maps: every field is optional. */
export interface MapOptions {
  /** Bytes to map; 0 or left out: from `offset` to the end of the file. */
  length?: number;
  /** Where the map starts in the file: a multiple of `ALLOCATIONGRANULARITY`. */
  offset?: number;
  /** `"write"` (default), `"read"`, `"copy"`, or an `ACCESS_*` number. */
  access?: "read" | "write" | "copy" | number;
  /** Create a missing file of `offset + length` zero bytes first. */
  create?: boolean;
}

/** Options of `FileStore.open`. */
export interface OpenOptions {
  /** `"indexeddb"` (the browser's default) or `"opfs"`: an OPFS directory, in dedicated workers only (elsewhere `open` rejects with a `NotSupportedError`). In Node, Deno and Bun the store is a directory on disk. */
  store?: "indexeddb" | "opfs";
}

/** Options of `FileStore.writeFile`. */
export interface WriteFileOptions {
  /** Called as bytes are committed, with `done` rising to `total`; the last call is `(total, total)` once the file is replaced. */
  onProgress?: (done: number, total: number) => void;
}
"#;
