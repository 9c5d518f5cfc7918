//! Section 2, one dirty page: `write_at` of one byte, then `flush()` +
//! `flushed().await`, against a raw `put` of that one chunk (A; B the
//! control), against raw puts that also touch the `files` record as vmmap's
//! commit does (C, D, E), and against rewriting the whole file as one value,
//! the way Emscripten's IDBFS stores a file.

use crate::bench_support::{Row, Target};
use crate::clock::{Split, median_split, order, paired, spread, totals};
use crate::flush_sides::FlushSides;
use crate::idb::{FILE_ID, db_name, raw_delete, raw_open};
use crate::peers::{MetaWrite, raw_put_chunks, raw_put_whole};
use crate::report::{Report, ms};
use crate::vmmap_side::vmmap_flush;
use crate::{FILE, PAGE_RUNS, WHOLE_RUNS};

/// What raw sides A to E do with the `files` record.
const META: [MetaWrite; 5] = [
    MetaWrite::None,
    MetaWrite::None,
    MetaWrite::GetThenPut,
    MetaWrite::PutWithCheck,
    MetaWrite::CheckOnly,
];

/// Measures and reports section 2 on `s`; `data` is the raw sides' file.
pub async fn measure(s: &mut FlushSides, data: &mut [u8], report: &mut Report) {
    let splits = rounds(s, data).await;
    report_rows(&splits, report);
    report_notes(&splits, report);
    report.progress("one-page flush");
    whole_file(data, median_split(&splits[0]).0, report).await;
    report.progress("whole-file rewrite");
}

/// The six sides take turns, each round on another chunk: vmmap, then raw A to E.
async fn rounds(s: &mut FlushSides, data: &mut [u8]) -> [Vec<Split>; 6] {
    let mut splits: [Vec<Split>; 6] = Default::default();
    let chunks = FILE / s.chunk;
    for i in 0..=PAGE_RUNS {
        let index = (7 + 37 * i) % chunks;
        let offset = index * s.chunk + 4096 + i;
        data[offset] = i as u8;
        for side in order(6) {
            let split = if side == 0 {
                vmmap_one_byte(s, offset, i as u8).await
            } else {
                let (db, one) = (&s.raws[side - 1], [index].into_iter());
                raw_put_chunks(db, FILE_ID, s.chunk, data, one, META[side - 1]).await
            };
            if i > 0 {
                splits[side].push(split);
            }
        }
    }
    splits
}

/// Writes `byte` at `offset` of vmmap's map and flushes it, checking that
/// the flush committed one chunk.
async fn vmmap_one_byte(s: &mut FlushSides, offset: usize, byte: u8) -> Split {
    s.m.write_at(offset, &[byte]).expect("write_at");
    let before = s.store.stats();
    let split = vmmap_flush(&s.m).await;
    let after = s.store.stats();
    assert_eq!(
        (
            after.commits - before.commits,
            after.units_written - before.units_written
        ),
        (1, 1),
        "a one-byte flush should commit one chunk"
    );
    split
}

fn report_rows(splits: &[Vec<Split>; 6], report: &mut Report) {
    let [v, a, b, c, d, e] = splits.each_ref().map(|s| median_split(s).0);
    let totals = splits.each_ref().map(|s| totals(s));
    report.rows.push(Row {
        what: "flush one dirty page: `write_at` 1 byte, `flush()` + `flushed().await`".into(),
        vmmap: ms(v),
        peer: "raw `put` of that one chunk, until `complete`".into(),
        peer_result: ms(a),
        ratio: Some(paired(&totals[0], &totals[1])),
        target: Target::AtMost(1.1),
    });
    report.rows.push(Row {
        what: "control, one chunk: the raw `put` on a 2nd database (same code as the peer)".into(),
        vmmap: ms(b),
        peer: "the raw `put` on the 1st database".into(),
        peer_result: ms(a),
        ratio: Some(paired(&totals[2], &totals[1])),
        target: Target::None,
    });
    let peers = [
        "raw: the chunk + `get` of the `files` record and its `put` from the `get`'s success \
         event (a flush that checks the file by id)",
        "raw: the chunk + `get` of the record (a check) and its `put`, issued at once (vmmap's \
         first flush in a lease)",
        "raw: the chunk + `get` of the record (a check), no `put`",
    ];
    for (k, (peer, result)) in peers.into_iter().zip([c, d, e]).enumerate() {
        report.rows.push(Row {
            what: "flush one dirty page (same)".into(),
            vmmap: ms(v),
            peer: peer.into(),
            peer_result: ms(result),
            ratio: Some(paired(&totals[0], &totals[3 + k])),
            target: Target::None,
        });
    }
}

fn report_notes(splits: &[Vec<Split>; 6], report: &mut Report) {
    let [
        (_, v_issue, v_wait),
        (_, a_issue, a_wait),
        _,
        (_, c_issue, c_wait),
        (_, d_issue, d_wait),
        (_, e_issue, e_wait),
    ] = splits.each_ref().map(|s| median_split(s));
    let s = splits.each_ref().map(|s| spread(&totals(s)));
    report.notes.push(format!(
        "one-page flush, median (min–max) ms: vmmap {}; raw A chunk {}; raw B chunk {}; raw C \
         chunk + get-then-put record {}; raw D chunk + get and put at once {}; raw E chunk + \
         get only {}",
        s[0], s[1], s[2], s[3], s[4], s[5]
    ));
    report.notes.push(format!(
        "one-page flush split (medians): vmmap flush() {v_issue:.2} ms + flushed() {v_wait:.2} ms; \
         raw A: issue {a_issue:.2} ms + complete {a_wait:.2} ms; raw C (get-then-put): issue \
         {c_issue:.2} ms + complete {c_wait:.2} ms; raw D (get and put at once): issue \
         {d_issue:.2} ms + complete {d_wait:.2} ms; raw E (get only): issue {e_issue:.2} ms + \
         complete {e_wait:.2} ms"
    ));
}

/// The one-page flush against rewriting the whole file (IDBFS), on a
/// database of its own; `v` is vmmap's median one-page flush (ms).
async fn whole_file(data: &mut [u8], v: f64, report: &mut Report) {
    let name = db_name("whole-raw");
    let db = raw_open(&name).await;
    let mut whole = Vec::new();
    for i in 0..=WHOLE_RUNS {
        data[i] ^= 1;
        let s = raw_put_whole(&db, data).await;
        if i > 0 {
            whole.push(s);
        }
    }
    db.close();
    raw_delete(&name).await;
    let (w, w_issue, w_wait) = median_split(&whole);
    report.rows.push(Row {
        what: "flush one dirty page (same)".into(),
        vmmap: ms(v),
        peer: "rewrite the whole 64 MiB file as one value in one transaction (IDBFS)".into(),
        peer_result: ms(w),
        ratio: Some(v / w),
        target: Target::FasterBy(20.0),
    });
    report.notes.push(format!(
        "whole-file rewrite split (medians): copy into a Uint8Array + put {w_issue:.2} ms, \
         complete {w_wait:.2} ms"
    ));
}
