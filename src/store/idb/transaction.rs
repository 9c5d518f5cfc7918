//! IndexedDB transactions over the store's two object stores: read-only
//! ones, durable readwrite ones being filled with requests ([`Writing`]),
//! the keys of a file's chunks, callbacks that run inside a transaction, and
//! many requests issued in slices across tasks ([`in_slices`]).

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{
    IdbDatabase, IdbKeyRange, IdbObjectStore, IdbRequest, IdbTransaction, IdbTransactionMode,
};

use super::request::{committed, completion, js_error};
use crate::error::{Error, Result};

/// Transactions that write ask the browser to make them durable before
/// reporting completion, as `msync` does natively.
const DURABILITY: &str = "strict";

#[wasm_bindgen]
extern "C" {
    /// `IDBDatabase`, for the one call web-sys offers only behind an
    /// unstable flag.
    #[wasm_bindgen(js_name = IDBDatabase)]
    type DurableDb;

    /// `IDBDatabase.transaction(stores, mode, { durability })`.
    #[wasm_bindgen(method, catch, js_name = transaction)]
    fn transaction_with_options(
        this: &DurableDb,
        stores: &JsValue,
        mode: &str,
        options: &JsValue,
    ) -> std::result::Result<IdbTransaction, JsValue>;
}

thread_local! {
    /// `["files", "chunks"]` and `{ durability }`, made once: a one-page
    /// flush takes a millisecond or two, and every value made in JS counts.
    static BOTH_STORES: JsValue = Array::of2(&"files".into(), &"chunks".into()).into();
    static DURABLE: JsValue = {
        let options = js_sys::Object::new();
        let _ = Reflect::set(&options, &"durability".into(), &DURABILITY.into());
        options.into()
    };
}

fn both_stores() -> JsValue {
    BOTH_STORES.with(JsValue::clone)
}

/// A readwrite transaction over both object stores, durable; made after
/// taking any refusal Firefox keeps for `db` ([`clear_refusal`]), and noted
/// in [`REFUSING`] if the quota aborts it.
fn readwrite(db: &IdbDatabase, what: &str) -> Result<IdbTransaction> {
    clear_refusal(db);
    let tx = durable(db).map_err(|e| js_error(what, &e))?;
    QUOTA_ABORTS.with(|note| {
        // An `IDBTransaction` is an `EventTarget`: adding a listener cannot fail.
        let _ = tx.add_event_listener_with_callback("abort", note.as_ref().unchecked_ref());
    });
    Ok(tx)
}

/// `db.transaction(["files", "chunks"], "readwrite", { durability })`.
fn durable(db: &IdbDatabase) -> std::result::Result<IdbTransaction, JsValue> {
    let options = DURABLE.with(JsValue::clone);
    db.unchecked_ref::<DurableDb>()
        .transaction_with_options(&both_stores(), "readwrite", &options)
}

thread_local! {
    /// Connections whose readwrite transaction was aborted with
    /// `QuotaExceededError`. Firefox ESR 153 then refuses the mutations of
    /// the next readwrite transaction made on that connection (each put
    /// throws `InvalidStateError`, "A mutation operation was attempted on a
    /// database that did not allow mutations"), and of that one only: the
    /// one after it, a new connection, and reads all work, even with the
    /// origin still full (RELIABILITY.md §2). So a flush retried after a
    /// full store would fail as if the store were closed.
    static REFUSING: RefCell<Vec<IdbDatabase>> = const { RefCell::new(Vec::new()) };
    /// The `abort` listener of every readwrite transaction: notes its
    /// connection in [`REFUSING`] if the quota aborted it. One closure for
    /// the page, alive as long as the thread.
    static QUOTA_ABORTS: Closure<dyn FnMut(web_sys::Event)> = Closure::new(|event: web_sys::Event| {
        let Some(tx) = event.target().and_then(|t| t.dyn_into::<IdbTransaction>().ok()) else {
            return;
        };
        if tx.error().is_some_and(|e| e.name() == "QuotaExceededError") {
            let db = tx.db();
            REFUSING.with(|r| {
                let mut r = r.borrow_mut();
                if !r.iter().any(|d| js_sys::Object::is(d, &db)) {
                    r.push(db);
                }
            });
        }
    });
}

