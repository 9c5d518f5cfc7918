//! [`PagedRegion`]: the emulated [`MappedRegion`] — one map's view of
//! [`Pages`], with the access rules of `MAP_SHARED` and `MAP_PRIVATE`.

use std::ops::Range;
use std::sync::Arc;

use super::shared::{Pages, Windows};
use crate::backend::{FlushFuture, OnFail};
use crate::bounds;
use crate::error::{Error, ErrorKind, Result};
use crate::options::{Access, Advice};
use crate::region::MappedRegion;
use crate::store::{Backing, zeroed};

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
/// pages are read with `load`, then brought up to date with live windows.
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
        None => windows.join(Arc::new(Pages::new(backing, offset, load()?)), shared),
    };
    Ok(Box::new(PagedRegion {
        pages,
        access,
        windows: windows.clone(),
    }))
}

impl PagedRegion {
    /// The range, checked, for a write; `ReadOnly` for read maps.
    fn writable(&self, range: Range<usize>) -> Result<Range<usize>> {
        if self.access == Access::Read {
            return Err(Error::read_only("write"));
        }
        bounds::strict(&range, self.pages.len())
    }

    /// After the bytes of `range` changed: a shared map records them and
    /// passes them on; a private one has nothing to tell.
    fn changed(&self, range: Range<usize>) {
        if self.access == Access::Write {
            self.pages.written(range);
        }
    }
}

impl MappedRegion for PagedRegion {
    fn bytes(&self) -> &[u8] {
        self.pages.bytes()
    }

    fn bytes_mut(&mut self, range: Range<usize>) -> Result<&mut [u8]> {
        let range = self.writable(range)?;
        if self.access == Access::Write {
            self.pages
                .state()
                .tracker
                .expose(self.pages.bytes(), range.clone());
        }
        Ok(&mut self.pages.bytes_mut()[range])
    }

    fn write(&mut self, offset: usize, data: &[u8]) -> Result<()> {
        self.write_with(offset, data.len(), &mut |dst| dst.copy_from_slice(data))
    }

    fn write_with(
        &mut self,
        offset: usize,
        len: usize,
        fill: &mut dyn FnMut(&mut [u8]),
    ) -> Result<()> {
        let range = self.writable(bounds::span("write", offset, len, self.pages.len())?)?;
        fill(&mut self.pages.bytes_mut()[range.clone()]);
        self.changed(range);
        Ok(())
    }

    fn copy_within(&mut self, src: Range<usize>, dest: usize) -> Result<()> {
        let src = self.writable(src)?;
        let count = src.len();
        let dest_range =
            self.writable(bounds::span("copy_within", dest, count, self.pages.len())?)?;
        self.pages.bytes_mut().copy_within(src, dest);
        self.changed(dest_range);
        Ok(())
    }

    fn flush(&self, range: Range<usize>) -> Result<()> {
        if self.access != Access::Write {
            return Ok(());
        }
        let pages = &self.pages;
        let mut state = pages.state();
        let scope = state.tracker.span(&range, pages.len());
        let runs = state.tracker.runs_to_write(pages.bytes(), range.clone());
        if runs.is_empty() {
            return Ok(());
        }
        // If a commit started in the background fails, its runs are dirty again.
        let weak = Arc::downgrade(pages);
        let failed_runs = runs.clone();
        let on_fail: OnFail = Box::new(move || {
            if let Some(pages) = weak.upgrade() {
                let mut state = pages.state();
                for run in failed_runs {
                    state.tracker.written(run);
                }
            }
        });
        pages
            .backing
            .commit(pages.bytes(), pages.offset, scope, &runs, on_fail)?;
        state.tracker.committed(range);
        Ok(())
    }

    fn flushed(&self) -> FlushFuture {
        self.pages.backing.committed()
    }

    fn resize(&mut self, new_len: usize) -> Result<()> {
        if self.access != Access::Write {
            return Err(Error::read_only("resize"));
        }
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

    fn advise(&self, _advice: Advice, _range: Range<usize>) -> Result<()> {
        // Every page is resident: there is nothing to prefetch or drop.
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
