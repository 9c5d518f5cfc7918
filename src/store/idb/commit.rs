//! One commit of a file (a flush or a resize): its readwrite transaction,
//! filled with the chunk requests and checked as [`Check`] says, and its
//! record from when it is asked for until it has settled and any failure
//! was reported ([`Pending`]). When and how a file commits is `file.rs`.
//!
//! A flush writes only the chunks of dirty pages, and never overwrites
//! bytes someone else committed with bytes its map did not dirty
//! (`decide` in `store/idb_plan.rs` picks how):
//! - A map that checked, under the lease its turn runs under, that the file
//!   is in the state it knows checks nothing: nobody else commits while the
//!   lease lasts. It puts each chunk it holds whole as it has it, and the
//!   record only if the length changes.
//! - A map that knows the state its pages were loaded from (the record's
//!   random `tag`, then the tag of each of its own commits) puts those
//!   chunks and a record with a new tag at once; the transaction aborts if
//!   the stored tag is not the one the map knows. Then the flush is made
//!   again as below, and the map stops trusting its pages until it is
//!   mapped again.
//! - Otherwise a chunk the dirty pages cover whole is put, and any other is
//!   read and merged inside the transaction, so pages another tab committed
//!   to the same chunk are kept (last flush wins per page).

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::ops::Range;
use std::rc::Rc;

use js_sys::{Function, Promise, Uint8Array};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::{JsFuture, spawn_local};
use web_sys::{IdbDatabase, IdbKeyRange, IdbRequest, IdbTransaction};

use super::meta::Meta;
use super::request::{abort_error, js_error};
use super::transaction::{Callbacks, LAST_INDEX, Writing, chunk_key, in_slices, on_success};
use crate::error::{Error, ErrorKind, Result};
use crate::paged::Frozen;
use crate::store::idb_plan::{Check, ChunkWrite, Resize};

/// One commit in flight, kept until it settled and, if it failed, until
/// [`Pending::committed`] reported the failure.
#[derive(Debug)]
pub(crate) struct Commit {
    /// Resolves once committed (and announced), rejects if it failed.
    done: Promise,
    /// The transaction, once the lock was granted and it started.
    tx: Rc<RefCell<Option<IdbTransaction>>>,
    /// Why the commit failed, when it was not IndexedDB that said so (the
    /// file was replaced or removed, a request threw).
    why: Rc<RefCell<Option<Error>>>,
    /// `Some(true)` once committed, `Some(false)` once aborted.
    settled: Cell<Option<bool>>,
    reported: Cell<bool>,
}

impl Commit {
    fn error(&self) -> Error {
        if let Some(e) = self.why.borrow().as_ref() {
            return Error::new(e.kind(), e.message());
        }
        match self.tx.borrow().as_ref() {
            Some(tx) => abort_error("flush", tx),
            None => Error::new(ErrorKind::Io, "flush: the transaction did not start"),
        }
    }
}

/// The commits of one file's map that have not settled, or failed and were
/// not reported yet.
#[derive(Debug, Clone, Default)]
pub(crate) struct Pending(Rc<RefCell<Vec<Rc<Commit>>>>);

impl Pending {
    /// The commits that have not settled yet.
    pub(crate) fn unsettled(&self) -> Vec<Promise> {
        self.0
            .borrow()
            .iter()
            .filter(|c| c.settled.get().is_none())
            .map(|c| c.done.clone())
            .collect()
    }

    /// Tracks a commit until it settles, keeping its `callbacks` alive till
    /// then: `on_fail` runs if it fails.
    pub(crate) fn track(
        &self,
        commit: Rc<Commit>,
        callbacks: Callbacks,
        on_fail: impl FnOnce() + 'static,
    ) {
        self.0.borrow_mut().push(commit.clone());
        let pending = self.0.clone();
        spawn_local(async move {
            let ok = JsFuture::from(commit.done.clone()).await.is_ok();
            drop(callbacks);
            commit.settled.set(Some(ok));
            if ok {
                pending.borrow_mut().retain(|c| !Rc::ptr_eq(c, &commit));
            } else {
                on_fail();
            }
        });
    }

