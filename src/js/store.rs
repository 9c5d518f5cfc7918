//! The JS class `FileStore`: files in an IndexedDB database, an OPFS
//! directory (dedicated workers) or, in Node, Deno and Bun, a directory on
//! disk, over [`FileStore`]. Every method returns a promise; bad arguments and a closed
//! store reject it (they never throw synchronously).

use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;

use js_sys::{Array, ArrayBuffer, Function, Object, Promise, Reflect};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{JsFuture, future_to_promise};

use super::args::{self, JsResult};
use super::errors::{from_vmmap, invalid_state, range_error, type_error};
use super::mmap::JsMmap;
use super::read_out;
use super::storage;
use crate::error::{Error, ErrorKind};
use crate::file_store::FileStore;
use crate::options::{Access, MmapOptions};
use crate::store::browser::BrowserStore;
use crate::store::check_name;
use crate::store::idb::Piece;

/// Named files: an IndexedDB database (`FileStore.open(name)` in a
/// browser), an OPFS directory (`{ store: "opfs" }`, dedicated workers) or
/// a directory on disk (`FileStore.open(dir)` in Node, Deno and Bun).
///
/// Maps made by `map()` stay usable after the store is closed.
#[wasm_bindgen(js_name = FileStore)]
pub struct JsFileStore {
    /// `None` once closed.
    store: RefCell<Option<Rc<FileStore>>>,
}

impl JsFileStore {
    fn store(&self, call: &str) -> JsResult<Rc<FileStore>> {
        self.store
            .try_borrow()
            .ok()
            .and_then(|s| s.clone())
            .ok_or_else(|| invalid_state(format!("{call}: the store is closed")))
    }
}

/// Runs the checks, then the future, as one promise: a check that fails
/// rejects it.
fn promise<F>(checked: JsResult<F>) -> Promise
where
    F: Future<Output = JsResult<JsValue>> + 'static,
{
    match checked {
        Ok(future) => future_to_promise(future),
        Err(error) => Promise::reject(&error),
    }
}

/// A file name argument: a string that is a plain name (else a
/// `TypeError` naming it: not a name of a file in the store).
fn file_name(call: &str, value: &JsValue) -> JsResult<String> {
    let name = args::string(call, "name", value)?;
    check_name(&name).map_err(|e| type_error(format!("{call}: {}", e.message())))?;
    Ok(name)
}

/// The `store` option of `open`: which kind of store.
fn store_kind(call: &str, opts: &JsValue) -> JsResult<Option<String>> {
    let Some(opts) = options(call, opts)? else {
        return Ok(None);
    };
    let kind = field(call, &opts, "store")?;
    if args::absent(&kind) {
        return Ok(None);
    }
    match kind.as_string().as_deref() {
        Some(kind @ ("indexeddb" | "opfs")) => Ok(Some(kind.to_owned())),
        Some(other) => Err(range_error(format!(
            "{call}: store must be \"indexeddb\" or \"opfs\", got {other:?}"
        ))),
        None => Err(type_error(format!(
            "{call}: store must be a string, got {}",
            args::describe(&kind)
        ))),
    }
}

/// A property of an options object.
fn field(call: &str, opts: &JsValue, key: &str) -> JsResult<JsValue> {
    js_sys::Reflect::get(opts, &JsValue::from_str(key)).map_err(|thrown| {
        type_error(format!(
            "{call}: reading option {key} threw: {}",
            args::describe(&thrown)
        ))
    })
}

/// An options argument: `undefined`, `null` or an object.
fn options(call: &str, opts: &JsValue) -> JsResult<Option<JsValue>> {
    if args::absent(opts) {
        return Ok(None);
    }
    if !opts.is_object() || opts.is_function() {
        return Err(type_error(format!(
            "{call}: options must be an object, got {}",
            args::describe(opts)
        )));
    }
    Ok(Some(opts.clone()))
}

