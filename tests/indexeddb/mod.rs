//! The IndexedDB half of the browser suites, one body for every harness that
//! runs it: `tests/web.rs` (in a page) and `tests/web_worker.rs` (in a
//! dedicated worker). Every shared conformance case against the IndexedDB
//! store, each case in a database of its own, with the flush-cost cases
//! (flushes write only the chunks that changed), plus what only a persistent
//! browser store can show: bytes that survive a new handle, windows of large
//! files, resizes that persist, copy maps that never write, and flushes that
//! fail or race another writer without losing anything.
//!
//! In the browser `flush` only starts the write-back; every check of the
//! store awaits `flushed()` first.
//!
//! A harness declares `#[macro_use] mod conformance;`, then `mod indexeddb;`,
//! and picks where the tests run with `wasm_bindgen_test_configure!`.

pub use crate::conformance::unique_name;
use vmmap::FileStore;
use wasm_bindgen_test::wasm_bindgen_test;

/// Opens the IndexedDB store `name`, naming it when that fails.
pub async fn open(name: &str) -> FileStore {
    match FileStore::open(name).await {
        Ok(store) => store,
        Err(error) => panic!("FileStore::open({name:?}) failed: {error} ({error:?})"),
    }
}

macro_rules! browser_cases {
    ($($module:ident :: $case:ident),* $(,)?) => {
        $(
            #[wasm_bindgen_test]
            async fn $case() {
                let store = open(&unique_name(stringify!($case))).await;
                crate::conformance::$module::$case(&store).await;
            }
        )*
    };
}

for_each_case!(browser_cases);
for_each_flush_cost_case!(browser_cases);

/// What the IndexedDB store keeps across handles, and what its flushes cost.
mod persistence {
    use super::{open, unique_name};
    use crate::conformance::{file, file_size, flush_and_wait, granule, map, page, pattern};
    use vmmap::{Access, MmapOptions};
    use wasm_bindgen_test::wasm_bindgen_test;

    const MIB: usize = 1 << 20;

    /// Opens store `name` again (a new handle) and checks that its file "f"
    /// holds `expected` (`what`): its size, `read_file` and a map of it.
    async fn reopened_holds(name: &str, expected: &[u8], what: &str) -> vmmap::FileStore {
        let store = open(name).await;
        assert_eq!(
            file_size(&store, "f").await,
            expected.len() as u64,
            "{what}: the size a new handle reports"
        );
        assert!(
            file(&store, "f").await == expected,
            "{what}: read_file of a new handle differs"
        );
        let m = map(&store, "f", &MmapOptions::new()).await;
        assert!(
            m[..] == expected[..],
            "{what}: the map of a new handle differs"
        );
        drop(m);
        store
    }

    /// A flushed write is in the database: a new `FileStore` handle on the
    /// same name, opened after every map and handle is dropped, maps and
    /// reads the same bytes.
    #[wasm_bindgen_test]
    async fn flushed_bytes_survive_a_new_handle() {
        let name = unique_name("flushed_bytes_survive_a_new_handle");
        let len = 3 * granule() + 100;
        let mut expected = pattern(len);
        {
            let store = open(&name).await;
            ok!(store.write_file("f", &expected).await);
            let mut m = map(&store, "f", &MmapOptions::new()).await;
            ok!(m.write_at(5, b"hello"));
            ok!(m.write_at(len - 3, b"end"));
            flush_and_wait(&m).await;
        }
        expected[5..10].copy_from_slice(b"hello");
        expected[len - 3..].copy_from_slice(b"end");

        let store = reopened_holds(&name, &expected, "flushed bytes").await;
        assert_eq!(ok!(store.list().await), ["f"]);
    }

