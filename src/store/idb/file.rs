//! One IndexedDB file as the emulated region's [`Backing`]: chunks
//! `[id, index]` in the `chunks` object store, its [`Meta`] in `files`.
//! A flush is one readwrite transaction: atomic, started at once, committed
//! later.

use std::cell::{Cell, RefCell};
use std::collections::BTreeSet;
use std::ops::Range;
use std::rc::Rc;

use js_sys::{Promise, Uint8Array};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::{JsFuture, spawn_local};
use web_sys::{IdbDatabase, IdbKeyRange, IdbRequest, IdbTransaction};

use super::meta::Meta;
use super::request::{abort_error, chunk_key};
use super::{Counters, Writing};
use crate::backend::{FlushFuture, OnFail};
use crate::error::{Error, ErrorKind, Result};
use crate::store::Backing;

/// One commit in flight, kept until it settled and, if it failed, until
/// `committed()` reported the failure.
#[derive(Debug)]
struct Commit {
    done: Promise,
    tx: IdbTransaction,
    /// Why the commit aborted itself (the file was replaced or removed).
    why: Rc<RefCell<Option<Error>>>,
    /// `Some(true)` once committed, `Some(false)` once aborted.
    settled: Cell<Option<bool>>,
    reported: Cell<bool>,
}

impl Commit {
    fn error(&self) -> Error {
        self.why
            .borrow()
            .as_ref()
            .map(|e| Error::new(e.kind(), e.message()))
            .unwrap_or_else(|| abort_error("flush", &self.tx))
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

/// A file of an IndexedDB store, as maps of it see it.
#[derive(Debug)]
pub(crate) struct IdbFile {
    db: IdbDatabase,
    name: String,
    key: String,
    id: f64,
    chunk: u64,
    /// The file's length as this page last set or saw it.
    size: Cell<u64>,
    pending: Rc<RefCell<Vec<Rc<Commit>>>>,
    counters: Rc<Counters>,
}

impl IdbFile {
    pub(crate) fn new(
        db: IdbDatabase,
        db_name: &str,
        name: &str,
        meta: Meta,
        counters: Rc<Counters>,
    ) -> IdbFile {
        IdbFile {
            key: format!("idb:{db_name}:{}", meta.id),
            db,
            name: name.to_owned(),
            id: meta.id,
            chunk: meta.chunk,
            size: Cell::new(meta.size),
            pending: Rc::default(),
            counters,
        }
    }

    /// Starts a readwrite transaction whose first request checks that the
    /// name still points at this file and then puts the metadata `update`
    /// makes of it; if the file was replaced or removed, the transaction aborts.
    fn begin(&self, what: &str, update: impl FnOnce(Meta) -> Meta + 'static) -> Result<Started> {
        let started = Started {
            w: Writing::begin(&self.db, what)?,
            callbacks: Callbacks::default(),
            why: Rc::new(RefCell::new(None)),
        };
        let get = started
            .files
            .get(&JsValue::from_str(&self.name))
            .map_err(|e| started.fail(&e))?;
        let (files, tx, why, name, id) = (
            started.files.clone(),
            started.tx.clone(),
            started.why.clone(),
            self.name.clone(),
            self.id,
        );
        on_success(&get, &started.callbacks, move |value| {
            match Meta::from_js(&value) {
                Some(meta) if meta.id == id => {
                    let _ = files.put_with_key(&update(meta).to_js(), &JsValue::from_str(&name));
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

    /// Tracks a started transaction: `on_fail` runs if it aborts.
    fn track(&self, started: Started, on_fail: OnFail) {
        let commit = Rc::new(Commit {
            done: started.w.done,
            tx: started.w.tx,
            why: started.why,
            settled: Cell::new(None),
            reported: Cell::new(false),
        });
        self.pending.borrow_mut().push(commit.clone());
        let (pending, callbacks) = (self.pending.clone(), started.callbacks);
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

    /// Puts chunk `index` with the bytes `data` (its start; the rest reads
    /// as zero up to the file size). With `merge`, bytes of the stored chunk
    /// past `data` are kept: the map holds only the start of that chunk.
    fn put_chunk(&self, s: &Started, index: u64, data: &[u8], merge: bool) -> Result<u64> {
        let key = chunk_key(self.id, index);
        if !merge {
            let value = Uint8Array::new_with_length(data.len() as u32);
            value.copy_from(data);
            s.chunks
                .put_with_key(&value.buffer(), &key)
                .map_err(|e| s.fail(&e))?;
            return Ok(data.len() as u64);
        }
        let get = s.chunks.get(&key).map_err(|e| s.fail(&e))?;
        let (chunks, head) = (s.chunks.clone(), data.to_vec());
        on_success(&get, &s.callbacks, move |stored| {
            let mut bytes = head;
            if let Some(buf) = stored.dyn_ref::<js_sys::ArrayBuffer>() {
                let old = Uint8Array::new(buf);
                if old.length() as usize > bytes.len() {
                    let tail = old.subarray(bytes.len() as u32, old.length());
                    let start = bytes.len();
                    bytes.resize(old.length() as usize, 0);
                    tail.copy_to(&mut bytes[start..]);
                }
            }
            let value = Uint8Array::new_with_length(bytes.len() as u32);
            value.copy_from(&bytes);
            let _ = chunks.put_with_key(&value.buffer(), &key);
        });
        Ok(data.len() as u64)
    }
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
        let started = self.begin("resize", move |meta| Meta {
            size: len,
            version: meta.version + 1.0,
            ..meta
        })?;
        let chunk = self.chunk;
        let first_gone = len.div_ceil(chunk);
        let past_end = IdbKeyRange::bound(
            &chunk_key(self.id, first_gone),
            &chunk_key(self.id, LAST_INDEX),
        )
        .map_err(|e| started.fail(&e))?;
        started
            .chunks
            .delete(&past_end)
            .map_err(|e| started.fail(&e))?;
        if len % chunk != 0 && len < self.size.get() {
            // Cut the chunk that the new end falls in, so that bytes past the
            // end read as zero if the file grows again.
            let key = chunk_key(self.id, len / chunk);
            let get = started.chunks.get(&key).map_err(|e| started.fail(&e))?;
            let (chunks, keep) = (started.chunks.clone(), (len % chunk) as u32);
            on_success(&get, &started.callbacks, move |stored| {
                if let Some(buf) = stored.dyn_ref::<js_sys::ArrayBuffer>() {
                    if buf.byte_length() > keep {
                        let _ = chunks.put_with_key(&buf.slice_with_end(0, keep), &key);
                    }
                }
            });
        }
        self.size.set(len);
        self.track(started, Box::new(|| {}));
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
        let size = self.size.get().max(end);
        let started = self.begin("flush", move |meta| Meta {
            size: meta.size.max(end),
            version: meta.version + 1.0,
            ..meta
        })?;
        let chunk = self.chunk;
        let indices: BTreeSet<u64> = runs
            .iter()
            .flat_map(|r| {
                let first = (offset + r.start as u64) / chunk;
                let last = (offset + r.end as u64).div_ceil(chunk);
                first..last
            })
            .collect();
        let window_end = offset + window.len() as u64;
        let mut bytes = 0;
        for &index in &indices {
            let start = index * chunk;
            let stop = (start + chunk).min(window_end);
            let data = &window[(start - offset) as usize..(stop - offset) as usize];
            // The chunk goes on past the window, into bytes of the file.
            let merge = stop < start + chunk && stop < self.size.get();
            bytes += self.put_chunk(&started, index, data, merge)?;
        }
        self.size.set(size);
        self.counters.add(indices.len() as u64, bytes);
        self.track(started, on_fail);
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
