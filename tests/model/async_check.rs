//! proptest's generate, run and shrink loop for a test body that is a
//! future. `TestRunner::run` (and so `proptest!`) calls its test
//! synchronously, and in a browser a file case awaits IndexedDB, which
//! nothing there can block on: this loop awaits each run instead. It draws
//! values from proptest's own strategies and shrinks them with proptest's
//! `ValueTree`s, the way `TestRunner` does, so a failure reads as a minimal
//! input, as it does natively.

use std::fmt::Debug;
use std::future::Future;

use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngSeed, TestCaseError, TestRunner};

/// Runs `test` on `config.cases` values of `strategy`, drawn from a
/// generator seeded with `seed`. The first failure is shrunk (at most
/// `config.max_shrink_iters` runs); the error names the property, the seed,
/// the smallest failing value and its message. Rejected values are drawn
/// again, up to `config.max_global_rejects` in all. Returns the number of
/// cases that passed.
pub async fn check<S, F, Fut>(
    name: &str,
    config: Config,
    seed: u64,
    strategy: S,
    mut test: F,
) -> Result<u32, String>
where
    S: Strategy,
    S::Value: Debug,
    F: FnMut(S::Value) -> Fut,
    Fut: Future<Output = Result<(), TestCaseError>>,
{
    let (cases, max_rejects, max_shrinks) = (
        config.cases,
        config.max_global_rejects,
        config.max_shrink_iters,
    );
    let mut runner = TestRunner::new(Config {
        rng_seed: RngSeed::Fixed(seed),
        ..config
    });
    let (mut passed, mut rejects) = (0, 0);
    while passed < cases {
        let mut tree = strategy
            .new_tree(&mut runner)
            .map_err(|why| format!("{name}: no value to test (seed {seed}): {why}"))?;
        match test(tree.current()).await {
            Ok(()) => passed += 1,
            Err(TestCaseError::Reject(why)) => {
                rejects += 1;
                if rejects > max_rejects {
                    return Err(format!(
                        "{name}: {rejects} values rejected (seed {seed}), the last: {why}"
                    ));
                }
            }
            Err(TestCaseError::Fail(why)) => {
                let (value, why, shrinks) =
                    shrink(&mut tree, why.to_string(), max_shrinks, &mut test).await;
                return Err(format!(
                    "{name} failed after {passed} passing cases (seed {seed}; \
                     shrunk in {shrinks} runs)\nminimal failing input: {value:#?}\n{why}"
                ));
            }
        }
    }
    Ok(passed)
}

/// Shrinks a failing `tree` as `TestRunner` does: simplify while the test
/// still fails, complicate (step back towards the last failure) when it
/// passes, until neither moves or `max_runs` runs are spent. Returns the
/// smallest failing value, its message and the number of runs.
async fn shrink<T, F, Fut>(
    tree: &mut T,
    mut why: String,
    max_runs: u32,
    test: &mut F,
) -> (T::Value, String, u32)
where
    T: ValueTree,
    F: FnMut(T::Value) -> Fut,
    Fut: Future<Output = Result<(), TestCaseError>>,
{
    let mut smallest = tree.current();
    let mut runs = 0;
    if tree.simplify() {
        while runs < max_runs {
            runs += 1;
            let moved = match test(tree.current()).await {
                Err(TestCaseError::Fail(now)) => {
                    smallest = tree.current();
                    why = now.to_string();
                    tree.simplify()
                }
                Ok(()) | Err(TestCaseError::Reject(_)) => tree.complicate(),
            };
            if !moved {
                break;
            }
        }
    }
    (smallest, why, runs)
}

/// A seed for proptest's generator, printed with any failure.
#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
pub fn seed() -> u64 {
    (js_sys::Math::random() * 2f64.powi(53)) as u64
}

/// Logs how many cases of `name` passed, or fails the test with the shrunk case.
#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
pub fn report(name: &str, result: Result<u32, String>) {
    match result {
        Ok(cases) => wasm_bindgen_test::console_log!("{name}: {cases} cases passed"),
        Err(failure) => panic!("{failure}"),
    }
}

/// The file property `name` for maps with `access`: `cases` cases, each on
/// the file "f.bin" of `store` (`write_file` replaces it each case), in a
/// store that reads as `reads` says.
#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
pub async fn file_property(
    name: &str,
    access: vmmap::Access,
    store: &vmmap::FileStore,
    reads: super::Reads,
    cases: u32,
) {
    use super::files::{file_cases, run_file_case};
    use super::harness::config;
    use super::strategy::ops;
    let result = check(
        name,
        config(cases),
        seed(),
        (file_cases(access), ops()),
        |(case, ops)| async move {
            run_file_case(store, "f.bin", &case, &ops, reads)
                .await
                .map_err(TestCaseError::fail)
        },
    )
    .await;
    report(name, result);
}
