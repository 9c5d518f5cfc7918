#![cfg(all(target_arch = "wasm32", target_os = "unknown"))]
//! vmmap's IndexedDB store against raw IndexedDB calls, side by side in one
//! run in headless Chromium. `#[ignore]`d, so the browser suite skips it; run
//! it with `scripts/bench-web.sh` (a release build), which prints the tables.
//!
//! Everything runs on a 64 MiB file of pseudo-random bytes (random, so that
//! no compression in the browser's storage makes a side look faster). Each
//! measurement uses databases of its own, seeded in turns (see
//! [`seed_files`]) and deleted afterwards. The raw peers
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
//! `performance.now()` (Chromium coarsens it to 0.1 ms in a page that is not
//! cross-origin isolated). The bench never asserts on timings; it checks
//! that loads return the file's bytes, that `find` returns where the needle
//! is, and that a one-byte flush commits one chunk.

use js_sys::{Array, ArrayBuffer, Function, Object, Promise, Reflect, Uint8Array};
use vmmap::{Access, FileStore, Mmap, MmapOptions};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::{console_log, wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{IdbDatabase, IdbFactory, IdbKeyRange, IdbRequest, IdbTransaction};

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

// ---------------------------------------------------------------- clock ---

/// `performance.now()` in ms.
fn now() -> f64 {
    thread_local! {
        static CLOCK: (JsValue, Function) = {
            let perf = Reflect::get(&js_sys::global(), &"performance".into())
                .expect("this context has no performance object");
            let now = Reflect::get(&perf, &"now".into())
                .expect("performance.now")
                .unchecked_into();
            (perf, now)
        };
    }
    CLOCK.with(|(perf, now)| {
        now.call0(perf)
            .ok()
            .and_then(|t| t.as_f64())
            .expect("performance.now() returned no number")
    })
}

fn median(mut xs: Vec<f64>) -> f64 {
    assert!(!xs.is_empty(), "median of nothing");
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    if n % 2 == 1 {
        xs[n / 2]
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) / 2.0
    }
}

fn best(xs: &[f64]) -> f64 {
    xs.iter().copied().fold(f64::INFINITY, f64::min)
}

/// `wasm_bindgen::memory()`'s `buffer.byteLength`.
fn wasm_memory_bytes() -> f64 {
    let buffer = Reflect::get(&wasm_bindgen::memory(), &"buffer".into()).expect("memory.buffer");
    Reflect::get(&buffer, &"byteLength".into())
        .ok()
        .and_then(|n| n.as_f64())
        .expect("memory.buffer.byteLength")
}

// ----------------------------------------------------------------- data ---

/// The 8 bytes at word `i` of the pseudo-random stream `seed` (splitmix64):
/// any part of a file can be made on its own, for any chunk size.
fn word(seed: u64, i: u64) -> [u8; 8] {
    let mut z = seed
        .wrapping_mul(0x9e37_79b9_7f4a_7c15)
        .wrapping_add(i.wrapping_mul(0xbf58_476d_1ce4_e5b9));
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    (z ^ (z >> 31)).to_le_bytes()
}

/// Fills `out` with the bytes of stream `seed` from byte `offset` (a multiple of 8).
fn random_bytes(seed: u64, offset: usize, out: &mut [u8]) {
    debug_assert_eq!(offset % 8, 0);
    for (j, w) in out.chunks_mut(8).enumerate() {
        w.copy_from_slice(&word(seed, (offset / 8 + j) as u64)[..w.len()]);
    }
}

/// Panics unless `bytes` (file offset 0) hold stream `seed` at a few spots.
fn check_bytes(what: &str, seed: u64, bytes: &[u8]) {
    assert_eq!(bytes.len(), FILE, "{what}: wrong length");
    let mut expected = vec![0u8; 4096];
    for offset in [0, FILE / 3 / 4096 * 4096, FILE - 4096] {
        random_bytes(seed, offset, &mut expected);
        assert!(
            bytes[offset..offset + 4096] == expected[..],
            "{what}: the bytes at {offset} are not the file's"
        );
    }
}

// ------------------------------------------------------------ raw IndexedDB ---

fn factory() -> IdbFactory {
    Reflect::get(&js_sys::global(), &"indexedDB".into())
        .expect("indexedDB")
        .unchecked_into()
}

/// Waits for `req` to succeed and returns its result.
async fn done(what: &str, req: &IdbRequest) -> JsValue {
    let settled = Promise::new(&mut |resolve, reject| {
        req.set_onsuccess(Some(&resolve));
        req.set_onerror(Some(&reject));
    });
    let outcome = JsFuture::from(settled).await;
    req.set_onsuccess(None);
    req.set_onerror(None);
    if outcome.is_err() {
        panic!("{what}: the request failed: {:?}", req.error());
    }
    req.result()
        .expect("the result of a request that succeeded")
}

/// A promise that resolves when `tx` commits and rejects when it aborts.
fn completion(tx: &IdbTransaction) -> Promise {
    Promise::new(&mut |resolve, reject| {
        tx.set_oncomplete(Some(&resolve));
        tx.set_onabort(Some(&reject));
    })
}

async fn committed(what: &str, tx: &IdbTransaction, complete: Promise) {
    if JsFuture::from(complete).await.is_err() {
        panic!("{what}: the transaction aborted: {:?}", tx.error());
    }
}

