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
