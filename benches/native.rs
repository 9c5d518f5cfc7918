#![cfg_attr(target_family = "wasm", no_main)]
#![cfg(not(target_family = "wasm"))]
// Host only (std::fs, tempfile): on wasm the crate is empty, and `no_main` lets
// that empty crate build (`cargo test` and clippy build every target).
//! vmmap against its peers on the native backend, side by side in one run.
//!
//! What is measured, each on a scratch file of `VMMAP_BENCH_MB` MiB (default
//! 256) in a temporary directory (`TMPDIR` picks where):
//!
//! 1. **Random 4 KiB reads and writes**, at the same pre-generated offsets,
//!    once with page-aligned offsets and once with unaligned ones:
//!    - vmmap `as_slice()[o..o + 4096]` copied into a buffer, against the
//!      same copy out of a raw `memmap2::MmapMut` of the same file;
//!    - vmmap `seek` + `read(Some(4096))`, which returns a fresh `Vec`,
//!      against raw `to_vec()` (the peer that also allocates);
//!    - vmmap `write_at(o, &buf)` and `seek` + `write(&buf)`, against raw
//!      `copy_from_slice`;
//!    - a control: raw copies on a second memmap2 map against raw copies on
//!      the first, identical code, which shows the noise floor of a ratio.
//!
//!    Reported in ns/op; target: vmmap at most 5% over raw memmap2. The
//!    same pairs also run at unaligned offsets within the first 64 KiB
//!    ("hot"), which stay in the CPU caches: that shows what the calls
//!    themselves cost, in ns, without the cache and TLB misses of a large
//!    file (no target; for information).
//! 2. **`find`** of a needle placed in the last KiB, over the whole map:
//!    vmmap `find(needle, ..)` against `memchr::memmem::find` on a raw
//!    memmap2 slice and against CPython's `mmap.find` (the subprocess
//!    `python3 benches/cpython_find.py PATH NEEDLE_HEX REPS`; set
//!    `VMMAP_BENCH_PYTHON` to use another interpreter). Two haystacks:
//!    random bytes with a random 24-byte needle (CPython's best case: its
//!    skip loop rarely stops), and log-like ASCII text with a 27-byte needle
//!    made of common characters. Reported in GB/s (10^9 bytes); target: at
//!    least 5x faster than CPython. A plain read pass over the map (XOR of
//!    all words) gives the memory-bandwidth ceiling no search can pass.
//! 3. **`flush_range`** of one page: dirty one byte of a page and flush that
//!    page (timed together), and flush a clean page, against memmap2's
//!    `flush_range`, which is one `msync(MS_SYNC)`. Reported in µs/op.
//!
//! Method. Every comparison is a pair, vmmap against one peer, so that each
//! map of the file is used equally: two maps of one file share the page
//! cache but not page tables, and a map used more often keeps more of its
//! page-table entries cached, which alone shifted ratios by 20% in trials.
//! The offsets are cut into batches of 256; the two sides alternate batch by
//! batch (which side goes first alternates too) and never touch the batch the
//! other side just touched, so drift in the machine (neighbours, writeback,
//! clock) lands on both alike. The first round is an untimed warm-up; a
//! read/write row is the sum over batches of each batch's **median** over
//! rounds, so a batch that lost the CPU in one round does not count; a flush
//! row is the median over calls, also alternating; a find row is the
//! **best** call (a 10 ms scan is only ever slowed down by the rest of the
//! machine), the three Rust sides alternating and CPython running between
//! rounds of them, its best taken the same way. Results pass through
//! `std::hint::black_box`. Nothing asserts on timings; only the answers of
//! `find` are checked.
//!
//! Run: `cargo bench --bench native` (release build; well under a minute at
//! the default size on 2 cores). Progress goes to stderr; a markdown table
//! with the ratios goes to stdout, ready for `BENCHMARKS.md`.

use std::fs::File;
use std::hint::black_box;
use std::io::{SeekFrom, Write as _};
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use vmmap::{Access, Mmap, MmapOptions};

// The statistics and the results table, shared with the browser bench
// (`tests/web_bench.rs`), which prints the same table.
#[path = "../tests/bench_support/mod.rs"]
mod bench_support;

use bench_support::{Row, Target, best, median};

