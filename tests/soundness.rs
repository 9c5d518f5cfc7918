//! Rust's aliasing rules on the emulation, shaped like the cases that were
//! undefined behaviour before the file-mapping constructors became `unsafe`:
//! two maps of one file, a slice borrowed from one, writes through the
//! other, and two threads writing at once. `scripts/test.sh miri` runs these
//! under Miri (with its data-race detector); plain `cargo test` runs them too.

#![cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]

use pollster::block_on;
use vmmap::{FileStore, Mmap, MmapOptions};

const LEN: usize = 3 * 4096;

/// Two write maps of one file of `LEN` zero bytes in a memory store.
fn two_maps(store: &FileStore) -> (Mmap, Mmap) {
    block_on(store.write_file("f", &[0; LEN])).unwrap();
    let opts = MmapOptions::new();
    // SAFETY: each test keeps its borrows of one map clear of the bytes the
    // other map writes while they live, as the contract asks.
    unsafe {
        (
            block_on(store.map("f", &opts)).unwrap(),
            block_on(store.map("f", &opts)).unwrap(),
        )
    }
}

/// The repro, within the contract: the borrow of `a` ends before `b`
/// writes the bytes it covered; a new borrow sees the write (`MAP_SHARED`).
#[test]
fn a_write_through_another_map_is_seen_by_the_next_borrow() {
    let store = FileStore::memory();
    let (a, mut b) = two_maps(&store);
    let s: &[u8] = &a[..];
    let before = s[0];
    b.write_at(0, b"x").unwrap();
    let s: &[u8] = &a[..];
    assert_eq!((before, s[0]), (0, b'x'));
}

/// A borrow of some bytes of one map stays valid while another map of the
/// file writes other bytes: vmmap writes exactly the bytes written.
#[test]
fn a_borrow_survives_writes_to_other_bytes() {
    let store = FileStore::memory();
    let (mut a, mut b) = two_maps(&store);
    a.write_at(5000, b"kept").unwrap();
    let kept: &[u8] = &a[5000..5004];
    b.write_at(0, b"elsewhere").unwrap();
    b.write_at(LEN - 4, b"tail").unwrap();
    b.move_within(100, 0, 9).unwrap();
    b.get_mut(8192..8200).unwrap().fill(7);
    b.flush().unwrap();
    assert_eq!(kept, b"kept");
    assert_eq!(&a[100..109], b"elsewhere");
    assert_eq!(&a[8192..8200], &[7; 8]);
}

/// A raw `&mut` slice of one map, written and dropped, is found by the other
/// map's flush and reaches the file.
#[test]
fn raw_writes_through_one_map_are_flushed_by_the_other() {
    let store = FileStore::memory();
    let (mut a, b) = two_maps(&store);
    a.as_mut_slice().unwrap()[4096..4100].copy_from_slice(b"raw!");
    b.flush().unwrap();
    assert_eq!(
        &block_on(store.read_file("f")).unwrap()[4096..4100],
        b"raw!"
    );
}

/// Two maps of one file written from two threads at once (safe calls, no
/// borrows held): the emulation serializes writes to shared pages, so this
/// is no data race, and every write lands.
// WASI preview 1 and Emscripten (without pthreads) have no threads.
#[cfg(not(target_family = "wasm"))]
#[test]
fn two_threads_write_two_maps_of_one_file() {
    let store = FileStore::memory();
    let (mut a, mut b) = two_maps(&store);
    let rounds = if cfg!(miri) { 8 } else { 500 };
    std::thread::scope(|scope| {
        scope.spawn(|| {
            for i in 0..rounds {
                a.write_at(i % 64, &[1]).unwrap();
                a.seek(std::io::SeekFrom::Start(4096)).unwrap();
                a.write(b"thread a").unwrap();
                a.move_within(200, 4096, 8).unwrap();
            }
        });
        scope.spawn(|| {
            for i in 0..rounds {
                b.write_at(8192 + i % 64, &[2]).unwrap();
                b.move_within(300, 8192, 8).unwrap();
                b.flush().unwrap();
            }
        });
    });
    assert_eq!(&a[200..208], b"thread a");
    assert_eq!(&a[300..308], &[2; 8]);
    a.flush().unwrap();
    let file = block_on(store.read_file("f")).unwrap();
    assert_eq!(&file[..], &a[..]);
    assert_eq!(&b[..], &a[..]);
}

/// Overlapping windows of one file (not the same pages) written from two
/// threads: writes pass from one window to the other under one lock at a time.
// WASI preview 1 and Emscripten (without pthreads) have no threads.
#[cfg(not(target_family = "wasm"))]
#[test]
fn two_threads_write_overlapping_windows() {
    let store = FileStore::memory();
    block_on(store.write_file("f", &vec![0; 2 * vmmap::allocation_granularity()])).unwrap();
    let g = vmmap::allocation_granularity();
    // SAFETY: no slice of either map is borrowed while the threads write.
    let (mut whole, mut tail) = unsafe {
        (
            block_on(store.map("f", &MmapOptions::new())).unwrap(),
            block_on(store.map("f", MmapOptions::new().offset(g as u64))).unwrap(),
        )
    };
    let rounds = if cfg!(miri) { 4 } else { 200 };
    std::thread::scope(|scope| {
        scope.spawn(|| {
            for i in 0..rounds {
                whole.write_at(g + i % 32, b"w").unwrap();
            }
        });
        scope.spawn(|| {
            for i in 0..rounds {
                tail.write_at(100 + i % 32, b"t").unwrap();
            }
        });
    });
    assert_eq!(&whole[g..g + 200], &tail[..200]);
    assert_eq!(whole[g + 100], b't');
    assert_eq!(tail[0], b'w');
}