    /// A window at an offset deep into a large file sees exactly the file's
    /// bytes there, and its writes land at that offset and nowhere else.
    #[wasm_bindgen_test]
    async fn window_of_large_file() {
        let name = unique_name("window_of_large_file");
        let store = open(&name).await;
        let len = 8 * MIB;
        let mut expected = pattern(len);
        // A pattern of period 251 repeats within 8 MiB: mark the window's
        // neighbourhood so a window one granule off shows.
        let offset = (5 * MIB + 3 * granule()) / granule() * granule();
        let win_len = 2 * granule() + 7;
        for (i, b) in expected[offset - granule()..offset + win_len + granule()]
            .iter_mut()
            .enumerate()
        {
            *b = (i / 13) as u8;
        }
        ok!(store.write_file("big", &expected).await);

        let mut opts = MmapOptions::new();
        opts.offset(offset as u64).len(win_len);
        let mut win = map(&store, "big", &opts).await;
        assert_eq!(win.len(), win_len);
        assert_eq!(ok!(win.size()), len as u64);
        assert!(
            win[..] == expected[offset..offset + win_len],
            "the window does not show the file's bytes at offset {offset}"
        );

        ok!(win.write_at(0, b"first"));
        ok!(win.write_at(win_len - 4, b"last"));
        flush_and_wait(&win).await;
        expected[offset..offset + 5].copy_from_slice(b"first");
        expected[offset + win_len - 4..offset + win_len].copy_from_slice(b"last");
        drop(win);
        drop(store);

        let store = open(&name).await;
        let stored = file(&store, "big").await;
        assert_eq!(stored.len(), len);
        if let Some(i) = (0..len).find(|&i| stored[i] != expected[i]) {
            panic!(
                "after a window flush the file differs first at byte {i}: {} != {}",
                stored[i], expected[i]
            );
        }
    }

    /// `resize` growing a map grows the file: after flush and a new handle,
    /// `file_size` is the new length, old bytes kept, new bytes zero but
    /// for what was written.
    #[wasm_bindgen_test]
    async fn grown_file_persists() {
        let name = unique_name("grown_file_persists");
        let old_len = 2 * granule();
        let new_len = 5 * granule() + 17;
        {
            let store = open(&name).await;
            ok!(store.write_file("f", &pattern(old_len)).await);
            let mut m = map(&store, "f", &MmapOptions::new()).await;
            ok!(m.resize(new_len));
            ok!(m.write_at(new_len - 4, b"tail"));
            flush_and_wait(&m).await;
        }
        let mut expected = pattern(old_len);
        expected.resize(new_len, 0);
        expected[new_len - 4..].copy_from_slice(b"tail");
        reopened_holds(&name, &expected, "the grown file").await;
    }

    /// `resize` shrinking a map shrinks the file, and a later grow reads
    /// zeros, not the bytes that were cut off.
    #[wasm_bindgen_test]
    async fn shrunk_file_persists() {
        let name = unique_name("shrunk_file_persists");
        let old_len = 4 * granule() + 9;
        let new_len = granule() + 3;
        {
            let store = open(&name).await;
            ok!(store.write_file("f", &pattern(old_len)).await);
            let mut m = map(&store, "f", &MmapOptions::new()).await;
            ok!(m.write_at(0, b"head"));
            ok!(m.resize(new_len));
            flush_and_wait(&m).await;
        }
        let mut expected = pattern(new_len);
        expected[..4].copy_from_slice(b"head");
        let store = reopened_holds(&name, &expected, "the shrunk file").await;

        let mut m = map(&store, "f", &MmapOptions::new()).await;
        ok!(m.resize(old_len));
        flush_and_wait(&m).await;
        expected.resize(old_len, 0);
        assert!(
            m[..] == expected[..],
            "grown again, the map shows cut-off bytes"
        );
        drop(m);
        drop(store);
        let store = open(&name).await;
        assert!(
            file(&store, "f").await == expected,
            "grown again, the file shows cut-off bytes"
        );
    }

