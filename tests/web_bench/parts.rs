//! Where a one-page flush's time goes, in any engine: the page's IndexedDB,
//! Web Locks and BroadcastChannel entry points are wrapped (in JS, for this
//! test only) so that each call made during a timed flush is counted, and
//! each readwrite transaction's creation and `complete` event are stamped
//! with `performance.now()`. A flush then splits into: from the `flush()`
//! call to its transaction's creation, from creation to the `complete`
//! event (the engine's commit), and from that event to the flush's future
//! resolving (the page's own promise hops). vmmap and a raw single `put`
//! (raw A of section 2) take turns, on databases of their own. Then the
//! same for a flush of every page (`write_at(0, &whole)`) against a raw
//! `put` of every chunk, with the time of the last `put` call stamped too:
//! vmmap issues its puts in slices across tasks (issue 14), the raw side
//! all at once, so "call → last put" is what the slicing costs.

use js_sys::{Array, Function, Reflect};
use vmmap::Access;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::console_log;

use crate::bench_support::median;
use crate::clock::{now, order, paired};
use crate::data::{random_bytes, touch_every_page};
use crate::idb::{FILE_ID, db_name, raw_delete, raw_open, seed_files};
use crate::peers::{MetaWrite, raw_put_chunks};
use crate::report::progress;
use crate::vmmap_side::{map_whole, vmmap_chunk_size, vmmap_store};
use crate::{BULK_RUNS, FILE, PAGE_RUNS};

const HOOKS: &str = r#"
const g = globalThis;
if (g.__benchProbe) return g.__benchProbe;
const p = { on: false, tx: [], calls: {}, lastPut: NaN };
const count = (what) => { if (p.on) p.calls[what] = (p.calls[what] || 0) + 1; };
const wrap = (proto, name, label, after) => {
  const f = proto && proto[name];
  if (typeof f !== "function") return;
  proto[name] = function (...a) {
    count(label(this, a));
    const r = f.apply(this, a);
    if (after) after(r, a);
    return r;
  };
};
wrap(IDBDatabase.prototype, "transaction", (db, a) => "transaction " + (a[1] || "readonly"), (tx, a) => {
  if (!p.on || a[1] !== "readwrite") return;
  const rec = { created: performance.now(), complete: NaN };
  p.tx.push(rec);
  tx.addEventListener("complete", () => { rec.complete = performance.now(); });
});
for (const m of ["put", "get", "add", "delete", "getAll", "getAllKeys", "openCursor", "count"]) {
  wrap(IDBObjectStore.prototype, m, (s) => m + " " + s.name,
    m === "put" ? () => { if (p.on) p.lastPut = performance.now(); } : undefined);
}
if (g.BroadcastChannel) wrap(BroadcastChannel.prototype, "postMessage", () => "BroadcastChannel.postMessage");
if (g.LockManager) {
  wrap(LockManager.prototype, "request", () => "navigator.locks.request");
  wrap(LockManager.prototype, "query", () => "navigator.locks.query");
}
g.__benchProbe = p;
return p;
"#;

/// The probe object of [`HOOKS`], installed once per page.
fn probe() -> JsValue {
    Function::new_no_args(HOOKS)
        .call0(&JsValue::UNDEFINED)
        .expect("install the probe")
}

fn get(o: &JsValue, k: &str) -> JsValue {
    Reflect::get(o, &k.into()).expect("probe field")
}

/// Starts recording: clears the records.
fn arm(p: &JsValue) {
    Reflect::set(p, &"tx".into(), &Array::new()).unwrap();
    Reflect::set(p, &"calls".into(), &js_sys::Object::new()).unwrap();
    Reflect::set(p, &"lastPut".into(), &f64::NAN.into()).unwrap();
    Reflect::set(p, &"on".into(), &true.into()).unwrap();
}

/// The time of the last `put` call while armed.
fn last_put(p: &JsValue) -> f64 {
    get(p, "lastPut").as_f64().unwrap_or(f64::NAN)
}

