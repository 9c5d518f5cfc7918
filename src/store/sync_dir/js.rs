//! The JS side of the store (`src/js/sync_dir.js`): a directory whose files
//! are read and written synchronously through handles shaped like OPFS's
//! `FileSystemSyncAccessHandle`, over `node:fs` or over OPFS.

use js_sys::Promise;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/js/sync_dir.js")]
extern "C" {
    /// A directory: `open(name, create)`, `remove(name)`, `list()`,
    /// `replace(from, to)` (each a promise), `key` (names it in this
    /// process) and `exclusive` (a file has one open handle at a time, as
    /// in OPFS).
    #[derive(Debug, Clone)]
    pub(crate) type SyncDir;

    #[wasm_bindgen(method, getter)]
    pub(crate) fn key(this: &SyncDir) -> String;

    #[wasm_bindgen(method, getter)]
    pub(crate) fn exclusive(this: &SyncDir) -> bool;

    #[wasm_bindgen(method, catch)]
    pub(crate) fn open(this: &SyncDir, name: &str, create: bool) -> Result<Promise, JsValue>;

    #[wasm_bindgen(method, catch)]
    pub(crate) fn remove(this: &SyncDir, name: &str) -> Result<Promise, JsValue>;

    #[wasm_bindgen(method, catch)]
    pub(crate) fn list(this: &SyncDir) -> Result<Promise, JsValue>;

    #[wasm_bindgen(method, catch)]
    pub(crate) fn replace(this: &SyncDir, from: &str, to: &str) -> Result<Promise, JsValue>;

    /// An open file, shaped like `FileSystemSyncAccessHandle`.
    #[derive(Debug, Clone)]
    pub(crate) type SyncHandle;

    #[wasm_bindgen(method, catch, js_name = getSize)]
    pub(crate) fn get_size(this: &SyncHandle) -> Result<f64, JsValue>;

    #[wasm_bindgen(method, catch)]
    pub(crate) fn truncate(this: &SyncHandle, size: f64) -> Result<(), JsValue>;

    #[wasm_bindgen(method, catch)]
    pub(crate) fn flush(this: &SyncHandle) -> Result<(), JsValue>;

    #[wasm_bindgen(method, catch)]
    pub(crate) fn close(this: &SyncHandle) -> Result<(), JsValue>;

    /// `handle.read(buf, { at })`: the bytes read (fewer at the end of the file).
    #[wasm_bindgen(catch, js_name = readAt)]
    pub(crate) fn read_at(handle: &SyncHandle, buf: &mut [u8], at: f64) -> Result<f64, JsValue>;

    /// `handle.read(buf, { at })` into bytes in JS memory: the bytes read.
    #[cfg(feature = "js")]
    #[wasm_bindgen(catch, js_name = readAt)]
    pub(crate) fn read_array_at(
        handle: &SyncHandle,
        buf: &js_sys::Uint8Array,
        at: f64,
    ) -> Result<f64, JsValue>;

    /// `handle.write(buf, { at })`: the bytes written.
    #[wasm_bindgen(catch, js_name = writeAt)]
    pub(crate) fn write_at(handle: &SyncHandle, buf: &[u8], at: f64) -> Result<f64, JsValue>;

    /// `handle.write(buf, { at })` of bytes in JS memory.
    #[cfg(feature = "js")]
    #[wasm_bindgen(catch, js_name = writeAt)]
    pub(crate) fn write_array_at(
        handle: &SyncHandle,
        buf: &js_sys::Uint8Array,
        at: f64,
    ) -> Result<f64, JsValue>;

    /// Removes `name`, ignoring a failure.
    #[wasm_bindgen(js_name = removeQuietly)]
    pub(crate) fn remove_quietly(dir: &SyncDir, name: &str);

    /// The directory at `path` on disk, created if missing.
    #[wasm_bindgen(catch, js_name = nodeDir)]
    pub(crate) fn node_dir(path: &str) -> Result<SyncDir, JsValue>;

    /// A promise of the OPFS directory `name`; rejects with
    /// `NotSupportedError` outside a dedicated worker.
    #[wasm_bindgen(catch, js_name = opfsDir)]
    pub(crate) fn opfs_dir(name: &str) -> Result<Promise, JsValue>;

    /// `"node"`, `"deno"`, `"bun"` (runtimes with `node:fs`) or `"browser"`.
    pub(crate) fn runtime() -> String;
}
