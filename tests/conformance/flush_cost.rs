//! What a flush costs, as `FileStore::stats` counts it: a flush writes the
//! units that changed (pages, or chunks in the browser) and nothing more.
//! Not a theme of `for_each_case!`: natively the OS writes a map back and
//! `stats` counts nothing. Every other harness (the memory store, WASI and
//! Emscripten on `std::fs`, the browser on IndexedDB) runs these cases
//! through `for_each_flush_cost_case!`.

use std::ops::RangeInclusive;

use super::{file, flush_and_wait, page, write_and_map};
use vmmap::{FileStore, MmapOptions, StoreStats};

const MIB: usize = 1 << 20;

/// The size unit of the files here: 1 MiB, or 16 KiB (four pages) under
/// Miri, where every byte of a file costs (64 KiB made these the slowest
/// cases there, 80-110 s each). Every offset stays a whole number of pages
/// apart within it, so the counts asserted are the same.
const UNIT: usize = if cfg!(miri) { 16 << 10 } else { MIB };

/// The bytes one unit of `FileStore::stats` can hold: a page on the memory
/// store and on `std::fs`; in the browser a chunk, whose size is the
/// IndexedDB store's own, at most 1 MiB.
fn unit_bytes() -> RangeInclusive<u64> {
    if cfg!(all(target_arch = "wasm32", target_os = "unknown")) {
        1..=MIB as u64
    } else {
        page() as u64..=page() as u64
    }
}

/// Asserts that the store made `commits` commits of `units` units between
/// `before` and `after`; returns the bytes they wrote.
fn written(before: StoreStats, after: StoreStats, (commits, units): (u64, u64)) -> u64 {
    assert_eq!(
        (
            after.commits - before.commits,
            after.units_written - before.units_written
        ),
        (commits, units),
        "commits and units written: {before:?} -> {after:?}"
    );
    after.bytes_written - before.bytes_written
}

/// One byte written in a multi-megabyte file: the flush is one commit of
/// one unit, far less than the file; a second flush, with nothing dirty,
/// writes nothing.
pub async fn one_byte_flush_writes_one_unit(store: &FileStore) {
    let mut m = write_and_map(store, "big", &vec![7u8; 8 * UNIT], &MmapOptions::new()).await;
    let before = store.stats();
    ok!(m.write_at(5 * UNIT + 3, b"x"));
    flush_and_wait(&m).await;
    let after = store.stats();
    let bytes = written(before, after, (1, 1));
    assert!(
        unit_bytes().contains(&bytes),
        "one unit is {:?} bytes, the flush wrote {bytes}",
        unit_bytes()
    );
    flush_and_wait(&m).await;
    assert_eq!(store.stats(), after, "a flush with nothing dirty wrote");
    let stored = file(store, "big").await;
    assert_eq!(stored[5 * UNIT + 3], b'x');
    assert_eq!(stored.iter().filter(|&&b| b != 7).count(), 1);
}

/// Writes through `as_mut_slice` are found at flush, and only the units
/// whose bytes changed are written: a byte set to the value it had dirties
/// nothing (at 3 MiB, a unit of its own on every store), and two bytes of
/// one page are one unit. Exposed again but unchanged, nothing is written.
pub async fn raw_slice_flush_writes_only_changed_units(store: &FileStore) {
    let mut m = write_and_map(store, "big", &vec![7u8; 4 * UNIT], &MmapOptions::new()).await;
    let slice = ok!(m.as_mut_slice());
    slice[10] = 1;
    slice[3 * page()] = 7; // unchanged: the byte was 7 already
    slice[3 * UNIT] = 7; // likewise
    slice[3 * UNIT + 3 * page()] = 7; // likewise
    slice[2 * UNIT] = 2;
    slice[2 * UNIT + 1] = 2; // the same page, so the same unit
    let before = store.stats();
    flush_and_wait(&m).await;
    let after = store.stats();
    let (unit, bytes) = (unit_bytes(), written(before, after, (1, 2)));
    assert!(
        (2 * unit.start()..=2 * unit.end()).contains(&bytes),
        "two units of {unit:?} bytes, the flush wrote {bytes}"
    );
    ok!(m.get_mut(..));
    flush_and_wait(&m).await;
    assert_eq!(store.stats(), after, "an unchanged raw slice was written");
    drop(m);
    let stored = file(store, "big").await;
    assert_eq!(
        (stored[10], stored[2 * UNIT], stored[2 * UNIT + 1]),
        (1, 2, 2)
    );
    assert_eq!(stored.iter().filter(|&&b| b != 7).count(), 3);
}
