//! Maps of paths and open files on WASI and Emscripten, which have files but
//! no mmap: the emulated pages over a `std::fs` store (`store/fs_file.rs`).
//! A map reads only its window; a flush writes only the pages that changed,
//! crash-atomically through a journal beside the path (`store/journal.rs`).

use std::fs::File;
use std::path::Path;
use std::sync::{Arc, LazyLock};

use super::open_file::{duplicate, open_file};
use crate::error::Result;
use crate::options::MmapOptions;
use crate::paged::{Backing, Windows, map_window};
use crate::region::MappedRegion;
use crate::store::fs_file::{FsFile, dir_counters};

/// Every live window of every file in this process, so that two maps of one
/// file share their pages, as `MAP_SHARED` maps share the page cache.
static WINDOWS: LazyLock<Arc<Windows>> = LazyLock::new(Arc::default);

/// Opens `path` with the mode `opts` asks for (read-only for `Read` and
/// `Copy`), creating it if asked, and maps its window.
pub(crate) fn open_path(path: &Path, opts: &MmapOptions) -> Result<Box<dyn MappedRegion>> {
    let file = open_file(path, opts)?;
    let counters = dir_counters(path.parent().unwrap_or(Path::new("")));
    map_owned(FsFile::new(file, Some(path), counters)?, opts)
}

/// Maps an open file through a duplicate of its handle. A map of a handle
/// belongs to no directory store: its flushes are counted nowhere; and it
/// has no path beside which to keep a journal, so it writes in place.
pub(crate) fn map_file(file: &File, opts: &MmapOptions) -> Result<Box<dyn MappedRegion>> {
    let file = duplicate(file)?;
    map_owned(FsFile::new(file, None, Arc::default())?, opts)
}

fn map_owned(file: FsFile, opts: &MmapOptions) -> Result<Box<dyn MappedRegion>> {
    let (offset, len) = opts.window(file.len()?)?;
    let file = Arc::new(file);
    let backing: Arc<dyn Backing> = file.clone();
    map_window(&WINDOWS, backing, offset, len, opts.get_access(), || {
        file.load(offset, len)
    })
}
