//! The pages of one window of one file, shared by every read and write map of
//! that window in this process, as `MAP_SHARED` shares the page cache; and
//! [`Windows`], the register through which maps find them and through which
//! writes reach other, overlapping windows of the same file.
//!
//! The rules that keep this sound (Rust's aliasing rules, checked by Miri):
//! every write to the bytes, and every read vmmap makes for its own use
//! (hashing, committing, copying to another window), happens while the
//! pages' lock is held, and touches exactly the bytes it needs; bytes that
//! another writer (a browser tab) committed are kept aside and copied in
//! only by [`Pages::refresh`], which maps call at the start of a `&mut self`
//! call. What is left — a slice a user borrowed while another map of the
//! file writes the same bytes — is what the `unsafe` constructors' contract
//! rules out.

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};

use super::backing::Backing;
use super::bytes::Bytes;
use super::tracker::{Source, Tracker};
use crate::error::Result;
use crate::sync::lock;

/// The bytes of a window `[offset, offset + len)` of a file, with what a
/// flush must write of them.
#[derive(Debug)]
pub(crate) struct Pages {
    bytes: Bytes,
    state: Mutex<State>,
    /// Whether `State::remote` holds anything: checked without the lock by
    /// every `&mut` call of every map of these pages.
    stale: AtomicBool,
    pub(crate) backing: Arc<dyn Backing>,
    pub(crate) offset: u64,
}

/// What changes under the lock: dirty tracking, the other live windows of the
/// same file that overlap this one, and bytes other writers committed that
/// wait for [`Pages::refresh`].
#[derive(Debug)]
pub(crate) struct State {
    pub(crate) tracker: Tracker,
    overlapping: Vec<Weak<Pages>>,
    /// Page index → (the page's byte range, another writer's bytes for it).
    remote: BTreeMap<usize, (Range<usize>, Vec<u8>)>,
}

impl State {
    /// The pages of `range` hold local writes newer than any remote bytes
    /// kept for them: those are dropped.
    fn supersede(&mut self, range: &Range<usize>) {
        if self.remote.is_empty() || range.is_empty() {
            return;
        }
        let page = crate::page_size();
        let pages = range.start / page..range.end.div_ceil(page);
        self.remote.retain(|index, _| !pages.contains(index));
    }
}

/// The bytes of some [`Pages`], readable while their lock is held: handed to
/// the tracker and the store, which read page by page.
pub(crate) struct Held<'a> {
    bytes: &'a Bytes,
}

impl Source for Held<'_> {
    fn size(&self) -> usize {
        self.bytes.len()
    }

    fn range(&self, range: Range<usize>) -> &[u8] {
        // SAFETY: a `Held` exists only while the pages' lock is held (see
        // `Pages::locked`), and every write vmmap makes to the bytes takes
        // that lock. User code writing through a `&mut` slice of a map makes
        // no call on another map of the file meanwhile (the constructors'
        // contract), and holds its own map `&mut`, so no read here overlaps it.
        unsafe { self.bytes.get(range) }
    }
}

impl Held<'_> {
    /// All the bytes, for a store's commit (which reads only its runs).
    pub(crate) fn all(&self) -> &[u8] {
        self.range(0..self.bytes.len())
    }
}

impl Pages {
    pub(crate) fn new(backing: Arc<dyn Backing>, offset: u64, bytes: Bytes) -> Pages {
        Pages {
            state: Mutex::new(State {
                tracker: Tracker::new(bytes.len(), crate::page_size()),
                overlapping: Vec::new(),
                remote: BTreeMap::new(),
            }),
            stale: AtomicBool::new(false),
            bytes,
            backing,
            offset,
        }
    }

