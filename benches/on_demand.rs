#![cfg_attr(not(target_os = "wasi"), no_main)]
#![cfg(target_os = "wasi")]
// WASI only: the emulated backend over std::fs, run by Node's WASI
// (scripts/wasi-run.mjs, which also gives the program the Node process's
// resident set size as the import `vmmap_bench.rss`). Elsewhere the bench is
// empty (`no_main` lets the empty crate build).
//! What a map over a synchronous store costs when it touches little of a
//! large file: vmmap's pages load on demand, so mapping reads nothing and a
//! read costs its pages. Side by side with the raw `std::fs` calls that read
//! the same bytes, in one run:
//!
//! 1. **Map a 1 GiB file and read its last page**: `Mmap::open` (read
//!    access), `try_get` of the last 4 KiB copied out, and drop; against
//!    opening the file and reading the same 4 KiB at its offset (`seek` and
//!    `read_exact`). Goal (issue 13): at most 5 ms on WASI.
//! 2. **A 4 KiB read at a random page of the open 1 GiB map** that was not
//!    read before (a cold page: one positioned read) against `seek` +
//!    `read_exact` of the same bytes on an open file. Report only.
//! 3. **Memory growth**: the Node process's resident set size before and after
//!    mapping the 1 GiB file for writing and reading its last page (goal: at
//!    most 16 MiB), and wasm memory's size (reserved, not touched).
//!
//! The file is sparse (`set_len`), with its last page written. Rounds
//! alternate the two sides; each row is the median over rounds. Nothing
//! asserts on timings; the bytes read are checked.
//!
//! Run: `cargo bench --bench on_demand --target wasm32-wasip1` (release; a
//! few seconds). A markdown table with the ratios goes to stdout.

use std::fs::File;
use std::hint::black_box;
use std::io::{Read, Seek, SeekFrom};
use std::time::Instant;

use vmmap::{Access, Mmap, MmapOptions};

const GIB: u64 = 1 << 30;
const PAGE: usize = 4096;
const ROUNDS: usize = 41;

#[link(wasm_import_module = "vmmap_bench")]
unsafe extern "C" {
    /// The Node process's resident set size in bytes (`process.memoryUsage.rss()`).
    fn rss() -> f64;
}

fn rss_mib() -> f64 {
    // SAFETY: a host function with no arguments and no side effects.
    let bytes = unsafe { rss() };
    bytes / (1 << 20) as f64
}

fn wasm_memory_mib() -> f64 {
    (core::arch::wasm32::memory_size(0) * 65536) as f64 / (1 << 20) as f64
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn ms(start: Instant) -> f64 {
    start.elapsed().as_secs_f64() * 1e3
}

fn raw_read(file: &mut File, at: u64, buf: &mut [u8]) {
    file.seek(SeekFrom::Start(at)).unwrap();
    file.read_exact(buf).unwrap();
}

fn main() {
    // WASI has no temp_dir(): the runner preopens a scratch /tmp and sets TMPDIR.
    let dir = std::env::var("TMPDIR").unwrap_or_else(|_| "/tmp".into());
    let path = std::path::Path::new(&dir).join("vmmap-on-demand.bin");
    let last: Vec<u8> = (0..PAGE).map(|i| (i % 251) as u8).collect();
    {
        let file = File::create(&path).unwrap();
        file.set_len(GIB).unwrap();
        let mut file = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
        file.seek(SeekFrom::Start(GIB - PAGE as u64)).unwrap();
        std::io::Write::write_all(&mut file, &last).unwrap();
        file.sync_all().unwrap();
    }
    let read = MmapOptions::new().access(Access::Read).clone();
    let mut buf = vec![0u8; PAGE];

    // 1. Map and read the last page, against open + positioned read.
    let (mut ours, mut raw) = (Vec::new(), Vec::new());
    for round in 0..=ROUNDS {
        let vmmap_side = |buf: &mut [u8]| {
            let t = Instant::now();
            let m = unsafe { Mmap::open(&path, &read) }.unwrap();
            buf.copy_from_slice(m.try_get(m.len() - PAGE..).unwrap());
            drop(black_box(m));
            ms(t)
        };
        let raw_side = |buf: &mut [u8]| {
            let t = Instant::now();
            let mut file = File::open(&path).unwrap();
            raw_read(&mut file, GIB - PAGE as u64, buf);
            drop(black_box(file));
            ms(t)
        };
        let (a, b) = if round % 2 == 0 {
            let a = vmmap_side(&mut buf);
            (a, raw_side(&mut buf))
        } else {
            let b = raw_side(&mut buf);
            (vmmap_side(&mut buf), b)
        };
        assert_eq!(buf, last);
        if round > 0 {
            ours.push(a);
            raw.push(b);
        }
    }
    let (open_ours, open_raw) = (median(ours), median(raw));

    // 2. Cold 4 KiB reads at random pages of an open map.
    let m = unsafe { Mmap::open(&path, &read) }.unwrap();
    let mut file = File::open(&path).unwrap();
    let pages = (GIB as usize) / PAGE - 1;
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let (mut ours, mut raw) = (Vec::new(), Vec::new());
    for _ in 0..2000 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let at = (state as usize % pages) * PAGE;
        let t = Instant::now();
        buf.copy_from_slice(m.try_get(at..at + PAGE).unwrap());
        ours.push(ms(t) * 1e3);
        let t = Instant::now();
        raw_read(&mut file, at as u64, &mut buf);
        raw.push(ms(t) * 1e3);
    }
    drop(m);
    let (read_ours, read_raw) = (median(ours), median(raw));

    // 3. Memory: map the whole file for writing, read its last page.
    let (rss_before, wasm_before) = (rss_mib(), wasm_memory_mib());
    let write = MmapOptions::new();
    let m = unsafe { Mmap::open(&path, &write) }.unwrap();
    assert_eq!(m.try_get(m.len() - PAGE..).unwrap(), &last[..]);
    let (rss_after, wasm_after) = (rss_mib(), wasm_memory_mib());
    drop(m);
    std::fs::remove_file(&path).unwrap();

    println!("| WASI (Node), 1 GiB file | vmmap | raw std::fs | ratio |");
    println!("|---|---:|---:|---:|");
    println!(
        "| map + read the last 4 KiB (open + read) | {open_ours:.3} ms | {open_raw:.3} ms | {:.2} |",
        open_ours / open_raw
    );
    println!(
        "| cold 4 KiB read of an open map (seek + read) | {read_ours:.1} µs | {read_raw:.1} µs | {:.2} |",
        read_ours / read_raw
    );
    println!(
        "| memory after mapping 1 GiB and reading a page | +{:.1} MiB RSS | | |",
        rss_after - rss_before
    );
    println!(
        "| wasm memory reserved for it (untouched) | +{:.0} MiB | | |",
        wasm_after - wasm_before
    );
}
