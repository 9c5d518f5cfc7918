//! [`MappedRegion`]: the contract every backend fulfils, so that [`Mmap`](crate::Mmap)'s
//! Python-like API is written once.

use std::fmt;
use std::ops::Range;

use crate::backend::{FlushFuture, ThreadSafety};
use crate::bounds;
use crate::error::Result;
use crate::options::Advice;

/// The backend contract: the bytes of one map and what can be done to them.
///
/// [`Mmap`](crate::Mmap) holds one `MappedRegion` and implements every
/// Python-like call (cursor, search, bounds and access checks) over it, so a
/// backend only provides storage. Ranges passed in are already checked: they
/// lie within `0..self.bytes().len()` and are not reversed, and write methods
/// are only called on maps whose access allows them. A backend still returns
/// errors rather than panicking when that is violated.
///
/// Writes reach a backend in two ways, so that an emulated backend can flush
/// only what changed: [`write`](Self::write) and
/// [`copy_within`](Self::copy_within) say exactly which bytes change (and
/// let the backend act once they have), while [`bytes_mut`](Self::bytes_mut)
/// hands bytes to user code that may change any of them, or none, until the
/// next call on the map; the backend must find out at flush which did.
///
/// On targets with threads a region must be `Send + Sync`; in the browser
/// (`wasm32-unknown-unknown`) it need not be.
///
/// The native backend implements it over `memmap2`; the emulated backend over
/// pages in memory and a store. A custom backend plugs in with
/// [`Mmap::from_region`](crate::Mmap::from_region).
///
/// # Example
/// A region over a `Vec<u8>`, with no file behind it:
/// ```
/// use std::ops::Range;
/// use vmmap::{Access, Advice, MappedRegion, Mmap, Result};
///
/// #[derive(Debug)]
/// struct VecRegion(Vec<u8>);
///
/// impl MappedRegion for VecRegion {
///     fn bytes(&self) -> &[u8] { &self.0 }
///     fn bytes_mut(&mut self, range: Range<usize>) -> Result<&mut [u8]> {
///         Ok(&mut self.0[range])
///     }
///     fn flush(&self, _: Range<usize>) -> Result<()> { Ok(()) }
///     fn flushed(&self) -> vmmap::FlushFuture { Box::pin(std::future::ready(Ok(()))) }
///     fn resize(&mut self, new_len: usize) -> Result<()> { self.0.resize(new_len, 0); Ok(()) }
///     fn advise(&self, _: Advice, _: Range<usize>) -> Result<()> { Ok(()) }
///     fn file_size(&self) -> Result<u64> { Ok(self.0.len() as u64) }
///     fn close(&mut self) -> Result<()> { Ok(()) }
/// }
///
/// let mut m = Mmap::from_region(Box::new(VecRegion(b"hello".to_vec())), Access::Write);
/// m.write_at(0, b"J").unwrap();
/// assert_eq!(m.find(b"llo", ..), Some(2));
/// assert_eq!(&m[..], b"Jello");
/// ```
pub trait MappedRegion: fmt::Debug + ThreadSafety {
    /// The mapped bytes; their length is the map's length.
    ///
    /// A backend that loads pages on demand loads every page here; it
    /// cannot report a read error, so it may panic on one (as a native map
    /// raises `SIGBUS`): [`Mmap`](crate::Mmap) reads through
    /// [`bytes_in`](Self::bytes_in) wherever it can return an error.
    fn bytes(&self) -> &[u8];

    /// The length of the map. The default asks [`bytes`](Self::bytes);
    /// a backend that loads on demand answers without loading.
    fn mapped_len(&self) -> usize {
        self.bytes().len()
    }

    /// The bytes of `range` (within `0..mapped_len()`), loaded first by a backend
    /// that loads pages on demand: the only bytes a call that reads needs.
    /// The default slices [`bytes`](Self::bytes).
    ///
    /// # Errors
    /// [`ErrorKind::OutOfRange`](crate::ErrorKind::OutOfRange) if `range`
    /// is not within the bytes; the store's error if a page cannot be read.
    fn bytes_in(&self, range: Range<usize>) -> Result<&[u8]> {
        let bytes = self.bytes();
        let range = bounds::span(
            "read",
            range.start,
            range.end.saturating_sub(range.start),
            bytes.len(),
        )?;
        Ok(&bytes[range])
    }

