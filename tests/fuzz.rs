#![cfg(not(target_family = "wasm"))] // host only: the native backend beside the emulation
//! Hostile input, three ways: random operation sequences (positions past
//! the ends, huge lengths, misaligned flushes, resizes, raw-slice writes,
//! close in the middle) run at once on the same file mapped by the native
//! backend (a directory store, `memmap2`), by the emulated backend
//! (`FileStore::memory()`: the pages and dirty tracking the browser, WASI
//! and Emscripten use) and on the `Vec<u8>` model of `tests/model`. After
//! every step both maps must give the model's result, bytes, length and
//! cursor; after the last, both files must hold what the model says. A
//! panic anywhere fails the test.
//!
//! It runs until `VMMAP_FUZZ_OPS` operations were checked, and prints the
//! count. The default is 1,000,000 in a release build and 10,000 in a debug
//! build, so that a plain `cargo test` stays quick (a million operations
//! take minutes unoptimised) and still runs every kind of operation on
//! every backend. The reliability run, in `scripts/test.sh reliability`, is
//! `VMMAP_FUZZ_OPS=1000000 cargo test --release --test fuzz -- --nocapture`;
//! the long one is `VMMAP_FUZZ_OPS=50000000 cargo test --release --test
//! fuzz -- --nocapture`.

mod model;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use model::files::{FileCase, file_cases, run_file_case_on_all};
use model::strategy;
use pollster::block_on;
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use vmmap::{Access, FileStore};

/// Cases per batch at most; batches run until the operation count is reached.
const BATCH: u32 = 2000;
/// About the mean operations of a case (1 to 160, fewer after a close): a
/// batch near the end has only the cases the operations left need, so a
/// small count does not run a whole batch of 2000.
const OPS_PER_CASE: usize = 80;

/// `VMMAP_FUZZ_OPS`, or the default of the build (see the module docs).
fn target_ops() -> usize {
    let default = if cfg!(debug_assertions) {
        10_000
    } else {
        1_000_000
    };
    std::env::var("VMMAP_FUZZ_OPS")
        .ok()
        .and_then(|s| s.replace('_', "").parse().ok())
        .unwrap_or(default)
}

/// The cases of the next batch, for `left` operations still to check.
fn batch_cases(left: usize) -> u32 {
    let cases = (left / OPS_PER_CASE).max(1);
    u32::try_from(cases).unwrap_or(BATCH).min(BATCH)
}

/// A file case with any access (mostly Write), and a sequence of up to 160 ops.
fn sequences() -> impl Strategy<Value = (FileCase, Vec<model::Op>)> {
    let case = prop_oneof![
        4 => file_cases(Access::Write),
        1 => file_cases(Access::Read),
        1 => file_cases(Access::Copy),
    ];
    (case, vec(strategy::op(), 1..=160))
}

#[test]
fn native_emulated_and_model_agree() {
    let target = target_ops();
    let ops = AtomicUsize::new(0);
    let cases = AtomicUsize::new(0);
    let start = Instant::now();
    let dir = tempfile::tempdir().expect("a scratch directory");
    let native =
        block_on(FileStore::open(&dir.path().to_string_lossy())).expect("a directory store");
    let lazy = FileStore::memory();
    let eager = FileStore::memory_preloaded();
    let stores = [
        ("native", &native),
        ("emulated (pages on demand)", &lazy),
        ("emulated (window preloaded)", &eager),
    ];
    while ops.load(Ordering::Relaxed) < target {
        let left = target - ops.load(Ordering::Relaxed);
        let mut runner = TestRunner::new(Config {
            cases: batch_cases(left),
            failure_persistence: None,
            ..Config::default()
        });
        let outcome = runner.run(&sequences(), |(case, list)| {
            let n = cases.fetch_add(1, Ordering::Relaxed);
            // One name per case: a failing case leaves its file behind to look at.
            let name = format!("f{n}.bin");
            let done = block_on(run_file_case_on_all(&stores, &name, &case, &list))
                .map_err(TestCaseError::fail)?;
            for (_, store) in &stores {
                block_on(store.remove_file(&name))
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
            }
            ops.fetch_add(done, Ordering::Relaxed);
            Ok(())
        });
        if let Err(e) = outcome {
            panic!("{e}");
        }
    }
    println!(
        "fuzz: {} operations in {} cases, each on the native map, the emulated map and the model: \
         no panic, no mismatch ({:.1} s)",
        ops.load(Ordering::Relaxed),
        cases.load(Ordering::Relaxed),
        start.elapsed().as_secs_f64()
    );
}
