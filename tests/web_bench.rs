#![cfg(all(target_arch = "wasm32", target_os = "unknown"))]
//! vmmap's IndexedDB store against raw IndexedDB calls, side by side in one
//! run, in whichever browser the runner drives (Chromium, Firefox or WebKit).
//! `#[ignore]`d, so the browser suite skips it; run it with
//! `scripts/bench-web.sh` (a release build, each engine of `VMMAP_ENGINES` in
//! turn), which prints the tables.
//!
//! Everything runs on a 64 MiB file of pseudo-random bytes (random, so that
//! no compression in the browser's storage makes a side look faster). Each
//! measurement uses databases of its own, seeded in turns (see
//! [`idb::seed_files`]) and deleted afterwards. The raw peers
//! use the IndexedDB API through web-sys in the same page, on their own
//! database, with vmmap's layout: a `files` record `{id, size, chunk,
//! version}` and `[id, index]` chunks of `chunk` bytes (an `ArrayBuffer`
//! each) in `chunks`, the chunk size read from a file vmmap wrote, and every
//! readwrite transaction opened as `db.transaction(stores, "readwrite",
//! {durability: "strict"})`, as vmmap does. Test files are written by raw
//! calls from JS-side buffers, so that creating them grows no wasm memory.
//!
//! 1. **Open/load**: `FileStore::map` of the whole file against a raw
//!    `getAllKeys` + `getAll` of the same chunks in one readonly transaction,
//!    plus the copy of every chunk into one `Vec<u8>` (`vec![0; len]`).
//! 2. **One dirty page**: `write_at` of one byte, then `flush()` +
//!    `flushed().await` (timed), against a raw `put` of that one chunk in one
//!    transaction until `complete`; and against rewriting the whole file as
//!    one value in one transaction, the way Emscripten's IDBFS stores a file.
//!    For the diagnosis, three more raw peers also touch the `files` record:
//!    `get` it and `put` it back from the `get`'s success event (the requests
//!    vmmap's commit makes); `get` it for a check and `put` a record made
//!    from what the writer knows, issued at once; or only `get` it.
//! 3. **Every page dirty**: `write_at(0, &whole)` or a byte of every page
//!    set through `as_mut_slice()`, then `flush()` + `flushed().await`
//!    (timed), against a raw `put` of every chunk in one transaction until
//!    `complete`. One byte of every
//!    page changes per call, so the bytes stay random: Chromium compresses
//!    values, and a file of repeated bytes would write ten times faster.
//! 4. **`find`** of a 24-byte needle in the last KiB of the 64 MiB map,
//!    against `memchr::memmem::find` on a `Vec<u8>` of the same bytes and a
//!    plain read pass (XOR of all words), all in wasm; GB/s = 10^9 bytes/s.
//! 5. **Memory**: growth of `wasm_bindgen::memory()`'s `buffer.byteLength`
//!    caused by mapping the file, once it is loaded, and after a flush.
//!    Measured first, before anything else allocated large buffers (wasm
//!    memory never shrinks, so freed space would hide growth).
//! 6. **Chunk size**, raw calls only: load, one-chunk put and whole-file
//!    bulk put with chunks of 16, 32, 64, 256 KiB and 1 MiB, every size on a
//!    database of its own, the sizes taking turns.
//!
//! Method: the sides of a comparison take turns call by call, in a random
//! order in each round, after one untimed warm-up round; a time is the
//! median of a side's calls, and a time ratio is the median over rounds of
//! the ratio of the two sides' calls in that round, so that what the rest of
//! the machine did in one round lands on both sides alike. Control rows put
//! the raw code against itself on a second database: how far they stray
//! from 1.0 shows how precise a ratio is. Time comes from
//! `performance.now()`, whose step differs per engine (the report prints
//! it). The bench never asserts on timings; it checks
//! that loads return the file's bytes, that `find` returns where the needle
//! is, and that a one-byte flush commits one chunk.
//!
//! Layout: this file holds the parameters and the three benchmarks; the
//! modules in `tests/web_bench/` hold one measurement each ([`memory`],
//! [`load`], [`find`], [`one_page`], [`every_page`], [`chunk_size`]) and
//! what they share: the clock and statistics ([`clock`]), the file's bytes
//! ([`data`]), raw IndexedDB plumbing ([`idb`]), the timed raw peers
//! ([`peers`]), vmmap's side ([`vmmap_side`]), the databases of the flush
//! sections ([`flush_sides`]) and the printed report ([`report`]). The
//! results table is the native bench's too (`tests/bench_support`).