    /// Runs `f` with the state and the bytes, under the lock.
    pub(crate) fn locked<R>(&self, f: impl FnOnce(&mut State, &Held<'_>) -> R) -> R {
        let mut state = lock(&self.state);
        f(&mut state, &Held { bytes: &self.bytes })
    }

    /// A copy of these pages with `len` bytes (new bytes from `tail`), for a
    /// map that resizes: the copy no longer shares with the other maps of
    /// the old window, and starts with the same dirty pages.
    /// `QuotaExceeded` if memory cannot hold them (never an abort).
    pub(crate) fn resized(&self, len: usize, tail: &[u8]) -> Result<Pages> {
        let bytes = Bytes::zeroed(len, "a resized map")?;
        let tracker = self.locked(|state, held| {
            let keep = held.size().min(len);
            let tail = &tail[..tail.len().min(len - keep)];
            // SAFETY: `bytes` is new: nobody else can reach it yet.
            let fresh = unsafe { bytes.get_mut(0..keep + tail.len()) };
            fresh[..keep].copy_from_slice(held.range(0..keep));
            fresh[keep..].copy_from_slice(tail);
            let mut tracker = state.tracker.clone();
            tracker.resize(len);
            tracker
        });
        Ok(Pages {
            bytes,
            state: Mutex::new(State {
                tracker,
                overlapping: Vec::new(),
                remote: BTreeMap::new(),
            }),
            stale: AtomicBool::new(false),
            backing: self.backing.clone(),
            offset: self.offset,
        })
    }

    /// All the bytes, for a map's `Deref`.
    ///
    /// # Safety
    /// While the slice lives, nothing writes the bytes: the contract of the
    /// `unsafe` constructors that map files (the caller's), and
    /// [`refresh`](Self::refresh) only from `&mut` calls (vmmap's).
    pub(crate) unsafe fn bytes(&self) -> &[u8] {
        // SAFETY: the caller's promise.
        unsafe { self.bytes.get(0..self.bytes.len()) }
    }

    /// The bytes of `range` for user code to write as it likes; with
    /// `track`, hashed first, so that a flush finds which of them changed.
    ///
    /// # Safety
    /// While the slice lives, nothing else reads or writes those bytes: the
    /// map that hands it out is borrowed `&mut` for as long, and the
    /// constructors' contract keeps other maps of the file off them.
    #[allow(clippy::mut_from_ref)]
    pub(crate) unsafe fn bytes_mut(&self, range: Range<usize>, track: bool) -> &mut [u8] {
        if track {
            self.locked(|state, held| state.tracker.expose(held, range.clone()));
        }
        // SAFETY: the caller's promise.
        unsafe { self.bytes.get_mut(range) }
    }

    pub(crate) fn len(&self) -> usize {
        self.bytes.len()
    }

    /// This window in file offsets.
    fn span(&self) -> Range<u64> {
        self.offset..self.offset + self.len() as u64
    }

    /// Writes the bytes of `range` with `fill` under the lock; with `shared`,
    /// marks them dirty and copies them into every live overlapping window
    /// of the file (one lock at a time: never two held at once).
    pub(crate) fn write(&self, range: Range<usize>, shared: bool, fill: impl FnOnce(&mut [u8])) {
        let passed_on = self.locked(|state, _| {
            // SAFETY: writes to the bytes happen under the lock we hold, and
            // vmmap's own reads too; a user's borrow of these bytes through
            // another map is ruled out by the constructors' contract.
            let dst = unsafe { self.bytes.get_mut(range.clone()) };
            fill(dst);
            if shared {
                Self::mark(state, &range)
            } else {
                Vec::new()
            }
        });
        self.pass_on(range, passed_on);
    }

    /// Copies `count` bytes from `src` to `dest` (they may overlap), as [`write`](Self::write).
    pub(crate) fn copy_within(&self, src: usize, dest: usize, count: usize, shared: bool) {
        let range = dest..dest + count;
        let passed_on = self.locked(|state, _| {
            // SAFETY: as in `write`.
            unsafe { self.bytes.copy_within(src, dest, count) };
            if shared {
                Self::mark(state, &range)
            } else {
                Vec::new()
            }
        });
        self.pass_on(range, passed_on);
    }

    /// Records an API write of `range`; the overlapping windows to pass it on to.
    fn mark(state: &mut State, range: &Range<usize>) -> Vec<Arc<Pages>> {
        state.tracker.written(range.clone());
        state.supersede(range);
        state.overlapping.retain(|w| w.strong_count() > 0);
        state.overlapping.iter().filter_map(Weak::upgrade).collect()
    }

    /// Copies the bytes of `range` into `others` (overlapping windows).
    fn pass_on(&self, range: Range<usize>, others: Vec<Arc<Pages>>) {
        if others.is_empty() {
            return;
        }
        let data = self.locked(|_, held| held.range(range.clone()).to_vec());
        let at = self.offset + range.start as u64;
        for other in others {
            other.take(at, &data);
        }
    }

    /// Takes `data`, written at file offset `at` through another window:
    /// the bytes this window holds of it change and become dirty here.
    fn take(&self, at: u64, data: &[u8]) {
        let Some((here, from)) = self.clip(at, data.len()) else {
            return;
        };
        self.locked(|state, _| {
            // SAFETY: as in `write`.
            unsafe { self.bytes.get_mut(here.clone()) }.copy_from_slice(&data[from]);
            state.tracker.written(here.clone());
            state.supersede(&here);
        });
    }

    /// Which bytes of this window `len` bytes at file offset `at` cover:
    /// their range here and their range in the data.
    fn clip(&self, at: u64, len: usize) -> Option<(Range<usize>, Range<usize>)> {
        let span = self.span();
        let (start, end) = (at.max(span.start), (at + len as u64).min(span.end));
        (start < end).then(|| {
            let here = (start - self.offset) as usize..(end - self.offset) as usize;
            let from = (start - at) as usize..(end - at) as usize;
            (here, from)
        })
    }

    /// Keeps bytes another writer committed at file offset `at`, page by
    /// page, for the next [`refresh`](Self::refresh).
    fn keep_remote(&self, at: u64, data: &[u8]) {
        let Some((here, from)) = self.clip(at, data.len()) else {
            return;
        };
        let page = crate::page_size();
        self.locked(|state, _| {
            let mut pos = here.start;
            while pos < here.end {
                let next = ((pos / page + 1) * page).min(here.end);
                let theirs =
                    &data[from.start + (pos - here.start)..from.start + (next - here.start)];
                state
                    .remote
                    .insert(pos / page, (pos..next, theirs.to_vec()));
                pos = next;
            }
        });
        self.stale.store(true, Ordering::Release);
    }

    /// Copies what other writers committed into the clean pages; dirty
    /// pages keep their bytes (the local write wins until its own flush).
    /// Called at the start of `&mut` calls of the maps of these pages, when
    /// no borrow of the bytes through them can be alive.
    pub(crate) fn refresh(&self) {
        // A load first: the common case (nothing kept) writes no cache line.
        if !self.stale.load(Ordering::Acquire) || !self.stale.swap(false, Ordering::Acquire) {
            return;
        }
        self.locked(|state, held| {
            for (index, (range, theirs)) in std::mem::take(&mut state.remote) {
                if held.range(range.clone()) != theirs.as_slice()
                    && state.tracker.may_replace(held, index)
                {
                    // SAFETY: as in `write`; `held`'s reads above have ended.
                    unsafe { self.bytes.get_mut(range) }.copy_from_slice(&theirs);
                    state.tracker.replaced(held, index);
                }
            }
        });
    }

    /// After a flush committed `runs`: remote bytes kept for those pages are
    /// older than what was just written.
    pub(crate) fn committed(state: &mut State, runs: &[Range<usize>]) {
        for run in runs {
            state.supersede(run);
        }
    }

    /// Copies what `other` holds of this window over freshly loaded bytes,
    /// marking dirty the pages whose bytes differ from the store's.
    fn overlay(&self, other: &Pages) {
        let span = self.span();
        let (start, end) = (span.start.max(other.offset), span.end.min(other.span().end));
        if start >= end {
            return;
        }
        let theirs = other.locked(|_, held| {
            held.range((start - other.offset) as usize..(end - other.offset) as usize)
                .to_vec()
        });
        let here = (start - self.offset) as usize..(end - self.offset) as usize;
        let page = crate::page_size();
        self.locked(|state, held| {
            let mut pos = here.start;
            while pos < here.end {
                let next = ((pos / page + 1) * page).min(here.end);
                let theirs = &theirs[pos - here.start..next - here.start];
                if held.range(pos..next) != theirs {
                    // SAFETY: as in `write`; `held`'s read above has ended.
                    unsafe { self.bytes.get_mut(pos..next) }.copy_from_slice(theirs);
                    state.tracker.written(pos..next);
                }
                pos = next;
            }
        });
    }
}

/// The live windows of one store's files: maps of the same window share
/// [`Pages`]; overlapping windows are linked so writes reach each other.
#[derive(Debug, Default)]
pub(crate) struct Windows {
    live: Mutex<Vec<Weak<Pages>>>,
}

impl Windows {
    fn alive(&self) -> Vec<Arc<Pages>> {
        let mut live = lock(&self.live);
        live.retain(|w| w.strong_count() > 0);
        live.iter().filter_map(Weak::upgrade).collect()
    }

