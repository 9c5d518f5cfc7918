//! Section 3, every page dirty: `write_at(0, &whole)` or a byte of every
//! page set through `as_mut_slice()`, then `flush()` + `flushed().await`,
//! against a raw `put` of every chunk in one transaction (A; B the control).
//! One byte of every page changes per call, so the bytes stay random:
//! Chromium compresses values, and a file of repeated bytes would write ten
//! times faster.

use crate::bench_support::{Row, Target, median};
use crate::clock::{Split, median_split, now, order, paired, spread, totals};
use crate::data::touch_every_page;
use crate::flush_sides::FlushSides;
use crate::idb::FILE_ID;
use crate::peers::{MetaWrite, raw_put_chunks};
use crate::report::{Report, ms};
use crate::vmmap_side::vmmap_flush;
use crate::{BULK_RUNS, FILE};

/// Times of the four sides (vmmap after `write_at`, vmmap after
/// `as_mut_slice`, raw A, raw B), and of the `as_mut_slice` calls (ms).
type Times = ([Vec<Split>; 4], Vec<f64>);

/// Measures and reports section 3 on `s`; `data` is the raw sides' file.
pub async fn measure(s: &mut FlushSides, data: &mut [u8], report: &mut Report) {
    let times = rounds(s, data).await;
    report_rows(&times.0, report);
    report_notes(&times, report);
}

async fn rounds(s: &mut FlushSides, data: &mut [u8]) -> Times {
    let mut splits: [Vec<Split>; 4] = Default::default();
    let mut expose = Vec::new();
    for i in 0..=BULK_RUNS {
        for side in order(4) {
            let split = match side {
                0 => {
                    touch_every_page(data, i);
                    s.m.write_at(0, data).expect("write_at");
                    vmmap_flush(&s.m).await
                }
                1 => {
                    let t0 = now();
                    let slice = s.m.as_mut_slice().expect("as_mut_slice");
                    if i > 0 {
                        expose.push(now() - t0);
                    }
                    touch_every_page(slice, i + 1);
                    vmmap_flush(&s.m).await
                }
                _ => {
                    touch_every_page(data, i);
                    let (db, all) = (&s.raws[side - 2], 0..FILE / s.chunk);
                    raw_put_chunks(db, FILE_ID, s.chunk, data, all, MetaWrite::None).await
                }
            };
            if i > 0 {
                splits[side].push(split);
            }
        }
    }
    (splits, expose)
}

fn report_rows(splits: &[Vec<Split>; 4], report: &mut Report) {
    let [vw, vf, a, b] = splits.each_ref().map(|s| median_split(s).0);
    let totals = splits.each_ref().map(|s| totals(s));
    let raw_peer = "raw `put` of every chunk in one transaction, until `complete`";
    report.rows.push(Row {
        what: "flush every page: `write_at(0, &whole)`, `flush()` + `flushed().await`".into(),
        vmmap: ms(vw),
        peer: raw_peer.into(),
        peer_result: ms(a),
        ratio: Some(paired(&totals[0], &totals[2])),
        target: Target::AtMost(1.1),
    });
    report.rows.push(Row {
        what: "flush every page: a byte of every page set through `as_mut_slice()`, `flush()` + \
               `flushed().await`"
            .into(),
        vmmap: ms(vf),
        peer: raw_peer.into(),
        peer_result: ms(a),
        ratio: Some(paired(&totals[1], &totals[2])),
        target: Target::AtMost(1.1),
    });
    report.rows.push(Row {
        what: "control, every chunk: the raw bulk `put` on a 2nd database (same code as the peer)"
            .into(),
        vmmap: ms(b),
        peer: "the raw bulk `put` on the 1st database".into(),
        peer_result: ms(a),
        ratio: Some(paired(&totals[3], &totals[2])),
        target: Target::None,
    });
}

fn report_notes((splits, expose): &Times, report: &mut Report) {
    let [
        (_, vw_issue, vw_wait),
        (_, vf_issue, vf_wait),
        (_, a_issue, a_wait),
        _,
    ] = splits.each_ref().map(|s| median_split(s));
    let s = splits.each_ref().map(|s| spread(&totals(s)));
    report.notes.push(format!(
        "all-dirty flush, median (min–max) ms: vmmap write_at {}; vmmap as_mut_slice {}; raw A \
         {}; raw B {}",
        s[0], s[1], s[2], s[3]
    ));
    report.notes.push(format!(
        "all-dirty flush split (medians): vmmap after write_at: flush() {vw_issue:.2} ms + \
         flushed() {vw_wait:.2} ms; vmmap after as_mut_slice: as_mut_slice() {:.2} ms (not in the \
         row), flush() {vf_issue:.2} ms + flushed() {vf_wait:.2} ms; raw A: issue {a_issue:.2} ms \
         + complete {a_wait:.2} ms",
        median(expose)
    ));
}
