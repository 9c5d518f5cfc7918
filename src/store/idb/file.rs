//! One IndexedDB file as the emulated region's [`Backing`]: chunks
//! `[id, index]` in the `chunks` object store, its [`Meta`] in `files`.
//! A flush is one readwrite transaction: atomic, asked for at once (its
//! bytes copied, its place in this page's order of calls on the file
//! taken), started in its turn under the file's Web Lock (`lease.rs`),
//! committed later, and then announced to the tabs that map the file. When
//! the turn can start at once (the page holds the lock as a lease, no
//! earlier call of this page on the file is waiting or running) and the
//! map checked the file in that lease, the transaction is created and
//! filled in the `flush()` call itself, as a raw IndexedDB write would be;
//! otherwise a job waits for the turn.
//!
//! Each write is checked as [`decide`] says, from what the map knows of
//! the file; `commit.rs` makes its transaction.

#[cfg(test)]
mod tests;

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::fmt;
use std::rc::Rc;

use js_sys::Promise;
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::future_to_promise;
use web_sys::IdbDatabase;

use super::commit::{self, Attempts, Fill, Pending, Settle, Slots, Update, settler};
use super::lease;
use super::meta::{Meta, new_id};
use crate::backend::{FlushFuture, OnFail};
use crate::error::{Error, ErrorKind, Result};
use crate::paged::{Backing, Later};
use crate::store::Counters;
use crate::store::idb_plan::{Check, decide, plan_flush, plan_resize};

/// The key that names file `id` of database `db_name` in this page: maps
/// with the same key share pages (`paged::Windows`).
pub(crate) fn file_key(db_name: &str, id: f64) -> String {
    format!("idb:{db_name}:{id}")
}

thread_local! {
    /// How many writes (flushes, resizes) this page has asked for, per file
    /// key: a write under this page's lease leaves the file's record as it
    /// is, so a reader that must see one state of the file across several
    /// transactions (`readFileStream`) compares this count too.
    static ASKED: RefCell<BTreeMap<String, u64>> = RefCell::default();
}

/// How many writes of the file `key` ([`file_key`]) this page has asked for.
#[cfg_attr(
    not(feature = "js"),
    allow(dead_code, reason = "read by readFileStream, in the JS API only")
)]
pub(crate) fn writes_asked(key: &str) -> u64 {
    ASKED.with(|asked| asked.borrow().get(key).copied().unwrap_or(0))
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
    pending: Pending,
    counters: Rc<Counters>,
    tabs: Option<Rc<dyn Peers>>,
}

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
            pending: Pending::default(),
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
        self.pending.unsettled()
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
    ///
    /// If the turn can start at once under a lease in which this map checked
    /// the file ([`Self::turn_now`]), the transaction is created and filled
    /// in this call, as a raw IndexedDB write would be; otherwise a job
    /// waits for the turn.
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
        let attempts = Attempts {
            db: self.db.clone(),
            name: self.name.clone(),
            id: self.id,
            what,
            update,
            fill,
            slots: slots.clone(),
        };
        let news = News {
            id: self.id,
            tabs: self.tabs.clone(),
            seen: self.seen.clone(),
            unannounced: self.unannounced.clone(),
            changed,
        };
        ASKED.with(|asked| *asked.borrow_mut().entry(self.key.clone()).or_default() += 1);
        let Some((turn, check)) = self.turn_now((before, after)) else {
            let done = self.write_in_turn(attempts, (before, after), news);
            return self.track(slots, done, on_fail);
        };
        // Tracked before its requests are issued: after the last one, the
        // sooner this task ends, the sooner the transaction commits.
        let (done, settle) = settler();
        self.track(slots, done, on_fail);
        self.write_now(attempts, check, turn, news, settle);
    }

    /// Keeps the write whose attempts share `slots` among the pending ones
    /// until `done` settles; `on_fail` runs if it rejects.
    fn track(&self, slots: Slots, done: Promise, on_fail: OnFail) {
        let (commit, callbacks) = slots.into_commit(done);
        let (known, verified) = (self.known.clone(), self.verified.clone());
        self.pending.track(commit, callbacks, move || {
            // What the file holds now is not known here.
            known.set(None);
            verified.set(None);
            on_fail();
        });
    }

    /// This page's turn on the file, if it can start now ([`lease::turn_now`]:
    /// under a lease, no earlier call of this page on the file waiting or
    /// running), and a write from `before` to `after` bytes in it checks
    /// nothing ([`Check::Leased`]: this map checked the file under that
    /// lease). Any other check may find the file stale and try again: that
    /// takes a job ([`Self::write_in_turn`]).
    fn turn_now(&self, sizes: (u64, u64)) -> Option<(lease::Turn, Check)> {
        self.verified.get()?;
        let turn = lease::turn_now(&self.lock)?;
        // Only a `Leased` check is kept, and it needs no new tag.
        let check = decide(
            self.known.get(),
            self.verified.get(),
            turn.lease(),
            sizes,
            || 0.0,
        );
        // Not leased: the turn ends here, leaving the queue as it was.
        matches!(check, Check::Leased { .. }).then_some((turn, check))
    }

    /// Makes the write in `turn`, which has started, checked as `check`
    /// (a [`Check::Leased`] one) says: its transaction is created and filled
    /// now. `settle` settles the write's promise from inside the
    /// transaction's `complete` or `abort` event, once the other tabs were
    /// told and the turn is over.
    fn write_now(
        &self,
        attempts: Attempts,
        check: Check,
        turn: lease::Turn,
        news: News,
        settle: Settle,
    ) {
        self.known.set(check.after());
        let (known, verified) = (self.known.clone(), self.verified.clone());
        attempts.attempt_now(check, settle, move |committed| {
            match committed {
                Some(meta) => news.tell(meta),
                None => {
                    // Before the next turn decides from them.
                    known.set(None);
                    verified.set(None);
                }
            }
            drop(turn);
        })
    }

    /// Makes the write in this page's next turn on the file, in a job that
    /// waits for it: the place in the queue is taken now. The promise
    /// returned settles when the job is over.
    fn write_in_turn(
        &self,
        attempts: Attempts,
        (before, after): (u64, u64),
        news: News,
    ) -> Promise {
        let (known, verified) = (self.known.clone(), self.verified.clone());
        let ticket = lease::ticket(&self.lock);
        let job = async move {
            let turn = ticket.turn(news.tabs.as_ref()).await;
            let lease = turn.lease();
            let check = decide(known.get(), verified.get(), lease, (before, after), new_id);
            known.set(check.after());
            let mut outcome = attempts.attempt(check).await;
            if outcome.is_err() && attempts.slots.take_stale() {
                // Someone else committed since: their pages must be kept.
                known.set(None);
                outcome = attempts.attempt(Check::Id).await;
            } else if outcome.is_ok() && matches!(check, Check::Known { .. }) {
                // Nobody else commits while the lease lasts.
                verified.set(lease);
            }
            if outcome.is_err() {
                // Before the next turn decides from them.
                known.set(None);
                verified.set(None);
            }
            outcome?;
            if let Some(meta) = attempts.slots.after() {
                news.tell(meta);
            }
            drop(turn);
            Ok(JsValue::UNDEFINED)
        };
        future_to_promise(job)
    }
}