/// Opens (creating) database `name` at version 1 with vmmap's two object stores.
async fn raw_open(name: &str) -> IdbDatabase {
    let req = factory().open_with_u32(name, 1).expect("indexedDB.open");
    let upgrade = Closure::<dyn FnMut(JsValue)>::new({
        let req = req.clone();
        move |_event: JsValue| {
            let db: IdbDatabase = req.result().expect("upgrade result").unchecked_into();
            for store in ["files", "chunks"] {
                if !db.object_store_names().contains(store) {
                    db.create_object_store(store).expect("createObjectStore");
                }
            }
        }
    });
    req.set_onupgradeneeded(Some(upgrade.as_ref().unchecked_ref()));
    let db = done(&format!("open {name:?}"), &req).await;
    req.set_onupgradeneeded(None);
    db.unchecked_into()
}

/// Deletes database `name`; vmmap's handles close themselves on `versionchange`.
async fn raw_delete(name: &str) {
    let req = factory().delete_database(name).expect("deleteDatabase");
    done(&format!("delete {name:?}"), &req).await;
}

/// `db.transaction(stores, "readwrite", { durability })`, the call vmmap makes.
fn readwrite(db: &IdbDatabase, stores: &[&str]) -> IdbTransaction {
    let transaction: Function = Reflect::get(db, &"transaction".into())
        .expect("IDBDatabase.transaction")
        .unchecked_into();
    let options = Object::new();
    Reflect::set(&options, &"durability".into(), &DURABILITY.into()).expect("set durability");
    let names: Array = stores.iter().map(|s| JsValue::from_str(s)).collect();
    transaction
        .call3(db, &names, &"readwrite".into(), &options)
        .expect("a readwrite transaction")
        .unchecked_into()
}

/// The `durability` a transaction reports (what the browser granted).
fn durability_of(tx: &IdbTransaction) -> String {
    Reflect::get(tx, &"durability".into())
        .ok()
        .and_then(|d| d.as_string())
        .unwrap_or_else(|| "(not reported)".into())
}

fn chunk_key(id: f64, index: usize) -> JsValue {
    Array::of2(&id.into(), &(index as f64).into()).into()
}

fn meta_record(id: f64, size: usize, chunk: usize, version: f64) -> JsValue {
    let obj = Object::new();
    for (key, value) in [
        ("id", id),
        ("size", size as f64),
        ("chunk", chunk as f64),
        ("version", version),
    ] {
        Reflect::set(&obj, &key.into(), &value.into()).expect("set a field");
    }
    obj.into()
}

/// A copy of `bytes` in a fresh `ArrayBuffer`: the value of one chunk.
fn chunk_value(bytes: &[u8]) -> ArrayBuffer {
    let value = Uint8Array::new_with_length(bytes.len() as u32);
    value.copy_from(bytes);
    value.buffer()
}

/// The id of file "f" in every database of the bench.
const FILE_ID: f64 = 11.0;
/// Bytes each seeding transaction writes to one database.
const SEED_BATCH: usize = 4 * MIB;

/// Writes file "f" (`FILE` bytes of stream `seed`, id [`FILE_ID`]) in vmmap's
/// layout into every database of `targets`, each with its chunk size. The
/// databases are written in turns, 4 MiB at a time in a random order, so
/// that none of them lies deeper in the browser's storage than another
/// (databases seeded one after the other made the first ones' later writes
/// up to 15% slower). Each chunk is made in a small scratch buffer, so wasm
/// memory does not grow by the file.
async fn seed_files(targets: &[(&IdbDatabase, usize)], seed: u64) {
    let mut scratch = Vec::new();
    for batch in 0..FILE / SEED_BATCH {
        for k in order(targets.len()) {
            let (db, chunk) = targets[k];
            scratch.resize(chunk, 0);
            let tx = readwrite(db, &["files", "chunks"]);
            let complete = completion(&tx);
            let chunks = tx.object_store("chunks").expect("chunks");
            let first = batch * SEED_BATCH / chunk;
            let end = ((batch + 1) * SEED_BATCH).div_ceil(chunk);
            for index in first..end {
                let start = index * chunk;
                let part = &mut scratch[..chunk.min(FILE - start)];
                random_bytes(seed, start, part);
                chunks
                    .put_with_key(&chunk_value(part), &chunk_key(FILE_ID, index))
                    .expect("put a chunk");
            }
            tx.object_store("files")
                .expect("files")
                .put_with_key(&meta_record(FILE_ID, FILE, chunk, 1.0), &"f".into())
                .expect("put the metadata");
            committed("seed", &tx, complete).await;
        }
    }
}

/// Times of a raw load: the two requests, the allocation, the copy (ms).
struct RawLoad {
    bytes: Vec<u8>,
    requests: f64,
    alloc: f64,
    copy: f64,
}

impl RawLoad {
    fn total(&self) -> f64 {
        self.requests + self.alloc + self.copy
    }
}

