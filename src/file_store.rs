//! [`FileStore`]: where named files live — a directory on targets with a file
//! system, an IndexedDB database in the browser.

use std::fmt;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use std::sync::Arc;

use crate::error::{Error, ErrorKind, Result};
use crate::mmap::Mmap;
use crate::options::MmapOptions;
use crate::paged::{self, Windows};
use crate::store::memory::MemoryStore;
use crate::store::{Backing, StoreStats};

/// Files that `write_file` is writing carry this suffix until they are renamed
/// into place; `list` never shows them.
const PARTIAL_SUFFIX: &str = ".vmmap-partial";

/// A set of named files that can be written, read, listed, removed and mapped.
///
/// On targets with a file system it is a directory (`open` takes its path
/// and creates it if missing); in the browser it is an IndexedDB database of
/// that name. File names are plain names: not empty, no `/`, `\` or NUL,
/// not `.` or `..`.
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
/// let mut m = store.map("greeting.txt", &MmapOptions::new()).await?;
/// m.write_at(0, b"J")?;
/// m.flush()?;
/// assert_eq!(store.read_file("greeting.txt").await?, b"Jello");
/// assert_eq!(store.list().await?, ["greeting.txt"]);
/// # vmmap::Result::Ok(()) }).unwrap();
/// ```
pub struct FileStore {
    inner: Inner,
}

/// Where a store's files are.
enum Inner {
    /// A directory; maps use the target's backend for files at a path.
    Dir(PathBuf),
    /// Byte vectors in memory; maps use the emulated backend.
    Memory(MemoryStore, Arc<Windows>),
}

