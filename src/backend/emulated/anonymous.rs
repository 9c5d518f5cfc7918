//! Anonymous maps of the emulated backend: pages with no file behind them.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::backend::FlushFuture;
use crate::error::Result;
use crate::options::Access;
use crate::paged::{Backing, Commit, zeroed};
use crate::paged::{Windows, map_window};
use crate::region::MappedRegion;

/// Nothing to write to: commits succeed and store nothing.
#[derive(Debug)]
struct NoFile {
    key: String,
    len: AtomicU64,
}

impl Backing for NoFile {
    fn key(&self) -> &str {
        &self.key
    }

    fn len(&self) -> Result<u64> {
        Ok(self.len.load(Ordering::Relaxed))
    }

    fn read_at(&self, _offset: u64, out: &mut [u8]) -> Result<()> {
        out.fill(0);
        Ok(())
    }

    fn set_len(&self, len: u64) -> Result<()> {
        self.len.store(len, Ordering::Relaxed);
        Ok(())
    }

    fn commit(&self, _: Commit<'_>) -> Result<()> {
        Ok(())
    }

    fn committed(&self) -> FlushFuture {
        Box::pin(std::future::ready(Ok(())))
    }
}

/// A zero-filled, writable map of `len` bytes backed by no file.
pub(crate) fn anonymous(len: usize) -> Result<Box<dyn MappedRegion>> {
    debug_assert!(len != 0 && len <= isize::MAX as usize, "checked by Mmap");
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let backing = Arc::new(NoFile {
        key: format!("anonymous:{}", NEXT.fetch_add(1, Ordering::Relaxed)),
        len: AtomicU64::new(len as u64),
    });
    // Each anonymous map is its own file: nothing to share.
    let windows = Arc::<Windows>::default();
    map_window(&windows, backing, 0, len, Access::Write, || {
        zeroed(len as u64, "an anonymous map")
    })
}
