//! Section 1, open/load: `FileStore::map` of the whole file against a raw
//! `getAllKeys` + `getAll` of its chunks and their copy into one `Vec<u8>`,
//! with the raw load on a second database as the control; then what else a
//! vmmap load does, timed on its own.

use js_sys::Array;
use vmmap::{Access, FileStore, Mmap};
use web_sys::IdbDatabase;

use crate::bench_support::{Row, Target, median};
use crate::clock::{now, order, paired, spread};
use crate::data::check_bytes;
use crate::idb::{FILE_ID, db_name, done, raw_delete, raw_open, seed_files};
use crate::peers::raw_load;
use crate::report::{Report, ms};
use crate::vmmap_side::{map_whole, vmmap_store};
use crate::{FILE, LOAD_RUNS};

/// Times of each side's loads (vmmap, raw A, raw B), and the parts of raw
/// A's (requests, allocation, copy).
type Times = ([Vec<f64>; 3], Vec<(f64, f64, f64)>);

/// Measures and reports section 1. Returns, for section 4, a copy map of
/// the file and the raw load of its bytes.
pub async fn measure(chunk: usize, report: &mut Report) -> (Mmap, Vec<u8>) {
    let names = [db_name("load-vmmap"), db_name("load-a"), db_name("load-b")];
    let (store, db) = vmmap_store(&names[0]).await;
    let raws = [raw_open(&names[1]).await, raw_open(&names[2]).await];
    seed_files(&[(&db, chunk), (&raws[0], chunk), (&raws[1], chunk)], 1).await;
    db.close();
    let times = rounds(&store, &raws, chunk).await;
    report_times(&times, report);
    load_extras(&raws[0], &mut report.notes).await;

    // 4. find, on the loaded bytes (a copy map, so the needle stays in memory).
    let m = map_whole(&store, Access::Copy).await;
    let data = raw_load(&raws[0], FILE_ID, chunk).await.bytes;
    for raw in raws {
        raw.close();
    }
    drop(store);
    for name in &names {
        raw_delete(name).await;
    }
    report.progress("open/load");
    (m, data)
}

/// The sides take turns: vmmap's map, the raw load on database A, the raw
/// load on database B (the control); every load's bytes are checked.
async fn rounds(store: &FileStore, raws: &[IdbDatabase; 2], chunk: usize) -> Times {
    let mut times: [Vec<f64>; 3] = Default::default();
    let mut parts = Vec::new();
    for i in 0..=LOAD_RUNS {
        for side in order(3) {
            let t = if side == 0 {
                let t0 = now();
                let m = map_whole(store, Access::Write).await;
                let t = now() - t0;
                check_bytes("vmmap's map", 1, &m);
                t
            } else {
                let load = raw_load(&raws[side - 1], FILE_ID, chunk).await;
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
    (times, parts)
}

fn report_times((times, parts): &Times, report: &mut Report) {
    let [v, a, b] = times.each_ref().map(|t| median(t));
    report.rows.push(Row {
        what: "open/load: `FileStore::map` of the whole 64 MiB file".into(),
        vmmap: ms(v),
        peer: "raw `getAllKeys` + `getAll` + copy into one `Vec<u8>`".into(),
        peer_result: ms(a),
        ratio: Some(paired(&times[0], &times[1])),
        target: Target::AtMost(1.1),
    });
    report.rows.push(Row {
        what: "control, open/load: the raw load on a 2nd database (same code as the peer)".into(),
        vmmap: ms(b),
        peer: "the raw load on the 1st database".into(),
        peer_result: ms(a),
        ratio: Some(paired(&times[2], &times[1])),
        target: Target::None,
    });
    report.notes.push(format!(
        "load, median (min–max) ms: vmmap {}; raw A {}; raw B {}",
        spread(&times[0]),
        spread(&times[1]),
        spread(&times[2])
    ));
    let part = |k: fn(&(f64, f64, f64)) -> f64| median(&parts.iter().map(k).collect::<Vec<_>>());
    report.notes.push(format!(
        "load, raw split (medians): requests {:.2} ms, vec![0; 64 MiB] {:.2} ms, copy {:.2} ms",
        part(|p| p.0),
        part(|p| p.1),
        part(|p| p.2),
    ));
}

/// What else a vmmap load does beyond the raw one, timed on its own: a
/// readonly transaction reading the `files` record, and zeroing a
/// `Vec<u8>` with `resize` instead of `vec![0; n]`.
async fn load_extras(raw: &IdbDatabase, notes: &mut Vec<String>) {
    let (mut meta, mut resize, mut calloc) = (Vec::new(), Vec::new(), Vec::new());
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
        median(&meta),
        median(&resize),
        median(&calloc)
    ));
}
