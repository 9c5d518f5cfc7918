#![cfg(all(target_arch = "wasm32", target_os = "unknown"))]
//! Browser harness, in a page: every shared conformance case in a browser
//! (Chromium, Firefox and WebKit: `scripts/test.sh browser`) against the
//! IndexedDB store, and the persistence tests, all in `tests/indexeddb/`
//! (which `tests/web_worker.rs` runs in a dedicated worker).
//!
//! Run with `scripts/test.sh browser` (it installs the browsers, their
//! WebDriver servers and `wasm-bindgen-test-runner`), or
//! `cargo test --target wasm32-unknown-unknown` once they are there, with
//! `CHROMEDRIVER`, `GECKODRIVER` or `SAFARIDRIVER` naming the driver.

#[macro_use]
mod conformance;
mod indexeddb;

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

/// OPFS sync access handles exist only in dedicated workers: on the main
/// thread `open_opfs` is `Unsupported` (a `NotSupportedError` in JS), and
/// its message says why and what to use instead (tests/web_opfs.rs runs the
/// OPFS store in a worker).
#[wasm_bindgen_test::wasm_bindgen_test]
async fn opfs_on_the_main_thread_is_unsupported() {
    let name = conformance::unique_name("opfs_main_thread");
    let error = match vmmap::FileStore::open_opfs(&name).await {
        Ok(store) => panic!("open_opfs on the main thread gave {store:?}"),
        Err(error) => error,
    };
    assert_eq!(error.kind(), vmmap::ErrorKind::Unsupported, "{error}");
    for words in ["dedicated worker", "IndexedDB"] {
        assert!(error.message().contains(words), "{error}");
    }
}