/// `getAllKeys` + `getAll` of the chunks of file `id` in one readonly
/// transaction, then every chunk copied into one `Vec<u8>`.
async fn raw_load(db: &IdbDatabase, id: f64, chunk: usize) -> RawLoad {
    let t0 = now();
    let tx = db
        .transaction_with_str("chunks")
        .expect("a readonly transaction");
    let chunks = tx.object_store("chunks").expect("chunks");
    let range = IdbKeyRange::bound(&chunk_key(id, 0), &chunk_key(id, FILE.div_ceil(chunk) - 1))
        .expect("a key range");
    let keys = chunks.get_all_keys_with_key(&range).expect("getAllKeys");
    let values = chunks.get_all_with_key(&range).expect("getAll");
    let keys: Array = done("getAllKeys", &keys).await.unchecked_into();
    let values: Array = done("getAll", &values).await.unchecked_into();
    let t1 = now();
    let mut bytes = vec![0u8; FILE];
    let t2 = now();
    for (key, value) in keys.iter().zip(values.iter()) {
        let index = key
            .unchecked_into::<Array>()
            .get(1)
            .as_f64()
            .expect("a chunk index") as usize;
        let value = Uint8Array::new(&value);
        let start = index * chunk;
        let end = (start + value.length() as usize).min(FILE);
        value
            .subarray(0, (end - start) as u32)
            .copy_to(&mut bytes[start..end]);
    }
    let t3 = now();
    RawLoad {
        bytes,
        requests: t1 - t0,
        alloc: t2 - t1,
        copy: t3 - t2,
    }
}

/// Times of a raw write: issuing the requests (copies included), then
/// waiting for `complete` (ms).
#[derive(Clone, Copy)]
struct Split {
    issue: f64,
    wait: f64,
}

impl Split {
    fn total(self) -> f64 {
        self.issue + self.wait
    }
}

fn median_split(splits: &[Split]) -> (f64, f64, f64) {
    (
        median(splits.iter().map(|s| s.total()).collect()),
        median(splits.iter().map(|s| s.issue).collect()),
        median(splits.iter().map(|s| s.wait).collect()),
    )
}

/// What a raw write does with the `files` record of file "f".
#[derive(Clone, Copy, PartialEq)]
enum MetaWrite {
    /// Nothing: chunks only.
    None,
    /// `get` it first and `put` it back, version + 1, from the `get`'s
    /// success event: what vmmap's commit does.
    GetThenPut,
    /// `get` it (to check it, as vmmap checks the file was not replaced) and
    /// `put` a record made from what the writer knows, both issued at once:
    /// no request waits for an event.
    PutWithCheck,
    /// `get` it for the check only; no `put` (a flush that leaves the size
    /// as it was needs no new record, if nothing counts versions).
    CheckOnly,
}

/// Puts the chunks `indices` of `data` (the whole file) in one readwrite
/// transaction, the `files` record as `meta` says, and waits for `complete`.
async fn raw_put_chunks(
    db: &IdbDatabase,
    id: f64,
    chunk: usize,
    data: &[u8],
    indices: impl Iterator<Item = usize>,
    meta: MetaWrite,
) -> Split {
    let t0 = now();
    let tx = readwrite(db, &["files", "chunks"]);
    let complete = completion(&tx);
    let mut keep = None;
    if meta != MetaWrite::None {
        let files = tx.object_store("files").expect("files");
        let get = files.get(&"f".into()).expect("get the metadata");
        let (files2, get2, tx2) = (files.clone(), get.clone(), tx.clone());
        let on_success = Closure::once(move |_event: JsValue| {
            let record = get2.result().expect("the metadata");
            let field = |name: &str| {
                Reflect::get(&record, &name.into())
                    .ok()
                    .and_then(|v| v.as_f64())
                    .unwrap_or(-1.0)
            };
            if field("id") != id {
                let _ = tx2.abort();
            } else if meta == MetaWrite::GetThenPut {
                let version = field("version") + 1.0;
                Reflect::set(&record, &"version".into(), &version.into()).expect("set");
                files2
                    .put_with_key(&record, &"f".into())
                    .expect("put the metadata");
            }
        });
        get.set_onsuccess(Some(on_success.as_ref().unchecked_ref()));
        keep = Some(on_success);
        if meta == MetaWrite::PutWithCheck {
            let version = js_sys::Date::now();
            files
                .put_with_key(&meta_record(id, FILE, chunk, version), &"f".into())
                .expect("put the metadata");
        }
    }
    let chunks = tx.object_store("chunks").expect("chunks");
    for index in indices {
        let start = index * chunk;
        let end = (start + chunk).min(data.len());
        chunks
            .put_with_key(&chunk_value(&data[start..end]), &chunk_key(id, index))
            .expect("put a chunk");
    }
    let t1 = now();
    committed("raw put", &tx, complete).await;
    let t2 = now();
    drop(keep);
    Split {
        issue: t1 - t0,
        wait: t2 - t1,
    }
}

/// The whole file as one value `{ timestamp, mode, contents }` in `files`,
/// in one transaction: how Emscripten's IDBFS stores a file.
async fn raw_put_whole(db: &IdbDatabase, data: &[u8]) -> Split {
    let t0 = now();
    let tx = readwrite(db, &["files"]);
    let complete = completion(&tx);
    let contents = Uint8Array::new_with_length(data.len() as u32);
    contents.copy_from(data);
    let record = Object::new();
    Reflect::set(&record, &"timestamp".into(), &js_sys::Date::now().into()).expect("set");
    Reflect::set(&record, &"mode".into(), &0o100644.into()).expect("set");
    Reflect::set(&record, &"contents".into(), &contents).expect("set");
    tx.object_store("files")
        .expect("files")
        .put_with_key(&record, &"/idbfs/file".into())
        .expect("put the whole file");
    let t1 = now();
    committed("IDBFS-style put", &tx, complete).await;
    let t2 = now();
    Split {
        issue: t1 - t0,
        wait: t2 - t1,
    }
}

// -------------------------------------------------------------- vmmap side ---

