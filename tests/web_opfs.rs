#![cfg(all(target_arch = "wasm32", target_os = "unknown"))]
//! OPFS harness: every shared conformance case in a dedicated worker (the
//! only place with OPFS sync access handles) against the OPFS store
//! (`FileStore::open_opfs`), each case in a directory of its own, with the
//! flush-cost cases; plus what only a persistent store shows: bytes that
//! survive a new handle, a file held by a map, and the plain OPFS file
//! that holds a vmmap file's bytes as they are.
//!
//! Where the engine has no sync access handles (WebKitGTK's MiniBrowser
//! here, as of 2.50), the contract is a `NotSupportedError`: there every
//! case checks that `open_opfs` is `Unsupported` and says why, and runs no
//! more. Chromium and Firefox run every case.
//!
//! Run with `scripts/test.sh browser` (Chromium, Firefox, WebKit), or
//! `cargo test --target wasm32-unknown-unknown --test web_opfs` with
//! `CHROMEDRIVER` set.

#[macro_use]
mod conformance;
mod model;

use conformance::unique_name;
use vmmap::FileStore;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_dedicated_worker);

/// Whether this engine has OPFS sync access handles, asked of the
/// engine itself (not of vmmap).
fn engine_has_sync_handles() -> bool {
    let global = js_sys::global();
    let class = js_sys::Reflect::get(&global, &"FileSystemFileHandle".into());
    let prototype = class.and_then(|class| js_sys::Reflect::get(&class, &"prototype".into()));
    prototype.is_ok_and(|prototype| {
        prototype.is_object()
            && js_sys::Reflect::has(&prototype, &"createSyncAccessHandle".into()).unwrap_or(false)
    })
}

/// The OPFS store `name` (a directory at the origin's OPFS root), or, in an
/// engine without sync access handles, `None` once `open_opfs` was checked
/// to be `Unsupported`.
async fn open(name: &str) -> Option<FileStore> {
    let opened = FileStore::open_opfs(name).await;
    if engine_has_sync_handles() {
        return Some(ok!(opened));
    }
    assert_err!(opened, Unsupported);
    None
}

/// Each case over a fresh OPFS directory.
macro_rules! opfs_cases {
    ($($module:ident :: $case:ident),* $(,)?) => {$(
        #[wasm_bindgen_test]
        async fn $case() {
            if let Some(store) = open(&unique_name(stringify!($case))).await {
                conformance::$module::$case(&store).await;
            }
        }
    )*};
}

for_each_case!(opfs_cases);
for_each_flush_cost_case!(opfs_cases);

/// What the OPFS store keeps across handles, and what one handle per file means.
mod persistence {
    use super::{open, unique_name};
    use crate::conformance::{file, map, pattern};
    use vmmap::{ErrorKind, MmapOptions};
    use wasm_bindgen::JsCast;
    use wasm_bindgen_futures::JsFuture;
    use wasm_bindgen_test::wasm_bindgen_test;

    /// The bytes of `file` in the OPFS directory `dir`, read with the
    /// browser's own File API (no vmmap).
    async fn opfs_bytes(dir: &str, file: &str) -> Vec<u8> {
        let get = |value: &wasm_bindgen::JsValue, key: &str| {
            js_sys::Reflect::get(value, &key.into()).expect("a property")
        };
        let call = |this: &wasm_bindgen::JsValue, method: &str, args: &[wasm_bindgen::JsValue]| {
            let f: js_sys::Function = get(this, method).unchecked_into();
            let args: js_sys::Array = args.iter().collect();
            JsFuture::from(js_sys::Promise::from(
                f.apply(this, &args).expect("a promise"),
            ))
        };
        let storage = get(&get(&js_sys::global(), "navigator"), "storage");
        let root = call(&storage, "getDirectory", &[])
            .await
            .expect("the OPFS root");
        let dir = call(&root, "getDirectoryHandle", &[dir.into()])
            .await
            .expect("the store's directory");
        let handle = call(&dir, "getFileHandle", &[file.into()])
            .await
            .expect("the file");
        let blob = call(&handle, "getFile", &[]).await.expect("a File");
        let buffer = call(&blob, "arrayBuffer", &[]).await.expect("its bytes");
        js_sys::Uint8Array::new(&buffer).to_vec()
    }