    /// Waits for the commits tracked so far; the first failure among them
    /// not reported before.
    pub(crate) fn committed(&self) -> impl Future<Output = Result<()>> + 'static {
        let commits: Vec<Rc<Commit>> = self.0.borrow().clone();
        let pending = self.0.clone();
        async move {
            let mut first = None;
            for commit in &commits {
                if JsFuture::from(commit.done.clone()).await.is_err()
                    && !commit.reported.replace(true)
                {
                    first.get_or_insert_with(|| commit.error());
                }
            }
            pending.borrow_mut().retain(|c| {
                c.settled.get().is_none() || (c.settled.get() == Some(false) && !c.reported.get())
            });
            first.map_or(Ok(()), Err)
        }
    }
}

/// What the attempts of one commit share with their callbacks.
#[derive(Clone, Default)]
pub(crate) struct Slots {
    /// Every callback of the transaction that may issue a request in it
    /// must be kept here: a write made in the call commits its transaction
    /// early when its requests kept none ([`Attempts::attempt_now`]), and a
    /// request issued after that throws, unseen.
    callbacks: Callbacks,
    /// The transaction of the latest attempt.
    tx: Rc<RefCell<Option<IdbTransaction>>>,
    why: Rc<RefCell<Option<Error>>>,
    /// Set when the file was committed by someone else since the state this
    /// map knew: the attempt aborted and is made again without that knowledge.
    stale: Rc<Cell<bool>>,
    /// The record the commit writes.
    after: Rc<Cell<Option<Meta>>>,
}

impl Slots {
    /// Whether the last attempt found the file committed by someone else
    /// since the state it knew; clears it.
    pub(crate) fn take_stale(&self) -> bool {
        self.stale.replace(false)
    }

    /// The record the commit wrote, once it has.
    pub(crate) fn after(&self) -> Option<Meta> {
        self.after.get()
    }

    /// The record of the commit whose attempts these are, settled when
    /// `done` is, and the callbacks to keep alive until then.
    pub(crate) fn into_commit(self, done: Promise) -> (Rc<Commit>, Callbacks) {
        let commit = Rc::new(Commit {
            done,
            tx: self.tx,
            why: self.why,
            settled: Cell::new(None),
            reported: Cell::new(false),
        });
        (commit, self.callbacks)
    }
}

/// Settles the promise of a write made at once ([`settler`]).
pub(crate) struct Settle {
    resolve: Function,
    reject: Function,
}

impl Settle {
    fn settle(self, ok: bool) {
        let _ = if ok { self.resolve } else { self.reject }.call0(&JsValue::UNDEFINED);
    }
}

/// A promise, and what settles it.
pub(crate) fn settler() -> (Promise, Settle) {
    let mut both = None;
    let promise = Promise::new(&mut |resolve, reject| both = Some((resolve, reject)));
    // The executor runs at once, so `both` is set (else: no-ops).
    let (resolve, reject) = both.unwrap_or_else(|| {
        let noop = || JsValue::UNDEFINED.unchecked_into::<Function>();
        (noop(), noop())
    });
    (promise, Settle { resolve, reject })
}

/// A flush or resize being filled with requests, and what its callbacks need.
#[derive(Clone)]
pub(crate) struct Started {
    w: Writing,
    slots: Slots,
}

impl std::ops::Deref for Started {
    type Target = Writing;

    fn deref(&self) -> &Writing {
        &self.w
    }
}

impl Started {
    /// Aborts the transaction from inside a callback, saying why.
    fn abort(&self, why: Error) -> impl Fn(JsValue) + 'static {
        let (tx, slot) = (self.tx.clone(), self.slots.why.clone());
        move |thrown: JsValue| {
            let mut slot = slot.borrow_mut();
            if slot.is_none() {
                *slot = Some(Error::new(
                    why.kind(),
                    format!("{}: {}", why.message(), js_error("put", &thrown).message()),
                ));
            }
            let _ = tx.abort();
        }
    }

    /// Aborts the transaction from inside a callback, after an `Error`
    /// (which says why, unless an earlier failure did).
    fn abort_with(&self) -> Rc<dyn Fn(Error)> {
        let (tx, slot) = (self.tx.clone(), self.slots.why.clone());
        Rc::new(move |error: Error| {
            slot.borrow_mut().get_or_insert(error);
            let _ = tx.abort();
        })
    }
}

