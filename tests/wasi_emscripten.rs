#![cfg(all(
    target_family = "wasm",
    any(target_os = "wasi", target_os = "emscripten")
))]
//! WASI and Emscripten harness: every shared conformance case on a directory
//! `FileStore` (a fresh scratch directory each), mapped by the emulated
//! backend over `std::fs`; plus what only files show: flushed bytes read
//! back with plain `std::fs`, flushes that write one page for a one-byte
//! change, maps of paths, files replaced under a live map, and the journal
//! that makes a flush crash-atomic (`src/store/journal.rs`; the crash test
//! itself is `tests/crash/wasi.mjs`).
//!
//! Run with `scripts/test.sh wasi emscripten`, or `cargo test --target
//! wasm32-wasip1` / `--target wasm32-unknown-emscripten` once Node (and emcc)
//! are there: the runners are in `.cargo/config.toml`.

#[macro_use]
mod conformance;

use std::path::PathBuf;

use tempfile::TempDir;
use vmmap::FileStore;

/// A fresh scratch directory in `$TMPDIR` (under WASI the runner preopens
/// one there: WASI has no default temporary directory), else the OS's.
fn scratch() -> TempDir {
    let base = std::env::var_os("TMPDIR").map_or_else(std::env::temp_dir, PathBuf::from);
    match tempfile::tempdir_in(&base) {
        Ok(dir) => dir,
        Err(error) => panic!("create a scratch directory in {}: {error}", base.display()),
    }
}

/// The directory store over `dir`.
fn store(dir: &TempDir) -> FileStore {
    let path = dir.path().to_str().expect("scratch paths are UTF-8");
    match pollster::block_on(FileStore::open(path)) {
        Ok(store) => store,
        Err(error) => panic!("FileStore::open({path:?}) failed: {error}"),
    }
}

macro_rules! fs_cases {
    ($($module:ident :: $case:ident),* $(,)?) => {
        $(
            #[test]
            fn $case() {
                let dir = scratch();
                pollster::block_on(conformance::$module::$case(&store(&dir)));
            }
        )*
    };
}

for_each_case!(fs_cases);
for_each_flush_cost_case!(fs_cases);

/// Growing a window over bytes of the file works on `std::fs`.
#[test]
fn window_grows_over_file_bytes() {
    let dir = scratch();
    pollster::block_on(conformance::grow_window_over_file(&store(&dir))).unwrap();
}

/// What the `std::fs` store writes, read back without vmmap.
mod files {
    use std::fs;

    use pollster::block_on;
    use vmmap::{Access, ErrorKind, Mmap, MmapOptions};

    use super::{scratch, store};
    use crate::conformance::{granule, page, pattern};

    const MIB: usize = 1 << 20;

    /// A flushed change is in the file, as plain `std::fs` reads it; an
    /// unflushed one is not yet.
    #[test]
    fn flushed_change_is_in_the_file() {
        let dir = scratch();
        let path = dir.path().join("f.bin");
        let mut expected = pattern(3 * granule() + 10);
        fs::write(&path, &expected).unwrap();
        let mut m = unsafe { Mmap::open(&path, &MmapOptions::new()) }.unwrap();
        m.write_at(granule() + 1, b"flushed").unwrap();
        assert_eq!(
            fs::read(&path).unwrap(),
            expected,
            "written before the flush"
        );
        m.flush().unwrap();
        expected[granule() + 1..granule() + 8].copy_from_slice(b"flushed");
        assert_eq!(fs::read(&path).unwrap(), expected);
        m.as_mut_slice().unwrap()[3 * granule() + 9] = b'!';
        m.close().unwrap();
        expected[3 * granule() + 9] = b'!';
        assert_eq!(fs::read(&path).unwrap(), expected, "close writes back");
    }

