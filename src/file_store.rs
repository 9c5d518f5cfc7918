//! [`FileStore`]: where named files live — a directory on targets with a file
//! system, an IndexedDB database in the browser, or memory.

use std::fmt;

use crate::backend::NamedStore;
use crate::error::{Error, ErrorKind, Result};
use crate::mmap::Mmap;
use crate::options::MmapOptions;
use crate::store::memory::MemoryStore;
use crate::store::{Store, StoreStats, check_name};

/// A set of named files that can be written, read, listed, removed and mapped.
///
/// [`FileStore::open`] gives the target's persistent store: on targets with a
/// file system a directory (`open` takes its path and creates it if missing);
/// in the browser an IndexedDB database of that name. [`FileStore::memory`]
/// gives a store in memory on every target. File names are plain names: not
/// empty, no `/`, `\` or NUL, not `.` or `..`.
///
/// The methods are `async` because the browser's storage is; on other
/// targets they complete at once.
///
/// # Example
/// ```
/// # pollster::block_on(async {
/// # let dir = tempfile::tempdir().unwrap();
/// # let path = dir.path().to_str().unwrap();
/// use vmmap::{FileStore, MmapOptions};
/// let store = FileStore::open(path).await?;
/// store.write_file("greeting.txt", b"Hello").await?;
/// let mut m = unsafe { store.map("greeting.txt", &MmapOptions::new()).await }?;
/// m.write_at(0, b"J")?;
/// m.flush()?;
/// assert_eq!(store.read_file("greeting.txt").await?, b"Jello");
/// assert_eq!(store.list().await?, ["greeting.txt"]);
/// # vmmap::Result::Ok(()) }).unwrap();
/// ```
pub struct FileStore {
    inner: Inner,
}

/// Which store holds the files.
enum Inner {
    /// The target's persistent store, picked in `backend.rs`.
    Named(NamedStore),
    /// Byte vectors in memory, mapped by the emulated backend.
    Memory(MemoryStore),
}

/// Calls the same method on whichever store `FileStore` holds.
macro_rules! dispatch {
    ($self:ident, $store:ident => $call:expr) => {
        match &$self.inner {
            Inner::Named($store) => $call,
            Inner::Memory($store) => $call,
        }
    };
}

