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

/// A readwrite transaction over both object stores, durable.
fn readwrite(db: &IdbDatabase, what: &str) -> Result<IdbTransaction> {
    let options = DURABLE.with(JsValue::clone);
    db.unchecked_ref::<DurableDb>()
        .transaction_with_options(&both_stores(), "readwrite", &options)
        .map_err(|e| js_error(what, &e))
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
/// one transaction, a slice per task: each slice issues requests until
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
    slice_from(0, count, callbacks.clone(), issue, failed)
}

fn slice_from(
    start: usize,
    count: usize,
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
        if js_sys::Date::now() - t0 >= SLICE_MS {
            break;
        }
    }
    if let (Some(first), true) = (first, i < count) {
        let next = callbacks.clone();
        also_on_success(&first, &callbacks, move || {
            if let Err(e) = slice_from(i, count, next, issue, failed.clone()) {
                failed(e);
            }
        });
    }
    Ok(())
}