/// The `access` option: a name or an `ACCESS_*` number.
fn access(call: &str, value: &JsValue) -> JsResult<Access> {
    if args::absent(value) {
        return Ok(Access::Write);
    }
    if let Some(name) = value.as_string() {
        return match name.as_str() {
            "read" => Ok(Access::Read),
            "write" => Ok(Access::Write),
            "copy" => Ok(Access::Copy),
            _ => Err(range_error(format!(
                "{call}: access must be \"read\", \"write\", \"copy\" or an ACCESS_* number, got {name:?}"
            ))),
        };
    }
    let n = args::integer(call, "access", value)?;
    super::access_of(n).ok_or_else(|| {
        range_error(format!(
            "{call}: access {n} is not one of ACCESS_DEFAULT (0), ACCESS_READ (1), ACCESS_WRITE (2), ACCESS_COPY (3)"
        ))
    })
}

/// The options of `map()`, checked.
fn map_options(call: &str, opts: &JsValue) -> JsResult<MmapOptions> {
    let mut out = MmapOptions::new();
    let Some(opts) = options(call, opts)? else {
        return Ok(out);
    };
    let length = field(call, &opts, "length")?;
    if !args::absent(&length) {
        out.len(args::count(call, "length", &length)?);
    }
    let offset = field(call, &opts, "offset")?;
    if !args::absent(&offset) {
        out.offset(args::count(call, "offset", &offset)? as u64);
    }
    out.access(access(call, &field(call, &opts, "access")?)?);
    let create = field(call, &opts, "create")?;
    if !args::absent(&create) {
        out.create(create.as_bool().ok_or_else(|| {
            type_error(format!(
                "{call}: create must be a boolean, got {}",
                args::describe(&create)
            ))
        })?);
    }
    Ok(out)
}

/// Reads the bytes `[start, end)` of what `writeFile` writes.
type ReadPiece = Box<dyn FnMut(u64, u64) -> Piece>;

/// What `writeFile` writes: its size, and how to read a piece of it.
fn source(call: &str, data: &JsValue) -> JsResult<(u64, ReadPiece)> {
    if let Some(array) = args::as_uint8array(data) {
        let (array, size) = (array.clone(), u64::from(array.length()));
        let read = move |start: u64, end: u64| -> Piece {
            // `slice` copies the piece into an ArrayBuffer of its own.
            let piece = array.slice(start as u32, end as u32).buffer();
            Box::pin(async move { Ok(piece) })
        };
        return Ok((size, Box::new(read)));
    }
    if let Some(blob) = args::as_blob(data) {
        let blob = blob.clone();
        let size = blob.size();
        let read = move |start: u64, end: u64| -> Piece {
            let piece = blob.slice_with_f64_and_f64(start as f64, end as f64);
            Box::pin(async move {
                let fail = |e: JsValue| {
                    Error::new(
                        ErrorKind::Io,
                        format!("reading the Blob: {}", args::describe(&e)),
                    )
                };
                let buffer = JsFuture::from(piece.map_err(fail)?.array_buffer())
                    .await
                    .map_err(fail)?;
                buffer.dyn_into::<ArrayBuffer>().map_err(fail)
            })
        };
        return Ok((size as u64, Box::new(read)));
    }
    Err(type_error(format!(
        "{call}: data must be a Uint8Array or a Blob, got {}",
        args::describe(data)
    )))
}

/// `read`, checking that each piece has the length asked for (a source
/// that changed while it was read gives another).
fn exact(name: &str, mut read: ReadPiece) -> impl FnMut(u64, u64) -> Piece {
    let name = name.to_owned();
    move |start, end| {
        let piece = read(start, end);
        let name = name.clone();
        Box::pin(async move {
            let buffer = piece.await?;
            let got = u64::from(buffer.byte_length());
            if got != end - start {
                return Err(Error::new(
                    ErrorKind::Io,
                    format!(
                        "writing {name:?}: the source gave {got} bytes for bytes {start}..{end}; did it change?"
                    ),
                ));
            }
            Ok(buffer)
        })
    }
}

