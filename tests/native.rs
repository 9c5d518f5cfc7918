#![cfg(not(target_family = "wasm"))]
//! Native harness: runs every shared conformance case against the OS backend
//! (each in a fresh temporary directory), plus native-only cases for
//! `Mmap::open` and `Mmap::map`, which take paths and `std::fs::File`s.

#[macro_use]
mod conformance;

use std::fs;
use std::io::SeekFrom;
use std::path::Path;
use vmmap::{Access, ErrorKind, FileStore, Mmap, MmapOptions};

macro_rules! native_tests {
    ($($module:ident :: $case:ident),* $(,)?) => {
        $(
            #[test]
            fn $case() {
                pollster::block_on(async {
                    let dir = tempfile::tempdir().expect("create a temporary directory");
                    let path = dir.path().to_str().expect("temporary directory path is UTF-8");
                    let store = FileStore::open(path).await.expect("open the FileStore");
                    conformance::$module::$case(&store).await;
                });
            }
        )*

        /// Every case the harness runs, as `module::case`.
        const LISTED: &[&str] = &[$(concat!(stringify!($module), "::", stringify!($case))),*];
    };
}

for_each_case!(native_tests);

/// The cases of `tests/conformance/flush_cost.rs`, which the native backend
/// does not run (its stores count no writes): listed only for the check below.
macro_rules! flush_cost_cases {
    ($($module:ident :: $case:ident),* $(,)?) => {
        const FLUSH_COST_LISTED: &[&str] =
            &[$(concat!(stringify!($module), "::", stringify!($case))),*];
    };
}

for_each_flush_cost_case!(flush_cost_cases);

/// Every `pub async fn` in tests/conformance/ is listed in `for_each_case!`
/// or `for_each_flush_cost_case!` (so no harness silently skips a case) and
/// listed once.
#[test]
fn every_case_is_listed() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance");
    let mut defined = Vec::new();
    for entry in fs::read_dir(&dir).expect("read tests/conformance") {
        let path = entry.expect("directory entry").path();
        let module = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_string();
        if module == "mod" || path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let text = fs::read_to_string(&path).expect("read a conformance file");
        for line in text.lines() {
            if let Some(rest) = line.strip_prefix("pub async fn ") {
                let name = rest.split('(').next().unwrap_or_default();
                defined.push(format!("{module}::{name}"));
            }
        }
    }
    defined.sort();
    let mut listed: Vec<String> = LISTED
        .iter()
        .chain(FLUSH_COST_LISTED)
        .map(|s| s.to_string())
        .collect();
    listed.sort();
    let mut deduped = listed.clone();
    deduped.dedup();
    assert_eq!(listed, deduped, "a case is listed twice");
    assert_eq!(
        defined, listed,
        "for_each_case! (with for_each_flush_cost_case!) and the case files disagree"
    );
}

// ---- native only: paths and std::fs::File ----

fn options(len: usize, access: Access) -> MmapOptions {
    let mut opts = MmapOptions::new();
    opts.len(len).access(access);
    opts
}

#[test]
fn open_missing_path_is_not_found() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("missing.bin");
    for access in [Access::Read, Access::Write, Access::Copy] {
        let error = unsafe { Mmap::open(&path, &options(0, access)) }.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::NotFound, "{error}");
    }
    assert!(!path.exists(), "a failed open created the file");
}

/// `create(true)` creates a missing file of `len` zero bytes, visible through
/// `std::fs`.
#[test]
fn open_create_makes_missing_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("new.bin");
    let len = vmmap::allocation_granularity() + 3;
    let mut opts = options(len, Access::Write);
    opts.create(true);
    let mut m = unsafe { Mmap::open(&path, &opts) }.unwrap();
    assert_eq!(m.len(), len);
    assert!(m.iter().all(|&b| b == 0));
    assert_eq!(fs::metadata(&path).unwrap().len(), len as u64);
    m.write_at(0, b"made").unwrap();
    m.flush().unwrap();
    let bytes = fs::read(&path).unwrap();
    assert_eq!(&bytes[..4], b"made");
    assert_eq!(bytes.len(), len);
}

