//! Section 6, chunk size, raw calls only: load, one-chunk put and
//! whole-file bulk put with chunks of 16, 32, 64, 256 KiB and 1 MiB, every
//! size on a database of its own, the sizes taking turns.

use std::ops::Range;

use wasm_bindgen_test::console_log;
use web_sys::IdbDatabase;

use crate::bench_support::median;
use crate::clock::{now, order, spread};
use crate::data::{check_bytes, random_bytes};
use crate::idb::{FILE_ID, db_name, raw_delete, raw_open, seed_files};
use crate::peers::{MetaWrite, raw_load, raw_put_chunks};
use crate::report::{ms, progress};
use crate::{
    CHUNK_SIZES, DURABILITY, FILE, KIB, MIB, SIZE_BULK_RUNS, SIZE_LOAD_RUNS, SIZE_ONE_RUNS,
};

/// Times (ms) of one kind of call, a list per chunk size.
type PerSize = Vec<Vec<f64>>;

/// Measures every chunk size and prints its table.
pub async fn measure() {
    let started = now();
    let mut data = vec![0u8; FILE];
    random_bytes(6, 0, &mut data);
    let mut dbs = Vec::new();
    for &chunk in &CHUNK_SIZES {
        let name = db_name(&format!("chunk-{}k", chunk / KIB));
        let db = raw_open(&name).await;
        dbs.push((name, db));
    }
    let targets: Vec<_> = dbs
        .iter()
        .zip(CHUNK_SIZES)
        .map(|((_, db), chunk)| (db, chunk))
        .collect();
    seed_files(&targets, 6).await;
    progress("chunk sizes: seeding", started);
    let raws: Vec<&IdbDatabase> = dbs.iter().map(|(_, db)| db).collect();
    let load = loads(&raws).await;
    let one = one_chunk_puts(&raws, &mut data).await;
    let bulk = bulk_puts(&raws, &mut data).await;
    for (name, db) in dbs {
        db.close();
        raw_delete(&name).await;
    }
    progress("chunk sizes", started);
    print(&load, &one, &bulk);
}

/// Loads of the whole file, its bytes checked.
async fn loads(dbs: &[&IdbDatabase]) -> PerSize {
    let mut load = vec![Vec::new(); dbs.len()];
    for i in 0..=SIZE_LOAD_RUNS {
        for k in order(dbs.len()) {
            let l = raw_load(dbs[k], FILE_ID, CHUNK_SIZES[k]).await;
            check_bytes("the raw load", 6, &l.bytes);
            if i > 0 {
                load[k].push(l.total());
            }
        }
    }
    load
}

/// Puts of one changed chunk, another one each round (a 1-byte flush).
async fn one_chunk_puts(dbs: &[&IdbDatabase], data: &mut [u8]) -> PerSize {
    puts(dbs, data, SIZE_ONE_RUNS, |data, i, chunk| {
        let index = (7 + 37 * i) % (FILE / chunk);
        data[index * chunk] ^= 1;
        index..index + 1
    })
    .await
}

/// Puts of every chunk in one transaction.
async fn bulk_puts(dbs: &[&IdbDatabase], data: &mut [u8]) -> PerSize {
    puts(dbs, data, SIZE_BULK_RUNS, |data, i, chunk| {
        data[i] ^= 1;
        0..FILE / chunk
    })
    .await
}

/// `runs` rounds (after a warm-up) of one raw put per size, the sizes
/// taking turns: `change(data, round, chunk)` changes the file and names
/// the chunks to put.
async fn puts(
    dbs: &[&IdbDatabase],
    data: &mut [u8],
    runs: usize,
    change: impl Fn(&mut [u8], usize, usize) -> Range<usize>,
) -> PerSize {
    let mut times = vec![Vec::new(); dbs.len()];
    for i in 0..=runs {
        for k in order(dbs.len()) {
            let chunk = CHUNK_SIZES[k];
            let indices = change(data, i, chunk);
            let s = raw_put_chunks(dbs[k], FILE_ID, chunk, data, indices, MetaWrite::None).await;
            if i > 0 {
                times[k].push(s.total());
            }
        }
    }
    times
}

/// The table of medians, then every size's spread.
fn print(load: &PerSize, one: &PerSize, bulk: &PerSize) {
    console_log!("");
    console_log!(
        "Chunk size, raw IndexedDB calls only, 64 MiB file of pseudo-random bytes, durability \
         {DURABILITY:?}; medians of {SIZE_LOAD_RUNS} loads, {SIZE_ONE_RUNS} one-chunk puts, \
         {SIZE_BULK_RUNS} bulk puts per size, the sizes taking turns."
    );
    console_log!("");
    console_log!(
        "| chunk | chunks in 64 MiB | load: getAllKeys + getAll + copy | load MiB/s | one-chunk \
         put (= a 1-byte flush) | bulk put of every chunk | bulk MiB/s |"
    );
    console_log!("|---|---:|---:|---:|---:|---:|---:|");
    let mib_s = |t: f64| FILE as f64 / MIB as f64 / (t / 1000.0);
    for (k, chunk) in CHUNK_SIZES.into_iter().enumerate() {
        let (l, o, b) = (median(&load[k]), median(&one[k]), median(&bulk[k]));
        console_log!(
            "| {} KiB | {} | {} | {:.0} | {} | {} | {:.0} |",
            chunk / KIB,
            FILE / chunk,
            ms(l),
            mib_s(l),
            ms(o),
            ms(b),
            mib_s(b)
        );
    }
    console_log!("");
    for (k, chunk) in CHUNK_SIZES.into_iter().enumerate() {
        console_log!(
            "- {} KiB, median (min–max) ms: load {}; one-chunk put {}; bulk put {}",
            chunk / KIB,
            spread(&load[k]),
            spread(&one[k]),
            spread(&bulk[k])
        );
    }
}
