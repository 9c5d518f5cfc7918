//! The raw IndexedDB peers the bench times against vmmap: a load of the
//! whole file, a `put` of some chunks (with or without the `files` record),
//! and a rewrite of the whole file as one value, the way Emscripten's IDBFS
//! stores a file.

use js_sys::{Array, Object, Reflect, Uint8Array};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{IdbDatabase, IdbKeyRange, IdbObjectStore, IdbTransaction};

use crate::FILE;
use crate::clock::{Split, now};
use crate::idb::{chunk_key, chunk_value, committed, completion, done, meta_record, readwrite};

/// Times of a raw load: the two requests, the allocation, the copy (ms).
pub struct RawLoad {
    pub bytes: Vec<u8>,
    pub requests: f64,
    pub alloc: f64,
    pub copy: f64,
}

impl RawLoad {
    pub fn total(&self) -> f64 {
        self.requests + self.alloc + self.copy
    }
}

/// `getAllKeys` + `getAll` of the chunks of file `id` in one readonly
/// transaction, then every chunk copied into one `Vec<u8>`.
pub async fn raw_load(db: &IdbDatabase, id: f64, chunk: usize) -> RawLoad {
    let t0 = now();
    let tx = db
        .transaction_with_str("chunks")
        .expect("a readonly transaction");
    let chunks = tx.object_store("chunks").expect("chunks");
    let range = IdbKeyRange::bound(&chunk_key(id, 0), &chunk_key(id, FILE.div_ceil(chunk) - 1))
        .expect("a key range");
    let keys = chunks.get_all_keys_with_key(&range).expect("getAllKeys");
    let values = chunks.get_all_with_key(&range).expect("getAll");
    let keys: Array = done("getAllKeys", &keys).await.unchecked_into();
    let values: Array = done("getAll", &values).await.unchecked_into();
    let t1 = now();
    let mut bytes = vec![0u8; FILE];
    let t2 = now();
    for (key, value) in keys.iter().zip(values.iter()) {
        let index = key
            .unchecked_into::<Array>()
            .get(1)
            .as_f64()
            .expect("a chunk index") as usize;
        let value = Uint8Array::new(&value);
        let start = index * chunk;
        let end = (start + value.length() as usize).min(FILE);
        value
            .subarray(0, (end - start) as u32)
            .copy_to(&mut bytes[start..end]);
    }
    let t3 = now();
    RawLoad {
        bytes,
        requests: t1 - t0,
        alloc: t2 - t1,
        copy: t3 - t2,
    }
}

/// What a raw write does with the `files` record of file "f".
#[derive(Clone, Copy, PartialEq)]
pub enum MetaWrite {
    /// Nothing: chunks only.
    None,
    /// `get` it first and `put` it back, version + 1, from the `get`'s
    /// success event: what vmmap's commit does.
    GetThenPut,
    /// `get` it (to check it, as vmmap checks the file was not replaced) and
    /// `put` a record made from what the writer knows, both issued at once:
    /// no request waits for an event.
    PutWithCheck,
    /// `get` it for the check only; no `put` (a flush that leaves the size
    /// as it was needs no new record, if nothing counts versions).
    CheckOnly,
}

/// Puts the chunks `indices` of `data` (the whole file) in one readwrite
/// transaction, the `files` record as `meta` says, and waits for `complete`.
pub async fn raw_put_chunks(
    db: &IdbDatabase,
    id: f64,
    chunk: usize,
    data: &[u8],
    indices: impl Iterator<Item = usize>,
    meta: MetaWrite,
) -> Split {
    let t0 = now();
    let tx = readwrite(db, &["files", "chunks"]);
    let complete = completion(&tx);
    let keep = (meta != MetaWrite::None).then(|| write_meta(&tx, id, chunk, meta));
    let chunks = tx.object_store("chunks").expect("chunks");
    for index in indices {
        let start = index * chunk;
        let end = (start + chunk).min(data.len());
        chunks
            .put_with_key(&chunk_value(&data[start..end]), &chunk_key(id, index))
            .expect("put a chunk");
    }
    let t1 = now();
    committed("raw put", &tx, complete).await;
    let t2 = now();
    drop(keep);
    Split {
        issue: t1 - t0,
        wait: t2 - t1,
    }
}

/// The requests of [`raw_put_chunks`] on the `files` record (`meta` is not
/// `None`): the `get`, and the `put` at once or from its success event. The
/// `get` aborts `tx` if the record is not file `id`'s. Returns the event
/// handler, to keep until the transaction is over.
fn write_meta(
    tx: &IdbTransaction,
    id: f64,
    chunk: usize,
    meta: MetaWrite,
) -> Closure<dyn FnMut(JsValue)> {
    let files = tx.object_store("files").expect("files");
    let get = files.get(&"f".into()).expect("get the metadata");
    let (files2, get2, tx2) = (files.clone(), get.clone(), tx.clone());
    let on_success = Closure::once(move |_event: JsValue| {
        let record = get2.result().expect("the metadata");
        if field(&record, "id") != id {
            let _ = tx2.abort();
        } else if meta == MetaWrite::GetThenPut {
            put_next_version(&files2, &record);
        }
    });
    get.set_onsuccess(Some(on_success.as_ref().unchecked_ref()));
    if meta == MetaWrite::PutWithCheck {
        let version = js_sys::Date::now();
        files
            .put_with_key(&meta_record(id, FILE, chunk, version), &"f".into())
            .expect("put the metadata");
    }
    on_success
}

/// The number in `record.name`, or -1.
fn field(record: &JsValue, name: &str) -> f64 {
    Reflect::get(record, &name.into())
        .ok()
        .and_then(|v| v.as_f64())
        .unwrap_or(-1.0)
}

/// Puts `record` back into `files` with its version + 1.
fn put_next_version(files: &IdbObjectStore, record: &JsValue) {
    let version = field(record, "version") + 1.0;
    Reflect::set(record, &"version".into(), &version.into()).expect("set");
    files
        .put_with_key(record, &"f".into())
        .expect("put the metadata");
}

/// The whole file as one value `{ timestamp, mode, contents }` in `files`,
/// in one transaction: how Emscripten's IDBFS stores a file.
pub async fn raw_put_whole(db: &IdbDatabase, data: &[u8]) -> Split {
    let t0 = now();
    let tx = readwrite(db, &["files"]);
    let complete = completion(&tx);
    let contents = Uint8Array::new_with_length(data.len() as u32);
    contents.copy_from(data);
    let record = Object::new();
    Reflect::set(&record, &"timestamp".into(), &js_sys::Date::now().into()).expect("set");
    Reflect::set(&record, &"mode".into(), &0o100644.into()).expect("set");
    Reflect::set(&record, &"contents".into(), &contents).expect("set");
    tx.object_store("files")
        .expect("files")
        .put_with_key(&record, &"/idbfs/file".into())
        .expect("put the whole file");
    let t1 = now();
    committed("IDBFS-style put", &tx, complete).await;
    let t2 = now();
    Split {
        issue: t1 - t0,
        wait: t2 - t1,
    }
}