#[test]
fn open_path_sees_and_writes_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data.bin");
    fs::write(&path, b"hello world").unwrap();
    let mut m = unsafe { Mmap::open(&path, &MmapOptions::new()) }.unwrap();
    assert_eq!(m.as_slice(), b"hello world");
    m.seek(SeekFrom::Start(6)).unwrap();
    m.write(b"WORLD").unwrap();
    m.flush().unwrap();
    assert_eq!(fs::read(&path).unwrap(), b"hello WORLD");
    m.close().unwrap();
    let m = unsafe { Mmap::open(&path, &options(0, Access::Read)) }.unwrap();
    assert_eq!(m.as_slice(), b"hello WORLD");
}

/// Python: mapping a file opened read-only with `ACCESS_WRITE` raises
/// `PermissionError`; here it is an error, not a panic. `Read` and `Copy`
/// maps of a read-only handle work (Python allows both).
#[test]
fn map_read_only_handle() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ro.bin");
    fs::write(&path, b"read only data").unwrap();
    let file = fs::File::open(&path).unwrap();
    let error = unsafe { Mmap::map(&file, &options(0, Access::Write)) }.unwrap_err();
    assert_eq!(
        error.kind(),
        ErrorKind::Io,
        "documented by Mmap::map: {error}"
    );
    let m = unsafe { Mmap::map(&file, &options(0, Access::Read)) }.unwrap();
    assert_eq!(m.as_slice(), b"read only data");
    let mut c = unsafe { Mmap::map(&file, &options(0, Access::Copy)) }.unwrap();
    c.write_at(0, b"READ").unwrap();
    assert_eq!(&c[..4], b"READ");
    c.flush().unwrap();
    drop(c);
    assert_eq!(fs::read(&path).unwrap(), b"read only data");
}

/// `Mmap::map` on a read-write handle: windows, writes, and the map outlives
/// the handle.
#[test]
fn map_file_handle_window() {
    let g = vmmap::allocation_granularity();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("rw.bin");
    let data: Vec<u8> = (0..3 * g).map(|i| (i % 251) as u8).collect();
    fs::write(&path, &data).unwrap();
    let file = fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(&path)
        .unwrap();
    let mut opts = options(g, Access::Write);
    opts.offset(g as u64);
    let mut m = unsafe { Mmap::map(&file, &opts) }.unwrap();
    drop(file);
    assert_eq!(m.as_slice(), &data[g..2 * g]);
    assert_eq!(m.size().unwrap(), data.len() as u64);
    m.write_at(0, b"window").unwrap();
    m.flush().unwrap();
    assert_eq!(&fs::read(&path).unwrap()[g..g + 6], b"window");
    let misaligned = {
        let file = fs::File::open(&path).unwrap();
        let mut opts = options(0, Access::Read);
        opts.offset(1);
        unsafe { Mmap::map(&file, &opts) }.unwrap_err()
    };
    assert_eq!(misaligned.kind(), ErrorKind::InvalidArgument);
}

/// After `resize` and `flush`, `std::fs` sees the new length and bytes.
#[test]
fn resize_seen_through_std_fs() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("grow.bin");
    fs::write(&path, b"0123456789").unwrap();
    let mut m = unsafe { Mmap::open(&path, &MmapOptions::new()) }.unwrap();
    m.resize(20).unwrap();
    m.write_at(15, b"tail!").unwrap();
    m.flush().unwrap();
    assert_eq!(fs::metadata(&path).unwrap().len(), 20);
    let bytes = fs::read(&path).unwrap();
    assert_eq!(&bytes[..10], b"0123456789");
    assert_eq!(&bytes[10..15], &[0; 5]);
    assert_eq!(&bytes[15..], b"tail!");
    m.resize(4).unwrap();
    m.close().unwrap();
    assert_eq!(fs::read(&path).unwrap(), b"0123");
}