/// Takes the refusal Firefox keeps for `db` after a quota abort
/// ([`REFUSING`]) with a readwrite transaction of no requests, aborted at
/// once: it is that transaction that Firefox refuses, and the next one
/// works. Elsewhere it costs one empty transaction after a full store.
fn clear_refusal(db: &IdbDatabase) {
    let refused = REFUSING.with(|r| {
        let mut r = r.borrow_mut();
        let before = r.len();
        r.retain(|d| !js_sys::Object::is(d, db));
        r.len() != before
    });
    if refused {
        if let Ok(tx) = durable(db) {
            let _ = tx.abort();
        }
    }
}

/// A read-only transaction over both object stores.
pub(crate) fn readonly(db: &IdbDatabase, what: &str) -> Result<IdbTransaction> {
    db.transaction_with_str_sequence_and_mode(&both_stores(), IdbTransactionMode::Readonly)
        .map_err(|e| js_error(what, &e))
}

/// A readwrite transaction over both object stores, being filled with
/// requests; any request that throws aborts it.
#[derive(Debug, Clone)]
pub(crate) struct Writing {
    pub(crate) tx: IdbTransaction,
    pub(crate) files: IdbObjectStore,
    pub(crate) chunks: IdbObjectStore,
    /// Resolves when the transaction commits, rejects when it aborts.
    pub(crate) done: js_sys::Promise,
    context: String,
}

impl Writing {
    pub(crate) fn begin(db: &IdbDatabase, context: &str) -> Result<Writing> {
        let tx = readwrite(db, context)?;
        let store = |name| {
            tx.object_store(name).map_err(|e| {
                let _ = tx.abort();
                js_error(context, &e)
            })
        };
        Ok(Writing {
            files: store("files")?,
            chunks: store("chunks")?,
            done: completion(&tx),
            tx,
            context: context.to_owned(),
        })
    }

    /// Aborts the transaction after a request threw; the error to return.
    pub(crate) fn fail(&self, thrown: &JsValue) -> Error {
        let _ = self.tx.abort();
        js_error(&self.context, thrown)
    }

    /// Waits until the transaction commits.
    pub(crate) async fn finish(self) -> Result<()> {
        committed(&self.context, &self.tx, self.done).await
    }
}

/// The key `[id, index]` of a chunk.
pub(crate) fn chunk_key(id: f64, index: u64) -> JsValue {
    Array::of2(&JsValue::from_f64(id), &JsValue::from_f64(index as f64)).into()
}

/// The highest chunk index a key range needs: 2^53 - 1, exact in an f64.
pub(crate) const LAST_INDEX: u64 = (1 << 53) - 1;

/// The keys of the chunks `[first, end)` of file `id`.
pub(crate) fn chunk_range(id: f64, first: u64, end: u64) -> Result<IdbKeyRange> {
    IdbKeyRange::bound(
        &chunk_key(id, first),
        &chunk_key(id, end.max(first + 1) - 1),
    )
    .map_err(|e| js_error("chunk range", &e))
}

/// The key range of every chunk of file `id`.
pub(crate) fn all_chunks(id: f64) -> Result<JsValue> {
    Ok(chunk_range(id, 0, LAST_INDEX + 1)?.into())
}

/// Rust callbacks a transaction calls, kept alive until it settles.
pub(crate) type Callbacks = Rc<RefCell<Vec<Closure<dyn FnMut(JsValue)>>>>;