    /// A copy map never writes the file, even when closed.
    #[test]
    fn copy_map_never_writes() {
        let dir = scratch();
        let path = dir.path().join("f");
        fs::write(&path, [1; 10000]).unwrap();
        let mut m = unsafe { Mmap::open(&path, MmapOptions::new().access(Access::Copy)) }.unwrap();
        m.write_at(0, b"copy").unwrap();
        m.as_mut_slice().unwrap()[9000] = 9;
        m.flush().unwrap();
        m.close().unwrap();
        assert_eq!(fs::read(&path).unwrap(), vec![1; 10000]);
    }

    /// Two write maps of one path share pages at once, as `MAP_SHARED`.
    #[test]
    fn two_maps_of_a_path_share() {
        let dir = scratch();
        let path = dir.path().join("f");
        fs::write(&path, [0; 100]).unwrap();
        let mut a = unsafe { Mmap::open(&path, &MmapOptions::new()) }.unwrap();
        let b = unsafe { Mmap::open(&path, &MmapOptions::new()) }.unwrap();
        a.write_at(3, b"abc").unwrap();
        assert_eq!(&b[3..6], b"abc");
        b.flush().unwrap();
        assert_eq!(&fs::read(&path).unwrap()[3..6], b"abc");
    }

    /// A file replaced by a rename is a new file: a live map of the old one
    /// keeps its bytes, and a new map sees the new ones.
    #[test]
    fn replaced_file_is_a_new_file() {
        let dir = scratch();
        let store = store(&dir);
        block_on(store.write_file("f", b"old bytes")).unwrap();
        let old = unsafe { block_on(store.map("f", &MmapOptions::new())) }.unwrap();
        block_on(store.write_file("f", b"new bytes")).unwrap();
        let new = unsafe { block_on(store.map("f", &MmapOptions::new())) }.unwrap();
        assert_eq!(&old[..], b"old bytes");
        assert_eq!(&new[..], b"new bytes");
    }

    /// The journal beside a mapped file (`f.vmmap-journal`) is clear (its
    /// header zero) between flushes, never listed, and goes with the last
    /// map of the file.
    #[test]
    fn a_maps_journal_is_hidden_and_goes_with_the_map() {
        let dir = scratch();
        let store = store(&dir);
        block_on(store.write_file("f", &pattern(3 * page()))).unwrap();
        let journal = dir.path().join("f.vmmap-journal");
        let mut m = unsafe { block_on(store.map("f", &MmapOptions::new())) }.unwrap();
        m.write_at(page() + 1, b"journaled").unwrap();
        m.flush().unwrap();
        let header = fs::read(&journal).unwrap();
        assert!(header.len() > page(), "the journal of one page");
        assert_eq!(header[..56], [0; 56], "cleared after the flush");
        assert_eq!(block_on(store.list()).unwrap(), ["f"]);
        drop(m);
        assert!(!journal.exists(), "removed with the map");
    }

    /// A flush whose journal cannot be written (here its name is taken by a
    /// directory; a full disk does the same) fails, changes no byte of the
    /// file, and keeps the pages dirty: the next flush writes all of them.
    #[test]
    fn a_flush_that_cannot_journal_changes_nothing_and_can_be_retried() {
        let dir = scratch();
        let path = dir.path().join("f");
        let before = pattern(4 * page());
        fs::write(&path, &before).unwrap();
        let mut m = unsafe { Mmap::open(&path, &MmapOptions::new()) }.unwrap();
        m.write_at(page() + 3, b"api").unwrap();
        m.as_mut_slice().unwrap()[3 * page() + 5] ^= 0xff;
        let journal = dir.path().join("f.vmmap-journal");
        fs::create_dir(&journal).unwrap();
        assert!(m.flush().is_err());
        assert!(fs::read(&path).unwrap() == before, "a failed flush wrote");
        assert!(m.flush().is_err(), "still dirty, still failing");
        fs::remove_dir(&journal).unwrap();
        m.flush().unwrap();
        assert!(
            fs::read(&path).unwrap() == m[..],
            "the retry wrote every page"
        );
    }

