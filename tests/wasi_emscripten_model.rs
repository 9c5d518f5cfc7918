#![cfg(all(
    target_family = "wasm",
    any(target_os = "wasi", target_os = "emscripten")
))]
//! The model-based property test on WASI and Emscripten: random op sequences
//! on anonymous maps and on maps of a directory store's files (Write, Read,
//! Copy; whole files and offset windows) must match the model in
//! `tests/model`, and the file must hold what the model says.
//!
//! As many cases as natively by default; `PROPTEST_CASES=N` sets the count.

mod model;

use std::path::PathBuf;

use model::files::{FileCase, run_file_case};
use model::{Op, Reads};
use pollster::block_on;
use proptest::prelude::*;
use vmmap::FileStore;

/// A file case in a fresh directory store in `$TMPDIR` (the WASI runner
/// preopens one there), else the OS's temporary directory.
fn file_case(case: &FileCase, ops: &[Op]) -> Result<(), TestCaseError> {
    let base = std::env::var_os("TMPDIR").map_or_else(std::env::temp_dir, PathBuf::from);
    let dir = tempfile::tempdir_in(base)?;
    let store = block_on(FileStore::open(&dir.path().to_string_lossy()))?;
    block_on(run_file_case(&store, "f.bin", case, ops, Reads::Sync)).map_err(TestCaseError::fail)
}

anonymous_property!(256);

file_properties!(128, file_case);
