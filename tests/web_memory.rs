#![cfg(all(target_arch = "wasm32", target_os = "unknown"))]
//! The shared conformance suite on `FileStore::memory()` in a browser
//! (Chromium, Firefox and WebKit: `scripts/test.sh browser`): the emulated
//! backend (pages, dirty tracking, change detection) compiled to wasm, without
//! IndexedDB. A failure here and not in `tests/emulated.rs` is a wasm32
//! problem; one here and not in `tests/web.rs`' IndexedDB runs is a
//! memory-store problem.

#[macro_use]
mod conformance;

use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

macro_rules! memory_cases {
    ($($module:ident :: $case:ident),* $(,)?) => {
        $(
            #[wasm_bindgen_test]
            async fn $case() {
                let store = vmmap::FileStore::memory();
                conformance::$module::$case(&store).await;
            }
        )*
    };
}

for_each_case!(memory_cases);