    /// A flushed write is in OPFS: in the plain file of that name, byte for
    /// byte, and in a new store handle opened after every map is dropped.
    #[wasm_bindgen_test]
    async fn flushed_bytes_are_the_plain_file() {
        let name = unique_name("flushed_bytes_are_the_plain_file");
        let mut expected = pattern(3 * vmmap::allocation_granularity() + 100);
        {
            let Some(store) = open(&name).await else {
                return;
            };
            ok!(store.write_file("f", &expected).await);
            let mut m = map(&store, "f", &MmapOptions::new()).await;
            ok!(m.write_at(5, b"hello"));
            let end = expected.len() - 3;
            ok!(m.write_at(end, b"end"));
            ok!(m.flush());
        }
        expected[5..10].copy_from_slice(b"hello");
        let end = expected.len() - 3;
        expected[end..].copy_from_slice(b"end");
        assert!(
            opfs_bytes(&name, "f").await == expected,
            "the OPFS file differs"
        );
        let Some(store) = open(&name).await else {
            return;
        };
        assert!(
            file(&store, "f").await == expected,
            "a new handle reads other bytes"
        );
        assert_eq!(
            ok!(store.list().await),
            ["f"],
            "no journal or partial file is listed"
        );
    }

    /// OPFS gives a file one open handle: while a map holds it, the store's
    /// calls share the map's handle, and replacing or removing the file is
    /// an error that changes nothing; once the map is closed both work.
    #[wasm_bindgen_test]
    async fn a_mapped_file_is_shared_then_released() {
        let Some(store) = open(&unique_name("a_mapped_file_is_shared_then_released")).await else {
            return;
        };
        ok!(store.write_file("f", &pattern(5000)).await);
        let mut m = map(&store, "f", &MmapOptions::new()).await;
        ok!(m.write_at(0, b"mapped"));
        ok!(m.flush());
        let second = map(&store, "f", &MmapOptions::new()).await;
        assert_eq!(
            &second[..6],
            b"mapped",
            "a second map shares the handle and the pages"
        );
        assert_eq!(&file(&store, "f").await[..6], b"mapped");
        assert_eq!(ok!(store.file_size("f").await), 5000);
        let replaced = store.write_file("f", b"new").await;
        assert_eq!(replaced.map_err(|e| e.kind()), Err(ErrorKind::Io));
        let removed = store.remove_file("f").await;
        assert_eq!(removed.map_err(|e| e.kind()), Err(ErrorKind::Io));
        assert_eq!(
            &file(&store, "f").await[..6],
            b"mapped",
            "the failed calls changed nothing"
        );
        ok!(m.close());
        drop(second);
        ok!(store.write_file("f", b"new").await);
        assert_eq!(file(&store, "f").await, b"new");
        ok!(store.remove_file("f").await);
        assert_eq!(ok!(store.list().await), Vec::<String>::new());
    }
}

/// The model's property test over OPFS files, as on the host and in the
/// IndexedDB worker: random operation sequences on write, read and copy
/// maps must match the model, and the file must hold what it says after a
/// flush. OPFS reads synchronously: a window grows over file bytes.
mod property {
    use super::{open, unique_name};
    use crate::model::Reads;
    use crate::model::async_check::file_property;
    use vmmap::Access;
    use wasm_bindgen_test::wasm_bindgen_test;

    /// Cases per property: each writes, maps, flushes and reads back an OPFS file.
    const CASES: u32 = 64;

    async fn property(name: &str, access: Access) {
        if let Some(store) = open(&unique_name(name)).await {
            file_property(name, access, &store, Reads::Sync, CASES).await;
        }
    }

    #[wasm_bindgen_test]
    async fn write_file_matches_model() {
        property("opfs_write_file_matches_model", Access::Write).await;
    }

    #[wasm_bindgen_test]
    async fn read_file_matches_model() {
        property("opfs_read_file_matches_model", Access::Read).await;
    }

    #[wasm_bindgen_test]
    async fn copy_file_matches_model() {
        property("opfs_copy_file_matches_model", Access::Copy).await;
    }
}