impl FileStore {
    /// Opens the store `name`: the directory at that path (created if
    /// missing); in the browser, the IndexedDB database of that name.
    ///
    /// # Errors
    /// [`ErrorKind::InvalidArgument`] for an empty name or a path that is not
    /// a directory; [`ErrorKind::Io`] if it cannot be created.
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
        let dir = PathBuf::from(name);
        if !dir.exists() {
            fs::create_dir_all(&dir)
                .map_err(|e| Error::from_io(format!("create store {name:?}"), e))?;
        }
        if !dir.is_dir() {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!("store {name:?} is not a directory"),
            ));
        }
        Ok(FileStore {
            inner: Inner::Dir(dir),
        })
    }

    /// A store whose files live in memory for as long as the store does,
    /// mapped by the emulated backend (the one the browser, WASI and
    /// Emscripten use) on every target. For tests, caches and scratch data;
    /// [`stats`](FileStore::stats) counts what its flushes write.
    ///
    /// # Example
    /// ```
    /// # pollster::block_on(async {
    /// let store = vmmap::FileStore::memory();
    /// store.write_file("a", b"hello").await?;
    /// let mut m = store.map("a", &vmmap::MmapOptions::new()).await?;
    /// m.write_at(0, b"J")?;
    /// m.flush()?;
    /// assert_eq!(store.read_file("a").await?, b"Jello");
    /// # vmmap::Result::Ok(()) }).unwrap();
    /// ```
    pub fn memory() -> FileStore {
        FileStore {
            inner: Inner::Memory(MemoryStore::new(), Arc::default()),
        }
    }

    /// What this store's flushes have written so far: commits, storage
    /// units and bytes. Emulated stores count; a directory mapped natively is
    /// written back by the OS, which counts nothing (all zero).
    ///
    /// # Example
    /// See [`StoreStats`].
    pub fn stats(&self) -> StoreStats {
        match &self.inner {
            Inner::Dir(_) => StoreStats::default(),
            Inner::Memory(mem, _) => mem.stats(),
        }
    }

    /// Creates or replaces the file `name` with `data`, atomically: readers
    /// and maps opened later see the old content or the new, never a mix.
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
        let dir = match &self.inner {
            Inner::Dir(dir) => dir,
            Inner::Memory(mem, _) => {
                mem.write(name, data);
                return Ok(());
            }
        };
        let path = dir.join(name);
        let partial = dir.join(format!("{name}{PARTIAL_SUFFIX}"));
        let result = write_synced(&partial, data)
            .and_then(|()| fs::rename(&partial, &path))
            .map_err(|e| Error::from_io(format!("write {name:?} ({} bytes)", data.len()), e));
        if result.is_err() {
            let _ = fs::remove_file(&partial);
        }
        result
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
        match &self.inner {
            Inner::Dir(dir) => {
                fs::read(dir.join(name)).map_err(|e| Error::from_io(format!("read {name:?}"), e))
            }
            Inner::Memory(mem, _) => mem.read(name),
        }
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
        let path = match &self.inner {
            Inner::Dir(dir) => dir.join(name),
            Inner::Memory(mem, _) => return mem.size(name),
        };
        let meta = fs::metadata(path).map_err(|e| Error::from_io(format!("stat {name:?}"), e))?;
        if !meta.is_file() {
            return Err(Error::new(
                ErrorKind::NotFound,
                format!("{name:?} is not a file"),
            ));
        }
        Ok(meta.len())
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
        let dir = match &self.inner {
            Inner::Dir(dir) => dir,
            Inner::Memory(mem, _) => return Ok(mem.list()),
        };
        let context = |e| Error::from_io(format!("list {}", dir.display()), e);
        let mut names = Vec::new();
        for entry in fs::read_dir(dir).map_err(context)? {
            let entry = entry.map_err(context)?;
            let is_file = entry.file_type().map_err(context)?.is_file();
            if let (true, Ok(name)) = (is_file, entry.file_name().into_string()) {
                if !name.ends_with(PARTIAL_SUFFIX) {
                    names.push(name);
                }
            }
        }
        names.sort();
        Ok(names)
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
        match &self.inner {
            Inner::Dir(dir) => fs::remove_file(dir.join(name))
                .map_err(|e| Error::from_io(format!("remove {name:?}"), e)),
            Inner::Memory(mem, _) => mem.remove(name),
        }
    }

    /// Maps the file `name` with `opts` (see [`MmapOptions`]; `create(true)`
    /// creates a missing file of `offset + len` zero bytes).
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
    /// let m = store.map("a", MmapOptions::new().access(Access::Read)).await?;
    /// assert_eq!(&m[..], b"abc");
    /// # vmmap::Result::Ok(()) }).unwrap();
    /// ```
    pub async fn map(&self, name: &str, opts: &MmapOptions) -> Result<Mmap> {
        check_name(name)?;
        match &self.inner {
            Inner::Dir(dir) => Mmap::open(dir.join(name), opts),
            Inner::Memory(mem, windows) => {
                let file = match mem.file(name) {
                    Err(e) if e.kind() == ErrorKind::NotFound && opts.get_create() => {
                        let size = opts.created_size()?;
                        let zeros = usize::try_from(size)
                            .ok()
                            .and_then(|size| {
                                let mut v = Vec::new();
                                v.try_reserve_exact(size).ok()?;
                                v.resize(size, 0);
                                Some(v)
                            })
                            .ok_or_else(|| {
                                Error::new(
                                    ErrorKind::QuotaExceeded,
                                    format!("{size} bytes for {name:?} do not fit in memory"),
                                )
                            })?;
                        mem.write(name, &zeros);
                        mem.file(name)?
                    }
                    other => other?,
                };
                let (offset, len) = opts.window(file.len()?)?;
                let access = opts.get_access();
                let backing: Arc<dyn Backing> = file.clone();
                let region = paged::map_window(windows, backing, offset, len, access, || {
                    file.load(offset, len)
                })?;
                Ok(Mmap::from_region(region, access))
            }
        }
    }
}

impl fmt::Debug for FileStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.inner {
            Inner::Dir(dir) => f.debug_struct("FileStore").field("dir", dir).finish(),
            Inner::Memory(mem, _) => f
                .debug_struct("FileStore")
                .field("memory_files", &mem.list().len())
                .finish(),
        }
    }
}

/// Writes `data` to a new file at `path` and syncs it.
fn write_synced(path: &Path, data: &[u8]) -> std::io::Result<()> {
    let mut file = fs::File::create(path)?;
    file.write_all(data)?;
    file.sync_all()
}

/// A file name must name one file inside the store, and nothing else.
pub(crate) fn check_name(name: &str) -> Result<()> {
    let bad = name.is_empty()
        || name == "."
        || name == ".."
        || name.ends_with(PARTIAL_SUFFIX)
        || name.contains(['/', '\\', '\0']);
    if bad {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            format!("file name {name:?} is not a plain name (no '/', '\\', NUL, '.' or '..')"),
        ));
    }
    Ok(())
}
