#![cfg(not(target_family = "wasm"))]
//! The model-based property test on the emulated backend, on the host: random
//! op sequences on maps from `FileStore::memory()` (pages loaded on demand)
//! and `FileStore::memory_preloaded()` (windows loaded when mapped) (Write,
//! Read, Copy; whole files and offset windows) must match the model in
//! `tests/model`, and the stored file must hold what the model says after a
//! flush.
//!
//! `PROPTEST_CASES=5000 cargo test --release --test memory_model` runs a long
//! search.

mod model;

use model::files::{FileCase, run_file_case};
use model::{Op, Reads};
use pollster::block_on;
use proptest::prelude::*;
use vmmap::FileStore;

fn file_case(case: &FileCase, ops: &[Op]) -> Result<(), TestCaseError> {
    // Both read synchronously: a window grows over file bytes as in Python.
    for store in [FileStore::memory(), FileStore::memory_preloaded()] {
        block_on(run_file_case(&store, "f.bin", case, ops, Reads::Sync))
            .map_err(TestCaseError::fail)?;
    }
    Ok(())
}

file_properties!(256, file_case);

/// Found by the model: a page hashed when first exposed kept that hash after
/// an API write and a flush, so setting it back through a raw slice looked
/// unchanged and the next flush skipped it: the file kept the API write.
#[test]
fn exposed_page_set_back_after_an_api_write_is_flushed() {
    use vmmap::MmapOptions;
    let store = FileStore::memory();
    block_on(store.write_file("f", &[0; 10])).unwrap();
    let mut map = unsafe { block_on(store.map("f", &MmapOptions::new())) }.unwrap();
    map.as_mut_slice().unwrap(); // exposes (hashes) page 0, changes nothing
    map.write_at(5, b"a").unwrap();
    map.flush().unwrap();
    map.as_mut_slice().unwrap()[5] = 0; // back to the bytes of the first exposure
    map.flush().unwrap();
    assert_eq!(block_on(store.read_file("f")).unwrap(), map.as_slice());
}
