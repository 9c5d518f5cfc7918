//! What every property-test harness repeats: the proptest configuration,
//! the anonymous-map case, and the three file properties (write, read and
//! copy maps) over the harness's own `file_case`.

use proptest::test_runner::{Config, TestCaseError};
use vmmap::Mmap;

use super::{Model, Op};

/// `default_cases` cases, or `PROPTEST_CASES`; no regression files.
pub fn config(default_cases: u32) -> Config {
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

/// An anonymous map of `len` bytes against the model.
pub fn anonymous_case(len: usize, ops: &[Op]) -> Result<(), TestCaseError> {
    let mut map = Mmap::anonymous(len)?;
    let mut model = Model::anonymous(len);
    super::try_run(&mut map, &mut model, ops).map_err(TestCaseError::fail)?;
    Ok(())
}

/// `#[test]`s `write_file_matches_model`, `read_file_matches_model` and
/// `copy_file_matches_model`, `$cases` cases each, running the harness's
/// `$file_case(&FileCase, &[Op])` on the file cases of each access.
#[macro_export]
macro_rules! file_properties {
    ($cases:expr, $file_case:ident) => {
        proptest::proptest! {
            #![proptest_config(model::harness::config($cases))]

            #[test]
            fn write_file_matches_model(
                case in model::files::file_cases(vmmap::Access::Write),
                ops in model::strategy::ops(),
            ) {
                $file_case(&case, &ops)?;
            }

            #[test]
            fn read_file_matches_model(
                case in model::files::file_cases(vmmap::Access::Read),
                ops in model::strategy::ops(),
            ) {
                $file_case(&case, &ops)?;
            }

            #[test]
            fn copy_file_matches_model(
                case in model::files::file_cases(vmmap::Access::Copy),
                ops in model::strategy::ops(),
            ) {
                $file_case(&case, &ops)?;
            }
        }
    };
}

/// `#[test] anonymous_matches_model`, `$cases` cases of anonymous maps.
#[macro_export]
macro_rules! anonymous_property {
    ($cases:expr) => {
        proptest::proptest! {
            #![proptest_config(model::harness::config($cases))]

            #[test]
            fn anonymous_matches_model(
                len in model::strategy::map_len(),
                ops in model::strategy::ops(),
            ) {
                model::harness::anonymous_case(len, &ops)?;
            }
        }
    };
}
