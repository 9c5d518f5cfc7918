//! [`Mmap`]: one map type for every access mode and backend — construction,
//! the bytes, edits, resize, flush and close. The file-object calls are in
//! `cursor.rs`, search in `search.rs`, the `std::io` traits in `io_traits.rs`.

use std::fmt;
use std::fs::File;
use std::future::Future;
use std::ops::{Deref, RangeBounds};
use std::path::Path;

use crate::backend;
use crate::bounds;
use crate::error::{Error, ErrorKind, Result};
use crate::options::{Access, Advice, MmapOptions};
use crate::region::MappedRegion;

/// A memory-mapped file (or anonymous memory) with the API of Python's `mmap`.
///
/// One type serves every access mode ([`Access`]) and every backend: real OS
/// mappings natively, an emulation in the browser, WASI and Emscripten. It
/// dereferences to `[u8]`, carries a file-object cursor (`seek`, `read`,
/// `write`, `readline`, ...) and implements [`std::io::Read`], [`Write`](std::io::Write),
/// [`Seek`](std::io::Seek) and [`BufRead`](std::io::BufRead).
///
/// After [`close`](Mmap::close) every fallible call returns
/// [`ErrorKind::Closed`]; `len()`, `tell()` and `as_slice()` then report an
/// empty map.
///
/// # Example
/// ```
/// # fn main() -> vmmap::Result<()> {
/// # let dir = tempfile::tempdir().unwrap();
/// # let path = dir.path().join("hello.txt");
/// std::fs::write(&path, b"Hello Python!\n").unwrap();
/// let mut m = unsafe { vmmap::Mmap::open(&path, &vmmap::MmapOptions::new()) }?;
/// assert_eq!(m.readline()?, b"Hello Python!\n");
/// m.write_at(6, b" world!")?;
/// m.flush()?;
/// assert_eq!(std::fs::read(&path).unwrap(), b"Hello  world!\n");
/// # Ok(()) }
/// ```
pub struct Mmap {
    /// `None` once closed.
    region: Option<Box<dyn MappedRegion>>,
    access: Access,
    /// The file-object cursor; may exceed `len()` after a shrinking resize, as in Python.
    pub(crate) pos: usize,
    /// `region.bytes().len()`, kept here so that bounds checks make no
    /// virtual call (0 once closed). Only `resize` changes a region's length.
    len: usize,
}

impl Mmap {
    /// A zero-filled, writable map of `len` bytes backed by no file.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] if `len` is 0 (as Python) or larger
    /// than `isize::MAX`; [`ErrorKind::Io`] if the OS has no memory for it.
    ///
    /// # Example
    /// ```
    /// let m = vmmap::Mmap::anonymous(4096).unwrap();
    /// assert!(m.iter().all(|&b| b == 0));
    /// assert_eq!(vmmap::Mmap::anonymous(0).unwrap_err().kind(), vmmap::ErrorKind::InvalidArgument);
    /// ```
    pub fn anonymous(len: usize) -> Result<Mmap> {
        check_len("anonymous map length", len)?;
        Ok(Mmap::from_region(backend::anonymous(len)?, Access::Write))
    }

