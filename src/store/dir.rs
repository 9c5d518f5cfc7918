//! The directory store: a `FileStore` over a directory of the file system,
//! whose maps are the target's maps of a path (native, or emulated on WASI
//! and Emscripten).

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::backend;
use crate::error::{Error, ErrorKind, Result};
use crate::mmap::Mmap;
use crate::options::MmapOptions;
use crate::store::{Store, StoreStats};

/// Files that `write_file` is writing carry this suffix until they are renamed
/// into place; `list` never shows them.
pub(crate) const PARTIAL_SUFFIX: &str = ".vmmap-partial";

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
        if !dir.is_dir() {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!("store {name:?} is not a directory"),
            ));
        }
        Ok(DirStore { dir })
    }
}

/// Writes `data` to a new file at `path` and syncs it.
fn write_synced(path: &Path, data: &[u8]) -> std::io::Result<()> {
    let mut file = fs::File::create(path)?;
    file.write_all(data)?;
    file.sync_all()
}

impl Store for DirStore {
    async fn write_file(&self, name: &str, data: &[u8]) -> Result<()> {
        let path = self.dir.join(name);
        let partial = self.dir.join(format!("{name}{PARTIAL_SUFFIX}"));
        let result = write_synced(&partial, data)
            .and_then(|()| fs::rename(&partial, &path))
            .map_err(|e| Error::from_io(format!("write {name:?} ({} bytes)", data.len()), e));
        if result.is_err() {
            let _ = fs::remove_file(&partial);
        }
        result
    }

    async fn read_file(&self, name: &str) -> Result<Vec<u8>> {
        fs::read(self.dir.join(name)).map_err(|e| Error::from_io(format!("read {name:?}"), e))
    }

    async fn file_size(&self, name: &str) -> Result<u64> {
        let meta = fs::metadata(self.dir.join(name))
            .map_err(|e| Error::from_io(format!("stat {name:?}"), e))?;
        if !meta.is_file() {
            return Err(Error::new(
                ErrorKind::NotFound,
                format!("{name:?} is not a file"),
            ));
        }
        Ok(meta.len())
    }

    async fn list(&self) -> Result<Vec<String>> {
        let context = |e| Error::from_io(format!("list {}", self.dir.display()), e);
        let mut names = Vec::new();
        for entry in fs::read_dir(&self.dir).map_err(context)? {
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

    async fn remove_file(&self, name: &str) -> Result<()> {
        fs::remove_file(self.dir.join(name))
            .map_err(|e| Error::from_io(format!("remove {name:?}"), e))
    }

    async fn map(&self, name: &str, opts: &MmapOptions) -> Result<Mmap> {
        let region = backend::open_path(&self.dir.join(name), opts)?;
        Ok(Mmap::from_region(region, opts.get_access()))
    }

    fn stats(&self) -> StoreStats {
        // The OS writes maps of a directory back and counts nothing for us.
        StoreStats::default()
    }
}