/// Stops recording; the readwrite transactions' (created, complete) stamps
/// and the calls made, as "name × count".
fn disarm(p: &JsValue) -> (Vec<(f64, f64)>, Vec<String>) {
    Reflect::set(p, &"on".into(), &false.into()).unwrap();
    let txs = Array::from(&get(p, "tx"))
        .iter()
        .map(|r| {
            let n = |k| get(&r, k).as_f64().unwrap_or(f64::NAN);
            (n("created"), n("complete"))
        })
        .collect();
    let calls = get(p, "calls");
    let mut list: Vec<String> = js_sys::Object::entries(calls.unchecked_ref())
        .iter()
        .map(|e| {
            let e = Array::from(&e);
            format!(
                "{} × {}",
                e.get(0).as_string().unwrap_or_default(),
                e.get(1).as_f64().unwrap_or(0.0)
            )
        })
        .collect();
    list.sort();
    (txs, list)
}

/// One timed flush's parts (ms): call to transaction, transaction to
/// `complete`, `complete` to resolved, and the total.
#[derive(Clone, Copy, Default)]
struct Parts {
    to_tx: f64,
    commit: f64,
    after: f64,
    total: f64,
}

fn parts(t0: f64, t2: f64, txs: &[(f64, f64)]) -> Parts {
    assert_eq!(txs.len(), 1, "one readwrite transaction per one-page flush");
    let (created, complete) = txs[0];
    Parts {
        to_tx: created - t0,
        commit: complete - created,
        after: t2 - complete,
        total: t2 - t0,
    }
}

/// Prints the time ratio vmmap/raw of paired rounds: the whole flush, and
/// the engine's commit (transaction created to `complete`).
fn ratio_line(vmmap: &[Parts], raw: &[Parts]) {
    let each = |xs: &[Parts], k: fn(&Parts) -> f64| xs.iter().map(k).collect::<Vec<_>>();
    console_log!(
        "time ratio vmmap/raw (median of per-round ratios): total {:.3}; created → complete {:.3}",
        paired(&each(vmmap, |p| p.total), &each(raw, |p| p.total)),
        paired(&each(vmmap, |p| p.commit), &each(raw, |p| p.commit))
    );
}