fn db_name(what: &str) -> String {
    let salt = (js_sys::Math::random() * f64::from(u32::MAX)) as u32;
    format!("vmmap-bench-{what}-{salt:08x}")
}

/// A vmmap store `name`, and a raw connection to its database for
/// [`seed_files`] (close it once seeded).
async fn vmmap_store(name: &str) -> (FileStore, IdbDatabase) {
    let store = FileStore::open(name).await.expect("FileStore::open");
    (store, raw_open(name).await)
}

/// The chunk size vmmap writes files with (the `chunk` of its `files` record).
async fn vmmap_chunk_size() -> usize {
    let name = db_name("probe");
    let store = FileStore::open(&name).await.expect("FileStore::open");
    store.write_file("probe", &[1]).await.expect("write_file");
    let db = raw_open(&name).await;
    let tx = db.transaction_with_str("files").expect("readonly");
    let get = tx
        .object_store("files")
        .expect("files")
        .get(&"probe".into())
        .expect("get");
    let record = done("read vmmap's metadata", &get).await;
    db.close();
    drop(store);
    raw_delete(&name).await;
    Reflect::get(&record, &"chunk".into())
        .ok()
        .and_then(|c| c.as_f64())
        .expect("vmmap's files record has a chunk size") as usize
}

async fn map_whole(store: &FileStore, access: Access) -> Mmap {
    unsafe { store.map("f", MmapOptions::new().access(access)).await }.expect("FileStore::map")
}

/// `flush()` then `flushed().await`: (the synchronous `flush`, the wait) in ms.
async fn vmmap_flush(m: &Mmap) -> Split {
    let t0 = now();
    m.flush().expect("flush");
    let t1 = now();
    m.flushed().await.expect("flushed");
    let t2 = now();
    Split {
        issue: t1 - t0,
        wait: t2 - t1,
    }
}

// --------------------------------------------------------------- report ---

enum Target {
    None,
    /// vmmap time at most this many times the peer's.
    AtMost(f64),
    /// vmmap at least this many times faster than the peer.
    FasterBy(f64),
}

struct Row {
    what: String,
    vmmap: String,
    peer: String,
    peer_result: String,
    /// vmmap / peer, in time (for GB/s rows: peer rate / vmmap rate).
    ratio: f64,
    target: Target,
}

fn ms(x: f64) -> String {
    format!("{x:.2} ms")
}

fn ratio_text(r: f64) -> String {
    if r >= 1.0 {
        format!("{r:.3} (+{:.1}%)", (r - 1.0) * 100.0)
    } else {
        format!("{r:.3} ({:.2}x faster)", 1.0 / r)
    }
}

fn print_rows(rows: &[Row]) {
    console_log!(
        "| measurement | vmmap | peer | peer result | time ratio vmmap/peer | target | met |"
    );
    console_log!("|---|---:|---|---:|---:|---|---|");
    for r in rows {
        let (target, met) = match r.target {
            Target::None => ("—".to_string(), "—"),
            Target::AtMost(t) => (
                format!("≤ {t}"),
                if r.ratio <= t { "yes" } else { "**no**" },
            ),
            Target::FasterBy(t) => (
                format!("≥ {t}x faster"),
                if 1.0 / r.ratio >= t { "yes" } else { "**no**" },
            ),
        };
        console_log!(
            "| {} | {} | {} | {} | {} | {} | {} |",
            r.what,
            r.vmmap,
            r.peer,
            r.peer_result,
            ratio_text(r.ratio),
            target,
            met
        );
    }
}

fn progress(what: &str, started: f64) {
    console_log!(
        "[web_bench] {what} done ({:.1} s)",
        (now() - started) / 1000.0
    );
}

// ------------------------------------------------------------ the bench ---

/// `xs` as "median (min–max)" in ms, for the notes.
fn spread(xs: &[f64]) -> String {
    let max = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    format!("{:.2} ({:.2}–{:.2})", median(xs.to_vec()), best(xs), max)
}

/// The median over rounds of `xs[i] / ys[i]`: two sides timed in the same
/// round share whatever else the machine did then.
fn paired(xs: &[f64], ys: &[f64]) -> f64 {
    assert_eq!(
        xs.len(),
        ys.len(),
        "paired sides ran a different number of times"
    );
    median(xs.iter().zip(ys).map(|(x, y)| x / y).collect())
}

/// The order of `n` sides in one round: a random permutation, so that no
/// side always runs right after another (a commit can leave work behind,
/// e.g. old blob files to delete, which the next call would pay for).
fn order(n: usize) -> impl Iterator<Item = usize> {
    let mut sides: Vec<usize> = (0..n).collect();
    for k in (1..n).rev() {
        let j = (js_sys::Math::random() * (k + 1) as f64) as usize;
        sides.swap(k, j.min(k));
    }
    sides.into_iter()
}

