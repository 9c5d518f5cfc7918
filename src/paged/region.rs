//! [`PagedRegion`]: the emulated [`MappedRegion`] — one map's view of
//! [`Pages`], with the access rules of `MAP_SHARED` and `MAP_PRIVATE`.

use std::ops::Range;
use std::sync::Arc;

use super::backing::{Backing, Commit, Later};
use super::bytes::{Bytes, zeroed};
use super::shared::{Pages, Windows};
use crate::backend::{FlushFuture, OnFail};
use crate::error::{Error, ErrorKind, Result};
use crate::options::{Access, Advice};
use crate::region::MappedRegion;

/// One emulated map.
#[derive(Debug)]
pub(crate) struct PagedRegion {
    pages: Arc<Pages>,
    access: Access,
    windows: Arc<Windows>,
}

/// Maps the window `[offset, offset + len)` of the file behind `backing`.
/// Read and write maps share the pages of a live map of the same window and
/// exchange writes with overlapping ones; copy maps get a private copy. New
/// pages are read with `load`, then brought up to date with live windows;
/// or, over a store that reads on demand ([`Backing::on_demand`]), not read
/// at all until a call touches them (`load` is not called).
pub(crate) fn map_window(
    windows: &Arc<Windows>,
    backing: Arc<dyn Backing>,
    offset: u64,
    len: usize,
    access: Access,
    load: impl FnOnce() -> Result<Vec<u8>>,
) -> Result<Box<dyn MappedRegion>> {
    let shared = access != Access::Copy;
    let existing = shared
        .then(|| windows.get(backing.key(), offset, len))
        .flatten();
    let pages = match existing {
        Some(pages) => pages,
        None if backing.on_demand() => {
            let pages = Pages::on_demand(backing, offset, len)?;
            windows.join(Arc::new(pages), shared)
        }
        None => {
            let pages = Pages::new(backing, offset, Bytes::from_vec(load()?));
            windows.join(Arc::new(pages), shared)
        }
    };
    Ok(Box::new(PagedRegion {
        pages,
        access,
        windows: windows.clone(),
    }))
}

impl PagedRegion {
    /// Whether writes are the file's (and so tracked and passed on to
    /// overlapping windows), not the map's own (`Access::Copy`).
    fn shared(&self) -> bool {
        self.access == Access::Write
    }

    /// `Mmap` checks ranges and access before it calls a region; here they
    /// are only asserted (a failure is a bug in `Mmap`, caught in tests).
    fn debug_check(&self, range: &Range<usize>) {
        debug_assert!(
            self.access.is_writable(),
            "write to a {:?} map",
            self.access
        );
        debug_assert!(range.start <= range.end && range.end <= self.pages.len());
    }
}

impl PagedRegion {
    /// What runs if a commit of `runs` started in the background fails
    /// later: they are dirty again (if the pages still live).
    fn on_fail(&self, runs: Vec<Range<usize>>) -> OnFail {
        let weak = Arc::downgrade(&self.pages);
        Box::new(move || {
            if let Some(pages) = weak.upgrade() {
                pages.locked(|state, _| {
                    for run in runs {
                        state.tracker.written(run);
                    }
                });
            }
        })
    }

    /// A flush over a store that writes later (`Backing::commit_later`):
    /// the pages are frozen and count as written under the lock; the store
    /// gets their snapshot once the lock is let go, so it may read it at
    /// once, and a failure marks them dirty again.
    fn flush_later(&self, range: Range<usize>, unit: u64) -> Result<()> {
        let pages = &self.pages;
        let later = pages.locked(|state, held| {
            let scope = state.tracker.span(&range, pages.len());
            let runs = state.tracker.runs_to_write(held, range.clone());
            if runs.is_empty() {
                return None;
            }
            let snapshot = Box::new(pages.freeze(state, &runs, unit));
            state.tracker.committed(range);
            Pages::committed(state, &runs);
            Some(Later {
                snapshot,
                offset: pages.offset,
                scope,
                on_fail: self.on_fail(runs.clone()),
                runs,
            })
        });
        let Some(later) = later else {
            return Ok(());
        };
        let dirty_again = self.on_fail(later.runs.clone());
        pages
            .backing
            .commit_later(later)
            .inspect_err(|_| dirty_again())
    }
}

impl MappedRegion for PagedRegion {
    fn mapped_len(&self) -> usize {
        self.pages.len()
    }

    fn bytes(&self) -> &[u8] {
        match self.bytes_in(0..self.pages.len()) {
            Ok(bytes) => bytes,
            // Only a map that loads on demand gets here: a page it could not
            // read is fatal, as `SIGBUS` is for a native map (documented on
            // `Mmap::as_slice`, with the calls that return the error instead).
            Err(e) => panic!("vmmap: the pages of a map could not be loaded: {e}"),
        }
    }

