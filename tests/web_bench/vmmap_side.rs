//! vmmap's side of the comparisons: its store, its maps and its flush.

use js_sys::Reflect;
use vmmap::{Access, FileStore, Mmap, MmapOptions};
use web_sys::IdbDatabase;

use crate::clock::{Split, now};
use crate::idb::{db_name, done, raw_delete, raw_open};

/// A vmmap store `name`, and a raw connection to its database for
/// [`crate::idb::seed_files`] (close it once seeded).
pub async fn vmmap_store(name: &str) -> (FileStore, IdbDatabase) {
    let store = FileStore::open(name).await.expect("FileStore::open");
    (store, raw_open(name).await)
}

/// The chunk size vmmap writes files with (the `chunk` of its `files` record).
pub async fn vmmap_chunk_size() -> usize {
    let name = db_name("probe");
    let store = FileStore::open(&name).await.expect("FileStore::open");
    store.write_file("probe", &[1]).await.expect("write_file");
    let db = raw_open(&name).await;
    let tx = db.transaction_with_str("files").expect("readonly");
    let get = tx
        .object_store("files")
        .expect("files")
        .get(&"probe".into())
        .expect("get");
    let record = done("read vmmap's metadata", &get).await;
    db.close();
    drop(store);
    raw_delete(&name).await;
    Reflect::get(&record, &"chunk".into())
        .ok()
        .and_then(|c| c.as_f64())
        .expect("vmmap's files record has a chunk size") as usize
}

/// A map of the whole file "f" of `store`.
pub async fn map_whole(store: &FileStore, access: Access) -> Mmap {
    unsafe { store.map("f", MmapOptions::new().access(access)).await }.expect("FileStore::map")
}

/// `flush()` then `flushed().await`: (the synchronous `flush`, the wait) in ms.
pub async fn vmmap_flush(m: &Mmap) -> Split {
    let t0 = now();
    m.flush().expect("flush");
    let t1 = now();
    m.flushed().await.expect("flushed");
    let t2 = now();
    Split {
        issue: t1 - t0,
        wait: t2 - t1,
    }
}
