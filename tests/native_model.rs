#![cfg(not(target_family = "wasm"))]
//! The model-based property test on the native backend: random op sequences
//! on anonymous maps and on file maps (Write, Read, Copy; whole files and
//! offset windows) must match the model in `tests/model`, and the file must
//! hold what the model says.
//!
//! `PROPTEST_CASES=5000 cargo test --release --test native_model` runs a long
//! search; the default counts keep the file to a few seconds in debug.

mod model;

use model::files::{FileCase, run_file_case};
use model::{Data, FlushAt, FlushLen, Model, Num, Op, Reads, SeekTo};
use pollster::block_on;
use proptest::prelude::*;
use vmmap::{ErrorKind, FileStore, Mmap};

/// A file case in a fresh directory store.
fn file_case(case: &FileCase, ops: &[Op]) -> Result<(), TestCaseError> {
    let dir = tempfile::tempdir()?;
    let store = block_on(FileStore::open(&dir.path().to_string_lossy()))?;
    block_on(run_file_case(&store, "f.bin", case, ops, Reads::Sync)).map_err(TestCaseError::fail)
}

anonymous_property!(256);

file_properties!(128, file_case);

#[test]
fn anonymous_zero_is_invalid() {
    let err = Mmap::anonymous(0).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
}

/// Python's behaviours the random search only meets by luck, spelled out.
#[test]
fn python_corners() {
    use Num::{Abs, End};
    let page = vmmap::page_size();
    let ops = [
        // seek to exactly the end is fine; one past is not and keeps the cursor
        Op::Seek(SeekTo::Start(End(0))),
        Op::Seek(SeekTo::Start(End(1))),
        Op::ReadByte,
        Op::Write(Data::Bytes(vec![])),
        Op::WriteByte(b'x'),
        // shrinking keeps the cursor past the end: reads are empty, seek(0, Current) fails
        Op::Seek(SeekTo::Start(Abs(8))),
        Op::Resize(Abs(4)),
        Op::Read(None),
        Op::Readline,
        Op::Seek(SeekTo::Current(0)),
        Op::Write(Data::Bytes(vec![])),
        Op::Seek(SeekTo::Current(-5)),
        Op::Resize(Abs(0)),
        Op::Resize(Abs(usize::MAX)),
        Op::MoveWithin {
            dest: Abs(1),
            src: Abs(usize::MAX),
            count: Abs(2),
        },
        Op::FlushRange(FlushAt::Any(Abs(1)), FlushLen::Any(Abs(1))),
        Op::FlushRange(FlushAt::Page(1), FlushLen::Any(Abs(0))),
        Op::Resize(Abs(2 * page + 3)),
        Op::FlushRange(FlushAt::Page(1), FlushLen::Rest(0)),
        Op::FlushRange(FlushAt::Page(2), FlushLen::Rest(1)),
        Op::Close,
        Op::Close,
        Op::Read(Some(Abs(1))),
        Op::Size,
        Op::Seek(SeekTo::Start(Abs(0))),
    ];
    let mut map = Mmap::anonymous(10).unwrap();
    let mut model = Model::anonymous(10);
    model::run(&mut map, &mut model, &ops);
}

/// Found by the model: `find`/`rfind` document that a closed map finds
/// nothing, but an empty needle was found at 0.
#[test]
fn closed_map_finds_nothing() {
    let mut map = Mmap::anonymous(4).unwrap();
    map.close().unwrap();
    assert_eq!(map.find(b"", ..), None);
    assert_eq!(map.rfind(b"", 0..=0), None);
}

/// Found by the model: after a shrinking resize leaves the cursor past the
/// end, `io::Write::write` must write nothing and return `Ok(0)`, as it does
/// at the end and as `io::Cursor<&mut [u8]>` does (`io_traits.rs`: "0 at the end").
#[test]
fn io_write_past_the_end_writes_nothing() {
    use std::io::{SeekFrom, Write};
    let mut map = Mmap::anonymous(8).unwrap();
    map.seek(SeekFrom::Start(8)).unwrap();
    map.resize(4).unwrap();
    assert_eq!(Write::write(&mut map, b"").unwrap(), 0);
    assert_eq!(Write::write(&mut map, b"x").unwrap(), 0);
    assert_eq!(map.as_slice(), &[0; 4]);
    assert_eq!(map.tell(), 8);
}