    /// Opens the file at `path` and maps the window `opts` selects.
    ///
    /// `Access::Write` opens the file for reading and writing, `Read` and
    /// `Copy` for reading only; `create(true)` first creates a missing file of
    /// `offset + len` zero bytes. Available on every target with `std::fs`
    /// (not in the browser: use [`FileStore`](crate::FileStore) there).
    ///
    /// Like every memory map (and Python's), the bytes change if another
    /// process or handle writes the file, and on native targets touching a
    /// page past an end that another process truncated raises `SIGBUS`.
    /// Within this process that cannot happen: a [`resize`](Mmap::resize)
    /// that would cut off bytes another native map of the file shows is an
    /// [`ErrorKind::Io`] error and changes nothing.
    ///
    /// # Safety
    /// A map of a file shows bytes that others can change: other maps of the
    /// same file (in this process they share pages, as `MAP_SHARED` does),
    /// other handles, other processes, other browser tabs. Rust lets no
    /// borrowed slice change under it, so the caller promises, for as long
    /// as the map lives:
    ///
    /// - while a `&[u8]` borrowed from it ([`Deref`], [`as_slice`](Mmap::as_slice))
    ///   is alive, nothing else changes the bytes it covers: no write or
    ///   `&mut` call through another map of the same file, no other handle,
    ///   process or tab writing them, no truncation of the file under them;
    /// - while a `&mut [u8]` borrowed from it ([`as_mut_slice`](Mmap::as_mut_slice),
    ///   [`get_mut`](Mmap::get_mut)) is alive, nothing else reads or writes
    ///   the bytes it covers (no call on another map of the same file that
    ///   touches them: a read, a search, a flush);
    /// - on native targets, two threads do not write the same bytes through
    ///   two maps of one file at once, nor one write while the other reads
    ///   (they are one OS mapping: such accesses race). The emulation
    ///   (WASI, Emscripten, the browser, [`FileStore::memory`](crate::FileStore::memory))
    ///   serializes calls that write shared pages, so there only borrows
    ///   need the promise.
    ///
    /// vmmap itself never changes a map's bytes behind a borrow: what other
    /// maps of this process write reaches the shared pages during their own
    /// calls, and what other tabs commit is applied during a `&mut self`
    /// call on a map of the file. See "Safety" in the README.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] for a missing file; [`ErrorKind::InvalidArgument`]
    /// for an empty file, an offset that is not a multiple of
    /// [`allocation_granularity()`](crate::allocation_granularity) or not below
    /// the file size, or a length past the end of the file; [`ErrorKind::Io`]
    /// for other OS errors.
    ///
    /// # Example
    /// ```
    /// # fn main() -> vmmap::Result<()> {
    /// # let dir = tempfile::tempdir().unwrap();
    /// # let path = dir.path().join("zeros.bin");
    /// use vmmap::{Mmap, MmapOptions};
    /// let m = unsafe { Mmap::open(&path, MmapOptions::new().len(1024).create(true)) }?;
    /// assert_eq!(m.len(), 1024);
    /// assert_eq!(m.size()?, 1024);
    /// # Ok(()) }
    /// ```
    pub unsafe fn open(path: impl AsRef<Path>, opts: &MmapOptions) -> Result<Mmap> {
        let region = backend::open_path(path.as_ref(), opts)?;
        Ok(Mmap::from_region(region, opts.get_access()))
    }

    /// Maps the window `opts` selects of an open file. Native targets only.
    ///
    /// The file must be open for reading, and for writing too with
    /// [`Access::Write`]; the map keeps its own handle, so `file` may be
    /// closed afterwards. `opts.create` is ignored.
    ///
    /// # Safety
    /// As [`open`](Mmap::open): while a slice borrowed from the map is alive,
    /// nothing else changes (or, for `&mut`, touches) the bytes it covers.
    ///
    /// # Errors
    /// As [`open`](Mmap::open); [`ErrorKind::Io`] when the handle lacks the
    /// permission the access needs.
    ///
    /// # Example
    /// ```
    /// # fn main() -> vmmap::Result<()> {
    /// # let dir = tempfile::tempdir().unwrap();
    /// # let path = dir.path().join("data.bin");
    /// # std::fs::write(&path, b"0123456789").unwrap();
    /// let file = std::fs::File::open(&path).unwrap();
    /// let m = unsafe { vmmap::Mmap::map(&file, vmmap::MmapOptions::new().access(vmmap::Access::Read)) }?;
    /// assert_eq!(&m[..4], b"0123");
    /// # Ok(()) }
    /// ```
    pub unsafe fn map(file: &File, opts: &MmapOptions) -> Result<Mmap> {
        Ok(Mmap::from_region(
            backend::map_file(file, opts)?,
            opts.get_access(),
        ))
    }

    /// Wraps a region from a custom backend. `access` is enforced by `Mmap`:
    /// with [`Access::Read`] the region is never asked for writable bytes,
    /// and only [`Access::Write`] maps are resized.
    ///
    /// # Example
    /// See [`MappedRegion`].
    pub fn from_region(region: Box<dyn MappedRegion>, access: Access) -> Mmap {
        Mmap {
            len: region.bytes().len(),
            region: Some(region),
            access,
            pos: 0,
        }
    }