    /// A map of a file that `write_file` replaced (or `remove_file`
    /// removed) writes that file in place: no journal of it ever lies
    /// beside the file that has the name now.
    #[test]
    fn a_map_of_a_replaced_or_removed_file_writes_no_journal() {
        let dir = scratch();
        let store = store(&dir);
        let journal = dir.path().join("f.vmmap-journal");
        block_on(store.write_file("f", &[1; 8192])).unwrap();
        let mut old = unsafe { block_on(store.map("f", &MmapOptions::new())) }.unwrap();
        old.write_at(0, b"old").unwrap();
        old.flush().unwrap();
        block_on(store.write_file("f", b"new bytes")).unwrap();
        assert!(!journal.exists());
        old.write_at(4096, b"old").unwrap();
        old.flush().unwrap();
        assert!(!journal.exists(), "a journal beside the new file");
        assert_eq!(block_on(store.read_file("f")).unwrap(), b"new bytes");
        block_on(store.remove_file("f")).unwrap();
        old.write_at(0, b"gone").unwrap();
        old.flush().unwrap();
        drop(old);
        assert!(!journal.exists() && !dir.path().join("f").exists());
    }

    /// `resize` sets the file's length; `create` makes a file of
    /// `offset + len` zero bytes.
    #[test]
    fn resize_and_create_set_the_file_length() {
        let dir = scratch();
        let path = dir.path().join("new");
        let g = granule();
        let mut opts = MmapOptions::new();
        opts.create(true).offset(g as u64).len(10);
        let mut m = unsafe { Mmap::open(&path, &opts) }.unwrap();
        assert_eq!(fs::read(&path).unwrap(), vec![0; g + 10]);
        m.resize(3 * page() + 1).unwrap();
        m.write_at(3 * page(), b"z").unwrap();
        m.flush().unwrap();
        let file = fs::read(&path).unwrap();
        assert_eq!(file.len(), g + 3 * page() + 1);
        assert_eq!(file[g + 3 * page()], b'z');
    }

    /// A window deep in a large file holds that window's bytes.
    #[test]
    fn window_of_a_large_file() {
        let dir = scratch();
        let path = dir.path().join("big");
        let data = pattern(16 * MIB);
        fs::write(&path, &data).unwrap();
        let offset = 9 * MIB / granule() * granule();
        let mut opts = MmapOptions::new();
        opts.offset(offset as u64)
            .len(granule())
            .access(Access::Read);
        let m = unsafe { Mmap::open(&path, &opts) }.unwrap();
        assert!(m[..] == data[offset..offset + granule()]);
        assert_eq!(m.size().unwrap(), data.len() as u64);
    }

    /// Errors of paths are typed, as natively.
    #[test]
    fn path_errors() {
        let dir = scratch();
        let missing = dir.path().join("missing");
        let err = unsafe { Mmap::open(&missing, &MmapOptions::new()) }.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::NotFound);
        let mut opts = MmapOptions::new();
        opts.create(true);
        let err = unsafe { Mmap::open(&missing, &opts) }.unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument);
        assert!(!missing.exists(), "a failed create left a file behind");
    }

    /// `Mmap::map` maps an open file where the runtime can duplicate its
    /// handle (Emscripten); WASI preview 1 cannot, and says so.
    #[test]
    fn map_of_an_open_file() {
        let dir = scratch();
        let path = dir.path().join("f");
        fs::write(&path, b"hello").unwrap();
        let file = fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(&path)
            .unwrap();
        match unsafe { Mmap::map(&file, &MmapOptions::new()) } {
            Ok(mut m) => {
                m.write_at(0, b"J").unwrap();
                m.flush().unwrap();
                assert_eq!(fs::read(&path).unwrap(), b"Jello");
            }
            Err(err) => assert_eq!(err.kind(), ErrorKind::Unsupported, "{err}"),
        }
    }
}
