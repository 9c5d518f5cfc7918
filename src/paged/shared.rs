//! The pages of one window of one file, shared by every read and write map of
//! that window in this process, as `MAP_SHARED` shares the page cache; and
//! [`Windows`], the register through which maps find them and through which
//! writes reach other, overlapping windows of the same file.

use std::cell::UnsafeCell;
use std::ops::Range;
use std::sync::{Arc, Mutex, MutexGuard, Weak};

use super::tracker::Tracker;
use crate::error::{Error, ErrorKind, Result};
use crate::store::Backing;

/// The bytes of a window `[offset, offset + len)` of a file, with what a
/// flush must write of them.
#[derive(Debug)]
pub(crate) struct Pages {
    bytes: UnsafeCell<Vec<u8>>,
    state: Mutex<State>,
    pub(crate) backing: Arc<dyn Backing>,
    pub(crate) offset: u64,
}

/// What changes under the lock: dirty tracking, and the other live windows
/// of the same file that overlap this one.
#[derive(Debug)]
pub(crate) struct State {
    pub(crate) tracker: Tracker,
    overlapping: Vec<Weak<Pages>>,
}

// SAFETY: `Pages` is shared between maps (and, on targets with threads,
// between threads) like the page cache behind a MAP_SHARED mapping: every map
// of the window reads and writes the same bytes. The vector is never
// reallocated (a resize builds new `Pages`), so pointers into it stay valid
// for as long as any map holds the `Arc`. Concurrent writes from two threads
// to the same bytes race exactly as they do on a native shared mapping;
// `Mmap::open` documents this.
unsafe impl Sync for Pages {}

/// Locks `m`; the state behind these locks stays valid if a holder panicked.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl Pages {
    pub(crate) fn new(backing: Arc<dyn Backing>, offset: u64, bytes: Vec<u8>) -> Pages {
        Pages {
            state: Mutex::new(State {
                tracker: Tracker::new(bytes.len(), crate::page_size()),
                overlapping: Vec::new(),
            }),
            bytes: UnsafeCell::new(bytes),
            backing,
            offset,
        }
    }

    /// A copy of these pages with `len` bytes (new bytes from `tail`), for a
    /// map that resizes: the copy no longer shares with the other maps of
    /// the old window, and starts with the same dirty pages.
    /// `QuotaExceeded` if memory cannot hold them (never an abort).
    pub(crate) fn resized(&self, len: usize, tail: &[u8]) -> Result<Pages> {
        let old = self.bytes();
        let mut bytes = Vec::new();
        bytes.try_reserve_exact(len).map_err(|_| {
            Error::new(
                ErrorKind::QuotaExceeded,
                format!("{len} bytes for a resized map do not fit in memory"),
            )
        })?;
        bytes.extend_from_slice(&old[..old.len().min(len)]);
        bytes.extend_from_slice(tail);
        bytes.resize(len, 0);
        let mut tracker = self.state().tracker.clone();
        tracker.resize(len);
        Ok(Pages {
            bytes: UnsafeCell::new(bytes),
            state: Mutex::new(State {
                tracker,
                overlapping: Vec::new(),
            }),
            backing: self.backing.clone(),
            offset: self.offset,
        })
    }

    pub(crate) fn state(&self) -> MutexGuard<'_, State> {
        lock(&self.state)
    }

    pub(crate) fn bytes(&self) -> &[u8] {
        // SAFETY: see `impl Sync`: the vector lives as long as `self` and is
        // never reallocated; writers go through `bytes_mut`.
        unsafe { (*self.bytes.get()).as_slice() }
    }

    /// The bytes for writing, from a shared reference, as a shared mapping
    /// hands its pages to every map of them.
    #[allow(clippy::mut_from_ref)]
    pub(crate) fn bytes_mut(&self) -> &mut [u8] {
        // SAFETY: see `impl Sync`. Each map hands these out only under `&mut`
        // of itself, so within one map no other borrow is alive; other maps
        // of the window alias them, as native shared mappings do.
        unsafe { (*self.bytes.get()).as_mut_slice() }
    }

    pub(crate) fn len(&self) -> usize {
        self.bytes().len()
    }

    /// This window in file offsets.
    fn span(&self) -> Range<u64> {
        self.offset..self.offset + self.len() as u64
    }

    /// The bytes of `range` changed through the API: mark them dirty, and
    /// copy them into every live overlapping window of the file.
    pub(crate) fn written(&self, range: Range<usize>) {
        let others: Vec<Arc<Pages>> = {
            let mut state = self.state();
            state.tracker.written(range.clone());
            state.overlapping.retain(|w| w.strong_count() > 0);
            state.overlapping.iter().filter_map(Weak::upgrade).collect()
        };
        let changed = self.offset + range.start as u64..self.offset + range.end as u64;
        for other in others {
            other.take_from(self, changed.clone());
        }
    }

    /// Copies the bytes of `span` (file offsets) that both windows hold from
    /// `from`, and marks them dirty here: a flush of either map writes them.
    fn take_from(&self, from: &Pages, span: Range<u64>) {
        let (start, end) = (span.start.max(self.offset), span.end.min(self.span().end));
        let (start, end) = (start.max(from.offset), end.min(from.span().end));
        if start >= end {
            return;
        }
        let src = &from.bytes()[(start - from.offset) as usize..(end - from.offset) as usize];
        let here = (start - self.offset) as usize..(end - self.offset) as usize;
        let mut state = self.state();
        self.bytes_mut()[here.clone()].copy_from_slice(src);
        state.tracker.written(here);
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
    /// `key` at file offset `offset`: copied into the clean pages of every
    /// live window that holds them. Dirty pages keep their bytes: the local
    /// write wins until its own flush. Returns how many pages changed.
    #[allow(dead_code)] // only the browser store has other writers (store/idb/tabs.rs)
    pub(crate) fn apply_remote(&self, key: &str, offset: u64, data: &[u8]) -> usize {
        self.alive()
            .iter()
            .filter(|p| p.backing.key() == key)
            .map(|p| p.apply_remote(offset, data))
            .sum()
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
            pages.overlay(other, span.clone());
            if link {
                other.state().overlapping.push(Arc::downgrade(&pages));
                pages.state().overlapping.push(Arc::downgrade(other));
            }
        }
        if link {
            live.push(Arc::downgrade(&pages));
        }
        pages
    }
}