    /// `Access::Copy` writes, through the API and a raw slice, stay in the
    /// map: flush, close and a new handle all find the file unchanged, and
    /// the store commits nothing.
    #[wasm_bindgen_test]
    async fn copy_writes_never_reach_the_store() {
        let name = unique_name("copy_writes_never_reach_the_store");
        let original = pattern(3 * granule());
        {
            let store = open(&name).await;
            ok!(store.write_file("f", &original).await);
            let before = store.stats();
            let mut m = map(&store, "f", MmapOptions::new().access(Access::Copy)).await;
            ok!(m.write_at(0, b"copy"));
            let raw = ok!(m.as_mut_slice());
            raw[2 * granule() + 1] ^= 0xff;
            flush_and_wait(&m).await;
            assert!(
                file(&store, "f").await == original,
                "a copy map's flush changed the file"
            );
            ok!(m.close());
            // Loading the window is a read (`bytes_read`), not a write.
            let writes = |s: vmmap::StoreStats| (s.commits, s.units_written, s.bytes_written);
            assert_eq!(
                writes(store.stats()),
                writes(before),
                "a copy map made the store write"
            );
            assert!(
                file(&store, "f").await == original,
                "a copy map's close changed the file"
            );
        }
        let store = open(&name).await;
        assert!(
            file(&store, "f").await == original,
            "a new handle sees copy-map writes"
        );
    }

    /// A flush whose transaction fails reports it through `flushed()`, and
    /// neither the map nor the store loses or mixes anything: here the file
    /// was replaced under the map, so the commit aborts with `NotFound`
    /// (writing none of its chunks into the new file) and the map keeps its
    /// bytes, still dirty: the next flush fails the same way.
    #[wasm_bindgen_test]
    async fn failed_flush_keeps_pages_dirty() {
        let store = open(&unique_name("failed_flush_keeps_pages_dirty")).await;
        ok!(store.write_file("f", &pattern(2 * granule())).await);
        let mut m = map(&store, "f", &MmapOptions::new()).await;
        ok!(m.write_at(7, b"mine"));
        let replacement = vec![9u8; granule()];
        ok!(store.write_file("f", &replacement).await);
        ok!(m.flush());
        let error = m.flushed().await.unwrap_err();
        assert_eq!(error.kind(), vmmap::ErrorKind::NotFound, "{error}");
        assert_eq!(&m[7..11], b"mine");
        assert_eq!(file(&store, "f").await, replacement);
        let before = store.stats();
        ok!(m.flush());
        assert_eq!(
            store.stats().commits - before.commits,
            1,
            "the failed pages were not dirty again"
        );
        assert_eq!(
            m.flushed().await.unwrap_err().kind(),
            vmmap::ErrorKind::NotFound
        );
        assert_eq!(file(&store, "f").await, replacement);
    }

    /// Another writer (a tab whose announcement has not arrived; here raw
    /// IndexedDB calls) commits a page of chunk 0 after the map loaded it:
    /// the map's flush of a neighbouring page of the same chunk finds the
    /// file's state changed in its transaction, writes again by merging, and
    /// the other page is kept; so is it on every later flush.
    #[wasm_bindgen_test]
    async fn a_commit_the_map_did_not_hear_of_is_kept() {
        let name = unique_name("a_commit_the_map_did_not_hear_of_is_kept");
        let store = open(&name).await;
        ok!(store.write_file("f", &vec![7u8; granule()]).await);
        let mut m = map(&store, "f", &MmapOptions::new()).await;
        super::raw::commit_page(&name, "f", 1, 0xbb).await;

        ok!(m.write_at(0, b"mine"));
        flush_and_wait(&m).await;
        let stored = file(&store, "f").await;
        assert_eq!(&stored[..4], b"mine");
        assert!(
            stored[page()..2 * page()].iter().all(|&b| b == 0xbb),
            "the other writer's page was overwritten"
        );
        assert_eq!(
            m[page()],
            7,
            "no announcement came: the map still shows its bytes"
        );

        ok!(m.write_at(2 * page(), b"more"));
        flush_and_wait(&m).await;
        let stored = file(&store, "f").await;
        assert_eq!(&stored[2 * page()..2 * page() + 4], b"more");
        assert!(stored[page()..2 * page()].iter().all(|&b| b == 0xbb));
    }

