//! The directory store and journals: a commit that a crash cut short is
//! seen whole, or not at all, by every call; a replaced or removed file
//! never gets a journal that is not its own. Journals are planted as a
//! killed WASI program leaves them; these run on every target with files.

use std::fs;
use std::path::{Path, PathBuf};

use pollster::block_on;
use tempfile::TempDir;

use super::DirStore;
use crate::options::{Access, MmapOptions};
use crate::store::journal::{self, Record};
use crate::store::{Store, check_name};

const BEFORE: [u8; 10_000] = [1; 10_000];

fn scratch() -> (TempDir, DirStore, PathBuf) {
    // Under WASI the runner preopens a scratch `/tmp` as `$TMPDIR`.
    let base = std::env::var_os("TMPDIR").map_or_else(std::env::temp_dir, PathBuf::from);
    let dir = tempfile::tempdir_in(base).unwrap();
    let store = block_on(DirStore::open(dir.path().to_str().unwrap())).unwrap();
    let path = dir.path().join("f");
    (dir, store, path)
}

/// Plants beside `path` the complete journal of a commit that writes
/// `after` at 5000 and grows the file to 12,000 bytes, not yet applied;
/// returns what `BEFORE` holds after it.
fn plant(path: &Path) -> Vec<u8> {
    let mut journal = journal::open(&journal::path_of(path)).unwrap();
    let records = [Record {
        at: 5000,
        bytes: b"after",
    }];
    journal::write(&mut journal, 12_000, &records).unwrap();
    let mut after = BEFORE.to_vec();
    after[5000..5005].copy_from_slice(b"after");
    after.resize(12_000, 0);
    after
}

fn has_journal(path: &Path) -> bool {
    journal::path_of(path).exists()
}

#[test]
fn read_file_and_file_size_see_a_pending_commit_whole() {
    let (_dir, store, path) = scratch();
    fs::write(&path, BEFORE).unwrap();
    let after = plant(&path);
    assert_eq!(block_on(store.file_size("f")).unwrap(), 12_000);
    assert!(!has_journal(&path));
    fs::write(&path, BEFORE).unwrap();
    plant(&path);
    assert_eq!(block_on(store.read_file("f")).unwrap(), after);
    assert!(!has_journal(&path));
}

#[test]
fn a_map_sees_a_pending_commit_whole() {
    for access in [Access::Read, Access::Write, Access::Copy] {
        let (_dir, store, path) = scratch();
        fs::write(&path, BEFORE).unwrap();
        let after = plant(&path);
        let mut opts = MmapOptions::new();
        opts.access(access);
        let map = block_on(store.map("f", &opts)).unwrap();
        assert!(map.bytes() == after, "{access:?}");
        assert!(!has_journal(&path));
    }
}

#[test]
fn a_torn_journal_leaves_the_file_as_before() {
    let (_dir, store, path) = scratch();
    fs::write(&path, BEFORE).unwrap();
    plant(&path);
    let whole = fs::read(journal::path_of(&path)).unwrap();
    fs::write(journal::path_of(&path), &whole[..whole.len() - 1]).unwrap();
    assert_eq!(block_on(store.read_file("f")).unwrap(), BEFORE);
    assert!(!has_journal(&path));
}

#[test]
fn write_file_completes_the_old_journal_before_replacing() {
    let (_dir, store, path) = scratch();
    fs::write(&path, BEFORE).unwrap();
    plant(&path);
    block_on(store.write_file("f", b"new")).unwrap();
    assert!(
        !has_journal(&path),
        "no journal of the old file by the new one"
    );
    assert_eq!(fs::read(&path).unwrap(), b"new");
    let map = block_on(store.map("f", &MmapOptions::new())).unwrap();
    assert_eq!(map.bytes(), b"new");
}

#[test]
fn a_journal_without_its_file_never_reaches_a_new_one() {
    let (_dir, store, path) = scratch();
    fs::write(&path, BEFORE).unwrap();
    plant(&path);
    block_on(store.remove_file("f")).unwrap();
    assert!(!path.exists() && !has_journal(&path));
    // As a crash between removing the file and its journal leaves them.
    plant(&path);
    block_on(store.write_file("f", b"new")).unwrap();
    assert_eq!(block_on(store.read_file("f")).unwrap(), b"new");
    assert!(!has_journal(&path));
    fs::remove_file(&path).unwrap();
    plant(&path);
    let mut opts = MmapOptions::new();
    opts.create(true).len(100);
    let map = block_on(store.map("f", &opts)).unwrap();
    assert_eq!(map.bytes(), [0; 100]);
    assert!(!has_journal(&path));
}

#[test]
fn list_never_shows_a_journal() {
    let (_dir, store, path) = scratch();
    fs::write(&path, BEFORE).unwrap();
    plant(&path);
    assert_eq!(block_on(store.list()).unwrap(), ["f"]);
    assert!(check_name("f.vmmap-journal").is_err());
}