/// Sections 1 to 5: vmmap against raw IndexedDB calls.
#[wasm_bindgen_test]
#[ignore = "a benchmark: scripts/bench-web.sh runs it"]
async fn vmmap_vs_raw_indexeddb() {
    let started = now();
    let mut rows = Vec::new();
    let mut notes = Vec::new();

    // 5. Memory, first: nothing large has been allocated yet.
    let chunk = vmmap_chunk_size().await;
    let name = db_name("memory");
    let (store, db) = vmmap_store(&name).await;
    seed_files(&[(&db, chunk)], 5).await;
    db.close();
    let before = wasm_memory_bytes();
    let mut m = map_whole(&store, Access::Write).await;
    let loaded = wasm_memory_bytes();
    check_bytes("the map", 5, &m);
    m.write_at(3 * MIB + 17, b"x").expect("write_at");
    vmmap_flush(&m).await;
    m.as_mut_slice().expect("as_mut_slice")[FILE / 2] ^= 1;
    vmmap_flush(&m).await;
    let flushed = wasm_memory_bytes();
    drop(m);
    drop(store);
    raw_delete(&name).await;
    let growth = loaded - before;
    rows.push(Row {
        what: "memory: wasm memory growth from mapping the 64 MiB file (loaded)".into(),
        vmmap: format!("{:.2} MiB", growth / MIB as f64),
        peer: "the file's length".into(),
        peer_result: format!("{:.2} MiB", FILE as f64 / MIB as f64),
        ratio: growth / FILE as f64,
        target: Target::AtMost(1.05),
    });
    notes.push(format!(
        "memory: wasm memory {:.2} MiB before the map, {:.2} MiB once loaded, {:.2} MiB after a \
         write_at + flush and an as_mut_slice write + flush",
        before / MIB as f64,
        loaded / MIB as f64,
        flushed / MIB as f64
    ));
    progress("memory", started);

    // 1. Open/load: vmmap, raw on database A, raw on database B (the control).
    let names = [db_name("load-vmmap"), db_name("load-a"), db_name("load-b")];
    let (store, db) = vmmap_store(&names[0]).await;
    let (raw_a, raw_b) = (raw_open(&names[1]).await, raw_open(&names[2]).await);
    let raw_id = FILE_ID;
    seed_files(&[(&db, chunk), (&raw_a, chunk), (&raw_b, chunk)], 1).await;
    db.close();
    let mut times: [Vec<f64>; 3] = Default::default();
    let mut parts = Vec::new();
    for i in 0..=LOAD_RUNS {
        for side in order(3) {
            let t = if side == 0 {
                let t0 = now();
                let m = map_whole(&store, Access::Write).await;
                let t = now() - t0;
                check_bytes("vmmap's map", 1, &m);
                t
            } else {
                let load = raw_load([&raw_a, &raw_b][side - 1], raw_id, chunk).await;
                check_bytes("the raw load", 1, &load.bytes);
                if side == 1 && i > 0 {
                    parts.push((load.requests, load.alloc, load.copy));
                }
                load.total()
            };
            if i > 0 {
                times[side].push(t);
            }
        }
    }
    let [v, a, b] = times.each_ref().map(|t| median(t.clone()));
    rows.push(Row {
        what: "open/load: `FileStore::map` of the whole 64 MiB file".into(),
        vmmap: ms(v),
        peer: "raw `getAllKeys` + `getAll` + copy into one `Vec<u8>`".into(),
        peer_result: ms(a),
        ratio: paired(&times[0], &times[1]),
        target: Target::AtMost(1.1),
    });
    rows.push(Row {
        what: "control, open/load: the raw load on a 2nd database (same code as the peer)".into(),
        vmmap: ms(b),
        peer: "the raw load on the 1st database".into(),
        peer_result: ms(a),
        ratio: paired(&times[2], &times[1]),
        target: Target::None,
    });
    notes.push(format!(
        "load, median (min–max) ms: vmmap {}; raw A {}; raw B {}",
        spread(&times[0]),
        spread(&times[1]),
        spread(&times[2])
    ));
    notes.push(format!(
        "load, raw split (medians): requests {:.2} ms, vec![0; 64 MiB] {:.2} ms, copy {:.2} ms",
        median(parts.iter().map(|p| p.0).collect()),
        median(parts.iter().map(|p| p.1).collect()),
        median(parts.iter().map(|p| p.2).collect()),
    ));
    load_extras(&raw_a, &mut notes).await;

    // 4. find, on the loaded bytes (a copy map, so the needle stays in memory).
    let mut m = map_whole(&store, Access::Copy).await;
    let mut data = raw_load(&raw_a, raw_id, chunk).await.bytes;
    raw_a.close();
    raw_b.close();
    drop(store);
    for name in &names {
        raw_delete(name).await;
    }
    progress("open/load", started);
    find_rows(&mut m, &mut data, &mut rows);
    drop(m);
    progress("find", started);

    // 2. One dirty page. Every side has a database of its own: vmmap; raw A and
    // raw B (the control), one chunk; raw C, D, E, the chunk and the `files`
    // record written as vmmap does, issued at once, or only checked.
    let names = [
        "page-vmmap",
        "page-a",
        "page-b",
        "page-c",
        "page-d",
        "page-e",
    ]
    .map(db_name);
    let (store, db) = vmmap_store(&names[0]).await;
    let mut raws = Vec::new();
    for name in &names[1..] {
        raws.push(raw_open(name).await);
    }
    let mut targets = vec![(&db, chunk)];
    targets.extend(raws.iter().map(|r| (r, chunk)));
    seed_files(&targets, 2).await;
    db.close();
    let mut m = map_whole(&store, Access::Write).await;
    random_bytes(2, 0, &mut data); // the raw sides' copy of their file
    let granted = durability_of(&readwrite(&raws[0], &["chunks"]));
    let mut splits: [Vec<Split>; 6] = Default::default();
    let chunks = FILE / chunk;
    for i in 0..=PAGE_RUNS {
        let index = (7 + 37 * i) % chunks;
        let offset = index * chunk + 4096 + i;
        data[offset] = i as u8;
        for side in order(6) {
            let s = if side == 0 {
                m.write_at(offset, &[i as u8]).expect("write_at");
                let before = store.stats();
                let s = vmmap_flush(&m).await;
                let after = store.stats();
                assert_eq!(
                    (
                        after.commits - before.commits,
                        after.units_written - before.units_written
                    ),
                    (1, 1),
                    "a one-byte flush should commit one chunk"
                );
                s
            } else {
                let meta = [
                    MetaWrite::None,
                    MetaWrite::None,
                    MetaWrite::GetThenPut,
                    MetaWrite::PutWithCheck,
                    MetaWrite::CheckOnly,
                ][side - 1];
                let one = [index].into_iter();
                raw_put_chunks(&raws[side - 1], raw_id, chunk, &data, one, meta).await
            };
            if i > 0 {
                splits[side].push(s);
            }
        }
    }
    let [
        (v, v_issue, v_wait),
        (a, a_issue, a_wait),
        (b, _, _),
        (c, c_issue, c_wait),
        (d, d_issue, d_wait),
        (e, e_issue, e_wait),
    ] = splits.each_ref().map(|s| median_split(s));
    let totals = splits
        .each_ref()
        .map(|s| s.iter().map(|x| x.total()).collect::<Vec<_>>());
    rows.push(Row {
        what: "flush one dirty page: `write_at` 1 byte, `flush()` + `flushed().await`".into(),
        vmmap: ms(v),
        peer: "raw `put` of that one chunk, until `complete`".into(),
        peer_result: ms(a),
        ratio: paired(&totals[0], &totals[1]),
        target: Target::AtMost(1.2),
    });
    rows.push(Row {
        what: "control, one chunk: the raw `put` on a 2nd database (same code as the peer)".into(),
        vmmap: ms(b),
        peer: "the raw `put` on the 1st database".into(),
        peer_result: ms(a),
        ratio: paired(&totals[2], &totals[1]),
        target: Target::None,
    });
    for (k, (peer, result)) in [
        (
            "raw: the chunk + `get` of the `files` record and its `put` from the `get`'s \
             success event (a flush that checks the file by id)",
            c,
        ),
        (
            "raw: the chunk + `get` of the record (a check) and its `put`, issued at once \
             (vmmap's first flush in a lease)",
            d,
        ),
        (
            "raw: the chunk + `get` of the record (a check), no `put`",
            e,
        ),
    ]
    .into_iter()
    .enumerate()
    {
        rows.push(Row {
            what: "flush one dirty page (same)".into(),
            vmmap: ms(v),
            peer: peer.into(),
            peer_result: ms(result),
            ratio: paired(&totals[0], &totals[3 + k]),
            target: Target::None,
        });
    }
    notes.push(format!(
        "one-page flush, median (min–max) ms: vmmap {}; raw A chunk {}; raw B chunk {}; raw C \
         chunk + get-then-put record {}; raw D chunk + get and put at once {}; raw E chunk + \
         get only {}",
        spread(&totals[0]),
        spread(&totals[1]),
        spread(&totals[2]),
        spread(&totals[3]),
        spread(&totals[4]),
        spread(&totals[5])
    ));
    notes.push(format!(
        "one-page flush split (medians): vmmap flush() {v_issue:.2} ms + flushed() {v_wait:.2} ms; \
         raw A: issue {a_issue:.2} ms + complete {a_wait:.2} ms; raw C (get-then-put): issue \
         {c_issue:.2} ms + complete {c_wait:.2} ms; raw D (get and put at once): issue \
         {d_issue:.2} ms + complete {d_wait:.2} ms; raw E (get only): issue {e_issue:.2} ms + \
         complete {e_wait:.2} ms"
    ));
    progress("one-page flush", started);

    // ... against rewriting the whole file (Emscripten IDBFS).
    let wname = db_name("whole-raw");
    let whole_db = raw_open(&wname).await;
    let mut whole = Vec::new();
    for i in 0..=WHOLE_RUNS {
        data[i] ^= 1;
        let s = raw_put_whole(&whole_db, &data).await;
        if i > 0 {
            whole.push(s);
        }
    }
    whole_db.close();
    raw_delete(&wname).await;
    let (w, w_issue, w_wait) = median_split(&whole);
    rows.push(Row {
        what: "flush one dirty page (same)".into(),
        vmmap: ms(v),
        peer: "rewrite the whole 64 MiB file as one value in one transaction (IDBFS)".into(),
        peer_result: ms(w),
        ratio: v / w,
        target: Target::FasterBy(20.0),
    });
    notes.push(format!(
        "whole-file rewrite split (medians): copy into a Uint8Array + put {w_issue:.2} ms, \
         complete {w_wait:.2} ms"
    ));
    progress("whole-file rewrite", started);

    // 3. Every page dirty: vmmap after write_at; vmmap after as_mut_slice;
    // raw A; raw B (the control); the same databases as above.
    let mut splits: [Vec<Split>; 4] = Default::default();
    let mut expose = Vec::new();
    for i in 0..=BULK_RUNS {
        for side in order(4) {
            let s = match side {
                0 => {
                    touch_every_page(&mut data, i);
                    m.write_at(0, &data).expect("write_at");
                    vmmap_flush(&m).await
                }
                1 => {
                    let t0 = now();
                    let slice = m.as_mut_slice().expect("as_mut_slice");
                    if i > 0 {
                        expose.push(now() - t0);
                    }
                    touch_every_page(slice, i + 1);
                    vmmap_flush(&m).await
                }
                _ => {
                    touch_every_page(&mut data, i);
                    let db = &raws[side - 2];
                    raw_put_chunks(db, raw_id, chunk, &data, 0..chunks, MetaWrite::None).await
                }
            };
            if i > 0 {
                splits[side].push(s);
            }
        }
    }
    let [
        (vw, vw_issue, vw_wait),
        (vf, vf_issue, vf_wait),
        (a, a_issue, a_wait),
        (b, _, _),
    ] = splits.each_ref().map(|s| median_split(s));
    let totals = splits
        .each_ref()
        .map(|s| s.iter().map(|x| x.total()).collect::<Vec<_>>());
    rows.push(Row {
        what: "flush every page: `write_at(0, &whole)`, `flush()` + `flushed().await`".into(),
        vmmap: ms(vw),
        peer: "raw `put` of every chunk in one transaction, until `complete`".into(),
        peer_result: ms(a),
        ratio: paired(&totals[0], &totals[2]),
        target: Target::AtMost(1.1),
    });
    rows.push(Row {
        what: "flush every page: a byte of every page set through `as_mut_slice()`, `flush()` + \
               `flushed().await`"
            .into(),
        vmmap: ms(vf),
        peer: "raw `put` of every chunk in one transaction, until `complete`".into(),
        peer_result: ms(a),
        ratio: paired(&totals[1], &totals[2]),
        target: Target::AtMost(1.1),
    });
    rows.push(Row {
        what: "control, every chunk: the raw bulk `put` on a 2nd database (same code as the peer)"
            .into(),
        vmmap: ms(b),
        peer: "the raw bulk `put` on the 1st database".into(),
        peer_result: ms(a),
        ratio: paired(&totals[3], &totals[2]),
        target: Target::None,
    });
    notes.push(format!(
        "all-dirty flush, median (min–max) ms: vmmap write_at {}; vmmap as_mut_slice {}; raw A \
         {}; raw B {}",
        spread(&totals[0]),
        spread(&totals[1]),
        spread(&totals[2]),
        spread(&totals[3])
    ));
    notes.push(format!(
        "all-dirty flush split (medians): vmmap after write_at: flush() {vw_issue:.2} ms + \
         flushed() {vw_wait:.2} ms; vmmap after as_mut_slice: as_mut_slice() {:.2} ms (not in the \
         row), flush() {vf_issue:.2} ms + flushed() {vf_wait:.2} ms; raw A: issue {a_issue:.2} ms \
         + complete {a_wait:.2} ms",
        median(expose)
    ));
    drop(m);
    for db in raws {
        db.close();
    }
    drop(store);
    for name in &names {
        raw_delete(name).await;
    }
    progress("all-dirty flush", started);

    console_log!("");
    console_log!(
        "File: 64 MiB of pseudo-random bytes; vmmap chunk {} KiB; page {} B; readwrite \
         transactions with durability {DURABILITY:?} (the browser reports {granted:?}). Times are \
         medians of {LOAD_RUNS} (load), {PAGE_RUNS} (one page), {WHOLE_RUNS} (whole file), \
         {BULK_RUNS} (every page) calls per side; a time ratio is the median of the per-round \
         ratios (the whole-file row: the ratio of the medians); find: best of {FIND_RUNS}.",
        chunk / KIB,
        vmmap::page_size()
    );
    console_log!("");
    print_rows(&rows);
    console_log!("");
    for note in notes {
        console_log!("- {note}");
    }
    console_log!("");
    console_log!("user agent: {}", user_agent());
}