/// What a write of the file tells once it has committed, before its turn
/// ends: this page, the version it reached; the other tabs, the chunks it
/// changed.
struct News {
    id: f64,
    tabs: Option<Rc<dyn Peers>>,
    seen: Rc<Cell<f64>>,
    unannounced: Rc<RefCell<BTreeMap<u64, f64>>>,
    changed: Vec<u64>,
}

impl News {
    /// The write committed the record `meta`.
    fn tell(self, meta: Meta) {
        self.seen.set(self.seen.get().max(meta.version));
        match &self.tabs {
            Some(tabs) if tabs.others_have(self.id) => {
                tabs.announce(self.id, meta.version, meta.size, &self.changed);
            }
            // Nobody to tell (a post costs a tenth of a one-page
            // flush): kept for a tab that says hello later.
            Some(_) => {
                let mut log = self.unannounced.borrow_mut();
                for chunk in self.changed {
                    log.insert(chunk, meta.version);
                }
            }
            None => {}
        }
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
        let fill = commit::resize(id, plan_resize(len, chunk, len < self.size.get()));
        let before = self.size.replace(len);
        let update: Update = Rc::new(move |meta: Meta| meta.next(len, new_id()));
        self.write(
            "resize",
            (before, len),
            update,
            fill,
            Vec::new(),
            Box::new(|| {}),
        );
        Ok(())
    }

    fn commit_later(&self, commit: Later) -> Result<()> {
        let end = commit.end();
        let Later {
            snapshot,
            offset,
            scope,
            runs,
            on_fail,
        } = commit;
        let chunk = self.chunk;
        // The file's length before and after this commit, as this page sees it.
        let before = self.size.get();
        let after = before.max(end);
        // Chunks are worth copying whole only if the map knows the file's state.
        let size = self.known.get().map(|_| after);
        // No byte is copied here: the puts read the snapshot as they go.
        let plan = plan_flush(offset, scope, &runs, chunk, size);
        let bytes: u64 = runs.iter().map(|r| (r.end - r.start) as u64).sum();
        let changed: Vec<u64> = plan.iter().map(|w| w.index).collect();
        self.size.set(after);
        self.counters.add(changed.len() as u64, bytes);
        let fill = commit::flush(self.id, chunk, plan, snapshot);
        let update: Update = Rc::new(move |meta: Meta| meta.next(meta.size.max(end), new_id()));
        self.write("flush", (before, after), update, fill, changed, on_fail);
        Ok(())
    }

    fn deferred_unit(&self) -> Option<u64> {
        // A flush's puts go out across tasks (`transaction::in_slices`), a
        // chunk each: its pages are kept by copy-on-write until then.
        Some(self.chunk)
    }

    fn committed(&self) -> FlushFuture {
        Box::pin(self.pending.committed())
    }
}