/// Size of one random read or write.
const IO: usize = 4096;
/// Random offsets per round of a read/write pair, and the batch the two
/// sides alternate by.
const RW_OPS: usize = 1 << 16;
const RW_BATCH: usize = 256;
/// The "hot" offsets stay in the first 64 KiB, which the CPU caches hold:
/// what is left is the cost of the calls themselves.
const HOT_WINDOW: usize = 64 << 10;
/// Timed rounds of a read/write pair (after one warm-up round).
const RW_ROUNDS: usize = 21;
/// `find`: rounds of (Rust calls, then one CPython run), and calls per side
/// in each round; the best of all calls counts.
const FIND_ROUNDS: usize = 3;
const FIND_CALLS: usize = 5;
/// Length of the random needle.
const NEEDLE_LEN: usize = 24;
/// Flushes of a dirty page per variant, and how many run back to back.
const DIRTY_FLUSHES: usize = 240;
const DIRTY_BLOCK: usize = 20;
/// Flushes of a clean page per variant, and how many run back to back.
const CLEAN_FLUSHES: usize = 4000;
const CLEAN_BLOCK: usize = 200;

fn main() {
    let mib = match std::env::var("VMMAP_BENCH_MB") {
        Err(_) => 256,
        Ok(s) => match s.trim().parse::<usize>() {
            Ok(n) if n >= 1 => n,
            _ => {
                eprintln!("VMMAP_BENCH_MB must be a whole number of MiB >= 1, got {s:?}");
                std::process::exit(2);
            }
        },
    };
    let len = mib << 20;
    let page = vmmap::page_size();
    let dir = tempfile::tempdir().expect("create a temporary directory");
    let started = Instant::now();
    let mut rows = Vec::new();

    eprintln!(
        "vmmap bench: {mib} MiB files in {}, page size {page}",
        dir.path().display()
    );

    let random_path = dir.path().join("random.bin");
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    write_file(&random_path, len, |chunk| rng.fill(chunk));

    read_write(&random_path, len, page, &mut rows);
    flush(&random_path, len, page, &mut rows);

    // The read/write group rewrote the file; put a fresh needle into it.
    let mut needle = [0u8; NEEDLE_LEN];
    rng.fill(&mut needle);
    place(&random_path, len, &needle);
    find(&random_path, len, &needle, "random bytes", &mut rows);

    let text_path = dir.path().join("text.log");
    let mut text = LogText::new();
    write_file(&text_path, len, |chunk| text.fill(chunk));
    let needle = b"status=777 bytes=4096 took=";
    place(&text_path, len, needle);
    find(&text_path, len, needle, "log text", &mut rows);

    eprintln!("done in {:.1} s", started.elapsed().as_secs_f64());
    print_table(mib, page, &rows);
}

// ---------------------------------------------------------------------------
// 1. random 4 KiB reads and writes

/// Everything a read/write variant touches: the vmmap map, two memmap2 maps
/// of the same file, and a buffer.
struct Rw {
    vm: Mmap,
    raw: memmap2::MmapMut,
    raw2: memmap2::MmapMut,
    buf: Vec<u8>,
}

/// One side of a pair: performs its operation at every offset of a batch.
type RwOp = fn(&mut Rw, &[usize]);

fn vm_slice_read(s: &mut Rw, offs: &[usize]) {
    for &o in offs {
        let o = black_box(o);
        s.buf.copy_from_slice(&s.vm.as_slice()[o..o + IO]);
        black_box(&mut s.buf);
    }
}

fn vm_cursor_read(s: &mut Rw, offs: &[usize]) {
    for &o in offs {
        s.vm.seek(SeekFrom::Start(black_box(o) as u64))
            .expect("seek");
        black_box(s.vm.read(Some(IO)).expect("read"));
    }
}

fn raw_copy_read(s: &mut Rw, offs: &[usize]) {
    for &o in offs {
        let o = black_box(o);
        s.buf.copy_from_slice(&s.raw[o..o + IO]);
        black_box(&mut s.buf);
    }
}

fn raw2_copy_read(s: &mut Rw, offs: &[usize]) {
    for &o in offs {
        let o = black_box(o);
        s.buf.copy_from_slice(&s.raw2[o..o + IO]);
        black_box(&mut s.buf);
    }
}