/// A shrink that would cut off bytes another map of the file in this
/// process shows (touching them would raise SIGBUS) is an `Io` error naming
/// both lengths, and changes neither map nor the file; a shrink above the
/// other map's end, and any shrink once it is closed, goes through. Also
/// through a second handle (`Mmap::map`) and a copy map.
#[test]
fn shrink_under_another_map_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("shared.bin");
    let page = vmmap::page_size();
    fs::write(&path, vec![7u8; 4 * page]).unwrap();
    let mut a = unsafe { Mmap::open(&path, &MmapOptions::new()) }.unwrap();
    let handle = fs::File::open(&path).unwrap();
    let b = unsafe {
        Mmap::map(
            &handle,
            MmapOptions::new().access(Access::Copy).len(3 * page),
        )
    }
    .unwrap();

    let refused = a.resize(page).unwrap_err();
    assert_eq!(refused.kind(), ErrorKind::Io, "{refused}");
    let text = refused.to_string();
    assert!(
        text.contains(&page.to_string()) && text.contains(&(3 * page).to_string()),
        "{text}"
    );
    assert_eq!(
        (a.len(), fs::metadata(&path).unwrap().len()),
        (4 * page, 4 * page as u64)
    );
    assert_eq!(b[3 * page - 1], 7, "the other map still reads");

    a.resize(3 * page).unwrap(); // down to the other map's end: nothing it shows is cut
    assert_eq!(fs::metadata(&path).unwrap().len(), 3 * page as u64);
    drop(b);
    a.resize(page).unwrap();
    assert_eq!(fs::metadata(&path).unwrap().len(), page as u64);
    a.write_at(0, b"ok").unwrap();
}

/// An empty file through a path is `InvalidArgument`, as through the store.
#[test]
fn open_empty_path_is_invalid() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("empty.bin");
    fs::write(&path, b"").unwrap();
    let error = unsafe { Mmap::open(&path, &MmapOptions::new()) }.unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidArgument, "{error}");
}

/// Mapping a directory is an OS error (Python: `IsADirectoryError`, an
/// `OSError`), not a panic.
#[test]
fn open_directory_is_io_error() {
    let dir = tempfile::tempdir().unwrap();
    for access in [Access::Read, Access::Write, Access::Copy] {
        let error = unsafe { Mmap::open(dir.path(), &options(0, access)) }.unwrap_err();
        assert_eq!(error.kind(), ErrorKind::Io, "{access:?}: {error}");
    }
}

/// `FileStore::open` on a path that is a file, or on an empty name, is
/// `InvalidArgument` (as `FileStore::open` documents).
#[test]
fn store_open_on_a_file_is_invalid() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plain");
    fs::write(&path, b"x").unwrap();
    let error = pollster::block_on(FileStore::open(path.to_str().unwrap())).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidArgument, "{error}");
    let error = pollster::block_on(FileStore::open("")).unwrap_err();
    assert_eq!(error.kind(), ErrorKind::InvalidArgument, "{error}");
}

/// A `FileStore` on a missing directory creates it (as `open` documents).
#[test]
fn store_open_creates_directory() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nested").join("store");
    let store = pollster::block_on(FileStore::open(path.to_str().unwrap())).unwrap();
    assert!(path.is_dir());
    pollster::block_on(store.write_file("a", b"1")).unwrap();
    assert_eq!(fs::read(path.join("a")).unwrap(), b"1");
}

/// Growing a window over bytes of the file works natively (the shared case
/// also accepts the browser's `Unsupported`).
#[test]
fn window_grows_over_file_bytes() {
    let dir = tempfile::tempdir().unwrap();
    pollster::block_on(async {
        let store = FileStore::open(dir.path().to_str().unwrap()).await.unwrap();
        conformance::grow_window_over_file(&store).await.unwrap();
    });
}