    /// `flush_range` of one page writes that page only, though the map
    /// holds its chunk whole and another page of it is dirty.
    #[wasm_bindgen_test]
    async fn flush_range_leaves_other_dirty_pages_of_its_chunk() {
        let store = open(&unique_name("flush_range_leaves_other_dirty_pages")).await;
        ok!(store.write_file("f", &vec![7u8; granule()]).await);
        let mut m = map(&store, "f", &MmapOptions::new()).await;
        ok!(m.write_at(0, b"first"));
        ok!(m.write_at(page(), b"second"));
        ok!(m.flush_range(0, page()));
        ok!(m.flushed().await);
        let stored = file(&store, "f").await;
        assert_eq!(&stored[..5], b"first");
        assert!(
            stored[page()..].iter().all(|&b| b == 7),
            "an unflushed page was written"
        );
        flush_and_wait(&m).await;
        assert_eq!(&file(&store, "f").await[page()..page() + 6], b"second");
    }
}

/// Raw IndexedDB calls: what another tab's vmmap would commit.
mod raw {
    use js_sys::{Array, Promise, Reflect, Uint8Array};
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;
    use web_sys::{IdbDatabase, IdbFactory, IdbRequest, IdbTransactionMode};

    async fn done(request: &IdbRequest) -> JsValue {
        let done = Promise::new(&mut |resolve, reject| {
            request.set_onsuccess(Some(&resolve));
            request.set_onerror(Some(&reject));
        });
        JsFuture::from(done).await.expect("IndexedDB request");
        request.result().expect("a result")
    }

    /// Sets page `page` of file `name` of database `db` to `byte`, with a new
    /// version and tag, in one transaction (no announcement).
    pub async fn commit_page(db: &str, name: &str, page: usize, byte: u8) {
        let factory: IdbFactory = Reflect::get(&js_sys::global(), &"indexedDB".into())
            .expect("indexedDB")
            .unchecked_into();
        let db: IdbDatabase = done(&factory.open(db).expect("open"))
            .await
            .unchecked_into();
        let stores = Array::of2(&"files".into(), &"chunks".into());
        let tx = db
            .transaction_with_str_sequence_and_mode(&stores, IdbTransactionMode::Readwrite)
            .expect("transaction");
        let (files, chunks) = (
            tx.object_store("files").expect("files"),
            tx.object_store("chunks").expect("chunks"),
        );
        let record = done(&files.get(&name.into()).expect("get")).await;
        let field = |key: &str| {
            Reflect::get(&record, &key.into())
                .unwrap()
                .as_f64()
                .unwrap()
        };
        let (id, chunk) = (field("id"), field("chunk") as usize);
        let at = page * vmmap::page_size();
        let key: JsValue = Array::of2(&id.into(), &((at / chunk) as f64).into()).into();
        let stored = done(&chunks.get(&key).expect("get chunk")).await;
        let mut bytes = Uint8Array::new(&stored).to_vec();
        let from = at % chunk;
        bytes.resize(bytes.len().max(from + vmmap::page_size()), 0);
        bytes[from..from + vmmap::page_size()].fill(byte);
        done(
            &chunks
                .put_with_key(&Uint8Array::from(&bytes[..]).buffer(), &key)
                .expect("put"),
        )
        .await;
        Reflect::set(&record, &"version".into(), &(field("version") + 1.0).into()).unwrap();
        Reflect::set(&record, &"tag".into(), &js_sys::Math::random().into()).unwrap();
        done(
            &files
                .put_with_key(&record, &name.into())
                .expect("put record"),
        )
        .await;
        let complete = Promise::new(&mut |resolve, reject| {
            tx.set_oncomplete(Some(&resolve));
            tx.set_onabort(Some(&reject));
        });
        JsFuture::from(complete).await.expect("commit");
        db.close();
    }
}