#[wasm_bindgen(js_class = FileStore)]
impl JsFileStore {
    /// Opens (creating if needed) the store `name` (default `"vmmap"`): in a
    /// browser the IndexedDB database `name`, or with `{ store: "opfs" }`
    /// the OPFS directory `name` (dedicated workers only; elsewhere it
    /// rejects with a `NotSupportedError`); in Node, Deno and Bun the
    /// directory `name` on disk, each file a plain file in it.
    pub async fn open(
        #[wasm_bindgen(unchecked_optional_param_type = "string")] name: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "OpenOptions")] opts: JsValue,
    ) -> JsResult<JsFileStore> {
        let call = "FileStore.open";
        let name = if args::absent(&name) {
            "vmmap".to_owned()
        } else {
            args::string(call, "name", &name)?
        };
        let opened = match store_kind(call, &opts)?.as_deref() {
            None => FileStore::open(&name).await,
            Some("opfs") => FileStore::open_opfs(&name).await,
            Some(_) if name.is_empty() => FileStore::open(&name).await,
            Some(_) => BrowserStore::open_indexeddb(&name)
                .await
                .map(FileStore::from_named),
        };
        let store = opened.map_err(|e| from_vmmap(call, &e))?;
        Ok(JsFileStore {
            store: RefCell::new(Some(Rc::new(store))),
        })
    }

    /// Creates or replaces the file `name` with `data`, atomically: readers
    /// see the old file until the promise resolves. A `Blob` (or a large
    /// `Uint8Array`) is read and written 2 MiB at a time, never copied
    /// whole; `onProgress(done, total)` is called as pieces are committed,
    /// last with `(total, total)`. If it throws, the write stops, the old
    /// file is kept and the promise rejects with what it threw.
    #[wasm_bindgen(js_name = writeFile, unchecked_return_type = "Promise<void>")]
    pub fn write_file(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array | Blob")] data: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "WriteFileOptions")] opts: JsValue,
    ) -> Promise {
        let call = "FileStore.writeFile";
        promise((|| {
            let store = self.store(call)?;
            let name = file_name(call, &name)?;
            let (total, read) = source(call, &data)?;
            let on_progress = match options(call, &opts)? {
                None => None,
                Some(opts) => {
                    let f = field(call, &opts, "onProgress")?;
                    if args::absent(&f) {
                        None
                    } else {
                        Some(f.dyn_into::<Function>().map_err(|f| {
                            type_error(format!(
                                "{call}: onProgress must be a function, got {}",
                                args::describe(&f)
                            ))
                        })?)
                    }
                }
            };
            Ok(async move {
                let Some(named) = store.named() else {
                    return Err(invalid_state(format!(
                        "{call}: the store is not persistent"
                    )));
                };
                // What the callback threw, to reject with as it is.
                let thrown = Rc::new(RefCell::new(None));
                let report = |done: u64| -> crate::Result<()> {
                    let Some(f) = &on_progress else {
                        return Ok(());
                    };
                    f.call2(
                        &JsValue::UNDEFINED,
                        &(done as f64).into(),
                        &(total as f64).into(),
                    )
                    .map(|_| ())
                    .map_err(|e| {
                        *thrown.borrow_mut() = Some(e);
                        Error::new(ErrorKind::Io, "onProgress threw")
                    })
                };
                let mut report = report;
                let result = named
                    .write_stream(&name, total, &mut exact(&name, read), &mut report)
                    .await;
                let result = result.and_then(|()| report(total));
                result.map(|()| JsValue::UNDEFINED).map_err(|e| {
                    thrown
                        .borrow_mut()
                        .take()
                        .unwrap_or_else(|| from_vmmap(call, &e))
                })
            })
        })())
    }

    /// The whole content of the file `name`; `NotFoundError` if there is none.
    /// One state of the file (a flush is wholly in it or wholly not), read
    /// straight into the new array, never through wasm memory (which never
    /// shrinks): from IndexedDB 512 KiB at a time in one transaction, so that
    /// no task of the page handles more than a slice; from a directory (Node,
    /// Deno, Bun; OPFS) in one synchronous read, which no change can come
    /// between. For files too large for one array, `readFileBlob` or
    /// `readFileStream`.
    #[wasm_bindgen(js_name = readFile, unchecked_return_type = "Promise<Uint8Array>")]
    pub fn read_file(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
    ) -> Promise {
        let call = "FileStore.readFile";
        promise((|| {
            let store = self.store(call)?;
            let name = file_name(call, &name)?;
            Ok(async move {
                let bytes = read_out::read_array(&store, &name)
                    .await
                    .map_err(|e| from_vmmap(call, &e))?;
                Ok(bytes.into())
            })
        })())
    }

