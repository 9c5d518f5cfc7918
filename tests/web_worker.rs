#![cfg(all(target_arch = "wasm32", target_os = "unknown"))]
//! Browser harness, in a dedicated worker: what `tests/web.rs` runs in a
//! page — every shared conformance case and the persistence tests against
//! the IndexedDB store (`tests/indexeddb/`) — and the model-based property
//! test (`tests/model`), all inside a `Worker` (Chromium, Firefox and
//! WebKit: `scripts/test.sh browser`). A worker has no `window`: the store
//! reaches IndexedDB, Web Locks, `BroadcastChannel` and `setTimeout`
//! through the global object, as it must to work here.
//!
//! `cargo test --target wasm32-unknown-unknown --test web_worker` with
//! `CHROMEDRIVER`, `GECKODRIVER` or `SAFARIDRIVER` naming the driver runs it
//! alone.

#[macro_use]
mod conformance;
mod indexeddb;
mod model;

use js_sys::{Function, Reflect};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_dedicated_worker);

/// The tests of this binary really run in a dedicated worker: the global
/// object is a `DedicatedWorkerGlobalScope`, with no `window` or `document`.
#[wasm_bindgen_test]
fn runs_in_a_dedicated_worker() {
    let global = js_sys::global();
    let constructor: Function = Reflect::get(&global, &"constructor".into())
        .expect("the global's constructor")
        .unchecked_into();
    assert_eq!(constructor.name(), "DedicatedWorkerGlobalScope");
    for name in ["window", "document"] {
        assert!(
            !Reflect::has(&global, &name.into()).unwrap(),
            "a worker has no {name}"
        );
    }
}

/// The model-based property test in the worker: random op sequences on maps
/// of IndexedDB files (Write, Read, Copy; whole files and offset windows) and
/// on anonymous maps must match the model, and the stored file must hold what
/// the model says after a flush and after the map is dropped.
mod property {
    use crate::indexeddb::{open, unique_name};
    use crate::model::Reads;
    use crate::model::async_check::{check, report, seed};
    use crate::model::harness::{anonymous_case, config};
    use crate::model::strategy::{map_len, ops};
    use vmmap::Access;
    use wasm_bindgen_test::wasm_bindgen_test;

    /// Cases per file property: each writes, maps, flushes and reads back an
    /// IndexedDB file: as many as on WASI, half the host's 256.
    const FILE_CASES: u32 = 128;
    /// Cases of anonymous maps (no store: as many as on the host).
    const ANONYMOUS_CASES: u32 = 256;

    /// The file property for maps with `access`, on one fresh store.
    async fn file_property(name: &str, access: Access) {
        let store = open(&unique_name(name)).await;
        crate::model::async_check::file_property(
            name,
            access,
            &store,
            Reads::AsyncOnly,
            FILE_CASES,
        )
        .await;
    }

    #[wasm_bindgen_test]
    async fn write_file_matches_model() {
        file_property("write_file_matches_model", Access::Write).await;
    }

    #[wasm_bindgen_test]
    async fn read_file_matches_model() {
        file_property("read_file_matches_model", Access::Read).await;
    }

    #[wasm_bindgen_test]
    async fn copy_file_matches_model() {
        file_property("copy_file_matches_model", Access::Copy).await;
    }

    #[wasm_bindgen_test]
    async fn anonymous_matches_model() {
        let name = "anonymous_matches_model";
        let result = check(
            name,
            config(ANONYMOUS_CASES),
            seed(),
            (map_len(), ops()),
            |(len, ops)| async move { anonymous_case(len, &ops) },
        )
        .await;
        report(name, result);
    }
}