    #[inline]
    pub(crate) fn region(&self) -> Result<&dyn MappedRegion> {
        self.region.as_deref().ok_or_else(Error::closed)
    }

    /// The region, for a `&mut self` call: `Closed` first. No slice borrowed
    /// from the map can be alive now, so what other writers committed (other
    /// browser tabs) is brought into the bytes here, and only here.
    #[inline]
    pub(crate) fn region_mut(&mut self) -> Result<&mut dyn MappedRegion> {
        let region = self.region.as_deref_mut().ok_or_else(Error::closed)?;
        region.refresh();
        Ok(region)
    }

    /// Brings in what other writers committed, as every `&mut self` call
    /// does: for the JS bindings, which hold no borrow between calls and so
    /// refresh at every call, reads included.
    #[allow(dead_code)] // used by the browser's JS API (src/js/) only
    pub(crate) fn refresh(&mut self) {
        let _closed_is_fine = self.region_mut();
    }

    /// The region, for a call that writes: `Closed` or `ReadOnly` errors first.
    #[inline]
    pub(crate) fn writable(&mut self, what: &str) -> Result<&mut dyn MappedRegion> {
        let access = self.access;
        let region = self.region_mut()?;
        if !access.is_writable() {
            return Err(Error::read_only(what));
        }
        Ok(region)
    }

    /// The length of the map in bytes (0 once closed).
    ///
    /// # Example
    /// ```
    /// assert_eq!(vmmap::Mmap::anonymous(10).unwrap().len(), 10);
    /// ```
    #[inline]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the map has no bytes (only once closed: maps are never empty).
    ///
    /// # Example
    /// ```
    /// let mut m = vmmap::Mmap::anonymous(10).unwrap();
    /// assert!(!m.is_empty());
    /// m.close().unwrap();
    /// assert!(m.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The access the map was made with.
    ///
    /// # Example
    /// ```
    /// assert_eq!(vmmap::Mmap::anonymous(1).unwrap().access(), vmmap::Access::Write);
    /// ```
    pub fn access(&self) -> Access {
        self.access
    }

    /// The length of the whole file behind the map (for an anonymous map,
    /// its length), as Python's `size()`.
    ///
    /// # Errors
    /// [`ErrorKind::Closed`]; [`ErrorKind::Io`] if the file cannot be inspected.
    ///
    /// # Example
    /// ```
    /// assert_eq!(vmmap::Mmap::anonymous(10).unwrap().size().unwrap(), 10);
    /// ```
    pub fn size(&self) -> Result<u64> {
        self.region()?.file_size()
    }

    /// The mapped bytes (empty once closed). Also reachable through `Deref`.
    ///
    /// # Example
    /// ```
    /// let m = vmmap::Mmap::anonymous(3).unwrap();
    /// assert_eq!(m.as_slice(), &[0, 0, 0]);
    /// assert_eq!(&m[..], &[0, 0, 0]);
    /// ```
    #[inline]
    pub fn as_slice(&self) -> &[u8] {
        self.region.as_deref().map_or(&[], |r| r.bytes())
    }

    /// All the mapped bytes, writable. The map notes that they may be written
    /// and finds at flush which pages really changed.
    ///
    /// # Errors
    /// [`ErrorKind::ReadOnly`] for [`Access::Read`]; [`ErrorKind::Closed`].
    ///
    /// # Example
    /// ```
    /// let mut m = vmmap::Mmap::anonymous(4).unwrap();
    /// m.as_mut_slice().unwrap().copy_from_slice(b"abcd");
    /// assert_eq!(&m[..], b"abcd");
    /// ```
    pub fn as_mut_slice(&mut self) -> Result<&mut [u8]> {
        self.get_mut(..)
    }

