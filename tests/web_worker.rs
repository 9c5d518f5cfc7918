#![cfg(all(target_arch = "wasm32", target_os = "unknown"))]
//! Browser harness, in a dedicated worker: what `tests/web.rs` runs in a
//! page — every shared conformance case and the persistence tests against
//! the IndexedDB store (`tests/indexeddb/`) — inside a `Worker` (Chromium,
//! Firefox and WebKit: `scripts/test.sh browser`). A worker has no
//! `window`: the store reaches IndexedDB, Web Locks, `BroadcastChannel` and
//! `setTimeout` through the global object, as it must to work here.
//!
//! `cargo test --target wasm32-unknown-unknown --test web_worker` with
//! `CHROMEDRIVER`, `GECKODRIVER` or `SAFARIDRIVER` naming the driver runs it
//! alone.

#[macro_use]
mod conformance;
mod indexeddb;

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