pub async fn measure() {
    let started = now();
    let p = probe();
    let chunk = vmmap_chunk_size().await;
    let names = [db_name("parts-vmmap"), db_name("parts-raw")];
    let (store, db) = vmmap_store(&names[0]).await;
    let raw = raw_open(&names[1]).await;
    seed_files(&[(&db, chunk), (&raw, chunk)], 3).await;
    db.close();
    let mut m = map_whole(&store, Access::Write).await;
    let mut data = vec![0u8; FILE];
    random_bytes(3, 0, &mut data);
    progress("parts: seeding", started);
    let (mut v, mut r) = (Vec::new(), Vec::new());
    let (mut v_calls, mut r_calls) = (Vec::new(), Vec::new());
    let mut v_returned = Vec::new();
    let (mut v_put, mut r_put) = (Vec::new(), Vec::new());
    let chunks = FILE / chunk;
    for i in 0..=PAGE_RUNS {
        let index = (7 + 37 * i) % chunks;
        let offset = index * chunk + 4096 + i;
        data[offset] = i as u8;
        for side in order(2) {
            arm(&p);
            let t0 = now();
            let mut t1 = f64::NAN;
            if side == 0 {
                m.write_at(offset, &[i as u8]).expect("write_at");
                m.flush().expect("flush");
                t1 = now();
                m.flushed().await.expect("flushed");
            } else {
                raw_put_chunks(
                    &raw,
                    FILE_ID,
                    chunk,
                    &data,
                    [index].into_iter(),
                    MetaWrite::None,
                )
                .await;
            }
            let t2 = now();
            let put = last_put(&p) - t0;
            let (txs, calls) = disarm(&p);
            if i > 0 {
                let part = parts(t0, t2, &txs);
                if side == 0 {
                    v_returned.push(t1 - t0);
                    v_put.push(put);
                    v.push(part);
                    v_calls = calls;
                } else {
                    r_put.push(put);
                    r.push(part);
                    r_calls = calls;
                }
            }
        }
    }
    progress("parts: one-page flushes", started);
    let (mut vb, mut rb) = (Vec::new(), Vec::new());
    let (mut vb_last, mut rb_last) = (Vec::new(), Vec::new());
    let (mut vb_calls, mut rb_calls) = (Vec::new(), Vec::new());
    for i in 0..=BULK_RUNS {
        for side in order(2) {
            touch_every_page(&mut data, i * 2 + side);
            arm(&p);
            let t0 = now();
            if side == 0 {
                m.write_at(0, &data).expect("write_at");
                m.flush().expect("flush");
                m.flushed().await.expect("flushed");
            } else {
                raw_put_chunks(
                    &raw,
                    FILE_ID,
                    chunk,
                    &data,
                    0..FILE / chunk,
                    MetaWrite::None,
                )
                .await;
            }
            let t2 = now();
            let last = last_put(&p) - t0;
            let (txs, calls) = disarm(&p);
            if i > 0 {
                let part = parts(t0, t2, &txs);
                if side == 0 {
                    vb.push(part);
                    vb_last.push(last);
                    vb_calls = calls;
                } else {
                    rb.push(part);
                    rb_last.push(last);
                    rb_calls = calls;
                }
            }
        }
    }
    drop(m);
    raw.close();
    drop(store);
    for name in &names {
        raw_delete(name).await;
    }
    progress("parts: all-dirty flushes", started);
    let med = |xs: &[Parts], k: fn(&Parts) -> f64| median(&xs.iter().map(k).collect::<Vec<_>>());
    console_log!("");
    console_log!(
        "One-page flush in parts, medians of {PAGE_RUNS} calls per side, taking turns (ms); \
         vmmap's time includes write_at of the byte."
    );
    console_log!("");
    console_log!(
        "| side | call → transaction created | created → `complete` event | `complete` → resolved | total | calls during one flush |"
    );
    console_log!("|---|---:|---:|---:|---:|---|");
    for (name, xs, calls) in [
        (
            "vmmap `write_at` + `flush()` + `flushed().await`",
            &v,
            &v_calls,
        ),
        ("raw `put` of one chunk (raw A)", &r, &r_calls),
    ] {
        console_log!(
            "| {name} | {:.3} | {:.3} | {:.3} | {:.3} | {} |",
            med(xs, |p| p.to_tx),
            med(xs, |p| p.commit),
            med(xs, |p| p.after),
            med(xs, |p| p.total),
            calls.join(", ")
        );
    }
    console_log!("");
    console_log!(
        "vmmap: `write_at` + `flush()` returned after {:.3} ms (median), the transaction was \
         created {:.3} ms after that",
        median(&v_returned),
        median(
            &v.iter()
                .zip(&v_returned)
                .map(|(p, r)| p.to_tx - r)
                .collect::<Vec<_>>()
        )
    );
    console_log!(
        "call → `put` call (median): vmmap {:.3} ms, raw {:.3} ms",
        median(&v_put),
        median(&r_put)
    );
    ratio_line(&v, &r);
    console_log!("");
    console_log!(
        "Flush of every page (64 MiB) in parts, medians of {BULK_RUNS} calls per side, taking \
         turns (ms); vmmap's time includes write_at of the whole file."
    );
    console_log!("");
    console_log!(
        "| side | call → transaction created | call → last `put` call | created → `complete` event | `complete` → resolved | total | calls during one flush |"
    );
    console_log!("|---|---:|---:|---:|---:|---:|---|");
    for (name, xs, last, calls) in [
        (
            "vmmap `write_at(0, &whole)` + `flush()` + `flushed().await`",
            &vb,
            &vb_last,
            &vb_calls,
        ),
        ("raw `put` of every chunk (raw A)", &rb, &rb_last, &rb_calls),
    ] {
        console_log!(
            "| {name} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {} |",
            med(xs, |p| p.to_tx),
            median(last),
            med(xs, |p| p.commit),
            med(xs, |p| p.after),
            med(xs, |p| p.total),
            calls.join(", ")
        );
    }
    console_log!("");
    ratio_line(&vb, &rb);
}