/// Runs `f` when `request` succeeds, inside the transaction (which stays
/// active during the success event, so `f` may issue more requests).
pub(crate) fn on_success(
    request: &IdbRequest,
    callbacks: &Callbacks,
    f: impl FnOnce(JsValue) + 'static,
) {
    let request2 = request.clone();
    let closure = Closure::once(move |_event: JsValue| {
        f(request2.result().unwrap_or(JsValue::UNDEFINED));
    });
    request.set_onsuccess(Some(closure.as_ref().unchecked_ref()));
    callbacks.borrow_mut().push(closure);
}

/// Runs `f` when `request` succeeds, beside the `onsuccess` it may have,
/// inside the transaction.
fn also_on_success(request: &IdbRequest, callbacks: &Callbacks, f: impl FnOnce() + 'static) {
    let closure = Closure::once(move |_event: JsValue| f());
    // An `IDBRequest` is an `EventTarget`: adding a listener cannot fail.
    let _ = request.add_event_listener_with_callback("success", closure.as_ref().unchecked_ref());
    callbacks.borrow_mut().push(closure);
}

/// How long one slice of [`in_slices`] may keep the thread busy, in ms: well
/// under the 50 ms that make a long task, so that the page stays responsive
/// (input, rendering) while a large flush or write is issued.
pub(crate) const SLICE_MS: f64 = 8.0;

/// Issues the requests `issue(0)`, ..., `issue(count - 1)` in order, in
/// one transaction, a slice per task: the first slice is the first request
/// alone (the caller's task, such as a `flush()` call copying the dirty
/// bytes, is long enough already), each later one issues requests until
/// [`SLICE_MS`] have passed, and the next slice is issued from the success
/// event of the slice's first request. IndexedDB keeps a transaction alive
/// while a request is pending, and a success event runs inside it, so the
/// transaction stays one (atomic, commits once, after the last request);
/// and since requests run in order, that event comes while the rest of the
/// slice is still pending: the database always has the next slice's
/// requests queued while this thread makes the one after.
///
/// An error of the first slice is returned; an error of a later slice goes
/// to `failed`, which must abort the transaction (if `issue` did not). No
/// slice is issued after one failed.
pub(crate) fn in_slices(
    count: usize,
    callbacks: &Callbacks,
    issue: Rc<dyn Fn(usize) -> Result<IdbRequest>>,
    failed: Rc<dyn Fn(Error)>,
) -> Result<()> {
    slice_from(0, count, 0.0, callbacks.clone(), issue, failed)
}

/// Issues requests from `start` for `budget` ms (at least one), then
/// chains the next slice.
fn slice_from(
    start: usize,
    count: usize,
    budget: f64,
    callbacks: Callbacks,
    issue: Rc<dyn Fn(usize) -> Result<IdbRequest>>,
    failed: Rc<dyn Fn(Error)>,
) -> Result<()> {
    let t0 = js_sys::Date::now();
    let mut first = None;
    let mut i = start;
    while i < count {
        let request = issue(i)?;
        i += 1;
        first.get_or_insert(request);
        if js_sys::Date::now() - t0 >= budget {
            break;
        }
    }
    if let (Some(first), true) = (first, i < count) {
        let next = callbacks.clone();
        also_on_success(&first, &callbacks, move || {
            if let Err(e) = slice_from(i, count, SLICE_MS, next, issue, failed.clone()) {
                failed(e);
            }
        });
    }
    Ok(())
}

/// [`in_slices`] in the browser: many puts issued across tasks in one
/// transaction, and a failure in a later slice undoing every put.
#[cfg(test)]
mod tests {
    use std::cell::{Cell, RefCell};
    use std::rc::Rc;

    use js_sys::{Function, Reflect, Uint8Array};
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
    use web_sys::IdbDatabase;

    use super::{Callbacks, Writing, chunk_key, in_slices, readonly};
    use crate::error::{Error, ErrorKind};
    use crate::store::idb::IdbStore;
    use crate::store::idb::request::request;

    wasm_bindgen_test_configure!(run_in_browser);

    /// Puts of 4 KiB: far more than one slice's 8 ms can issue.
    const PUTS: usize = 3000;