    /// The bytes of `range` for user code to write as it likes
    /// (`as_mut_slice`, `get_mut`, a JS view): the backend cannot know which
    /// bytes will change and must find out at flush.
    ///
    /// # Errors
    /// [`ErrorKind::ReadOnly`](crate::ErrorKind::ReadOnly) if the region
    /// cannot be written; [`ErrorKind::OutOfRange`](crate::ErrorKind::OutOfRange)
    /// if `range` is not within the bytes.
    fn bytes_mut(&mut self, range: Range<usize>) -> Result<&mut [u8]>;

    /// Writes `data` at `offset`: exactly these bytes change. The default
    /// goes through [`write_with`](Self::write_with).
    ///
    /// # Errors
    /// As [`bytes_mut`](Self::bytes_mut).
    fn write(&mut self, offset: usize, data: &[u8]) -> Result<()> {
        self.write_with(offset, data.len(), &mut |dst| dst.copy_from_slice(data))
    }

    /// Lets `fill` write the `len` bytes at `offset` in place: exactly these
    /// bytes change, as with [`write`](Self::write). The default goes
    /// through [`bytes_mut`](Self::bytes_mut).
    ///
    /// # Errors
    /// As [`bytes_mut`](Self::bytes_mut).
    fn write_with(
        &mut self,
        offset: usize,
        len: usize,
        fill: &mut dyn FnMut(&mut [u8]),
    ) -> Result<()> {
        let range = bounds::span("write", offset, len, self.bytes().len())?;
        fill(self.bytes_mut(range)?);
        Ok(())
    }

    /// Copies the bytes of `src` to `dest` (they may overlap, as `memmove`):
    /// exactly `dest..dest + src.len()` changes. The default goes through
    /// [`bytes_mut`](Self::bytes_mut).
    ///
    /// # Errors
    /// As [`bytes_mut`](Self::bytes_mut).
    fn copy_within(&mut self, src: Range<usize>, dest: usize) -> Result<()> {
        let len = self.bytes().len();
        let count = src.end.saturating_sub(src.start);
        let src = bounds::span("copy_within source", src.start, count, len)?;
        bounds::span("copy_within destination", dest, count, len)?;
        self.bytes_mut(0..len)?.copy_within(src, dest);
        Ok(())
    }

    /// Brings in what other writers committed to the file since (another
    /// browser tab): [`Mmap`](crate::Mmap) calls it at the start of every
    /// `&mut self` call, when no slice borrowed from the map can be alive, so
    /// that bytes never change behind a borrow. The default does nothing.
    fn refresh(&mut self) {}

    /// Whether [`refresh`](Self::refresh) can do anything for this region;
    /// asked once, when the map is made, so that maps whose bytes no other
    /// writer updates (every native map) make no call for it.
    fn refreshes(&self) -> bool {
        false
    }

    /// Writes back the pages of `range` that changed since the last flush.
    ///
    /// Native and `std::fs` backends return once the data is in the file; the
    /// browser backend starts an atomic write-back and returns, and
    /// [`flushed`](Self::flushed) resolves when it is committed. Maps that do
    /// not write to a file (read-only, copy-on-write, anonymous) return `Ok`.
    fn flush(&self, range: Range<usize>) -> Result<()>;

    /// A future that resolves once every flush started so far is durable, or
    /// fails with the error of the first one that failed.
    fn flushed(&self) -> FlushFuture;

    /// Changes the length of the map, and of the file behind it to
    /// `offset + new_len`; new bytes are zero. `new_len` is not 0.
    fn resize(&mut self, new_len: usize) -> Result<()>;

    /// Passes a usage hint for `range` on; never changes the bytes. A
    /// backend that loads on demand loads the range on
    /// [`Advice::WillNeed`], reporting a read error.
    fn advise(&self, advice: Advice, range: Range<usize>) -> Result<()>;

    /// The length of the whole file behind the map (anonymous: the map's length).
    fn file_size(&self) -> Result<u64>;

    /// Releases the region; a shared writable region starts writing back what
    /// is dirty. Called at most once; the region is dropped right after.
    fn close(&mut self) -> Result<()>;
}
