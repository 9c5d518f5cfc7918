//! Raw IndexedDB through web-sys, in vmmap's layout: opening and deleting
//! databases, requests and transactions as futures, the records of a file,
//! and seeding the test file into databases.

use js_sys::{Array, ArrayBuffer, Function, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbFactory, IdbRequest, IdbTransaction};

use crate::clock::order;
use crate::data::random_bytes;
use crate::{DURABILITY, FILE, MIB};

/// The id of file "f" in every database of the bench.
pub const FILE_ID: f64 = 11.0;
/// Bytes each seeding transaction writes to one database.
const SEED_BATCH: usize = 4 * MIB;

/// A database name of its own for `what`: no two measurements, and no two
/// runs on one browser profile, share a database.
pub fn db_name(what: &str) -> String {
    let salt = (js_sys::Math::random() * f64::from(u32::MAX)) as u32;
    format!("vmmap-bench-{what}-{salt:08x}")
}

fn factory() -> IdbFactory {
    Reflect::get(&js_sys::global(), &"indexedDB".into())
        .expect("indexedDB")
        .unchecked_into()
}

/// Waits for `req` to succeed and returns its result.
pub async fn done(what: &str, req: &IdbRequest) -> JsValue {
    let settled = Promise::new(&mut |resolve, reject| {
        req.set_onsuccess(Some(&resolve));
        req.set_onerror(Some(&reject));
    });
    let outcome = JsFuture::from(settled).await;
    req.set_onsuccess(None);
    req.set_onerror(None);
    if outcome.is_err() {
        panic!("{what}: the request failed: {:?}", req.error());
    }
    req.result()
        .expect("the result of a request that succeeded")
}

/// A promise that resolves when `tx` commits and rejects when it aborts.
pub fn completion(tx: &IdbTransaction) -> Promise {
    Promise::new(&mut |resolve, reject| {
        tx.set_oncomplete(Some(&resolve));
        tx.set_onabort(Some(&reject));
    })
}

/// Waits for `complete` (from [`completion`]) of `tx`; panics if it aborted.
pub async fn committed(what: &str, tx: &IdbTransaction, complete: Promise) {
    if JsFuture::from(complete).await.is_err() {
        panic!("{what}: the transaction aborted: {:?}", tx.error());
    }
}

/// Opens (creating) database `name` at version 1 with vmmap's two object stores.
pub async fn raw_open(name: &str) -> IdbDatabase {
    let req = factory().open_with_u32(name, 1).expect("indexedDB.open");
    let upgrade = Closure::<dyn FnMut(JsValue)>::new({
        let req = req.clone();
        move |_event: JsValue| {
            let db: IdbDatabase = req.result().expect("upgrade result").unchecked_into();
            for store in ["files", "chunks"] {
                if !db.object_store_names().contains(store) {
                    db.create_object_store(store).expect("createObjectStore");
                }
            }
        }
    });
    req.set_onupgradeneeded(Some(upgrade.as_ref().unchecked_ref()));
    let db = done(&format!("open {name:?}"), &req).await;
    req.set_onupgradeneeded(None);
    db.unchecked_into()
}

/// Deletes database `name`; vmmap's handles close themselves on `versionchange`.
pub async fn raw_delete(name: &str) {
    let req = factory().delete_database(name).expect("deleteDatabase");
    done(&format!("delete {name:?}"), &req).await;
}

/// `db.transaction(stores, "readwrite", { durability })`, the call vmmap makes.
pub fn readwrite(db: &IdbDatabase, stores: &[&str]) -> IdbTransaction {
    let transaction: Function = Reflect::get(db, &"transaction".into())
        .expect("IDBDatabase.transaction")
        .unchecked_into();
    let options = Object::new();
    Reflect::set(&options, &"durability".into(), &DURABILITY.into()).expect("set durability");
    let names: Array = stores.iter().map(|s| JsValue::from_str(s)).collect();
    transaction
        .call3(db, &names, &"readwrite".into(), &options)
        .expect("a readwrite transaction")
        .unchecked_into()
}

/// The `durability` a transaction reports (what the browser granted).
pub fn durability_of(tx: &IdbTransaction) -> String {
    Reflect::get(tx, &"durability".into())
        .ok()
        .and_then(|d| d.as_string())
        .unwrap_or_else(|| "(not reported)".into())
}

/// The key of chunk `index` of file `id`: `[id, index]`.
pub fn chunk_key(id: f64, index: usize) -> JsValue {
    Array::of2(&id.into(), &(index as f64).into()).into()
}

/// A `files` record: `{id, size, chunk, version}`.
pub fn meta_record(id: f64, size: usize, chunk: usize, version: f64) -> JsValue {
    let obj = Object::new();
    for (key, value) in [
        ("id", id),
        ("size", size as f64),
        ("chunk", chunk as f64),
        ("version", version),
    ] {
        Reflect::set(&obj, &key.into(), &value.into()).expect("set a field");
    }
    obj.into()
}

/// A copy of `bytes` in a fresh `ArrayBuffer`: the value of one chunk.
pub fn chunk_value(bytes: &[u8]) -> ArrayBuffer {
    let value = Uint8Array::new_with_length(bytes.len() as u32);
    value.copy_from(bytes);
    value.buffer()
}

/// Writes file "f" (`FILE` bytes of stream `seed`, id [`FILE_ID`]) in vmmap's
/// layout into every database of `targets`, each with its chunk size. The
/// databases are written in turns, 4 MiB at a time in a random order, so
/// that none of them lies deeper in the browser's storage than another
/// (databases seeded one after the other made the first ones' later writes
/// up to 15% slower). Each chunk is made in a small scratch buffer, so wasm
/// memory does not grow by the file.
pub async fn seed_files(targets: &[(&IdbDatabase, usize)], seed: u64) {
    let mut scratch = Vec::new();
    for batch in 0..FILE / SEED_BATCH {
        for k in order(targets.len()) {
            let (db, chunk) = targets[k];
            scratch.resize(chunk, 0);
            seed_batch(db, chunk, batch, seed, &mut scratch).await;
        }
    }
}

/// Batch `batch` of [`seed_files`] into `db`: its chunks and the record, in
/// one transaction.
async fn seed_batch(db: &IdbDatabase, chunk: usize, batch: usize, seed: u64, scratch: &mut [u8]) {
    let tx = readwrite(db, &["files", "chunks"]);
    let complete = completion(&tx);
    let chunks = tx.object_store("chunks").expect("chunks");
    let first = batch * SEED_BATCH / chunk;
    let end = ((batch + 1) * SEED_BATCH).div_ceil(chunk);
    for index in first..end {
        let start = index * chunk;
        let part = &mut scratch[..chunk.min(FILE - start)];
        random_bytes(seed, start, part);
        chunks
            .put_with_key(&chunk_value(part), &chunk_key(FILE_ID, index))
            .expect("put a chunk");
    }
    tx.object_store("files")
        .expect("files")
        .put_with_key(&meta_record(FILE_ID, FILE, chunk, 1.0), &"f".into())
        .expect("put the metadata");
    committed("seed", &tx, complete).await;
}