    /// A new database of the store's shape.
    async fn database(case: &str) -> IdbDatabase {
        let name = format!("in-slices-{case}-{}", js_sys::Math::random());
        IdbStore::open(&name).await.expect("open a database").db
    }

    /// Counts runs of code that issue requests with no microtask checkpoint
    /// in between: each is a slice, or part of one task.
    #[derive(Default)]
    struct Bursts {
        count: Cell<u32>,
        open: Rc<Cell<bool>>,
    }

    impl Bursts {
        fn note(&self) {
            if self.open.replace(true) {
                return;
            }
            self.count.set(self.count.get() + 1);
            let open = self.open.clone();
            let reset = Closure::once_into_js(move || open.set(false));
            let queue: Function = Reflect::get(&js_sys::global(), &"queueMicrotask".into())
                .expect("queueMicrotask")
                .unchecked_into();
            queue
                .call1(&JsValue::UNDEFINED, &reset)
                .expect("queue a microtask");
        }
    }

    /// Issues `PUTS` puts through `in_slices`, the one at `fail_at` failing;
    /// how many bursts issued them, whether the transaction committed, what
    /// `failed` got, and how many chunks the database holds afterwards.
    async fn run(case: &str, fail_at: Option<usize>) -> (u32, bool, Option<String>, f64) {
        let db = database(case).await;
        let w = Writing::begin(&db, "test puts").expect("a transaction");
        let callbacks = Callbacks::default();
        let bursts = Rc::new(Bursts::default());
        let issue = {
            let (w, bursts) = (w.clone(), bursts.clone());
            Rc::new(move |i: usize| {
                bursts.note();
                if Some(i) == fail_at {
                    return Err(Error::new(ErrorKind::Io, format!("put {i} fails")));
                }
                let value = Uint8Array::new_with_length(4096);
                w.chunks
                    .put_with_key(&value.buffer(), &chunk_key(1.0, i as u64))
                    .map_err(|e| w.fail(&e))
            })
        };
        let why = Rc::new(RefCell::new(None));
        let failed = {
            let (tx, why) = (w.tx.clone(), why.clone());
            Rc::new(move |e: Error| {
                *why.borrow_mut() = Some(e.message().to_owned());
                let _ = tx.abort();
            })
        };
        if let Err(e) = in_slices(PUTS, &callbacks, issue, failed) {
            // The first slice (one put) failed: nothing to undo either way.
            *why.borrow_mut() = Some(e.message().to_owned());
            let _ = w.tx.abort();
        }
        let committed = w.clone().finish().await.is_ok();
        let count = readonly(&db, "count")
            .and_then(|tx| {
                tx.object_store("chunks")
                    .and_then(|chunks| chunks.count())
                    .map_err(|e| super::js_error("count", &e))
            })
            .expect("count the chunks");
        let count = request("count", &count).await.expect("a count");
        db.close();
        let why = why.borrow().clone();
        (
            bursts.count.get(),
            committed,
            why,
            count.as_f64().unwrap_or(-1.0),
        )
    }

    #[wasm_bindgen_test]
    async fn puts_come_in_slices_and_commit_as_one_transaction() {
        let (bursts, committed, why, count) = run("all", None).await;
        assert!(bursts >= 2, "{PUTS} puts were issued in {bursts} burst(s)");
        assert!(committed, "the transaction committed");
        assert_eq!(why, None);
        assert_eq!(count, PUTS as f64);
    }

    #[wasm_bindgen_test]
    async fn a_failure_in_a_later_slice_undoes_every_put() {
        let (bursts, committed, why, count) = run("fail", Some(PUTS - 1)).await;
        assert!(bursts >= 2, "{PUTS} puts were issued in {bursts} burst(s)");
        assert!(!committed, "the transaction aborted");
        assert_eq!(
            why.as_deref(),
            Some(format!("put {} fails", PUTS - 1).as_str())
        );
        assert_eq!(count, 0.0, "no put of the aborted transaction stayed");
    }
}
