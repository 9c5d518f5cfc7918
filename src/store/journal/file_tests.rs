//! The journal as files: a complete one replayed once, one cut at every
//! length or with any byte changed discarded, one without its file or of
//! another version; and what a journaled commit costs (`cost`).

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::PathBuf;

use xxhash_rust::xxh3::Xxh3Default;

use super::crash_tests::{Change, scenario};
use super::*;

/// A scratch directory with a file `f` holding `before` and a complete
/// journal beside it for `change`, not yet applied.
fn pending(before: &[u8], change: &Change) -> (tempfile::TempDir, PathBuf) {
    let base = std::env::var_os("TMPDIR").map_or_else(std::env::temp_dir, PathBuf::from);
    let dir = tempfile::tempdir_in(base).unwrap();
    let path = dir.path().join("f");
    fs::write(&path, before).unwrap();
    let mut journal = open(&path_of(&path)).unwrap();
    write(&mut journal, change.len_after, &change.records()).unwrap();
    (dir, path)
}

#[test]
fn a_complete_journal_is_replayed_once_and_removed() {
    let (before, changes) = scenario();
    for change in &changes {
        let (_dir, path) = pending(&before, change);
        assert!(recover(&path).unwrap());
        assert_eq!(fs::read(&path).unwrap(), change.after(&before));
        assert!(!path_of(&path).exists());
        assert!(!recover(&path).unwrap(), "nothing left to recover");
    }
}

#[test]
fn a_journal_cut_anywhere_is_discarded() {
    let (before, changes) = scenario();
    let change = &changes[1];
    let (_dir, path) = pending(&before, change);
    let whole = fs::read(path_of(&path)).unwrap();
    for len in 0..whole.len() {
        fs::write(&path, &before).unwrap();
        fs::write(path_of(&path), &whole[..len]).unwrap();
        assert!(recover(&path).unwrap());
        assert_eq!(fs::read(&path).unwrap(), before, "journal cut at {len}");
        assert!(!path_of(&path).exists());
    }
    // Bytes after a whole journal are ignored.
    fs::write(path_of(&path), [&whole[..], b"stale"].concat()).unwrap();
    recover(&path).unwrap();
    assert_eq!(fs::read(&path).unwrap(), change.after(&before));
}

#[test]
fn a_journal_with_any_byte_changed_is_discarded() {
    let (before, changes) = scenario();
    let (_dir, path) = pending(&before, &changes[0]);
    let whole = fs::read(path_of(&path)).unwrap();
    for at in 0..whole.len() {
        let mut damaged = whole.clone();
        damaged[at] ^= 0x20;
        fs::write(&path, &before).unwrap();
        fs::write(path_of(&path), &damaged).unwrap();
        recover(&path).unwrap();
        assert_eq!(fs::read(&path).unwrap(), before, "byte {at} changed");
    }
}

#[test]
fn a_journal_without_its_file_is_removed() {
    let (before, changes) = scenario();
    let (_dir, path) = pending(&before, &changes[0]);
    fs::remove_file(&path).unwrap();
    assert!(recover(&path).unwrap());
    assert!(!path.exists() && !path_of(&path).exists());
}

/// Makes the journal of `path` one of `version`, checksummed as version 1
/// did: the header's first 40 bytes, then the body's bytes as they are.
fn relabel(path: &std::path::Path, version: u32) {
    let mut journal = fs::read(path_of(path)).unwrap();
    journal[8..12].copy_from_slice(&version.to_le_bytes());
    let mut hash = Xxh3Default::new();
    hash.update(&journal[..CHECKED]);
    hash.update(&journal[HEADER_LEN..]);
    journal[CHECKED..HEADER_LEN].copy_from_slice(&hash.digest128().to_le_bytes());
    fs::write(path_of(path), &journal).unwrap();
}

#[test]
fn a_journal_of_another_version_is_an_error_and_kept() {
    let (before, changes) = scenario();
    let (_dir, path) = pending(&before, &changes[0]);
    relabel(&path, 3);
    let err = recover(&path).unwrap_err();
    assert!(err.to_string().contains("version 3"), "{err}");
    assert_eq!(fs::read(&path).unwrap(), before);
    assert!(path_of(&path).exists());
}

#[test]
fn a_journal_of_version_1_is_still_replayed() {
    let (before, changes) = scenario();
    for change in &changes {
        let (_dir, path) = pending(&before, change);
        // The same commit as version 1 wrote it.
        relabel(&path, 1);
        assert!(recover(&path).unwrap());
        assert_eq!(fs::read(&path).unwrap(), change.after(&before));
    }
}

/// `known(record bytes, at, len)`: [`Known`] given the record's bytes.
type KnownIn<'a> = dyn Fn(&[u8], u64, usize) -> Option<u128> + 'a;

