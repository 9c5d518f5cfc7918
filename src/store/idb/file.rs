//! One IndexedDB file as the emulated region's [`Backing`]: chunks
//! `[id, index]` in the `chunks` object store, its [`Meta`] in `files`.
//! A flush is one readwrite transaction: atomic, asked for at once (its
//! bytes copied then), started once the file's Web Lock is held
//! (`tabs.rs`), committed later, and then announced to the other tabs.
//!
//! A flush writes only the dirty pages: a chunk it covers whole is put, any
//! other chunk is read and merged inside the transaction, so pages another
//! tab committed to the same chunk are kept (last flush wins per page).

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::ops::Range;
use std::rc::Rc;

use js_sys::{Promise, Uint8Array};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::{JsFuture, future_to_promise, spawn_local};
use web_sys::{IdbDatabase, IdbKeyRange, IdbRequest, IdbTransaction};

use super::meta::Meta;
use super::request::{abort_error, chunk_key, js_error};
use super::tabs::{self, Tabs};
use super::{Counters, Writing};
use crate::backend::{FlushFuture, OnFail};
use crate::error::{Error, ErrorKind, Result};
use crate::store::Backing;

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

/// The highest chunk index a key range needs: 2^53 - 1, exact in an f64.
const LAST_INDEX: u64 = (1 << 53) - 1;

/// Rust callbacks a transaction calls, kept alive until it settles.
type Callbacks = Rc<RefCell<Vec<Closure<dyn FnMut(JsValue)>>>>;

/// Runs `f` when `request` succeeds, inside the transaction (which stays
/// active during the success event, so `f` may issue more requests).
fn on_success(request: &IdbRequest, callbacks: &Callbacks, f: impl FnOnce(JsValue) + 'static) {
    let request2 = request.clone();
    let closure = Closure::once(move |_event: JsValue| {
        f(request2.result().unwrap_or(JsValue::UNDEFINED));
    });
    request.set_onsuccess(Some(closure.as_ref().unchecked_ref()));
    callbacks.borrow_mut().push(closure);
}

/// The key that names file `id` of database `db_name` in this page: maps
/// with the same key share pages (`paged::Windows`).
pub(crate) fn file_key(db_name: &str, id: f64) -> String {
    format!("idb:{db_name}:{id}")
}

/// A file of an IndexedDB store, as maps of it see it.
#[derive(Debug)]
pub(crate) struct IdbFile {
    db: IdbDatabase,
    name: String,
    key: String,
    /// The Web Lock that serializes writes of this file across tabs.
    lock: String,
    id: f64,
    chunk: u64,
    /// The file's length as this page last set or saw it.
    size: Cell<u64>,
    /// The highest version another tab announced.
    seen: Cell<f64>,
    pending: Rc<RefCell<Vec<Rc<Commit>>>>,
    counters: Rc<Counters>,
    tabs: Option<Rc<Tabs>>,
}

/// What a transaction on one file needs once its lock is granted.
struct Target {
    db: IdbDatabase,
    name: String,
    id: f64,
}