/// Changes one byte of every page of `bytes` (differently in each round
/// `round`), so that every page is dirty and the bytes stay random: values
/// of repeated bytes would let the browser compress them.
fn touch_every_page(bytes: &mut [u8], round: usize) {
    let page = vmmap::page_size();
    let at = (round * 97) % page;
    for p in (0..bytes.len()).step_by(page) {
        if let Some(b) = bytes.get_mut(p + at) {
            *b ^= 0xa5;
        }
    }
}

/// What else a vmmap load does beyond the raw one, timed on its own: a
/// readonly transaction reading the `files` record, and zeroing a
/// `Vec<u8>` with `resize` instead of `vec![0; n]`.
async fn load_extras(raw: &IdbDatabase, notes: &mut Vec<String>) {
    let mut meta = Vec::new();
    let mut resize = Vec::new();
    let mut calloc = Vec::new();
    for _ in 0..LOAD_RUNS {
        let t0 = now();
        let tx = raw
            .transaction_with_str_sequence(&Array::of2(&"files".into(), &"chunks".into()))
            .expect("readonly");
        let get = tx
            .object_store("files")
            .expect("files")
            .get(&"f".into())
            .expect("get");
        done("read the metadata", &get).await;
        meta.push(now() - t0);

        let t0 = now();
        let mut v: Vec<u8> = Vec::new();
        v.try_reserve_exact(FILE).expect("64 MiB");
        v.resize(FILE, 0);
        resize.push(now() - t0);
        std::hint::black_box(&v);
        drop(v);

        let t0 = now();
        let v = vec![0u8; FILE];
        calloc.push(now() - t0);
        std::hint::black_box(&v);
    }
    notes.push(format!(
        "load extras (medians): a readonly transaction getting the files record {:.2} ms; \
         Vec::try_reserve_exact + resize(64 MiB, 0) {:.2} ms; vec![0u8; 64 MiB] {:.2} ms",
        median(meta),
        median(resize),
        median(calloc)
    ));
}

