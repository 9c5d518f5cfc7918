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

use model::files::{FileCase, file_cases, run_file_case};
use model::{Model, Op, strategy};
use pollster::block_on;
use proptest::prelude::*;
use proptest::test_runner::Config;
use vmmap::{Access, FileStore, Mmap};

/// `default_cases` cases, or `PROPTEST_CASES`; no regression files.
fn config(default_cases: u32) -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default_cases);
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

fn anonymous_case(len: usize, ops: &[Op]) -> Result<(), TestCaseError> {
    let mut map = Mmap::anonymous(len)?;
    let mut model = Model::anonymous(len);
    model::try_run(&mut map, &mut model, ops).map_err(TestCaseError::fail)?;
    Ok(())
}

/// A file case in a fresh directory store in `$TMPDIR` (the WASI runner
/// preopens one there), else the OS's temporary directory.
fn file_case(case: &FileCase, ops: &[Op]) -> Result<(), TestCaseError> {
    let base = std::env::var_os("TMPDIR").map_or_else(std::env::temp_dir, PathBuf::from);
    let dir = tempfile::tempdir_in(base)?;
    let store = block_on(FileStore::open(&dir.path().to_string_lossy()))?;
    block_on(run_file_case(&store, "f.bin", case, ops)).map_err(TestCaseError::fail)
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn anonymous_matches_model(len in strategy::map_len(), ops in strategy::ops()) {
        anonymous_case(len, &ops)?;
    }
}

proptest! {
    #![proptest_config(config(128))]

    #[test]
    fn write_file_matches_model(case in file_cases(Access::Write), ops in strategy::ops()) {
        file_case(&case, &ops)?;
    }

    #[test]
    fn read_file_matches_model(case in file_cases(Access::Read), ops in strategy::ops()) {
        file_case(&case, &ops)?;
    }

    #[test]
    fn copy_file_matches_model(case in file_cases(Access::Copy), ops in strategy::ops()) {
        file_case(&case, &ops)?;
    }
}