/// A flush or resize being filled with requests, and what its callbacks need.
struct Started {
    w: Writing,
    callbacks: Callbacks,
    why: Rc<RefCell<Option<Error>>>,
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
        let (tx, slot) = (self.tx.clone(), self.why.clone());
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

/// Starts a readwrite transaction whose first request checks that the name
/// still points at the file and then puts the metadata `update` makes of it
/// (and records it in `after`); if the file was replaced or removed, the
/// transaction aborts.
fn begin(
    target: &Target,
    what: &str,
    update: impl FnOnce(Meta) -> Meta + 'static,
    callbacks: Callbacks,
    why: Rc<RefCell<Option<Error>>>,
    after: Rc<Cell<Option<Meta>>>,
) -> Result<Started> {
    let started = Started {
        w: Writing::begin(&target.db, what)?,
        callbacks,
        why,
    };
    let get = started
        .files
        .get(&JsValue::from_str(&target.name))
        .map_err(|e| started.fail(&e))?;
    let (files, tx, why, name, id) = (
        started.files.clone(),
        started.tx.clone(),
        started.why.clone(),
        target.name.clone(),
        target.id,
    );
    let failed = started.abort(Error::new(ErrorKind::Io, format!("{what} {name:?}")));
    on_success(&get, &started.callbacks, move |value| {
        match Meta::from_js(&value) {
            Some(meta) if meta.id == id => {
                let new = update(meta);
                after.set(Some(new));
                if let Err(e) = files.put_with_key(&new.to_js(), &JsValue::from_str(&name)) {
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

/// The dirty bytes of one chunk: `(offset in the chunk, bytes)`, in order.
type Pieces = Vec<(usize, Vec<u8>)>;

/// Puts chunk `index` of file `id` with `pieces` written over what it holds:
/// a chunk covered whole is put as it is; any other is read and merged
/// inside the transaction, so bytes this flush does not own are kept.
fn put_chunk(s: &Started, id: f64, index: u64, chunk: u64, pieces: Pieces) -> Result<()> {
    let key = chunk_key(id, index);
    if let [(0, whole)] = pieces.as_slice() {
        if whole.len() as u64 == chunk {
            let value = Uint8Array::from(whole.as_slice());
            s.chunks
                .put_with_key(&value.buffer(), &key)
                .map_err(|e| s.fail(&e))?;
            return Ok(());
        }
    }
    let get = s.chunks.get(&key).map_err(|e| s.fail(&e))?;
    let chunks = s.chunks.clone();
    let failed = s.abort(Error::new(ErrorKind::Io, format!("flush chunk {index}")));
    on_success(&get, &s.callbacks, move |stored| {
        let mut bytes = match stored.dyn_ref::<js_sys::ArrayBuffer>() {
            Some(buf) => Uint8Array::new(buf).to_vec(),
            None => Vec::new(),
        };
        let need = pieces.iter().map(|(at, p)| at + p.len()).max().unwrap_or(0);
        if bytes.len() < need {
            bytes.resize(need, 0);
        }
        for (at, piece) in &pieces {
            bytes[*at..at + piece.len()].copy_from_slice(piece);
        }
        let value = Uint8Array::from(bytes.as_slice());
        if let Err(e) = chunks.put_with_key(&value.buffer(), &key) {
            failed(e);
        }
    });
    Ok(())
}

impl IdbFile {
    pub(crate) fn new(
        db: IdbDatabase,
        db_name: &str,
        name: &str,
        meta: Meta,
        counters: Rc<Counters>,
        tabs: Option<Rc<Tabs>>,
    ) -> IdbFile {
        IdbFile {
            key: file_key(db_name, meta.id),
            lock: tabs::lock_name(db_name, name),
            db,
            name: name.to_owned(),
            id: meta.id,
            chunk: meta.chunk,
            size: Cell::new(meta.size),
            seen: Cell::new(meta.version),
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

    /// Another tab committed `version` of the file, `size` bytes long.
    pub(crate) fn saw(&self, version: f64, size: u64) {
        if version > self.seen.get() {
            self.seen.set(version);
            self.size.set(size);
        }
    }

    /// Asks for a write of the file: under the file's lock, a transaction
    /// that checks the file and updates its metadata with `update`, filled
    /// by `fill`; once committed, other tabs hear of `changed` chunks.
    /// `on_fail` runs if it fails.
    fn write(
        &self,
        what: &'static str,
        update: impl FnOnce(Meta) -> Meta + 'static,
        fill: impl FnOnce(&Started) -> Result<()> + 'static,
        changed: Vec<u64>,
        on_fail: OnFail,
    ) {
        let tx_slot: Rc<RefCell<Option<IdbTransaction>>> = Rc::default();
        let why_slot: Rc<RefCell<Option<Error>>> = Rc::default();
        let callbacks = Callbacks::default();
        let target = Target {
            db: self.db.clone(),
            name: self.name.clone(),
            id: self.id,
        };
        let (tx, why, held, tabs) = (
            tx_slot.clone(),
            why_slot.clone(),
            callbacks.clone(),
            self.tabs.clone(),
        );
        let job = move || -> Promise {
            let after = Rc::new(Cell::new(None));
            let started = begin(&target, what, update, held, why.clone(), after.clone())
                .and_then(|s| fill(&s).map(|()| s));
            let started = match started {
                Ok(started) => started,
                Err(e) => {
                    why.borrow_mut().get_or_insert(e);
                    return Promise::reject(&JsValue::UNDEFINED);
                }
            };
            *tx.borrow_mut() = Some(started.tx.clone());
            let done = started.w.done.clone();
            future_to_promise(async move {
                JsFuture::from(done).await?;
                if let (Some(tabs), Some(meta)) = (tabs, after.get()) {
                    tabs.announce(target.id, meta.version, meta.size, &changed);
                }
                Ok(JsValue::UNDEFINED)
            })
        };
        let commit = Rc::new(Commit {
            done: tabs::locked(&self.lock, job),
            tx: tx_slot,
            why: why_slot,
            settled: Cell::new(None),
            reported: Cell::new(false),
        });
        self.track(commit, callbacks, on_fail);
    }

    /// Tracks a commit: `on_fail` runs if it fails.
    fn track(&self, commit: Rc<Commit>, callbacks: Callbacks, on_fail: OnFail) {
        self.pending.borrow_mut().push(commit.clone());
        let pending = self.pending.clone();
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
        let (id, chunk, shrinks) = (self.id, self.chunk, len < self.size.get());
        let fill = move |s: &Started| -> Result<()> {
            let past_end = IdbKeyRange::bound(
                &chunk_key(id, len.div_ceil(chunk)),
                &chunk_key(id, LAST_INDEX),
            )
            .map_err(|e| s.fail(&e))?;
            s.chunks.delete(&past_end).map_err(|e| s.fail(&e))?;
            if len % chunk != 0 && shrinks {
                // Cut the chunk that the new end falls in, so that bytes past the
                // end read as zero if the file grows again.
                let key = chunk_key(id, len / chunk);
                let get = s.chunks.get(&key).map_err(|e| s.fail(&e))?;
                let (chunks, keep) = (s.chunks.clone(), (len % chunk) as u32);
                let failed = s.abort(Error::new(ErrorKind::Io, "resize"));
                on_success(&get, &s.callbacks, move |stored| {
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
        let update = move |meta: Meta| Meta {
            size: len,
            version: meta.version + 1.0,
            ..meta
        };
        self.size.set(len);
        self.write("resize", update, fill, Vec::new(), Box::new(|| {}));
        Ok(())
    }

    fn commit(
        &self,
        window: &[u8],
        offset: u64,
        runs: &[Range<usize>],
        on_fail: OnFail,
    ) -> Result<()> {
        let end = offset + runs.iter().map(|r| r.end).max().unwrap_or(0) as u64;
        let chunk = self.chunk;
        // The dirty bytes, copied now (the map may change before the lock is
        // granted), grouped by chunk.
        let mut plan: BTreeMap<u64, Pieces> = BTreeMap::new();
        let mut bytes = 0;
        for run in runs {
            let (mut at, stop) = (offset + run.start as u64, offset + run.end as u64);
            while at < stop {
                let index = at / chunk;
                let piece_end = ((index + 1) * chunk).min(stop);
                let piece = &window[(at - offset) as usize..(piece_end - offset) as usize];
                plan.entry(index)
                    .or_default()
                    .push(((at - index * chunk) as usize, piece.to_vec()));
                bytes += piece.len() as u64;
                at = piece_end;
            }
        }
        let changed: Vec<u64> = plan.keys().copied().collect();
        self.size.set(self.size.get().max(end));
        self.counters.add(changed.len() as u64, bytes);
        let id = self.id;
        let update = move |meta: Meta| Meta {
            size: meta.size.max(end),
            version: meta.version + 1.0,
            ..meta
        };
        let fill = move |s: &Started| -> Result<()> {
            for (index, pieces) in plan {
                put_chunk(s, id, index, chunk, pieces)?;
            }
            Ok(())
        };
        self.write("flush", update, fill, changed, on_fail);
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