    /// The file `name` as a `Blob`, for an export, a download (an object
    /// URL) or an upload: one state of the file, read as `readFile` reads
    /// it, each 512 KiB slice (8 MiB from a directory) added to the `Blob`
    /// as it comes. The bytes are never in wasm memory, and the JS heap
    /// holds a few slices of them at most: the browser keeps the `Blob`
    /// (within its own limits for Blobs, which Chromium may move to disk;
    /// Node keeps it in memory). `NotFoundError` if there is no such file.
    /// Unflushed changes of maps are not in it.
    #[wasm_bindgen(js_name = readFileBlob, unchecked_return_type = "Promise<Blob>")]
    pub fn read_file_blob(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
    ) -> Promise {
        let call = "FileStore.readFileBlob";
        promise((|| {
            let store = self.store(call)?;
            let name = file_name(call, &name)?;
            Ok(async move {
                let blob = read_out::read_blob(&store, &name)
                    .await
                    .map_err(|e| from_vmmap(call, &e))?;
                Ok(blob.into())
            })
        })())
    }

    /// The file `name` as a stream of `Uint8Array`s of up to 512 KiB, read as
    /// the consumer asks (one slice ahead), for files of any size: never
    /// whole in wasm memory, the JS heap or a `Blob`. Each slice is read
    /// straight into its array (from IndexedDB in a transaction of its own)
    /// and checked to be of the state of the file the stream started from:
    /// if a flush, write or remove of the file commits before the stream is
    /// read to the end, the stream fails with a `NotReadableError` (as a
    /// `File` read after it changed on disk does); the chunks before are all
    /// of the old state. From a directory (Node, Deno, Bun; OPFS) the stream
    /// keeps the file open until it ends, fails or is cancelled: in OPFS
    /// another worker waits for it as for a map, while `writeFile` and
    /// `remove` in this one go ahead and fail the stream. A change made by
    /// another process to a file on disk is not seen (as with `readFile`).
    /// Errors as the other calls' (`NotFoundError`, `InvalidStateError` for
    /// a closed store, `TypeError` for a bad name) fail the stream at its
    /// first read; the call itself never throws.
    #[wasm_bindgen(
        js_name = readFileStream,
        unchecked_return_type = "ReadableStream<Uint8Array>"
    )]
    pub fn read_file_stream(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
    ) -> JsResult<JsValue> {
        let call = "FileStore.readFileStream";
        let checked = (|| Ok((self.store(call)?, file_name(call, &name)?)))();
        read_out::read_stream(call, checked)
    }

    /// The length of the file `name` in bytes.
    #[wasm_bindgen(unchecked_return_type = "Promise<number>")]
    pub fn size(&self, #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue) -> Promise {
        let call = "FileStore.size";
        promise((|| {
            let store = self.store(call)?;
            let name = file_name(call, &name)?;
            Ok(async move {
                let size = store
                    .file_size(&name)
                    .await
                    .map_err(|e| from_vmmap(call, &e))?;
                Ok(JsValue::from_f64(size as f64))
            })
        })())
    }

    /// The names of the files, sorted.
    #[wasm_bindgen(unchecked_return_type = "Promise<string[]>")]
    pub fn list(&self) -> Promise {
        let call = "FileStore.list";
        promise(self.store(call).map(|store| async move {
            let names = store.list().await.map_err(|e| from_vmmap(call, &e))?;
            Ok(names
                .iter()
                .map(|n| JsValue::from_str(n))
                .collect::<Array>()
                .into())
        }))
    }

    /// Deletes the file `name`; maps of it stay usable until closed.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn remove(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
    ) -> Promise {
        let call = "FileStore.remove";
        promise((|| {
            let store = self.store(call)?;
            let name = file_name(call, &name)?;
            Ok(async move {
                store
                    .remove_file(&name)
                    .await
                    .map_err(|e| from_vmmap(call, &e))?;
                Ok(JsValue::UNDEFINED)
            })
        })())
    }

    /// Maps the file `name`: `length` (0: to the end of the file), `offset`
    /// (a multiple of `ALLOCATIONGRANULARITY`), `access` (`"write"` by
    /// default) and `create` (make a missing file of `offset + length` zeros).
    #[wasm_bindgen(unchecked_return_type = "Promise<Mmap>")]
    pub fn map(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] name: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "MapOptions")] opts: JsValue,
    ) -> Promise {
        let call = "FileStore.map";
        promise((|| {
            let store = self.store(call)?;
            let name = file_name(call, &name)?;
            let opts = map_options(call, &opts)?;
            Ok(async move {
                // SAFETY: the map goes to JS, which has no borrows: a Rust
                // slice of it lives only inside one call of `JsMmap`, during
                // which no other code runs on this thread (the browser's
                // threads share no wasm memory here).
                let map =
                    unsafe { store.map(&name, &opts).await }.map_err(|e| from_vmmap(call, &e))?;
                Ok(JsMmap::new(map).into())
            })
        })())
    }

    /// Asks the browser to make this origin's storage persistent
    /// (`navigator.storage.persist()`) and resolves with whether it is
    /// persistent now. Best-effort storage (the default) can be evicted
    /// under storage pressure, and by Safari after days without user
    /// interaction; persistent storage is cleared only by the user. It
    /// covers the whole origin: every store and every other storage API,
    /// not only this store.
    ///
    /// Each engine decides in its own way:
    /// - Chromium never prompts: it grants or silently denies by heuristics
    ///   (site engagement, the site installed or bookmarked, notifications
    ///   allowed), and asking again later is fine
    ///   (<https://web.dev/articles/persistent-storage>).
    /// - Firefox asks the user with a prompt (same source).
    /// - Safari / WebKit never prompts: it grants by heuristics such as the
    ///   site running as a Home Screen web app
    ///   (<https://webkit.org/blog/14403/updates-to-storage-policy/>).
    ///
    /// So ask when the user saves something that matters, ideally in a click
    /// handler, not at page load. Windows only: engines have no `persist()`
    /// in workers, and there, as where `navigator.storage` is missing (old
    /// engines, insecure contexts), it rejects with a `NotSupportedError`.
    #[wasm_bindgen(unchecked_return_type = "Promise<boolean>")]
    pub fn persist(&self) -> Promise {
        let call = "FileStore.persist";
        promise((|| {
            self.store(call)?;
            let pending = storage::request(call, "persist")?;
            Ok(async move {
                let granted = pending
                    .await
                    .map_err(|e| storage::failed(call, "persist", &e))?;
                Ok(JsValue::from_bool(granted.is_truthy()))
            })
        })())
    }

    /// Whether this origin's storage is persistent
    /// (`navigator.storage.persisted()`): see `persist()`. Never prompts;
    /// works in workers too. `NotSupportedError` where `navigator.storage`
    /// is missing.
    #[wasm_bindgen(unchecked_return_type = "Promise<boolean>")]
    pub fn persisted(&self) -> Promise {
        let call = "FileStore.persisted";
        promise((|| {
            self.store(call)?;
            let pending = storage::request(call, "persisted")?;
            Ok(async move {
                let persistent = pending
                    .await
                    .map_err(|e| storage::failed(call, "persisted", &e))?;
                Ok(JsValue::from_bool(persistent.is_truthy()))
            })
        })())
    }

    /// How many bytes this origin uses and may use, as the browser
    /// estimates them (`navigator.storage.estimate()`): the whole origin,
    /// not only this store. Engines round and pad these numbers, and the
    /// quota is a share of the disk's total size, not of its free space: a
    /// write can still fail with `QuotaExceededError` before `quota` is
    /// reached. `NotSupportedError` where `navigator.storage` or its
    /// `estimate` is missing (Safari before 17).
    #[wasm_bindgen(unchecked_return_type = "Promise<{ usage: number; quota: number }>")]
    pub fn estimate(&self) -> Promise {
        let call = "FileStore.estimate";
        promise((|| {
            self.store(call)?;
            let pending = storage::request(call, "estimate")?;
            Ok(async move {
                let estimate = pending
                    .await
                    .map_err(|e| storage::failed(call, "estimate", &e))?;
                let usage = storage::estimate_field(call, &estimate, "usage")?;
                let quota = storage::estimate_field(call, &estimate, "quota")?;
                let out = Object::new();
                for (key, value) in [("usage", usage), ("quota", quota)] {
                    Reflect::set(&out, &JsValue::from_str(key), &JsValue::from_f64(value))?;
                }
                Ok(out.into())
            })
        })())
    }

    /// Closes the store: every later call rejects with an
    /// `InvalidStateError`. Maps made from it stay usable. Closing twice is fine.
    pub fn close(&self) {
        if let Ok(mut store) = self.store.try_borrow_mut() {
            store.take();
        }
    }
}