/// Makes the new record from the stored one, for [`Check::Id`].
pub(crate) type Update = Rc<dyn Fn(Meta) -> Meta>;

/// Fills a write's transaction; `true` if its [`Check::Known`] holds.
pub(crate) type Fill = Rc<dyn Fn(&Started, bool) -> Result<()>>;

/// One write of a file (a flush or a resize), as each attempt at it makes it.
pub(crate) struct Attempts {
    pub(crate) db: IdbDatabase,
    pub(crate) name: String,
    pub(crate) id: f64,
    /// What the write is called in errors.
    pub(crate) what: &'static str,
    pub(crate) update: Update,
    pub(crate) fill: Fill,
    pub(crate) slots: Slots,
}

impl Attempts {
    /// Starts one attempt, checked as `check` says ([`Self::begin`]), and
    /// waits for it to settle: `Err` if it did not commit (why: in the slots).
    pub(crate) fn attempt(
        &self,
        check: Check,
    ) -> impl Future<Output = std::result::Result<(), JsValue>> + 'static {
        let tried = self.begin(check);
        let (tried, why) = (tried.map(|st| st.w.done.clone()), self.slots.why.clone());
        async move {
            match tried {
                Ok(done) => JsFuture::from(done).await.map(drop),
                Err(e) => {
                    why.borrow_mut().get_or_insert(e);
                    Err(JsValue::UNDEFINED)
                }
            }
        }
    }

    /// Makes the write's only attempt now, checked as `check` says, which
    /// must need no second one (a [`Check::Leased`] attempt cannot find the
    /// file stale). `settled` runs once it has settled, with the record it
    /// committed (`None`: it failed; why: in the slots), from inside the
    /// transaction's `complete` or `abort` event (at once if it could not
    /// start); `settle` right after, so that whoever awaits the write
    /// resumes a microtask after the event, as after a raw IndexedDB write.
    /// The transaction's requests are issued last: the sooner the caller's
    /// task ends after them, the sooner the transaction commits.
    pub(crate) fn attempt_now(
        &self,
        check: Check,
        settle: Settle,
        settled: impl FnOnce(Option<Meta>) + 'static,
    ) {
        let started = match self.open() {
            Ok(started) => started,
            Err(e) => {
                self.slots.why.borrow_mut().get_or_insert(e);
                settled(None);
                return settle.settle(false);
            }
        };
        let once = Rc::new(RefCell::new(Some((settled, settle))));
        for (event, ok) in [("complete", true), ("abort", false)] {
            let (once, after) = (once.clone(), self.slots.after.clone());
            let closure = Closure::once(move |_event: JsValue| {
                let Some((settled, settle)) = once.borrow_mut().take() else {
                    return;
                };
                settled(if ok { after.get() } else { None });
                settle.settle(ok);
            });
            // An `IDBTransaction` is an `EventTarget`: adding a listener cannot fail.
            let _ = started
                .tx
                .add_event_listener_with_callback(event, closure.as_ref().unchecked_ref());
            self.slots.callbacks.borrow_mut().push(closure);
        }
        let kept = self.slots.callbacks.borrow().len();
        if let Err(e) = self.requests(&started, check) {
            self.slots.why.borrow_mut().get_or_insert(e);
            // Aborted already (a request that throws aborts it); its
            // `abort` event settles the write.
            let _ = started.tx.abort();
            return;
        }
        // A request issued later is issued from a callback kept in the
        // slots (a success event: `on_success`, `in_slices`). None was
        // kept, so no request follows: the transaction may commit now
        // instead of once this task ends, while the caller carries on
        // (where `commit()` is missing, it commits then).
        if self.slots.callbacks.borrow().len() == kept {
            #[allow(
                deprecated,
                reason = "web-sys marks `IDBTransaction.commit()` deprecated; every engine tested has it"
            )]
            let _ = started.tx.commit();
        }
    }

    /// Starts a readwrite transaction filled by `fill` (the chunks go first, so
    /// IndexedDB is busy with them while the rest is asked for), then a request
    /// that reads the file's record to check it as `check` says, and one that
    /// puts the new record (recorded in `slots.after`); if the file was replaced
    /// or removed, or is not in the state `check` knows, the transaction aborts.
    fn begin(&self, check: Check) -> Result<Started> {
        let started = self.open()?;
        self.requests(&started, check)?;
        Ok(started)
    }

    /// Starts the attempt's readwrite transaction, empty.
    fn open(&self) -> Result<Started> {
        let started = Started {
            w: Writing::begin(&self.db, self.what)?,
            slots: self.slots.clone(),
        };
        *self.slots.tx.borrow_mut() = Some(started.tx.clone());
        Ok(started)
    }

    /// Issues the requests of [`Self::begin`] in `started`.
    fn requests(&self, started: &Started, check: Check) -> Result<()> {
        (self.fill)(started, !matches!(check, Check::Id))?;
        let key = JsValue::from_str(&self.name);
        if let Check::Leased { old, new } = check {
            if let Some(new) = new {
                started
                    .files
                    .put_with_key(&new.to_js(), &key)
                    .map_err(|e| started.fail(&e))?;
            }
            self.slots.after.set(Some(new.unwrap_or(old)));
            return Ok(());
        }
        let get = started.files.get(&key).map_err(|e| started.fail(&e))?;
        if let Check::Known { new, .. } = check {
            started
                .files
                .put_with_key(&new.to_js(), &key)
                .map_err(|e| started.fail(&e))?;
            self.slots.after.set(Some(new));
        }
        let (files, tx, name, id) = (
            started.files.clone(),
            started.tx.clone(),
            self.name.clone(),
            self.id,
        );
        let (why, stale, after, update) = (
            self.slots.why.clone(),
            self.slots.stale.clone(),
            self.slots.after.clone(),
            self.update.clone(),
        );
        let failed = started.abort(Error::new(ErrorKind::Io, format!("{} {name:?}", self.what)));
        on_success(&get, &self.slots.callbacks, move |value| {
            match (Meta::from_js(&value), check) {
                (Some(meta), Check::Known { old, .. }) if meta.id == id => {
                    // A record without a tag (written before tags were) is
                    // known by its version; every commit from here on writes one.
                    if (meta.tag, meta.version) != (old.tag, old.version) {
                        stale.set(true);
                        let _ = tx.abort();
                    }
                }
                (Some(meta), Check::Id) if meta.id == id => {
                    let new = update(meta);
                    after.set(Some(new));
                    if let Err(e) = files.put_with_key(&new.to_js(), &key) {
                        failed(e);
                    }
                }
                _ => {
                    *why.borrow_mut() = Some(Error::new(
                        ErrorKind::NotFound,
                        format!("{name:?} was removed or replaced since it was mapped"),
                    ));
                    let _ = tx.abort();
                }
            }
        });
        Ok(())
    }
}

