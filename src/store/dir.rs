//! The directory store: a `FileStore` over a directory of the file system,
//! whose maps are the target's maps of a path (native, or emulated on WASI
//! and Emscripten).

use std::fs;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use crate::backend;
use crate::error::{Error, ErrorKind, Result};
use crate::options::MmapOptions;
use crate::region::MappedRegion;
use crate::store::{PARTIAL_SUFFIX, Store, StoreStats, journal};

/// A directory of files.
#[derive(Debug)]
pub(crate) struct DirStore {
    dir: PathBuf,
}

impl DirStore {
    /// The directory at `name`, created if missing.
    pub(crate) async fn open(name: &str) -> Result<DirStore> {
        let dir = PathBuf::from(name);
        if !dir.exists() {
            fs::create_dir_all(&dir)
                .map_err(|e| Error::from_io(format!("create store {name:?}"), e))?;
        }
        // Whether it is a directory, asked by listing it (see `file_len`).
        match fs::read_dir(&dir) {
            Ok(_) => Ok(DirStore { dir }),
            Err(e) if e.kind() == io::ErrorKind::NotADirectory => Err(Error::new(
                ErrorKind::InvalidArgument,
                format!("store {name:?} is not a directory"),
            )),
            Err(e) => Err(Error::from_io(format!("open store {name:?}"), e)),
        }
    }
}

impl DirStore {
    /// OPFS exists only in the browser build: `Unsupported` here.
    pub(crate) async fn open_opfs(name: &str) -> Result<DirStore> {
        Err(Error::new(
            ErrorKind::Unsupported,
            format!(
                "OPFS store {name:?}: OPFS exists only in the browser (a dedicated worker); \
                 FileStore::open opens a directory here"
            ),
        ))
    }
}

/// The length of the file at `path`, asked of an open handle instead of
/// `fs::metadata`: Rust's prebuilt std for Emscripten expects the `stat`
/// layout of emcc 3.1.42 and later, and with an older emcc (Debian's 3.1.6)
/// every `metadata` reads as zeros (length 0, not a file, not a directory).
fn file_len(path: &Path) -> io::Result<u64> {
    let mut file = fs::File::open(path)?;
    // A directory opens on Unix, but reading it fails (EISDIR).
    let _ = file.read(&mut [0; 1])?;
    file.seek(SeekFrom::End(0))
}

/// Writes `data` to a new file at `path` and syncs it.
fn write_synced(path: &Path, data: &[u8]) -> std::io::Result<()> {
    let mut file = fs::File::create(path)?;
    file.write_all(data)?;
    file.sync_all()
}

impl Store for DirStore {
    /// The new file is written beside the old one and renamed over it. A
    /// journal of the old file is completed and removed before the rename,
    /// so a crash finds either the old file (whole) or the new one, and
    /// never a journal that belongs to the old one beside the new one.
    async fn write_file(&self, name: &str, data: &[u8]) -> Result<()> {
        let path = self.dir.join(name);
        let partial = self.dir.join(format!("{name}{PARTIAL_SUFFIX}"));
        let context = |e| Error::from_io(format!("write {name:?} ({} bytes)", data.len()), e);
        let result = write_synced(&partial, data)
            .map_err(context)
            .and_then(|()| journal::recover(&path))
            .and_then(|_| backend::replace_file(&partial, &path).map_err(context));
        if result.is_err() {
            let _ = fs::remove_file(&partial);
        }
        result
    }

    /// What the file holds after its last commit: a commit a crash cut
    /// short is completed (or discarded) from its journal first.
    async fn read_file(&self, name: &str) -> Result<Vec<u8>> {
        let path = self.dir.join(name);
        journal::recover(&path)?;
        fs::read(path).map_err(|e| Error::from_io(format!("read {name:?}"), e))
    }

    async fn file_size(&self, name: &str) -> Result<u64> {
        let path = self.dir.join(name);
        journal::recover(&path)?;
        file_len(&path).map_err(|e| match e.kind() {
            io::ErrorKind::IsADirectory => {
                Error::new(ErrorKind::NotFound, format!("{name:?} is not a file"))
            }
            _ => Error::from_io(format!("size of {name:?}"), e),
        })
    }

    async fn list(&self) -> Result<Vec<String>> {
        let context = |e| Error::from_io(format!("list {}", self.dir.display()), e);
        let mut names = Vec::new();
        for entry in fs::read_dir(&self.dir).map_err(context)? {
            let entry = entry.map_err(context)?;
            let is_file = entry.file_type().map_err(context)?.is_file();
            if let (true, Ok(name)) = (is_file, entry.file_name().into_string()) {
                if !name.ends_with(PARTIAL_SUFFIX) && !name.ends_with(journal::SUFFIX) {
                    names.push(name);
                }
            }
        }
        names.sort();
        Ok(names)
    }

    /// Removes the file, then its journal: a crash in between leaves a
    /// journal without its file, which is discarded when a file of that
    /// name is next opened or written.
    async fn remove_file(&self, name: &str) -> Result<()> {
        let path = self.dir.join(name);
        fs::remove_file(&path).map_err(|e| Error::from_io(format!("remove {name:?}"), e))?;
        journal::forget(&path);
        Ok(())
    }

    async fn map(&self, name: &str, opts: &MmapOptions) -> Result<Box<dyn MappedRegion>> {
        backend::open_path(&self.dir.join(name), opts)
    }

    fn stats(&self) -> StoreStats {
        // Emulated maps count their flushes; the OS counts nothing for us.
        backend::dir_stats(&self.dir)
    }
}

#[cfg(test)]
mod tests;
