//! [`Backing`]: what the emulation needs of one file of a store, so that
//! stores depend on the emulation and never the reverse.

use std::fmt;
use std::ops::Range;

use super::bytes::zeroed;
pub(crate) use super::tracker::Source;
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

    /// Whether maps of the file load each page when a call first needs it
    /// (with [`read_at`](Self::read_at)), rather than the whole window when
    /// made: what a store that reads synchronously does, so that a map
    /// costs what it touches. `false` (the default): the window is loaded
    /// when the map is made, as the browser's IndexedDB store must.
    fn on_demand(&self) -> bool {
        false
    }

    /// The `len` bytes from `offset` (a window a map loads, and nothing
    /// more), or `QuotaExceeded` if memory cannot hold them.
    fn load(&self, offset: u64, len: usize) -> Result<Vec<u8>> {
        let mut out = zeroed(len as u64, &format!("a window of {len} bytes"))?;
        self.read_at(offset, &mut out)?;
        Ok(out)
    }

    /// For a store that reads a commit's bytes after the call that hands
    /// it over (the browser's IndexedDB store, which issues its puts across
    /// tasks), the size in file bytes of the units it writes whole: flushes
    /// call [`commit_later`](Self::commit_later) with a [`Frozen`] copy of
    /// every page of each unit a run touches, kept by copy-on-write,
    /// instead of [`commit`](Self::commit). `None` (the default): `commit`.
    /// Only stores whose maps load whole windows (not [`on_demand`](Self::on_demand)).
    fn deferred_unit(&self) -> Option<u64> {
        None
    }

    /// Starts writing the runs of `commit` in one atomic step, reading
    /// their bytes from its snapshot when it likes; for a store with a
    /// [`deferred_unit`](Self::deferred_unit). Called with no lock of the
    /// map's pages held, so the store may read the snapshot at once. The
    /// pages count as written already: a failure (returned, or later
    /// through `on_fail`) marks them dirty again.
    fn commit_later(&self, commit: Later) -> Result<()> {
        drop(commit);
        Err(not_this_way())
    }

    /// Sets the file's length: new bytes are zero.
    fn set_len(&self, len: u64) -> Result<()>;

    /// Writes the runs of `commit` in one atomic step: afterwards the file
    /// holds all of them or, on error, none. Returns once durable, or (in
    /// the browser) once started; see [`committed`](Self::committed). Every
    /// store without a [`deferred_unit`](Self::deferred_unit) has it.
    fn commit(&self, commit: Commit<'_>) -> Result<()> {
        drop(commit);
        Err(not_this_way())
    }

    /// Resolves once every commit started so far is durable.
    fn committed(&self) -> FlushFuture;
}

/// What one flush hands a store to write: the changed pages of one map.
pub(crate) struct Commit<'a> {
    /// The map's bytes, which start at file offset `offset`. A store reads
    /// the runs; only a store whose maps load whole windows (not
    /// [`on_demand`](Backing::on_demand)) may read the rest of `scope`, as
    /// pages outside the runs may not be loaded.
    pub(crate) window: &'a dyn Source,
    pub(crate) offset: u64,
    /// The pages the flush looked at (a range of `window`): every page of it
    /// whose bytes differ from what the map last loaded or wrote is in
    /// `runs`, so the rest of `scope` holds what the map last knew of the file.
    #[allow(dead_code)] // read by the browser's store only (store/idb/file.rs)
    pub(crate) scope: Range<usize>,
    /// Byte ranges of `window` to write, in order, not overlapping.
    pub(crate) runs: &'a [Range<usize>],
    /// Pages of `page` bytes of `window` (by index, in order) whose XXH3-128
    /// hash the flush computed from the bytes it hands over: see
    /// [`block_hash`](Self::block_hash).
    pub(crate) hashes: &'a [(usize, u128)],
    pub(crate) page: usize,
    /// Called if a commit that was started fails later (in the browser), so
    /// that the map marks the runs dirty again.
    #[allow(dead_code)] // read by the browser's store only (store/idb/file.rs)
    pub(crate) on_fail: OnFail,
}

impl Commit<'_> {
    /// Each run as its file offset and its bytes.
    pub(crate) fn pieces(&self) -> impl Iterator<Item = (u64, &[u8])> + '_ {
        self.runs.iter().map(|run| {
            (
                self.offset + run.start as u64,
                self.window.range(run.clone()),
            )
        })
    }

    /// The XXH3-128 hash of the `len` bytes at file offset `at`, if the
    /// flush computed it: they must be one whole page of `window` (or its
    /// last, short one). Lets a store checksum what it writes without
    /// hashing it again.
    #[allow(dead_code)] // read by the journaling stores only (store/fs_file.rs, store/sync_dir/)
    pub(crate) fn block_hash(&self, at: u64, len: usize) -> Option<u128> {
        let rel = usize::try_from(at.checked_sub(self.offset)?).ok()?;
        let size = self.window.size();
        if self.page == 0 || rel % self.page != 0 || rel >= size || len != self.page.min(size - rel)
        {
            return None;
        }
        let page = rel / self.page;
        let found = self.hashes.binary_search_by_key(&page, |&(p, _)| p).ok()?;
        Some(self.hashes[found].1)
    }

    /// The file offset just past the last run.
    pub(crate) fn end(&self) -> u64 {
        end(self.offset, self.runs)
    }
}

/// A window's bytes as a flush saw them, kept by copy-on-write while a
/// store that writes later holds them (`shared/snapshot.rs`).
pub(crate) trait Frozen: fmt::Debug + ThreadSafety {
    /// Calls `f` with the bytes of `range` (of the window), in order, in
    /// as few pieces as the pages allow. `range` must lie in the pages the
    /// flush froze.
    fn read(&self, range: Range<usize>, f: &mut dyn FnMut(&[u8]));

    /// Copies the bytes of `range` into `out` (as long).
    fn copy(&self, range: Range<usize>, out: &mut [u8]) {
        let mut at = 0;
        self.read(range, &mut |piece| {
            out[at..at + piece.len()].copy_from_slice(piece);
            at += piece.len();
        });
    }
}

/// What one flush hands a store that writes later ([`Backing::commit_later`]):
/// the changed pages of one map, as a snapshot.
pub(crate) struct Later {
    /// The map's pages as they were at the flush, for as long as the store
    /// holds it; the window starts at file offset `offset`.
    pub(crate) snapshot: Box<dyn Frozen>,
    pub(crate) offset: u64,
    /// As [`Commit::scope`].
    #[allow(dead_code)] // read by the browser's store only (store/idb/file.rs)
    pub(crate) scope: Range<usize>,
    /// Byte ranges of the window to write, in order, not overlapping.
    pub(crate) runs: Vec<Range<usize>>,
    /// As [`Commit::on_fail`].
    #[allow(dead_code)] // read by the browser's store only (store/idb/file.rs)
    pub(crate) on_fail: OnFail,
}

impl Later {
    /// The file offset just past the last run.
    pub(crate) fn end(&self) -> u64 {
        end(self.offset, &self.runs)
    }
}

/// The error of a commit made the way its store does not commit (a bug:
/// [`Backing::deferred_unit`] says which way the flush calls).
fn not_this_way() -> crate::error::Error {
    crate::error::Error::new(
        crate::error::ErrorKind::Io,
        "internal: a commit made the way its store does not commit",
    )
}

/// The file offset just past the last of `runs` of a window at `offset`.
fn end(offset: u64, runs: &[Range<usize>]) -> u64 {
    offset + runs.iter().map(|r| r.end).max().unwrap_or(0) as u64
}
