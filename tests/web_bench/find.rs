//! Section 4, `find`: a 24-byte needle in the last KiB of the 64 MiB map,
//! against `memchr::memmem::find` on a `Vec<u8>` of the same bytes and a
//! plain read pass (XOR of all words), all in wasm; GB/s = 10^9 bytes/s.

use vmmap::Mmap;
use wasm_bindgen_test::console_log;

use crate::bench_support::{Row, Target, best};
use crate::clock::now;
use crate::data::random_bytes;
use crate::{FILE, FIND_RUNS};

/// Places a needle at the same spot of `m` and of `raw` (the same bytes),
/// times the three sides and adds their rows.
pub fn find_rows(m: &mut Mmap, raw: &mut [u8], rows: &mut Vec<Row>) {
    let mut needle = [0u8; 24];
    random_bytes(99, 0, &mut needle);
    let at = FILE - 1000;
    m.write_at(at, &needle).expect("write_at");
    raw[at..at + needle.len()].copy_from_slice(&needle);
    let [vm, mm, pass] = time_finds(m, raw, &needle, at);
    let gbs = |t: f64, n: usize| n as f64 / (t / 1000.0) / 1e9;
    let scanned = at + needle.len();
    let (v, m_, p) = (
        gbs(best(&vm), scanned),
        gbs(best(&mm), scanned),
        gbs(best(&pass), FILE),
    );
    rows.push(Row {
        what: "`find` 24-byte needle in the last KiB, random bytes (wasm)".into(),
        vmmap: format!("{v:.2} GB/s"),
        peer: "`memchr::memmem::find` on a `Vec<u8>` (wasm)".into(),
        peer_result: format!("{m_:.2} GB/s"),
        ratio: Some(m_ / v),
        target: Target::None,
    });
    rows.push(Row {
        what: "`find` (same)".into(),
        vmmap: format!("{v:.2} GB/s"),
        peer: "ceiling: one plain read pass (XOR of all words, wasm)".into(),
        peer_result: format!("{p:.2} GB/s"),
        ratio: Some(p / v),
        target: Target::None,
    });
    console_log!("[web_bench] wasm find GB/s: vmmap {v:.3} memmem {m_:.3} read-pass {p:.3}");
}

/// Times (ms) of vmmap's `find`, of `memmem` on `raw` and of a read pass,
/// taking turns in a rotating order; each must answer `at`.
fn time_finds(m: &Mmap, raw: &[u8], needle: &[u8], at: usize) -> [Vec<f64>; 3] {
    let finder = memchr::memmem::Finder::new(needle);
    let mut times: [Vec<f64>; 3] = Default::default();
    for i in 0..=FIND_RUNS {
        for side in [i % 3, (i + 1) % 3, (i + 2) % 3] {
            let t0 = now();
            let found = match side {
                0 => m.find(needle, ..),
                1 => finder.find(std::hint::black_box(raw)),
                _ => {
                    let x = raw
                        .chunks_exact(8)
                        .fold(0u64, |x, w| x ^ u64::from_le_bytes(w.try_into().unwrap()));
                    std::hint::black_box(x);
                    Some(at)
                }
            };
            let t = now() - t0;
            assert_eq!(found, Some(at), "find returned the wrong index");
            if i > 0 {
                times[side].push(t);
            }
        }
    }
    times
}