fn raw_to_vec_read(s: &mut Rw, offs: &[usize]) {
    for &o in offs {
        let o = black_box(o);
        black_box(s.raw[o..o + IO].to_vec());
    }
}

fn vm_write_at(s: &mut Rw, offs: &[usize]) {
    for &o in offs {
        s.vm.write_at(black_box(o), black_box(&s.buf))
            .expect("write_at");
    }
}

fn vm_cursor_write(s: &mut Rw, offs: &[usize]) {
    for &o in offs {
        s.vm.seek(SeekFrom::Start(black_box(o) as u64))
            .expect("seek");
        s.vm.write(black_box(&s.buf)).expect("write");
    }
}

fn raw_copy_write(s: &mut Rw, offs: &[usize]) {
    for &o in offs {
        let o = black_box(o);
        s.raw[o..o + IO].copy_from_slice(black_box(&s.buf));
    }
}

fn raw2_copy_write(s: &mut Rw, offs: &[usize]) {
    for &o in offs {
        let o = black_box(o);
        s.raw2[o..o + IO].copy_from_slice(black_box(&s.buf));
    }
}

fn read_write(path: &Path, len: usize, page: usize, rows: &mut Vec<Row>) {
    let file = File::options()
        .read(true)
        .write(true)
        .open(path)
        .expect("open the scratch file");
    // SAFETY: the file lives in our own temporary directory; nothing outside
    // this process truncates it while it is mapped.
    let raw = unsafe { memmap2::MmapMut::map_mut(&file) }.expect("memmap2 map");
    // SAFETY: as above.
    let raw2 = unsafe { memmap2::MmapMut::map_mut(&file) }.expect("memmap2 map");
    let vm = unsafe { Mmap::open(path, &MmapOptions::new()) }.expect("vmmap open");
    let mut buf = vec![0u8; IO];
    let mut rng = Rng(0xD1B5_4A32_D192_ED03);
    rng.fill(&mut buf);
    let mut s = Rw { vm, raw, raw2, buf };

    let last = len - IO;
    let aligned: Vec<usize> = (0..RW_OPS)
        .map(|_| rng.below(last / page + 1) * page)
        .collect();
    let unaligned: Vec<usize> = (0..RW_OPS).map(|_| rng.below(last + 1)).collect();
    let hot_last = HOT_WINDOW.min(len) - IO;
    let hot: Vec<usize> = (0..RW_OPS).map(|_| rng.below(hot_last + 1)).collect();

    let ns = Unit::NsPerOp;
    let mut controls = Vec::new();
    let kinds = [
        ("aligned", &aligned, true),
        ("unaligned", &unaligned, true),
        ("hot 64 KiB", &hot, false),
    ];
    for (kind, offs, targeted) in kinds {
        eprintln!("random 4 KiB reads and writes, {kind} offsets ...");
        let pairs: [(String, RwOp, &str, RwOp); 4] = [
            (
                format!("4 KiB read, {kind}: `as_slice()[o..o+4096]` copy"),
                vm_slice_read,
                "memmap2 slice copy",
                raw_copy_read,
            ),
            (
                format!("4 KiB read, {kind}: `seek` + `read(Some(4096))` (new Vec)"),
                vm_cursor_read,
                "memmap2 slice `to_vec()`",
                raw_to_vec_read,
            ),
            (
                format!("4 KiB write, {kind}: `write_at`"),
                vm_write_at,
                "memmap2 `copy_from_slice`",
                raw_copy_write,
            ),
            (
                format!("4 KiB write, {kind}: `seek` + `write`"),
                vm_cursor_write,
                "memmap2 `copy_from_slice`",
                raw_copy_write,
            ),
        ];
        for (what, vm_op, peer, peer_op) in pairs {
            let (v, p) = pair(&mut s, offs, vm_op, peer_op);
            eprintln!("  {what}: {v:.1} vs {p:.1} ns/op");
            rows.push(Row::overhead(what, v, peer, p, ns, targeted));
        }
        for (what, a, b) in [
            ("read", raw2_copy_read as RwOp, raw_copy_read as RwOp),
            ("write", raw2_copy_write, raw_copy_write),
        ] {
            let (v, p) = pair(&mut s, offs, a, b);
            let what = format!(
                "control, 4 KiB {what}, {kind}: memmap2 on a 2nd map (same code as the peer)"
            );
            eprintln!("  {what}: {v:.1} vs {p:.1} ns/op");
            controls.push(Row::overhead(
                what,
                v,
                "memmap2 on the 1st map",
                p,
                ns,
                false,
            ));
        }
    }
    rows.extend(controls);
}