impl FileStore {
    /// Opens the store `name`: the directory at that path (created if
    /// missing); in the browser, the IndexedDB database of that name.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] for an empty name or a path that is not
    /// a directory; [`ErrorKind::Io`] if it cannot be created or opened.
    ///
    /// # Example
    /// ```
    /// # pollster::block_on(async {
    /// # let dir = tempfile::tempdir().unwrap();
    /// let store = vmmap::FileStore::open(dir.path().join("store").to_str().unwrap()).await?;
    /// assert!(store.list().await?.is_empty());
    /// # vmmap::Result::Ok(()) }).unwrap();
    /// ```
    pub async fn open(name: &str) -> Result<FileStore> {
        if name.is_empty() {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "store name is empty",
            ));
        }
        Ok(FileStore {
            inner: Inner::Named(NamedStore::open(name).await?),
        })
    }

    /// Opens the store `name` in the Origin Private File System (OPFS): a
    /// directory of that name at the origin's root, created if missing,
    /// each file a plain OPFS file read and written through sync access
    /// handles. Maps load each page when a call first touches it, and each
    /// flush is crash-atomic (a redo journal beside the file). A file has
    /// one open handle at a time: `write_file` and `remove_file` of a file
    /// with open maps fail until they are closed. Another worker or tab gets
    /// a file once this one has no maps of it open and no call on it
    /// running: its calls on the file wait for that, and fail with
    /// [`ErrorKind::Busy`] after 3 s.
    ///
    /// # Errors
    /// [`ErrorKind::Unsupported`] outside a dedicated worker of the browser
    /// build (the main thread, Node, native targets): sync access handles
    /// exist only there; [`ErrorKind::Io`] if the directory cannot be made.
    /// The store's calls on a file another worker keeps mapped:
    /// [`ErrorKind::Busy`].
    ///
    /// # Example
    /// ```
    /// # pollster::block_on(async {
    /// // Natively there is no OPFS:
    /// let err = vmmap::FileStore::open_opfs("data").await.unwrap_err();
    /// assert_eq!(err.kind(), vmmap::ErrorKind::Unsupported);
    /// # });
    /// ```
    pub async fn open_opfs(name: &str) -> Result<FileStore> {
        if name.is_empty() {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "store name is empty",
            ));
        }
        Ok(FileStore::from_named(NamedStore::open_opfs(name).await?))
    }

    /// A `FileStore` over the target's persistent store `store`.
    #[allow(dead_code)] // used by the browser's JS API (src/js/) only
    pub(crate) fn from_named(store: NamedStore) -> FileStore {
        FileStore {
            inner: Inner::Named(store),
        }
    }

    /// A store whose files live in memory for as long as the store does,
    /// mapped by the emulated backend (the one the browser, WASI and
    /// Emscripten use) on every target. For tests, caches and scratch data;
    /// [`stats`](FileStore::stats) counts what its flushes write. Its maps
    /// load each page when a call first touches it, as maps over WASI and
    /// Emscripten files do.
    ///
    /// # Example
    /// ```
    /// # pollster::block_on(async {
    /// let store = vmmap::FileStore::memory();
    /// store.write_file("a", b"hello").await?;
    /// let mut m = unsafe { store.map("a", &vmmap::MmapOptions::new()).await }?;
    /// m.write_at(0, b"J")?;
    /// m.flush()?;
    /// assert_eq!(store.read_file("a").await?, b"Jello");
    /// # vmmap::Result::Ok(()) }).unwrap();
    /// ```
    pub fn memory() -> FileStore {
        FileStore {
            inner: Inner::Memory(MemoryStore::new(true)),
        }
    }

    /// As [`memory`](FileStore::memory), but a map reads its whole window
    /// when it is made, as maps over the browser's IndexedDB store must
    /// (IndexedDB reads only asynchronously): the emulation's other way of
    /// loading, on every target, for tests. It also commits as IndexedDB
    /// does: a flush snapshots its pages (copy-on-write) and the store
    /// writes them later, before anything reads the file or `flushed()`
    /// resolves; so a change made after `flush` waits for the next one.
    ///
    /// # Example
    /// ```
    /// # pollster::block_on(async {
    /// let store = vmmap::FileStore::memory_preloaded();
    /// store.write_file("a", b"hello").await?;
    /// let mut m = unsafe { store.map("a", &vmmap::MmapOptions::new()).await }?;
    /// assert_eq!(&m[..], b"hello");
    /// m.write_at(0, b"J")?;
    /// m.flush()?;
    /// m.write_at(4, b"y")?; // after the flush: not in it
    /// m.flushed().await?;
    /// assert_eq!(store.read_file("a").await?, b"Jello");
    /// # vmmap::Result::Ok(()) }).unwrap();
    /// ```
    pub fn memory_preloaded() -> FileStore {
        FileStore {
            inner: Inner::Memory(MemoryStore::new(false)),
        }
    }

    /// The target's persistent store, unless this is a memory store: the JS
    /// bindings stream large files into it.
    #[allow(dead_code)] // used by the browser's JS API (src/js/) only
    pub(crate) fn named(&self) -> Option<&NamedStore> {
        match &self.inner {
            Inner::Named(store) => Some(store),
            Inner::Memory(_) => None,
        }
    }

    /// What this store's flushes have written so far: commits, storage
    /// units and bytes. Emulated stores count; a directory mapped natively is
    /// written back by the OS, which counts nothing (all zero).
    ///
    /// # Example
    /// See [`StoreStats`].
    pub fn stats(&self) -> StoreStats {
        dispatch!(self, s => s.stats())
    }

    /// Creates or replaces the file `name` with `data`, atomically: readers
    /// and maps opened later see the old content or the new, never a mix;
    /// maps opened before keep the old content.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] for a bad name;
    /// [`ErrorKind::QuotaExceeded`] when the storage is full (the old file is
    /// kept); [`ErrorKind::Io`].
    ///
    /// # Example
    /// ```
    /// # pollster::block_on(async {
    /// # let dir = tempfile::tempdir().unwrap();
    /// let store = vmmap::FileStore::open(dir.path().to_str().unwrap()).await?;
    /// store.write_file("a.bin", &[1, 2, 3]).await?;
    /// assert_eq!(store.file_size("a.bin").await?, 3);
    /// # vmmap::Result::Ok(()) }).unwrap();
    /// ```
    pub async fn write_file(&self, name: &str, data: &[u8]) -> Result<()> {
        check_name(name)?;
        dispatch!(self, s => s.write_file(name, data).await)
    }

    /// The whole content of the file `name`.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] if there is no such file; [`ErrorKind::InvalidArgument`]
    /// for a bad name; [`ErrorKind::Io`].
    ///
    /// # Example
    /// ```
    /// # pollster::block_on(async {
    /// # let dir = tempfile::tempdir().unwrap();
    /// let store = vmmap::FileStore::open(dir.path().to_str().unwrap()).await?;
    /// let err = store.read_file("missing").await.unwrap_err();
    /// assert_eq!(err.kind(), vmmap::ErrorKind::NotFound);
    /// # vmmap::Result::Ok(()) }).unwrap();
    /// ```
    pub async fn read_file(&self, name: &str) -> Result<Vec<u8>> {
        check_name(name)?;
        dispatch!(self, s => s.read_file(name).await)
    }

    /// The length of the file `name` in bytes.
    ///
    /// # Errors
    /// As [`read_file`](FileStore::read_file).
    ///
    /// # Example
    /// ```
    /// # pollster::block_on(async {
    /// # let dir = tempfile::tempdir().unwrap();
    /// let store = vmmap::FileStore::open(dir.path().to_str().unwrap()).await?;
    /// store.write_file("a", b"xyz").await?;
    /// assert_eq!(store.file_size("a").await?, 3);
    /// # vmmap::Result::Ok(()) }).unwrap();
    /// ```
    pub async fn file_size(&self, name: &str) -> Result<u64> {
        check_name(name)?;
        dispatch!(self, s => s.file_size(name).await)
    }

    /// The names of the files in the store, sorted.
    ///
    /// # Errors
    /// [`ErrorKind::Io`] if the store cannot be read.
    ///
    /// # Example
    /// ```
    /// # pollster::block_on(async {
    /// # let dir = tempfile::tempdir().unwrap();
    /// let store = vmmap::FileStore::open(dir.path().to_str().unwrap()).await?;
    /// store.write_file("b", b"").await?;
    /// store.write_file("a", b"").await?;
    /// assert_eq!(store.list().await?, ["a", "b"]);
    /// # vmmap::Result::Ok(()) }).unwrap();
    /// ```
    pub async fn list(&self) -> Result<Vec<String>> {
        dispatch!(self, s => s.list().await)
    }

    /// Deletes the file `name`. Maps of it stay valid until closed.
    ///
    /// # Errors
    /// [`ErrorKind::NotFound`] if there is no such file; [`ErrorKind::InvalidArgument`]
    /// for a bad name; [`ErrorKind::Io`].
    ///
    /// # Example
    /// ```
    /// # pollster::block_on(async {
    /// # let dir = tempfile::tempdir().unwrap();
    /// let store = vmmap::FileStore::open(dir.path().to_str().unwrap()).await?;
    /// store.write_file("a", b"1").await?;
    /// store.remove_file("a").await?;
    /// assert!(store.list().await?.is_empty());
    /// # vmmap::Result::Ok(()) }).unwrap();
    /// ```
    pub async fn remove_file(&self, name: &str) -> Result<()> {
        check_name(name)?;
        dispatch!(self, s => s.remove_file(name).await)
    }

    /// Maps the file `name` with `opts` (see [`MmapOptions`]; `create(true)`
    /// creates a missing file of `offset + len` zero bytes).
    ///
    /// # Safety
    /// As [`Mmap::open`]: while a slice borrowed from the map is alive,
    /// nothing else changes (or, for `&mut`, touches) the bytes it covers:
    /// no write through another map of the same file, no other tab or
    /// process writing it. In the browser, what another tab commits is
    /// copied into the map only during a `&mut self` call on a map of the
    /// file, never behind a borrow.
    ///
    /// Without `unsafe` the call does not compile (when it did, a safe write
    /// through one map could change a slice borrowed from another; README,
    /// "Safety"):
    /// ```compile_fail,E0133
    /// # async fn f(store: &vmmap::FileStore) -> vmmap::Result<()> {
    /// let m = store.map("f", &vmmap::MmapOptions::new()).await?;
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// As [`Mmap::open`], and [`ErrorKind::InvalidArgument`] for a bad name.
    ///
    /// # Example
    /// ```
    /// # pollster::block_on(async {
    /// # let dir = tempfile::tempdir().unwrap();
    /// use vmmap::{Access, MmapOptions};
    /// let store = vmmap::FileStore::open(dir.path().to_str().unwrap()).await?;
    /// store.write_file("a", b"abc").await?;
    /// let m = unsafe { store.map("a", MmapOptions::new().access(Access::Read)).await }?;
    /// assert_eq!(&m[..], b"abc");
    /// # vmmap::Result::Ok(()) }).unwrap();
    /// ```
    pub async unsafe fn map(&self, name: &str, opts: &MmapOptions) -> Result<Mmap> {
        check_name(name)?;
        let region = dispatch!(self, s => s.map(name, opts).await)?;
        Ok(Mmap::from_region(region, opts.get_access()))
    }
}

impl fmt::Debug for FileStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        dispatch!(self, s => f.debug_tuple("FileStore").field(s).finish())
    }
}