    /// The bytes of `range`, writable; `range` must lie within the map.
    ///
    /// # Errors
    /// [`ErrorKind::OutOfRange`] for a range past the end or reversed;
    /// [`ErrorKind::ReadOnly`]; [`ErrorKind::Closed`].
    ///
    /// # Example
    /// ```
    /// let mut m = vmmap::Mmap::anonymous(8).unwrap();
    /// m.get_mut(2..4).unwrap().fill(7);
    /// assert_eq!(&m[..5], &[0, 0, 7, 7, 0]);
    /// assert_eq!(m.get_mut(4..9).unwrap_err().kind(), vmmap::ErrorKind::OutOfRange);
    /// ```
    pub fn get_mut(&mut self, range: impl RangeBounds<usize>) -> Result<&mut [u8]> {
        let len = self.len;
        let region = self.writable("get_mut")?;
        let range = bounds::strict(&range, len)?;
        region.bytes_mut(range)
    }

    /// Writes `data` at `offset` (Python `m[offset:offset+len(data)] = data`);
    /// the cursor does not move.
    ///
    /// # Errors
    /// [`ErrorKind::OutOfRange`] if `data` does not fit (nothing is written);
    /// [`ErrorKind::ReadOnly`]; [`ErrorKind::Closed`].
    ///
    /// # Example
    /// ```
    /// let mut m = vmmap::Mmap::anonymous(5).unwrap();
    /// m.write_at(1, b"abc").unwrap();
    /// assert_eq!(&m[..], b"\0abc\0");
    /// assert!(m.write_at(3, b"abc").is_err());
    /// ```
    #[inline]
    pub fn write_at(&mut self, offset: usize, data: &[u8]) -> Result<()> {
        self.write_checked("write_at", offset, data)
    }

    /// Lets `fill` write the `len` bytes at `offset` in place, for bytes that
    /// come from elsewhere (a socket, a decoder, a JS array) and need not be
    /// gathered in a buffer first. Exactly these bytes count as written (a
    /// flush writes back their pages, as after [`write_at`](Mmap::write_at),
    /// with no hashing as after [`get_mut`](Mmap::get_mut)). `fill` gets the
    /// bytes as they are and should set every one of them. The cursor does
    /// not move.
    ///
    /// # Errors
    /// [`ErrorKind::OutOfRange`] if `len` bytes do not fit at `offset`
    /// (`fill` is not called); [`ErrorKind::ReadOnly`]; [`ErrorKind::Closed`].
    ///
    /// # Example
    /// ```
    /// let mut m = vmmap::Mmap::anonymous(6).unwrap();
    /// m.write_with(1, 4, |dst| dst.copy_from_slice(b"abcd")).unwrap();
    /// assert_eq!(&m[..], b"\0abcd\0");
    /// assert!(m.write_with(3, 4, |_| unreachable!()).is_err());
    /// ```
    pub fn write_with(
        &mut self,
        offset: usize,
        len: usize,
        mut fill: impl FnMut(&mut [u8]),
    ) -> Result<()> {
        let map_len = self.len;
        let region = self.writable("write_with")?;
        bounds::span("write_with", offset, len, map_len)?;
        region.write_with(offset, len, &mut fill)
    }

    /// Writes `data` at `offset` after the closed, access and bounds checks,
    /// naming the call `what` in errors.
    #[inline]
    pub(crate) fn write_checked(&mut self, what: &str, offset: usize, data: &[u8]) -> Result<()> {
        let len = self.len;
        let region = self.writable(what)?;
        bounds::span(what, offset, data.len(), len)?;
        region.write(offset, data)
    }

    /// Copies `count` bytes from `src` to `dest` within the map; the two may
    /// overlap (Python `move`).
    ///
    /// # Errors
    /// [`ErrorKind::OutOfRange`] unless `src + count` and `dest + count` are
    /// both at most `len()` (nothing moves); [`ErrorKind::ReadOnly`];
    /// [`ErrorKind::Closed`].
    ///
    /// # Example
    /// ```
    /// let mut m = vmmap::Mmap::anonymous(6).unwrap();
    /// m.write_at(0, b"abcdef").unwrap();
    /// m.move_within(2, 0, 3).unwrap();
    /// assert_eq!(&m[..], b"ababcf");
    /// ```
    pub fn move_within(&mut self, dest: usize, src: usize, count: usize) -> Result<()> {
        let len = self.len;
        let region = self.writable("move_within")?;
        bounds::span("move_within source", src, count, len)?;
        bounds::span("move_within destination", dest, count, len)?;
        region.copy_within(src..src + count, dest)
    }