/// What a flush puts: its plan, and the snapshot of the map's pages the
/// plan's byte ranges are read from as each put is issued.
struct FlushPlan {
    chunks: Vec<ChunkWrite>,
    snapshot: Box<dyn Frozen>,
}

impl FlushPlan {
    /// The map's bytes of `range` (of its window) as the flush saw them, in
    /// a new `Uint8Array`: one copy out of wasm memory, in pieces only where
    /// pages changed since the flush.
    fn value(&self, range: Range<usize>) -> Uint8Array {
        let mut whole = None;
        let mut pieces = Vec::new();
        self.snapshot.read(range.clone(), &mut |piece| {
            if piece.len() == range.len() {
                whole = Some(Uint8Array::from(piece));
            } else {
                pieces.push(Uint8Array::from(piece));
            }
        });
        whole.unwrap_or_else(|| {
            let value = Uint8Array::new_with_length(range.len() as u32);
            let mut at = 0;
            for piece in pieces {
                value.set(&piece, at);
                at += piece.length();
            }
            value
        })
    }
}

/// Puts chunk `plan.chunks[i]` of file `id` with its dirty ranges written
/// over what it holds: as the map has it, or read and merged inside the
/// transaction ([`ChunkWrite::put_as_is`]). Returns the request it issued first.
fn put_chunk(
    s: &Started,
    id: f64,
    chunk: u64,
    plan: &Rc<FlushPlan>,
    i: usize,
    known: bool,
) -> Result<IdbRequest> {
    let w = &plan.chunks[i];
    let key = chunk_key(id, w.index);
    if w.put_as_is(chunk, known) {
        let value = plan.value(w.bytes.clone());
        return s
            .chunks
            .put_with_key(&value.buffer(), &key)
            .map_err(|e| s.fail(&e));
    }
    let get = s.chunks.get(&key).map_err(|e| s.fail(&e))?;
    let (chunks, plan) = (s.chunks.clone(), plan.clone());
    let failed = s.abort(Error::new(
        ErrorKind::Io,
        format!("flush chunk {}", w.index),
    ));
    on_success(&get, &s.slots.callbacks, move |stored| {
        let stored = match stored.dyn_ref::<js_sys::ArrayBuffer>() {
            Some(buf) => Uint8Array::new(buf).to_vec(),
            None => Vec::new(),
        };
        let merged = plan.chunks[i].merge(stored, |r, out| plan.snapshot.copy(r, out));
        let value = Uint8Array::from(merged.as_slice());
        if let Err(e) = chunks.put_with_key(&value.buffer(), &key) {
            failed(e);
        }
    });
    Ok(get)
}

