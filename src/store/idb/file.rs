//! One IndexedDB file as the emulated region's [`Backing`]: chunks
//! `[id, index]` in the `chunks` object store, its [`Meta`] in `files`.
//! A flush is one readwrite transaction: atomic, asked for at once (its
//! bytes copied, its place in this page's order of calls on the file
//! taken), started in its turn under the file's Web Lock (`lease.rs`),
//! committed later, and then announced to the tabs that map the file.
//!
//! A flush writes only the chunks of dirty pages, and never overwrites
//! bytes someone else committed with bytes its map did not dirty
//! ([`decide`] picks how):
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
use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::rc::Rc;

use js_sys::{Promise, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::{JsFuture, future_to_promise, spawn_local};
use web_sys::{IdbDatabase, IdbKeyRange, IdbTransaction};

use super::lease;
use super::meta::{Meta, new_id};
use super::request::{abort_error, js_error};
use super::transaction::{Callbacks, LAST_INDEX, Writing, chunk_key, on_success};
use crate::backend::{FlushFuture, OnFail};
use crate::error::{Error, ErrorKind, Result};
use crate::store::Backing;
use crate::store::idb_plan::{Check, ChunkWrite, decide, plan_flush, plan_resize};

/// One commit in flight, kept until it settled and, if it failed, until
/// `committed()` reported the failure.
#[derive(Debug)]
struct Commit {
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

/// What the store's flushes wrote (`FileStore::stats`).
#[derive(Debug, Default)]
pub(crate) struct Counters {
    commits: Cell<u64>,
    units: Cell<u64>,
    bytes: Cell<u64>,
}

impl Counters {
    fn add(&self, units: u64, bytes: u64) {
        self.commits.set(self.commits.get() + 1);
        self.units.set(self.units.get() + units);
        self.bytes.set(self.bytes.get() + bytes);
    }

    pub(crate) fn commits(&self) -> u64 {
        self.commits.get()
    }

    pub(crate) fn units(&self) -> u64 {
        self.units.get()
    }

    pub(crate) fn bytes(&self) -> u64 {
        self.bytes.get()
    }
}

/// The key that names file `id` of database `db_name` in this page: maps
/// with the same key share pages (`paged::Windows`).
pub(crate) fn file_key(db_name: &str, id: f64) -> String {
    format!("idb:{db_name}:{id}")
}

/// What a file's commits need of the other tabs (`tabs.rs`): to ask them
/// for the file's lock, and to tell them of commits.
pub(crate) trait Peers: lease::Asker + fmt::Debug {
    /// Whether another tab has said it maps file `id`.
    fn others_have(&self, id: f64) -> bool;

    /// Tells the other tabs that `version` of file `id` (`size` bytes) has
    /// committed, changing `chunks`.
    fn announce(&self, id: f64, version: f64, size: u64, chunks: &[u64]);
}

/// A file of an IndexedDB store, as maps of it see it.
#[derive(Debug)]
pub(crate) struct IdbFile {
    db: IdbDatabase,
    name: String,
    key: String,
    /// The name of the file's Web Lock, and of this page's turns on it.
    lock: String,
    id: f64,
    chunk: u64,
    /// The file's length as this page last set or saw it.
    size: Cell<u64>,
    /// The highest version of the file this page loaded, committed or heard of.
    seen: Rc<Cell<f64>>,
    /// Chunks this map committed while no other tab was known to map the
    /// file, which no other tab heard of: chunk index to the version that
    /// last changed it. A tab that says hello gets those newer than the
    /// version it loaded.
    unannounced: Rc<RefCell<BTreeMap<u64, f64>>>,
    /// The record of the state whose bytes this map's clean pages hold (once
    /// this map's commits so far have committed), if the map knows one.
    known: Rc<Cell<Option<Meta>>>,
    /// The serial number of the lease under which a commit checked `known`:
    /// while this page holds that lease, nobody else commits.
    verified: Rc<Cell<Option<u64>>>,
    pending: Rc<RefCell<Vec<Rc<Commit>>>>,
    counters: Rc<Counters>,
    tabs: Option<Rc<dyn Peers>>,
}

/// What a transaction on one file needs once its turn comes.
struct Target {
    db: IdbDatabase,
    name: String,
    id: f64,
}

/// What the attempts of one commit share with their callbacks.
#[derive(Clone, Default)]
struct Slots {
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

/// A flush or resize being filled with requests, and what its callbacks need.
struct Started {
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
}

/// Makes the new record from the stored one, for [`Check::Id`].
type Update = Rc<dyn Fn(Meta) -> Meta>;

/// Starts a readwrite transaction filled by `fill` (the chunks go first, so
/// IndexedDB is busy with them while the rest is asked for), then a request
/// that reads the file's record to check it as `check` says, and one that
/// puts the new record (recorded in `slots.after`); if the file was replaced
/// or removed, or is not in the state `check` knows, the transaction aborts.
fn begin(
    target: &Target,
    what: &str,
    check: Check,
    update: &Update,
    fill: &Fill,
    slots: &Slots,
) -> Result<Started> {
    let started = Started {
        w: Writing::begin(&target.db, what)?,
        slots: slots.clone(),
    };
    *slots.tx.borrow_mut() = Some(started.tx.clone());
    fill(&started, !matches!(check, Check::Id))?;
    let key = JsValue::from_str(&target.name);
    if let Check::Leased { old, new } = check {
        if let Some(new) = new {
            started
                .files
                .put_with_key(&new.to_js(), &key)
                .map_err(|e| started.fail(&e))?;
        }
        slots.after.set(Some(new.unwrap_or(old)));
        return Ok(started);
    }
    let get = started.files.get(&key).map_err(|e| started.fail(&e))?;
    if let Check::Known { new, .. } = check {
        started
            .files
            .put_with_key(&new.to_js(), &key)
            .map_err(|e| started.fail(&e))?;
        slots.after.set(Some(new));
    }
    let (files, tx, name, id) = (
        started.files.clone(),
        started.tx.clone(),
        target.name.clone(),
        target.id,
    );
    let (why, stale, after, update) = (
        slots.why.clone(),
        slots.stale.clone(),
        slots.after.clone(),
        update.clone(),
    );
    let failed = started.abort(Error::new(ErrorKind::Io, format!("{what} {name:?}")));
    on_success(&get, &slots.callbacks, move |value| {
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
    Ok(started)
}

/// Puts chunk `w.index` of file `id` with its dirty ranges written over what
/// it holds: as the map has it, or read and merged inside the transaction
/// ([`ChunkWrite::put_as_is`]).
fn put_chunk(
    s: &Started,
    id: f64,
    chunk: u64,
    plan: &Rc<Vec<ChunkWrite>>,
    i: usize,
    known: bool,
) -> Result<()> {
    let w = &plan[i];
    let key = chunk_key(id, w.index);
    if w.put_as_is(chunk, known) {
        let value = Uint8Array::from(w.bytes.as_slice());
        s.chunks
            .put_with_key(&value.buffer(), &key)
            .map_err(|e| s.fail(&e))?;
        return Ok(());
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
        let value = Uint8Array::from(plan[i].merge(stored).as_slice());
        if let Err(e) = chunks.put_with_key(&value.buffer(), &key) {
            failed(e);
        }
    });
    Ok(())
}

/// Fills a write's transaction; `true` if its [`Check::Known`] holds.
type Fill = Rc<dyn Fn(&Started, bool) -> Result<()>>;

impl IdbFile {
    /// File `name` (record `meta`) of database `db_name`, for a map whose
    /// pages were loaded from the state `known` names (`None`: not known).
    pub(crate) fn new(
        db: IdbDatabase,
        db_name: &str,
        name: &str,
        meta: Meta,
        known: Option<Meta>,
        counters: Rc<Counters>,
        tabs: Option<Rc<dyn Peers>>,
    ) -> IdbFile {
        let known = known.filter(|k| k.id == meta.id);
        IdbFile {
            key: file_key(db_name, meta.id),
            lock: lease::lock_name(db_name, name),
            db,
            name: name.to_owned(),
            id: meta.id,
            chunk: meta.chunk,
            size: Cell::new(known.map_or(meta.size, |k| k.size)),
            seen: Rc::new(Cell::new(known.map_or(meta.version, |k| k.version))),
            unannounced: Rc::default(),
            known: Rc::new(Cell::new(known)),
            verified: Rc::default(),
            pending: Rc::default(),
            counters,
            tabs,
        }
    }

    pub(crate) fn id(&self) -> f64 {
        self.id
    }

    pub(crate) fn chunk(&self) -> u64 {
        self.chunk
    }

    /// The commits of this file that have not settled yet.
    pub(crate) fn unsettled(&self) -> Vec<Promise> {
        self.pending
            .borrow()
            .iter()
            .filter(|c| c.settled.get().is_none())
            .map(|c| c.done.clone())
            .collect()
    }

    /// The highest version of the file this page knows of.
    pub(crate) fn version(&self) -> f64 {
        self.seen.get()
    }

    /// The file's length as this page knows it.
    pub(crate) fn size(&self) -> u64 {
        self.size.get()
    }

    /// The chunks this map committed unannounced after `version`.
    pub(crate) fn unannounced_since(&self, version: f64) -> Vec<u64> {
        let log = self.unannounced.borrow();
        log.iter()
            .filter(|&(_, &v)| v > version)
            .map(|(&chunk, _)| chunk)
            .collect()
    }

    /// Another tab committed `version` of the file, `size` bytes long: the
    /// pages it changed are reloaded, and until then this map's pages are
    /// not known to be the stored ones.
    pub(crate) fn saw(&self, version: f64, size: u64) {
        self.known.set(None);
        if version > self.seen.get() {
            self.seen.set(version);
            self.size.set(size);
        }
    }

    /// Asks for a write of the file, in this page's next turn on it
    /// (`lease.rs`): a transaction filled by `fill` that leaves the file
    /// `after` bytes long (the page saw it `before` bytes long when asking),
    /// checked as [`decide`] says (by id with `update` if that check finds
    /// the file stale); once committed, other tabs hear of `changed` chunks.
    /// `on_fail` runs if it fails.
    #[allow(clippy::too_many_arguments)] // one call site each, all named
    fn write(
        &self,
        what: &'static str,
        (before, after): (u64, u64),
        update: Update,
        fill: Fill,
        changed: Vec<u64>,
        on_fail: OnFail,
    ) {
        let slots = Slots::default();
        let target = Target {
            db: self.db.clone(),
            name: self.name.clone(),
            id: self.id,
        };
        let (s, tabs) = (slots.clone(), self.tabs.clone());
        let (known, verified) = (self.known.clone(), self.verified.clone());
        let (seen, unannounced) = (self.seen.clone(), self.unannounced.clone());
        // The place in this page's order is taken now; the turn comes later.
        let ticket = lease::ticket(&self.lock);
        let job = async move {
            let turn = ticket.turn(tabs.as_ref()).await;
            let lease = turn.lease();
            let check = decide(known.get(), verified.get(), lease, (before, after), new_id);
            known.set(check.after());
            let attempt = |check: Check| {
                let tried = begin(&target, what, check, &update, &fill, &s);
                let (tried, why) = (tried.map(|st| st.w.done.clone()), s.why.clone());
                async move {
                    match tried {
                        Ok(done) => JsFuture::from(done).await.map(drop),
                        Err(e) => {
                            why.borrow_mut().get_or_insert(e);
                            Err(JsValue::UNDEFINED)
                        }
                    }
                }
            };
            let mut outcome = attempt(check).await;
            if outcome.is_err() && s.stale.replace(false) {
                // Someone else committed since: their pages must be kept.
                known.set(None);
                outcome = attempt(Check::Id).await;
            } else if outcome.is_ok() && matches!(check, Check::Known { .. }) {
                // Nobody else commits while the lease lasts.
                verified.set(lease);
            }
            outcome?;
            if let Some(meta) = s.after.get() {
                seen.set(seen.get().max(meta.version));
                match &tabs {
                    Some(tabs) if tabs.others_have(target.id) => {
                        tabs.announce(target.id, meta.version, meta.size, &changed);
                    }
                    // Nobody to tell (a post costs a tenth of a one-page
                    // flush): kept for a tab that says hello later.
                    Some(_) => {
                        let mut log = unannounced.borrow_mut();
                        for chunk in changed {
                            log.insert(chunk, meta.version);
                        }
                    }
                    None => {}
                }
            }
            drop(turn);
            Ok(JsValue::UNDEFINED)
        };
        let commit = Rc::new(Commit {
            done: future_to_promise(job),
            tx: slots.tx,
            why: slots.why,
            settled: Cell::new(None),
            reported: Cell::new(false),
        });
        self.track(commit, slots.callbacks, on_fail);
    }

    /// Tracks a commit: `on_fail` runs if it fails.
    fn track(&self, commit: Rc<Commit>, callbacks: Callbacks, on_fail: OnFail) {
        self.pending.borrow_mut().push(commit.clone());
        let (pending, known, verified) = (
            self.pending.clone(),
            self.known.clone(),
            self.verified.clone(),
        );
        spawn_local(async move {
            let ok = JsFuture::from(commit.done.clone()).await.is_ok();
            drop(callbacks);
            commit.settled.set(Some(ok));
            if ok {
                pending.borrow_mut().retain(|c| !Rc::ptr_eq(c, &commit));
            } else {
                // What the file holds now is not known here.
                known.set(None);
                verified.set(None);
                on_fail();
            }
        });
    }
}

impl Backing for IdbFile {
    fn key(&self) -> &str {
        &self.key
    }

    fn len(&self) -> Result<u64> {
        Ok(self.size.get())
    }

    fn read_at(&self, offset: u64, out: &mut [u8]) -> Result<()> {
        if offset >= self.size.get() {
            out.fill(0);
            return Ok(());
        }
        Err(Error::new(
            ErrorKind::Unsupported,
            format!(
                "reading {} bytes at {offset} of {:?} in the browser needs an asynchronous read: \
                 map the window you need instead of growing a smaller one over it",
                out.len(),
                self.name
            ),
        ))
    }

    fn set_len(&self, len: u64) -> Result<()> {
        let (id, chunk) = (self.id, self.chunk);
        let resize = plan_resize(len, chunk, len < self.size.get());
        let fill = move |s: &Started, _known: bool| -> Result<()> {
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
                            if let Err(e) = chunks.put_with_key(&buf.slice_with_end(0, keep), &key)
                            {
                                failed(e);
                            }
                        }
                    }
                });
            }
            Ok(())
        };
        let before = self.size.replace(len);
        let update: Update = Rc::new(move |meta: Meta| meta.next(len, new_id()));
        self.write(
            "resize",
            (before, len),
            update,
            Rc::new(fill),
            Vec::new(),
            Box::new(|| {}),
        );
        Ok(())
    }

    fn commit(
        &self,
        window: &[u8],
        offset: u64,
        scope: Range<usize>,
        runs: &[Range<usize>],
        on_fail: OnFail,
    ) -> Result<()> {
        let end = offset + runs.iter().map(|r| r.end).max().unwrap_or(0) as u64;
        let chunk = self.chunk;
        // The file's length before and after this commit, as this page sees it.
        let before = self.size.get();
        let after = before.max(end);
        // Chunks are worth copying whole only if the map knows the file's state.
        let size = self.known.get().map(|_| after);
        let plan = plan_flush(window, offset, scope, runs, chunk, size);
        let bytes: u64 = runs.iter().map(|r| (r.end - r.start) as u64).sum();
        let changed: Vec<u64> = plan.iter().map(|w| w.index).collect();
        self.size.set(after);
        self.counters.add(changed.len() as u64, bytes);
        let (id, plan) = (self.id, Rc::new(plan));
        let update: Update = Rc::new(move |meta: Meta| meta.next(meta.size.max(end), new_id()));
        let fill = move |s: &Started, known: bool| -> Result<()> {
            for i in 0..plan.len() {
                put_chunk(s, id, chunk, &plan, i, known)?;
            }
            Ok(())
        };
        self.write(
            "flush",
            (before, after),
            update,
            Rc::new(fill),
            changed,
            on_fail,
        );
        Ok(())
    }

    fn committed(&self) -> FlushFuture {
        let commits: Vec<Rc<Commit>> = self.pending.borrow().clone();
        let pending = self.pending.clone();
        Box::pin(async move {
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
        })
    }
}