    /// Changes the length of the map and of its file (to offset + `new_len`);
    /// new bytes are zero. The cursor is left where it is, even past the new
    /// end, as in Python.
    ///
    /// # Errors
    /// [`ErrorKind::ReadOnly`] for [`Access::Read`] and [`Access::Copy`];
    /// [`ErrorKind::InvalidArgument`] for `new_len` 0 (Python fails there
    /// too, after truncating the file; vmmap changes nothing) or above
    /// `isize::MAX`; [`ErrorKind::Closed`]; [`ErrorKind::Io`]. On error the
    /// map and the file are unchanged.
    ///
    /// # Example
    /// ```
    /// let mut m = vmmap::Mmap::anonymous(4).unwrap();
    /// m.write_at(0, b"abcd").unwrap();
    /// m.resize(6).unwrap();
    /// assert_eq!(&m[..], b"abcd\0\0");
    /// m.resize(2).unwrap();
    /// assert_eq!(&m[..], b"ab");
    /// ```
    pub fn resize(&mut self, new_len: usize) -> Result<()> {
        let access = self.access;
        let region = self.region_mut()?;
        if access != Access::Write {
            return Err(Error::new(
                ErrorKind::ReadOnly,
                format!("resize to {new_len}: a map with {access:?} access cannot be resized"),
            ));
        }
        check_len("resize: the new length", new_len)?;
        region.resize(new_len)?;
        self.len = new_len;
        Ok(())
    }

    /// Writes what changed back to the file. Native, WASI and Emscripten:
    /// returns once it is in the file. Browser: starts an atomic write-back;
    /// await [`flushed`](Mmap::flushed) for it to commit. Read-only,
    /// copy-on-write and anonymous maps have nothing to write: `Ok`.
    ///
    /// # Errors
    /// [`ErrorKind::Closed`]; [`ErrorKind::QuotaExceeded`] or
    /// [`ErrorKind::Io`] from the storage, in which case what was dirty stays
    /// dirty for a later flush.
    ///
    /// # Example
    /// ```
    /// let mut m = vmmap::Mmap::anonymous(4).unwrap();
    /// m.write_at(0, b"data").unwrap();
    /// m.flush().unwrap();
    /// ```
    pub fn flush(&self) -> Result<()> {
        self.region()?.flush(0..self.len)
    }