/// Times `a` and `b` over all of `offs`, batch by batch, alternating (see the
/// crate docs), for `RW_ROUNDS` rounds after a warm-up round. Returns ns/op
/// of each: the median over rounds of every batch, summed over batches, so a
/// batch that lost the CPU to another process in some round does not count.
fn pair(s: &mut Rw, offs: &[usize], a: RwOp, b: RwOp) -> (f64, f64) {
    let batches: Vec<&[usize]> = offs.chunks_exact(RW_BATCH).collect();
    let n = batches.len();
    // times[side][batch][round], in ns
    let mut times = vec![vec![Vec::with_capacity(RW_ROUNDS); n]; 2];
    for round in 0..=RW_ROUNDS {
        for j in 0..n {
            for k in 0..2 {
                // `b` works half the offset list away from `a`, so neither
                // finds the other's last batch in the cache.
                let side = (j + k + round) % 2;
                let (op, batch) = if side == 0 {
                    (a, j)
                } else {
                    (b, (j + n / 2) % n)
                };
                let start = Instant::now();
                op(s, batches[batch]);
                let t = start.elapsed();
                if round > 0 {
                    times[side][batch].push(t.as_nanos() as f64);
                }
            }
        }
    }
    let ops = (n * RW_BATCH) as f64;
    let per_op = |side: &[Vec<f64>]| side.iter().map(|t| median(t)).sum::<f64>() / ops;
    (per_op(&times[0]), per_op(&times[1]))
}

// ---------------------------------------------------------------------------
// 2. find

fn find(path: &Path, len: usize, needle: &[u8], haystack: &str, rows: &mut Vec<Row>) {
    eprintln!("find over {haystack} ...");
    let expected = Some(needle_at(len));
    let file = File::open(path).expect("open the scratch file");
    // SAFETY: as in `read_write`; this map is only read.
    let raw = unsafe { memmap2::Mmap::map(&file) }.expect("memmap2 map");
    let vm =
        unsafe { Mmap::open(path, MmapOptions::new().access(Access::Read)) }.expect("vmmap open");

    // Warm-up (also faults every page of both maps in), then alternate.
    assert_eq!(vm.find(needle, ..), expected, "vmmap find answered wrong");
    assert_eq!(
        memchr::memmem::find(&raw, needle),
        expected,
        "memmem answered wrong"
    );
    let (mut t_vm, mut t_raw, mut t_read, mut t_py) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut python = Ok(String::new());
    for round in 0..FIND_ROUNDS {
        for call in 0..3 * FIND_CALLS {
            let start = Instant::now();
            match (round + call) % 3 {
                0 => {
                    black_box(vm.find(black_box(needle), ..));
                    t_vm.push(start.elapsed().as_secs_f64());
                }
                1 => {
                    black_box(memchr::memmem::find(black_box(&raw), black_box(needle)));
                    t_raw.push(start.elapsed().as_secs_f64());
                }
                _ => {
                    black_box(xor_fold(black_box(&raw)));
                    t_read.push(start.elapsed().as_secs_f64());
                }
            }
        }
        if python.is_ok() {
            python = cpython_find(path, needle, expected).map(|(times, version)| {
                t_py.extend(times);
                version
            });
        }
    }
    let gbps = |secs: f64| len as f64 / secs / 1e9;
    let vm_gbps = gbps(best(&t_vm));
    let raw_gbps = gbps(best(&t_raw));
    let read_gbps = gbps(best(&t_read));
    eprintln!(
        "  vmmap {vm_gbps:.2} GB/s, memchr::memmem {raw_gbps:.2} GB/s, plain read pass {read_gbps:.2} GB/s"
    );

    let what = format!(
        "`find` {}-byte needle in the last KiB, {haystack}",
        needle.len()
    );
    rows.push(Row::overhead(
        what.clone(),
        vm_gbps,
        "`memchr::memmem::find` on memmap2",
        raw_gbps,
        Unit::GbPerS,
        false,
    ));
    let (peer, peer_value) = match python {
        Ok(version) => {
            let py_gbps = gbps(best(&t_py));
            eprintln!("  CPython {version} mmap.find {py_gbps:.2} GB/s");
            (format!("CPython {version} `mmap.find`"), Some(py_gbps))
        }
        Err(why) => {
            eprintln!("  CPython peer skipped: {why}");
            ("CPython `mmap.find` (did not run)".to_string(), None)
        }
    };
    rows.push(Row::measured(
        what.clone(),
        vm_gbps,
        peer,
        peer_value,
        Unit::GbPerS,
        Target::FasterBy(5.0),
    ));
    rows.push(Row::overhead(
        what,
        vm_gbps,
        "ceiling: one plain read pass over the memmap2 map (xor of all words)",
        read_gbps,
        Unit::GbPerS,
        false,
    ));
}