mod bench_support;
#[path = "web_bench/chunk_size.rs"]
mod chunk_size;
#[path = "web_bench/clock.rs"]
mod clock;
#[path = "web_bench/data.rs"]
mod data;
#[path = "web_bench/every_page.rs"]
mod every_page;
#[path = "web_bench/find.rs"]
mod find;
#[path = "web_bench/flush_sides.rs"]
mod flush_sides;
#[path = "web_bench/idb.rs"]
mod idb;
#[path = "web_bench/load.rs"]
mod load;
#[path = "web_bench/memory.rs"]
mod memory;
#[path = "web_bench/one_page.rs"]
mod one_page;
#[path = "web_bench/parts.rs"]
mod parts;
#[path = "web_bench/peers.rs"]
mod peers;
#[path = "web_bench/report.rs"]
mod report;
#[path = "web_bench/vmmap_side.rs"]
mod vmmap_side;

use vmmap::Mmap;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

use flush_sides::FlushSides;
use idb::{durability_of, readwrite};
use report::{Report, print_rows};

wasm_bindgen_test_configure!(run_in_browser);

const KIB: usize = 1 << 10;
const MIB: usize = 1 << 20;
/// The file every measurement uses.
const FILE: usize = 64 * MIB;
/// What every readwrite transaction asks for, on both sides.
const DURABILITY: &str = "strict";
/// Timed calls per side (after one warm-up call each).
const LOAD_RUNS: usize = 15;
const PAGE_RUNS: usize = 151;
const WHOLE_RUNS: usize = 5;
const BULK_RUNS: usize = 7;
const FIND_RUNS: usize = 15;
/// Chunk sizes compared in section 6, and its calls per size.
const CHUNK_SIZES: [usize; 5] = [16 * KIB, 32 * KIB, 64 * KIB, 256 * KIB, MIB];
const SIZE_LOAD_RUNS: usize = 5;
const SIZE_ONE_RUNS: usize = 11;
const SIZE_BULK_RUNS: usize = 3;

/// Sections 1 to 5: vmmap against raw IndexedDB calls.
#[wasm_bindgen_test]
#[ignore = "a benchmark: scripts/bench-web.sh runs it"]
async fn vmmap_vs_raw_indexeddb() {
    let mut report = Report::start();
    // 5. Memory, first: nothing large has been allocated yet.
    let chunk = vmmap_side::vmmap_chunk_size().await;
    memory::measure(chunk, &mut report).await;
    // 1. Open/load; it leaves a copy map and the raw bytes of its file for 4.
    let (mut m, mut data) = load::measure(chunk, &mut report).await;
    find::find_rows(&mut m, &mut data, &mut report.rows);
    drop(m);
    report.progress("find");
    // 2 and 3 on the same six databases; `data` becomes the raw sides' file.
    let mut sides = FlushSides::open(chunk, &mut data).await;
    let granted = durability_of(&readwrite(&sides.raws[0], &["chunks"]));
    one_page::measure(&mut sides, &mut data, &mut report).await;
    every_page::measure(&mut sides, &mut data, &mut report).await;
    sides.close().await;
    report.progress("all-dirty flush");
    report.print(chunk, &granted);
}

/// Section 4 alone, on an anonymous map (no IndexedDB): for comparing
/// builds, e.g. `RUSTFLAGS="-C target-feature=+simd128"`.
#[wasm_bindgen_test]
#[ignore = "a benchmark: scripts/bench-web.sh find runs it"]
async fn find_in_wasm() {
    let mut m = Mmap::anonymous(FILE).expect("Mmap::anonymous");
    let mut raw = vec![0u8; FILE];
    data::random_bytes(4, 0, &mut raw);
    m.write_at(0, &raw).expect("write_at");
    let mut rows = Vec::new();
    find::find_rows(&mut m, &mut raw, &mut rows);
    print_rows(&rows);
}

/// Section 6: chunk sizes, raw IndexedDB calls only. Every size has a
/// database of its own; the sizes take turns call by call.
#[wasm_bindgen_test]
#[ignore = "a benchmark: scripts/bench-web.sh runs it"]
async fn chunk_size_raw_indexeddb() {
    chunk_size::measure().await;
}

/// A one-page flush in parts (call → transaction → `complete` → resolved),
/// vmmap and a raw single `put` in turns, with the IndexedDB, Web Locks and
/// BroadcastChannel calls each makes counted: where an engine's ratio comes
/// from (`tests/web_bench/parts.rs`).
#[wasm_bindgen_test]
#[ignore = "a benchmark: scripts/bench-web.sh parts runs it"]
async fn one_page_parts() {
    parts::measure().await;
}