fn user_agent() -> String {
    Reflect::get(&js_sys::global(), &"navigator".into())
        .and_then(|n| Reflect::get(&n, &"userAgent".into()))
        .ok()
        .and_then(|ua| ua.as_string())
        .unwrap_or_default()
}

/// Section 4: `find` of a needle in the last KiB, in wasm.
fn find_rows(m: &mut Mmap, raw: &mut [u8], rows: &mut Vec<Row>) {
    let mut needle = [0u8; 24];
    random_bytes(99, 0, &mut needle);
    let at = FILE - 1000;
    m.write_at(at, &needle).expect("write_at");
    raw[at..at + needle.len()].copy_from_slice(&needle);
    let finder = memchr::memmem::Finder::new(&needle);
    let (mut vm, mut mm, mut pass) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..=FIND_RUNS {
        for side in [i % 3, (i + 1) % 3, (i + 2) % 3] {
            let t0 = now();
            let found = match side {
                0 => m.find(&needle, ..),
                1 => finder.find(std::hint::black_box(&*raw)),
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
                [&mut vm, &mut mm, &mut pass][side].push(t);
            }
        }
    }
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
        ratio: m_ / v,
        target: Target::None,
    });
    rows.push(Row {
        what: "`find` (same)".into(),
        vmmap: format!("{v:.2} GB/s"),
        peer: "ceiling: one plain read pass (XOR of all words, wasm)".into(),
        peer_result: format!("{p:.2} GB/s"),
        ratio: p / v,
        target: Target::None,
    });
    console_log!("[web_bench] wasm find GB/s: vmmap {v:.3} memmem {m_:.3} read-pass {p:.3}");
}