/// The XOR of every 8-byte word: one read pass over `bytes` that the compiler
/// vectorises, i.e. about as fast as memory can deliver the bytes. No search
/// can beat it, which bounds any speed-up over another search.
fn xor_fold(bytes: &[u8]) -> u64 {
    let mut acc = [0u64; 8];
    let mut lines = bytes.chunks_exact(64);
    for line in &mut lines {
        for (a, word) in acc.iter_mut().zip(line.chunks_exact(8)) {
            let mut w = [0u8; 8];
            w.copy_from_slice(word);
            *a ^= u64::from_le_bytes(w);
        }
    }
    let tail = lines.remainder().iter().fold(0, |a, &b| a ^ u64::from(b));
    acc.iter().fold(tail, |a, &w| a ^ w)
}

/// Runs `benches/cpython_find.py` on the file for `FIND_CALLS` timed calls;
/// returns their seconds and the interpreter version.
fn cpython_find(
    path: &Path,
    needle: &[u8],
    expected: Option<usize>,
) -> Result<(Vec<f64>, String), String> {
    let python = std::env::var("VMMAP_BENCH_PYTHON").unwrap_or_else(|_| "python3".into());
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/cpython_find.py");
    let hex: String = needle.iter().map(|b| format!("{b:02x}")).collect();
    let out = Command::new(&python)
        .arg(script)
        .arg(path)
        .arg(&hex)
        .arg(FIND_CALLS.to_string())
        .output()
        .map_err(|e| format!("cannot run {python}: {e}"))?;
    if !out.status.success() {
        return Err(format!(
            "{python} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    let field = |key: &str| {
        stdout
            .lines()
            .find_map(|l| l.strip_prefix(key)?.strip_prefix('='))
            .ok_or_else(|| format!("no `{key}=` in the script's output: {stdout:?}"))
    };
    let index: i64 = field("index")?.parse().map_err(|e| format!("index: {e}"))?;
    let want = expected.map_or(-1, |i| i as i64);
    if index != want {
        return Err(format!(
            "CPython found the needle at {index}, expected {want}"
        ));
    }
    let times = field("times")?
        .split(',')
        .map(|t| t.parse::<f64>().map_err(|e| format!("times: {e}")))
        .collect::<Result<Vec<_>, _>>()?;
    Ok((times, field("python")?.to_string()))
}

/// Where the needle goes: inside the last KiB of the file (or the middle of
/// a file too small for that).
fn needle_at(len: usize) -> usize {
    len.saturating_sub(1000).max(len / 2)
}

fn place(path: &Path, len: usize, needle: &[u8]) {
    let mut file = File::options()
        .write(true)
        .open(path)
        .expect("open the scratch file");
    std::io::Seek::seek(&mut file, SeekFrom::Start(needle_at(len) as u64)).expect("seek");
    file.write_all(needle).expect("write the needle");
    file.sync_all().expect("sync the scratch file");
}

// ---------------------------------------------------------------------------
// 3. flush_range

fn flush(path: &Path, len: usize, page: usize, rows: &mut Vec<Row>) {
    eprintln!("flush_range of one page ...");
    let file = File::options()
        .read(true)
        .write(true)
        .open(path)
        .expect("open the scratch file");
    // SAFETY: as in `read_write`.
    let mut raw = unsafe { memmap2::MmapMut::map_mut(&file) }.expect("memmap2 map");
    let mut vm = unsafe { Mmap::open(path, &MmapOptions::new()) }.expect("vmmap open");
    let mut rng = Rng(0x2545_F491_4F6C_DD1D);
    let pages = len / page;
    // Start from a file whose pages are all clean.
    raw.flush().expect("msync");

    let dirty = |vm: &mut Mmap, raw: &mut memmap2::MmapMut, rng: &mut Rng, vm_turn: bool| {
        let off = rng.below(pages) * page;
        let byte = rng.next() as u8;
        let start = Instant::now();
        if vm_turn {
            vm.write_at(off, &[byte]).expect("write_at");
            vm.flush_range(off, page).expect("vmmap flush_range");
        } else {
            raw[off] = byte;
            raw.flush_range(off, page).expect("msync");
        }
        start.elapsed()
    };
    let (vm_us, raw_us) = alternate(DIRTY_FLUSHES, DIRTY_BLOCK, |vm_turn| {
        dirty(&mut vm, &mut raw, &mut rng, vm_turn)
    });
    eprintln!("  dirty page: vmmap {vm_us:.2} µs, msync {raw_us:.2} µs");
    rows.push(Row::overhead(
        "dirty 1 byte + `flush_range` of its page".into(),
        vm_us,
        "memmap2 store + `flush_range` (msync)",
        raw_us,
        Unit::UsPerOp,
        false,
    ));

    let off = rng.below(pages) * page;
    let clean = |vm_turn: bool| {
        let start = Instant::now();
        if vm_turn {
            vm.flush_range(black_box(off), page)
                .expect("vmmap flush_range");
        } else {
            raw.flush_range(black_box(off), page).expect("msync");
        }
        start.elapsed()
    };
    let (vm_us, raw_us) = alternate(CLEAN_FLUSHES, CLEAN_BLOCK, clean);
    eprintln!("  clean page: vmmap {vm_us:.2} µs, msync {raw_us:.2} µs");
    rows.push(Row::overhead(
        "`flush_range` of a clean page (msync still syncs the file)".into(),
        vm_us,
        "memmap2 `flush_range` (msync)",
        raw_us,
        Unit::UsPerOp,
        false,
    ));
}

/// Calls `op(true)` (vmmap) and `op(false)` (peer) `n` times each, in blocks
/// of `block`, after one warm-up block each; returns the median µs of each.
fn alternate(n: usize, block: usize, mut op: impl FnMut(bool) -> Duration) -> (f64, f64) {
    for _ in 0..block {
        op(true);
        op(false);
    }
    let (mut vm, mut peer) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for b in 0..n.div_ceil(block) {
        for k in 0..2 {
            let vm_turn = (b + k) % 2 == 0;
            let samples = if vm_turn { &mut vm } else { &mut peer };
            for _ in 0..block {
                samples.push(op(vm_turn).as_secs_f64() * 1e6);
            }
        }
    }
    (median(&vm), median(&peer))
}

// ---------------------------------------------------------------------------
// the table

#[derive(Clone, Copy)]
enum Unit {
    NsPerOp,
    UsPerOp,
    GbPerS,
}

impl Unit {
    fn show(self, v: f64) -> String {
        match self {
            Unit::NsPerOp => format!("{v:.1} ns/op"),
            Unit::UsPerOp => format!("{v:.2} µs/op"),
            Unit::GbPerS => format!("{v:.2} GB/s"),
        }
    }
    /// Time of vmmap over time of the peer, whatever the unit.
    fn time_ratio(self, vmmap: f64, peer: f64) -> f64 {
        match self {
            Unit::NsPerOp | Unit::UsPerOp => vmmap / peer,
            Unit::GbPerS => peer / vmmap,
        }
    }
}

impl Row {
    /// A row of values in `unit`, with its time ratio whatever the unit; a
    /// peer that did not run (`None`) shows as "n/a".
    fn measured(
        what: String,
        vmmap: f64,
        peer: String,
        peer_value: Option<f64>,
        unit: Unit,
        target: Target,
    ) -> Row {
        Row {
            what,
            vmmap: unit.show(vmmap),
            peer,
            peer_result: peer_value.map_or_else(|| "n/a".to_string(), |p| unit.show(p)),
            ratio: peer_value.map(|p| unit.time_ratio(vmmap, p)),
            target,
        }
    }

    /// A row comparing the vmmap API with the raw call it wraps; with
    /// `targeted`, held to "at most 5% over raw".
    fn overhead(
        what: String,
        vmmap: f64,
        peer: &str,
        peer_value: f64,
        unit: Unit,
        targeted: bool,
    ) -> Row {
        let target = if targeted {
            Target::AtMost(1.05)
        } else {
            Target::None
        };
        Row::measured(what, vmmap, peer.into(), Some(peer_value), unit, target)
    }
}

fn print_table(mib: usize, page: usize, rows: &[Row]) {
    println!(
        "File: {mib} MiB; page size {page} B. Read/write: {RW_OPS} random offsets in batches of \
         {RW_BATCH}, per-batch median of {RW_ROUNDS} rounds, summed. Find: best of {} calls per side. \
         Flush: median of {DIRTY_FLUSHES} (dirty) / {CLEAN_FLUSHES} (clean) calls per side. \
         Time ratio = vmmap time / peer time (below 1: vmmap faster).\n",
        FIND_ROUNDS * FIND_CALLS
    );
    for line in bench_support::table(rows) {
        println!("{line}");
    }
}

// ---------------------------------------------------------------------------
// helpers

/// Writes a `len`-byte file in 1 MiB chunks that `fill` produces, then syncs
/// it so the timed runs start with clean pages and no pending writeback.
fn write_file(path: &Path, len: usize, mut fill: impl FnMut(&mut [u8])) {
    let mut file = File::create(path).expect("create the scratch file");
    let mut chunk = vec![0u8; 1 << 20];
    let mut left = len;
    while left > 0 {
        let n = left.min(chunk.len());
        fill(&mut chunk[..n]);
        file.write_all(&chunk[..n]).expect("write the scratch file");
        left -= n;
    }
    file.sync_all().expect("sync the scratch file");
}

/// xorshift64*: reproducible offsets and data without a dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// Uniform enough in `0..n` for offsets (`n` far below 2^64).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn fill(&mut self, out: &mut [u8]) {
        for c in out.chunks_mut(8) {
            let x = self.next().to_le_bytes();
            c.copy_from_slice(&x[..c.len()]);
        }
    }
}

