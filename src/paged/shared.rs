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
//!
//! A store that writes a commit after the flush returns (IndexedDB) reads
//! it from a [`Snapshot`](snapshot::Snapshot): every change vmmap makes to a page in flight
//! copies the page aside first (`snapshot.rs`).
//!
//! Pages over a store that reads synchronously are loaded on demand
//! ([`Pages::ensure`]): until then a page's bytes are uninitialized memory
//! that nothing refers to. Every reference vmmap makes to the bytes, and
//! every one it hands out, covers only resident pages, made resident before
//! the reference exists; a page never stops being resident while its pages
//! live. So loading writes only bytes no borrow can cover.

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Weak};

use super::backing::Backing;
use super::bytes::Bytes;
use super::page_set::PageSet;
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
    /// Whether every page is resident: from the start for a window loaded
    /// whole, once each page was loaded for one loaded on demand. Checked
    /// without the lock by every access.
    complete: AtomicBool,
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
    /// The pages whose bytes are loaded, while not all of them are.
    resident: PageSet,
    /// How many pages `resident` holds (counted, not scanned, as they load).
    loaded: usize,
    /// The snapshots of commits in flight that may still read pages in
    /// place (`snapshot.rs`): a change to one of those pages copies it first.
    flights: Vec<Weak<Mutex<snapshot::Flight>>>,
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

impl Pages {
    /// Pages whose every byte is in `bytes` already.
    pub(crate) fn new(backing: Arc<dyn Backing>, offset: u64, bytes: Bytes) -> Pages {
        Pages::with(backing, offset, bytes, true)
    }

    /// The `len` bytes at `offset` of `backing`, none loaded yet: each page
    /// is read when a call first needs it ([`ensure`](Self::ensure)).
    /// Reserves memory for them without touching it.
    pub(crate) fn on_demand(backing: Arc<dyn Backing>, offset: u64, len: usize) -> Result<Pages> {
        let bytes = Bytes::uninit(len, "a map's pages")?;
        Ok(Pages::with(backing, offset, bytes, len == 0))
    }

    fn with(backing: Arc<dyn Backing>, offset: u64, bytes: Bytes, complete: bool) -> Pages {
        let pages = bytes.len().div_ceil(crate::page_size());
        Pages {
            state: Mutex::new(State {
                tracker: Tracker::new(bytes.len(), crate::page_size()),
                overlapping: Vec::new(),
                remote: BTreeMap::new(),
                resident: PageSet::new(if complete { 0 } else { pages }),
                loaded: 0,
                flights: Vec::new(),
            }),
            stale: AtomicBool::new(false),
            complete: AtomicBool::new(complete),
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

    /// A copy of these pages (all resident) with `len` bytes (new bytes
    /// from `tail`), for a map that resizes: the copy no longer shares with
    /// the other maps of the old window, and starts with the same dirty pages.
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
                resident: PageSet::new(0),
                loaded: 0,
                flights: Vec::new(),
            }),
            stale: AtomicBool::new(false),
            complete: AtomicBool::new(true),
            backing: self.backing.clone(),
            offset: self.offset,
        })
    }

    /// The bytes of `range`, loaded first where they are not resident: for
    /// a map's reads and `Deref`.
    ///
    /// # Safety
    /// While the slice lives, nothing writes the bytes: the contract of the
    /// `unsafe` constructors that map files (the caller's), and
    /// [`refresh`](Self::refresh) only from `&mut` calls (vmmap's).
    pub(crate) unsafe fn bytes(&self, range: Range<usize>) -> Result<&[u8]> {
        self.ensure(range.clone())?;
        // SAFETY: resident (above), so initialized; the caller's promise.
        Ok(unsafe { self.bytes.get(range) })
    }

    /// The bytes of `range` for user code to write as it likes, loaded
    /// first; with `track`, hashed, so that a flush finds which changed.
    ///
    /// # Safety
    /// While the slice lives, nothing else reads or writes those bytes: the
    /// map that hands it out is borrowed `&mut` for as long, and the
    /// constructors' contract keeps other maps of the file off them.
    #[allow(clippy::mut_from_ref)]
    pub(crate) unsafe fn bytes_mut(&self, range: Range<usize>, track: bool) -> Result<&mut [u8]> {
        self.ensure(range.clone())?;
        self.locked(|state, held| {
            state.thaw(held, &range);
            if track {
                state.tracker.expose(held, range.clone());
            }
        });
        // SAFETY: resident (above); the caller's promise.
        Ok(unsafe { self.bytes.get_mut(range) })
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
    /// of the file (one lock at a time: never two held at once). Pages the
    /// write covers in part are loaded first (the only error).
    pub(crate) fn write(
        &self,
        range: Range<usize>,
        shared: bool,
        fill: impl FnOnce(&mut [u8]),
    ) -> Result<()> {
        for partial in self.partial_pages(&range) {
            self.ensure(partial)?;
        }
        let passed_on = self.locked(|state, held| {
            self.claim(state, &range);
            state.thaw(held, &range);
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
        Ok(())
    }

    /// Copies `count` bytes from `src` to `dest` (they may overlap), as
    /// [`write`](Self::write); both ranges are loaded first.
    pub(crate) fn copy_within(
        &self,
        src: usize,
        dest: usize,
        count: usize,
        shared: bool,
    ) -> Result<()> {
        let range = dest..dest + count;
        self.ensure(src..src + count)?;
        self.ensure(range.clone())?;
        let passed_on = self.locked(|state, held| {
            state.thaw(held, &range);
            // SAFETY: as in `write`.
            unsafe { self.bytes.copy_within(src, dest, count) };
            if shared {
                Self::mark(state, &range)
            } else {
                Vec::new()
            }
        });
        self.pass_on(range, passed_on);
        Ok(())
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
        // Pages not loaded yet are loaded first. If that fails they stay
        // unloaded, and loading them later takes this write over from the
        // window that made it (`ensure`), as long as that window lives.
        if self.ensure(here.clone()).is_err() {
            return;
        }
        self.locked(|state, held| {
            state.thaw(held, &here);
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
                // A page not loaded yet will read the store, which holds them.
                if !self.is_resident(state, index) {
                    continue;
                }
                if held.range(range.clone()) != theirs.as_slice()
                    && state.tracker.may_replace(held, index)
                {
                    state.thaw(held, &range);
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
}

impl Drop for Pages {
    fn drop(&mut self) {
        self.keep_all_frozen();
    }
}

mod loading;
mod snapshot;
mod windows;

pub(crate) use windows::Windows;
