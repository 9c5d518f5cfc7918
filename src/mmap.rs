//! [`Mmap`]: one map type for every access mode and backend — construction
//! and the bytes. Edits and resize are in `edit.rs`, flush and close in
//! `writeback.rs`, the file-object calls in `cursor.rs`, search in
//! `search.rs`, the `std::io` traits in `io_traits.rs`.

use std::fmt;
use std::fs::File;
use std::ops::{Deref, RangeBounds};
use std::path::Path;

use crate::backend;
use crate::bounds;
use crate::error::{Error, Result};
use crate::options::{Access, MmapOptions};
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
/// [`ErrorKind::Closed`](crate::ErrorKind::Closed); `len()`, `tell()` and `as_slice()` then report an
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
    pub(crate) region: Option<Box<dyn MappedRegion>>,
    pub(crate) access: Access,
    /// The file-object cursor; may exceed `len()` after a shrinking resize, as in Python.
    pub(crate) pos: usize,
    /// `region.mapped_len()`, kept here so that bounds checks make no
    /// virtual call (0 once closed). Only `resize` changes a region's length.
    pub(crate) len: usize,
    /// `region.refreshes()`: whether `&mut` calls must call `refresh`.
    refreshes: bool,
}

impl Mmap {
    /// A zero-filled, writable map of `len` bytes backed by no file.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`](crate::ErrorKind::InvalidArgument) if `len` is 0 (as Python) or larger
    /// than `isize::MAX`; [`ErrorKind::Io`](crate::ErrorKind::Io) if the OS has no memory for it.
    ///
    /// # Example
    /// ```
    /// let m = vmmap::Mmap::anonymous(4096).unwrap();
    /// assert!(m.iter().all(|&b| b == 0));
    /// assert_eq!(vmmap::Mmap::anonymous(0).unwrap_err().kind(), vmmap::ErrorKind::InvalidArgument);
    /// ```
    pub fn anonymous(len: usize) -> Result<Mmap> {
        bounds::check_len("anonymous map length", len)?;
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
    /// [`ErrorKind::Io`](crate::ErrorKind::Io) error and changes nothing.
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
    /// [`ErrorKind::NotFound`](crate::ErrorKind::NotFound) for a missing file; [`ErrorKind::InvalidArgument`](crate::ErrorKind::InvalidArgument)
    /// for an empty file, an offset that is not a multiple of
    /// [`allocation_granularity()`](crate::allocation_granularity) or not below
    /// the file size, or a length past the end of the file; [`ErrorKind::Io`](crate::ErrorKind::Io)
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

    /// Maps the window `opts` selects of an open file: natively, and on WASI
    /// and Emscripten where the runtime can duplicate the handle (WASI
    /// preview 1 cannot: [`ErrorKind::Unsupported`](crate::ErrorKind::Unsupported)); in the browser there are
    /// no files ([`ErrorKind::Unsupported`](crate::ErrorKind::Unsupported)).
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
    /// As [`open`](Mmap::open); [`ErrorKind::Io`](crate::ErrorKind::Io) when the handle lacks the
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
            len: region.mapped_len(),
            refreshes: region.refreshes(),
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
        if self.refreshes {
            region.refresh();
        }
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
    /// [`ErrorKind::Closed`](crate::ErrorKind::Closed); [`ErrorKind::Io`](crate::ErrorKind::Io) if the file cannot be inspected.
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
    /// A map over a store that loads pages on demand (WASI, Emscripten,
    /// [`FileStore::memory`](crate::FileStore::memory)) loads every page
    /// not loaded yet first; [`try_get`](Mmap::try_get) borrows just a range.
    ///
    /// # Panics
    /// Only if such a map cannot read a page from its file (an I/O error),
    /// which a native map meets as `SIGBUS`. [`try_get`](Mmap::try_get) and
    /// [`advise`](Mmap::advise) with [`Advice::WillNeed`](crate::Advice::WillNeed)
    /// load pages and return that error instead; once loaded, a page stays.
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

    /// The bytes of `range`, which must lie within the map: as slicing
    /// [`as_slice`](Mmap::as_slice), but a map that loads pages on demand
    /// loads only these, and a page that cannot be read is an error.
    ///
    /// # Errors
    /// [`ErrorKind::OutOfRange`](crate::ErrorKind::OutOfRange) for a range
    /// past the end or reversed; [`ErrorKind::Closed`](crate::ErrorKind::Closed);
    /// the store's error ([`ErrorKind::Io`](crate::ErrorKind::Io)) if a page
    /// cannot be read.
    ///
    /// # Example
    /// ```
    /// let mut m = vmmap::Mmap::anonymous(8).unwrap();
    /// m.write_at(2, b"hi").unwrap();
    /// assert_eq!(m.try_get(2..4).unwrap(), b"hi");
    /// assert_eq!(m.try_get(6..9).unwrap_err().kind(), vmmap::ErrorKind::OutOfRange);
    /// ```
    pub fn try_get(&self, range: impl RangeBounds<usize>) -> Result<&[u8]> {
        let region = self.region()?;
        region.bytes_in(bounds::strict(&range, self.len)?)
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