    /// Flushes `len` bytes from `offset` (Python `flush(offset, size)`).
    ///
    /// # Errors
    /// [`ErrorKind::OutOfRange`] if `offset + len` is past the end;
    /// [`ErrorKind::InvalidArgument`] if `offset` is not a multiple of
    /// [`page_size()`](crate::page_size); as [`flush`](Mmap::flush) otherwise.
    ///
    /// # Example
    /// ```
    /// let page = vmmap::page_size();
    /// let mut m = vmmap::Mmap::anonymous(4 * page).unwrap();
    /// m.write_at(page, b"x").unwrap();
    /// m.flush_range(page, page).unwrap();
    /// assert_eq!(m.flush_range(1, 1).unwrap_err().kind(), vmmap::ErrorKind::InvalidArgument);
    /// ```
    pub fn flush_range(&self, offset: usize, len: usize) -> Result<()> {
        let region = self.region()?;
        let range = bounds::span("flush_range", offset, len, self.len)?;
        let page = crate::page_size();
        if offset % page != 0 {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!("flush_range offset {offset} is not a multiple of the page size {page}"),
            ));
        }
        region.flush(range)
    }

    /// A future that resolves once every flush started so far is durable.
    /// Where `flush` is synchronous (native, WASI, Emscripten) it is ready at
    /// once. It does not borrow the map.
    ///
    /// # Errors
    /// The future yields [`ErrorKind::Closed`] for a closed map, or the error
    /// of a write-back that failed.
    ///
    /// # Example
    /// ```
    /// # pollster::block_on(async {
    /// let mut m = vmmap::Mmap::anonymous(4).unwrap();
    /// m.write_at(0, b"data").unwrap();
    /// m.flush().unwrap();
    /// m.flushed().await.unwrap();
    /// # });
    /// ```
    pub fn flushed(&self) -> impl Future<Output = Result<()>> + use<> {
        let pending = self.region().map(|r| r.flushed());
        async move { pending?.await }
    }

    /// Passes a usage hint for `range` (absolute; `..` is the whole map, an
    /// end past the map is clipped) to the OS. Advice never changes the bytes.
    ///
    /// # Errors
    /// [`ErrorKind::OutOfRange`] if the range starts past the end;
    /// [`ErrorKind::InvalidArgument`] if its start is not a multiple of
    /// [`page_size()`](crate::page_size); [`ErrorKind::Closed`].
    ///
    /// # Example
    /// ```
    /// use vmmap::Advice;
    /// let m = vmmap::Mmap::anonymous(2 * vmmap::page_size()).unwrap();
    /// m.advise(Advice::WillNeed, ..).unwrap();
    /// m.advise(Advice::Random, vmmap::page_size()..).unwrap();
    /// ```
    pub fn advise(&self, advice: Advice, range: impl RangeBounds<usize>) -> Result<()> {
        let region = self.region()?;
        let len = self.len;
        let range = bounds::clipped(&range, len)
            .filter(|clipped| bounds::start(&range) == Some(clipped.start))
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::OutOfRange,
                    format!(
                        "advise range {} starts past the end {len} or is reversed",
                        bounds::show(&range)
                    ),
                )
            })?;
        let page = crate::page_size();
        if range.start % page != 0 {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!(
                    "advise start {} is not a multiple of the page size {page}",
                    range.start
                ),
            ));
        }
        if range.is_empty() {
            return Ok(());
        }
        region.advise(advice, range)
    }

    /// Closes the map: a writable file map starts writing back what is dirty
    /// (call [`flush`](Mmap::flush) first for durability). Closing twice is
    /// fine; afterwards every fallible call is [`ErrorKind::Closed`].
    ///
    /// # Errors
    /// An error from starting the write-back; the map is closed all the same.
    ///
    /// # Example
    /// ```
    /// let mut m = vmmap::Mmap::anonymous(4).unwrap();
    /// m.close().unwrap();
    /// m.close().unwrap();
    /// assert!(m.is_closed());
    /// assert_eq!(m.read(None).unwrap_err().kind(), vmmap::ErrorKind::Closed);
    /// ```
    pub fn close(&mut self) -> Result<()> {
        self.pos = 0;
        self.len = 0;
        match self.region.take() {
            Some(mut region) => region.close(),
            None => Ok(()),
        }
    }

    /// Whether [`close`](Mmap::close) was called.
    ///
    /// # Example
    /// ```
    /// let m = vmmap::Mmap::anonymous(4).unwrap();
    /// assert!(!m.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.region.is_none()
    }
}

impl Drop for Mmap {
    fn drop(&mut self) {
        let _ = self.close();
    }
}

impl Deref for Mmap {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        self.as_slice()
    }
}

impl AsRef<[u8]> for Mmap {
    fn as_ref(&self) -> &[u8] {
        self.as_slice()
    }
}

impl fmt::Debug for Mmap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mmap")
            .field("len", &self.len())
            .field("access", &self.access)
            .field("pos", &self.pos)
            .field("closed", &self.is_closed())
            .field("region", &self.region)
            .finish()
    }
}

/// A map's length must be in `1..=isize::MAX` (Rust's limit for one
/// allocation or slice); else `InvalidArgument` naming `what`.
fn check_len(what: &str, len: usize) -> Result<()> {
    if len == 0 || len > isize::MAX as usize {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            format!("{what} {len} is not in 1..={}", isize::MAX),
        ));
    }
    Ok(())
}