/// Section 4 alone, on an anonymous map (no IndexedDB): for comparing
/// builds, e.g. `RUSTFLAGS="-C target-feature=+simd128"`.
#[wasm_bindgen_test]
#[ignore = "a benchmark: scripts/bench-web.sh find runs it"]
async fn find_in_wasm() {
    let mut m = Mmap::anonymous(FILE).expect("Mmap::anonymous");
    let mut raw = vec![0u8; FILE];
    random_bytes(4, 0, &mut raw);
    m.write_at(0, &raw).expect("write_at");
    let mut rows = Vec::new();
    find_rows(&mut m, &mut raw, &mut rows);
    print_rows(&rows);
}

/// Section 6: chunk sizes, raw IndexedDB calls only. Every size has a
/// database of its own; the sizes take turns call by call.
#[wasm_bindgen_test]
#[ignore = "a benchmark: scripts/bench-web.sh runs it"]
async fn chunk_size_raw_indexeddb() {
    let started = now();
    let mut data = vec![0u8; FILE];
    random_bytes(6, 0, &mut data);
    let id = FILE_ID;
    let sizes = CHUNK_SIZES.len();
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
    let mut load: Vec<Vec<f64>> = vec![Vec::new(); sizes];
    for i in 0..=SIZE_LOAD_RUNS {
        for k in order(sizes) {
            let l = raw_load(&dbs[k].1, id, CHUNK_SIZES[k]).await;
            check_bytes("the raw load", 6, &l.bytes);
            if i > 0 {
                load[k].push(l.total());
            }
        }
    }
    let mut one: Vec<Vec<f64>> = vec![Vec::new(); sizes];
    for i in 0..=SIZE_ONE_RUNS {
        for k in order(sizes) {
            let chunk = CHUNK_SIZES[k];
            let index = (7 + 37 * i) % (FILE / chunk);
            data[index * chunk] ^= 1;
            let s = raw_put_chunks(
                &dbs[k].1,
                id,
                chunk,
                &data,
                [index].into_iter(),
                MetaWrite::None,
            )
            .await;
            if i > 0 {
                one[k].push(s.total());
            }
        }
    }
    let mut bulk: Vec<Vec<f64>> = vec![Vec::new(); sizes];
    for i in 0..=SIZE_BULK_RUNS {
        for k in order(sizes) {
            let chunk = CHUNK_SIZES[k];
            data[i] ^= 1;
            let s = raw_put_chunks(
                &dbs[k].1,
                id,
                chunk,
                &data,
                0..FILE / chunk,
                MetaWrite::None,
            )
            .await;
            if i > 0 {
                bulk[k].push(s.total());
            }
        }
    }
    for (name, db) in dbs {
        db.close();
        raw_delete(&name).await;
    }
    progress("chunk sizes", started);

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
    for k in 0..sizes {
        let (l, o, b) = (
            median(load[k].clone()),
            median(one[k].clone()),
            median(bulk[k].clone()),
        );
        console_log!(
            "| {} KiB | {} | {} | {:.0} | {} | {} | {:.0} |",
            CHUNK_SIZES[k] / KIB,
            FILE / CHUNK_SIZES[k],
            ms(l),
            mib_s(l),
            ms(o),
            ms(b),
            mib_s(b)
        );
    }
    console_log!("");
    for k in 0..sizes {
        console_log!(
            "- {} KiB, median (min–max) ms: load {}; one-chunk put {}; bulk put {}",
            CHUNK_SIZES[k] / KIB,
            spread(&load[k]),
            spread(&one[k]),
            spread(&bulk[k])
        );
    }
}
