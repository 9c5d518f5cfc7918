//! [`Backing`]: what the emulation needs of one file of a store, so that
//! stores depend on the emulation and never the reverse.

use std::fmt;
use std::ops::Range;

use super::bytes::zeroed;
use crate::backend::{FlushFuture, OnFail, ThreadSafety};
use crate::error::Result;

/// One file of a store, as the emulated region sees it: shaped like redb's
/// `StorageBackend` (length, read, set length, write, sync), with the write
/// and the sync split so that the browser can start a commit and finish it later.
pub(crate) trait Backing: fmt::Debug + ThreadSafety {
    /// Names the file uniquely in this process, so that maps of one file
    /// share their pages.
    fn key(&self) -> &str;

    /// The file's length, counting writes started but not yet durable.
    fn len(&self) -> Result<u64>;

    /// Fills `out` with the file's bytes from `offset`; bytes past the end read as zero.
    /// A store that can only read asynchronously returns `Unsupported`.
    fn read_at(&self, offset: u64, out: &mut [u8]) -> Result<()>;

    /// The `len` bytes from `offset` (a window a map loads, and nothing
    /// more), or `QuotaExceeded` if memory cannot hold them.
    fn load(&self, offset: u64, len: usize) -> Result<Vec<u8>> {
        let mut out = zeroed(len as u64, &format!("a window of {len} bytes"))?;
        self.read_at(offset, &mut out)?;
        Ok(out)
    }

    /// Sets the file's length: new bytes are zero.
    fn set_len(&self, len: u64) -> Result<()>;

    /// Writes the `runs` of `window` (a map's bytes, which start at file
    /// offset `offset`) in one atomic step: afterwards the file holds all of
    /// them or, on error, none. `runs` are every page of `scope` (a range of
    /// `window`) whose bytes differ from what the map last loaded or wrote,
    /// so the rest of `scope` holds what the map last knew of the file.
    /// Returns once durable, or (in the browser) once started; see
    /// [`committed`](Self::committed). A commit that was started and fails
    /// later calls `on_fail`, so that the map marks the runs dirty again.
    fn commit(
        &self,
        window: &[u8],
        offset: u64,
        scope: Range<usize>,
        runs: &[Range<usize>],
        on_fail: OnFail,
    ) -> Result<()>;

    /// Resolves once every commit started so far is durable.
    fn committed(&self) -> FlushFuture;
}