    /// The pages of a live map of exactly this window of the file `key`.
    pub(crate) fn get(&self, key: &str, offset: u64, len: usize) -> Option<Arc<Pages>> {
        self.alive()
            .into_iter()
            .find(|p| p.backing.key() == key && p.offset == offset && p.len() == len)
    }

    /// Whether a map of this page holds a window of the file `key`.
    #[allow(dead_code)] // only the browser store has other writers (store/idb/tabs.rs)
    pub(crate) fn has_file(&self, key: &str) -> bool {
        self.alive().iter().any(|p| p.backing.key() == key)
    }

    /// Bytes that another writer (a browser tab) committed to the file
    /// `key` at file offset `offset`: kept by every live window that holds
    /// them, and copied into its clean pages at the next `&mut` call of one
    /// of its maps ([`Pages::refresh`]), never behind a borrow.
    #[allow(dead_code)] // only the browser store has other writers (store/idb/tabs.rs)
    pub(crate) fn apply_remote(&self, key: &str, offset: u64, data: &[u8]) {
        for pages in self.alive().iter().filter(|p| p.backing.key() == key) {
            pages.keep_remote(offset, data);
        }
    }

    /// Brings freshly loaded `pages` up to date with the live windows of the
    /// same file that overlap it (their unflushed writes are newer than the
    /// store). With `link`, registers them: later maps of the window share
    /// them and writes flow both ways; unless a live map of that window
    /// registered first, whose pages are returned instead.
    pub(crate) fn join(&self, pages: Arc<Pages>, link: bool) -> Arc<Pages> {
        let key = pages.backing.key();
        let mut live = lock(&self.live);
        live.retain(|w| w.strong_count() > 0);
        let same_file: Vec<Arc<Pages>> = live
            .iter()
            .filter_map(Weak::upgrade)
            .filter(|p| p.backing.key() == key)
            .collect();
        if link {
            if let Some(same) = same_file
                .iter()
                .find(|p| p.offset == pages.offset && p.len() == pages.len())
            {
                return same.clone();
            }
        }
        let span = pages.span();
        for other in same_file
            .iter()
            .filter(|o| o.span().start < span.end && span.start < o.span().end)
        {
            pages.overlay(other);
            if link {
                lock(&other.state).overlapping.push(Arc::downgrade(&pages));
                lock(&pages.state).overlapping.push(Arc::downgrade(other));
            }
        }
        if link {
            live.push(Arc::downgrade(&pages));
        }
        pages
    }
}