/// Endless log-like ASCII lines. Status codes never include 777, so a needle
/// containing `status=777` occurs only where it is placed, yet every byte of
/// it is common in the text.
struct LogText {
    rng: Rng,
    pending: Vec<u8>,
}

impl LogText {
    fn new() -> Self {
        LogText {
            rng: Rng(0xA076_1D64_78BD_642F),
            pending: Vec::new(),
        }
    }

    fn fill(&mut self, out: &mut [u8]) {
        const LEVELS: [&str; 4] = ["INFO", "INFO", "WARN", "DEBUG"];
        const VERBS: [&str; 4] = ["GET", "GET", "POST", "PUT"];
        const WORDS: [&str; 8] = [
            "items", "users", "orders", "search", "cart", "static", "login", "api",
        ];
        const STATUS: [u16; 8] = [200, 200, 200, 201, 204, 304, 404, 500];
        let mut filled = 0;
        while filled < out.len() {
            if self.pending.is_empty() {
                let r = &mut self.rng;
                let (h, m, s, ms) = (r.below(24), r.below(60), r.below(60), r.below(1000));
                let level = LEVELS[r.below(4)];
                let pid = 1000 + r.below(9000);
                let verb = VERBS[r.below(4)];
                let (a, b) = (WORDS[r.below(8)], WORDS[r.below(8)]);
                let id = r.below(100_000);
                let status = STATUS[r.below(8)];
                let bytes = r.below(65_536);
                let took = r.below(2_000);
                let _ = writeln!(
                    self.pending,
                    "2026-11-22T{h:02}:{m:02}:{s:02}.{ms:03}Z {level} web[{pid}]: {verb} /{a}/{b}/{id} \
                     status={status} bytes={bytes} took={took}ms"
                );
                self.pending.reverse();
            }
            // `pending` holds the line reversed, so popping yields it in order.
            while filled < out.len() {
                match self.pending.pop() {
                    Some(c) => {
                        out[filled] = c;
                        filled += 1;
                    }
                    None => break,
                }
            }
        }
    }
}