    fn bytes_in(&self, range: Range<usize>) -> Result<&[u8]> {
        debug_assert!(range.start <= range.end && range.end <= self.pages.len());
        // SAFETY: the returned slice borrows `self`, so no `&mut` call of
        // this map (the only place vmmap changes resident bytes for it, in
        // `refresh`) can run while it lives; writes through other maps of the
        // file are ruled out by the contract of the `unsafe` constructors.
        unsafe { self.pages.bytes(range) }
    }

    fn bytes_mut(&mut self, range: Range<usize>) -> Result<&mut [u8]> {
        self.debug_check(&range);
        // SAFETY: the slice borrows `self` mutably, so nothing else reaches
        // these bytes through this map; other maps of the file are kept off
        // them by the constructors' contract.
        unsafe { self.pages.bytes_mut(range, self.shared()) }
    }

    fn write_with(
        &mut self,
        offset: usize,
        len: usize,
        fill: &mut dyn FnMut(&mut [u8]),
    ) -> Result<()> {
        let range = offset..offset + len;
        self.debug_check(&range);
        self.pages.write(range, self.shared(), fill)
    }

    fn copy_within(&mut self, src: Range<usize>, dest: usize) -> Result<()> {
        self.debug_check(&src);
        self.debug_check(&(dest..dest + src.len()));
        self.pages
            .copy_within(src.start, dest, src.len(), self.shared())
    }

    fn refresh(&mut self) {
        self.pages.refresh();
    }

    fn refreshes(&self) -> bool {
        // Only pages shared in a register can be given other writers' bytes.
        self.access != Access::Copy
    }

    fn flush(&self, range: Range<usize>) -> Result<()> {
        if !self.shared() {
            return Ok(());
        }
        if let Some(unit) = self.pages.backing.deferred_unit() {
            return self.flush_later(range, unit);
        }
        let pages = &self.pages;
        pages.locked(|state, held| {
            let scope = state.tracker.span(&range, pages.len());
            let runs = state.tracker.runs_to_write(held, range.clone());
            if runs.is_empty() {
                return Ok(());
            }
            pages.backing.commit(Commit {
                window: held,
                offset: pages.offset,
                scope,
                runs: &runs,
                hashes: state.tracker.fresh(),
                page: crate::page_size(),
                on_fail: self.on_fail(runs.clone()),
            })?;
            state.tracker.committed(range);
            Pages::committed(state, &runs);
            Ok(())
        })
    }

    fn flushed(&self) -> FlushFuture {
        self.pages.backing.committed()
    }

    fn resize(&mut self, new_len: usize) -> Result<()> {
        debug_assert_eq!(self.access, Access::Write, "checked by Mmap");
        // Write back first: the resized map gets pages of its own, and what
        // was dirty must not depend on which map keeps the old ones.
        self.flush(0..self.pages.len())?;
        let pages = &self.pages;
        let old_len = pages.len();
        let end = pages.offset.checked_add(new_len as u64).ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidArgument,
                format!("offset {} + new length {new_len} overflows", pages.offset),
            )
        })?;
        if pages.backing.on_demand() {
            // Everything is in the file now (flushed above): the resized
            // window loads from it on demand, like a new map.
            pages.backing.set_len(end)?;
            let resized = Pages::on_demand(pages.backing.clone(), pages.offset, new_len)?;
            self.pages = self.windows.join(Arc::new(resized), true);
            return Ok(());
        }
        // Growing shows what the file holds past the old end (zeros past its end).
        let mut tail = zeroed(new_len.saturating_sub(old_len) as u64, "a resized map")?;
        let tail_start = pages.offset + old_len as u64;
        if !tail.is_empty() && pages.backing.len()? > tail_start {
            pages.backing.read_at(tail_start, &mut tail)?;
        }
        pages.backing.set_len(end)?;
        let resized = Arc::new(pages.resized(new_len, &tail)?);
        // The new window joins the register: it is linked with the maps it
        // overlaps, or shares a live map of exactly that window.
        self.pages = self.windows.join(resized, true);
        Ok(())
    }

    fn advise(&self, advice: Advice, range: Range<usize>) -> Result<()> {
        // `WillNeed` loads what is not resident yet (and reports a read
        // error, which `Deref` could only panic on); dropping pages would
        // need `&mut self` (a borrow may cover them), so `DontNeed` keeps them.
        if advice == Advice::WillNeed {
            self.pages.ensure(range)?;
        }
        Ok(())
    }

    fn file_size(&self) -> Result<u64> {
        self.pages.backing.len()
    }

    fn close(&mut self) -> Result<()> {
        // Start writing back what is dirty; other maps of the window keep the pages.
        self.flush(0..self.pages.len())
    }
}