impl Pages {
    /// See [`Windows::apply_remote`].
    fn apply_remote(&self, offset: u64, data: &[u8]) -> usize {
        let span = self.span();
        let (start, end) = (
            offset.max(span.start),
            (offset + data.len() as u64).min(span.end),
        );
        if start >= end {
            return 0;
        }
        let here = (start - self.offset) as usize..(end - self.offset) as usize;
        let page = crate::page_size();
        let mut state = self.state();
        let mut changed = 0;
        let mut pos = here.start;
        while pos < here.end {
            let next = ((pos / page + 1) * page).min(here.end);
            let from = (self.offset + pos as u64 - offset) as usize;
            let theirs = &data[from..from + (next - pos)];
            let index = pos / page;
            if self.bytes()[pos..next] != *theirs && state.tracker.may_replace(self.bytes(), index)
            {
                self.bytes_mut()[pos..next].copy_from_slice(theirs);
                state.tracker.replaced(self.bytes(), index);
                changed += 1;
            }
            pos = next;
        }
        changed
    }

    /// Copies what `other` holds of `span` over these freshly loaded bytes,
    /// marking dirty the pages whose bytes differ from the store's.
    fn overlay(&self, other: &Pages, span: Range<u64>) {
        let (start, end) = (span.start.max(other.offset), span.end.min(other.span().end));
        let src = &other.bytes()[(start - other.offset) as usize..(end - other.offset) as usize];
        let here = (start - self.offset) as usize..(end - self.offset) as usize;
        let page = crate::page_size();
        let mut state = self.state();
        let mut pos = here.start;
        while pos < here.end {
            let next = ((pos / page + 1) * page).min(here.end);
            let theirs = &src[pos - here.start..next - here.start];
            if self.bytes()[pos..next] != *theirs {
                self.bytes_mut()[pos..next].copy_from_slice(theirs);
                state.tracker.written(pos..next);
            }
            pos = next;
        }
    }
}