/// Fills a flush's transaction: puts each chunk of `chunks`, of `chunk`
/// bytes, of file `id` ([`put_chunk`]), read from `snapshot` as they go,
/// in slices across tasks ([`in_slices`]): a fully dirty 64 MiB map is 2048
/// puts, and issuing them all at once kept the page's thread busy for
/// 0.2-0.45 s (BENCHMARKS.md, "Long tasks"); copying them all in the
/// `flush()` call, 35-56 ms.
pub(crate) fn flush(
    id: f64,
    chunk: u64,
    chunks: Vec<ChunkWrite>,
    snapshot: Box<dyn Frozen>,
) -> Fill {
    let plan = Rc::new(FlushPlan { chunks, snapshot });
    Rc::new(move |s: &Started, known: bool| -> Result<()> {
        let issue = {
            let (s, plan) = (s.clone(), plan.clone());
            Rc::new(move |i: usize| put_chunk(&s, id, chunk, &plan, i, known))
        };
        in_slices(plan.chunks.len(), &s.slots.callbacks, issue, s.abort_with())
    })
}

/// Fills a resize's transaction: deletes the chunks of file `id` past the
/// new end and cuts the one it falls in, as `resize` says.
pub(crate) fn resize(id: f64, resize: Resize) -> Fill {
    Rc::new(move |s: &Started, _known: bool| -> Result<()> {
        let past_end =
            IdbKeyRange::bound(&chunk_key(id, resize.drop_from), &chunk_key(id, LAST_INDEX))
                .map_err(|e| s.fail(&e))?;
        s.chunks.delete(&past_end).map_err(|e| s.fail(&e))?;
        if let Some((index, keep)) = resize.cut {
            let key = chunk_key(id, index);
            let get = s.chunks.get(&key).map_err(|e| s.fail(&e))?;
            let chunks = s.chunks.clone();
            let failed = s.abort(Error::new(ErrorKind::Io, "resize"));
            on_success(&get, &s.slots.callbacks, move |stored| {
                if let Some(buf) = stored.dyn_ref::<js_sys::ArrayBuffer>() {
                    if buf.byte_length() > keep {
                        if let Err(e) = chunks.put_with_key(&buf.slice_with_end(0, keep), &key) {
                            failed(e);
                        }
                    }
                }
            });
        }
        Ok(())
    })
}