/// A record of 2.5 blocks at offset `BLOCK`, the journal written with
/// `known` giving block hashes, and the file it is beside.
fn with_known(known: &KnownIn) -> (tempfile::TempDir, PathBuf, Vec<u8>) {
    let base = std::env::var_os("TMPDIR").map_or_else(std::env::temp_dir, PathBuf::from);
    let dir = tempfile::tempdir_in(base).unwrap();
    let path = dir.path().join("f");
    fs::write(&path, vec![1; 4 * BLOCK]).unwrap();
    let bytes: Vec<u8> = (0..BLOCK * 5 / 2).map(|i| (i % 251) as u8).collect();
    let records = [Record {
        at: BLOCK as u64,
        bytes: &bytes,
    }];
    let mut journal = open(&path_of(&path)).unwrap();
    write_with(&mut journal, 4 * BLOCK as u64, &records, &|at, len| {
        known(&bytes, at, len)
    })
    .unwrap();
    let mut after = vec![1; 4 * BLOCK];
    after[BLOCK..BLOCK + bytes.len()].copy_from_slice(&bytes);
    (dir, path, after)
}

#[test]
fn block_hashes_the_flush_knows_make_the_same_journal() {
    let (_a, computed, after) = with_known(&|_, _, _| None);
    let block = |bytes: &[u8], at: u64, len: usize| {
        let start = at as usize - BLOCK;
        Some(xxh3_128(&bytes[start..start + len]))
    };
    // Every block known, or every other one.
    let (_b, all, _) = with_known(&block);
    let (_c, some, _) = with_known(&|bytes, at, len| {
        block(bytes, at, len).filter(|_| at % (2 * BLOCK as u64) == 0)
    });
    let journal = fs::read(path_of(&computed)).unwrap();
    assert_eq!(fs::read(path_of(&all)).unwrap(), journal);
    assert_eq!(fs::read(path_of(&some)).unwrap(), journal);
    assert!(recover(&all).unwrap());
    assert_eq!(fs::read(&all).unwrap(), after);
}

#[test]
fn a_journal_is_removed_once_clear() {
    let (before, changes) = scenario();
    let (_dir, path) = pending(&before, &changes[0]);
    exclusive().remove_if_clear(&path);
    assert!(path_of(&path).exists(), "a pending journal stays");
    let mut journal = open(&path_of(&path)).unwrap();
    clear(&mut journal).unwrap();
    assert_eq!(inspect(&mut journal).unwrap(), Found::Empty);
    exclusive().remove_if_clear(&path);
    assert!(!path_of(&path).exists());
    forget(&path);
}

/// What the journal costs: a one-page commit and a 64 MiB one, each
/// written in place (`apply`: write, sync; what WASI and Emscripten flushes
/// did before) and as `FsFile` does now (open the file's path and the
/// journal, `commit`: journal, sync, write, sync, clear), on the file
/// system of `$TMPDIR`. Runs under WASI too:
/// `cargo test --release --lib --target wasm32-wasip1 journal::file_tests::cost -- --ignored --nocapture`.
#[test]
#[ignore = "a measurement: cargo test --release --lib journal::file_tests::cost -- --ignored --nocapture"]
fn cost() {
    use std::time::Instant;
    const PAGE: usize = 4096;
    const LEN: usize = 64 << 20;
    let base = std::env::var_os("TMPDIR").map_or_else(std::env::temp_dir, PathBuf::from);
    let dir = tempfile::tempdir_in(base).unwrap();
    let path = dir.path().join("data");
    let mut data = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(true)
        .open(&path)
        .unwrap();
    data.write_all(&vec![7; LEN]).unwrap();
    data.sync_all().unwrap();
    let bytes = vec![42; LEN];
    let median = |mut times: Vec<f64>| {
        times.sort_by(f64::total_cmp);
        times[times.len() / 2]
    };
    println!("| commit | in place (write + sync) | journaled | ratio |");
    println!("|---|---:|---:|---:|");
    for (name, len, rounds) in [("one 4 KiB page", PAGE, 41), ("64 MiB, all dirty", LEN, 5)] {
        let mut in_place = Vec::new();
        let mut journaled = Vec::new();
        for round in 0..rounds {
            let at = (round * 17 * PAGE % LEN).min(LEN - len) as u64;
            let records = [Record {
                at,
                bytes: &bytes[..len],
            }];
            let start = Instant::now();
            apply(&mut data, LEN as u64, &records).unwrap();
            in_place.push(start.elapsed().as_secs_f64() * 1e3);
            let start = Instant::now();
            // As `FsFile` does: check that the path still names the file, open the journal.
            drop(File::open(&path).unwrap());
            let mut journal = open(&path_of(&path)).unwrap();
            commit(&mut data, &mut journal, LEN as u64, &records).unwrap();
            journaled.push(start.elapsed().as_secs_f64() * 1e3);
        }
        let (a, b) = (median(in_place), median(journaled));
        println!("| {name} | {a:.2} ms | {b:.2} ms | {:.2} |", b / a);
    }
}
