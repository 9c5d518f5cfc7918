//! The `std::fs` store of the emulated backend on WASI and Emscripten: one
//! open file per mapped file, read and written at offsets, synced once per
//! commit; and the counters behind `FileStore::stats` of each directory.
//! What differs between the two targets (how a file is named) is theirs:
//! `backend::file_id`.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use crate::backend::{self, FlushFuture, OnFail};
use crate::error::{Error, Result};
use crate::paged::Backing;
use crate::store::{Counters, StoreStats};
use crate::sync::lock;

/// One open file. Reads and writes move the file's position, so the handle
/// sits behind a lock: a seek and the read or write after it are one step.
#[derive(Debug)]
pub(crate) struct FsFile {
    key: String,
    file: Mutex<File>,
    stats: Arc<Counters>,
}

/// Names the file behind `file`: the same for every handle and path of that
/// file, different for a file that replaced it (a rename over a file makes a
/// new one; an open file keeps its identity). Runtimes that report nothing
/// get a key of their own: such maps do not share.
fn identity(file: &File) -> Result<String> {
    match backend::file_id(file)? {
        Some((dev, ino)) => Ok(format!("fs:{dev}:{ino}")),
        None => {
            static NEXT: AtomicU64 = AtomicU64::new(0);
            Ok(format!(
                "fs:unknown:{}",
                NEXT.fetch_add(1, Ordering::Relaxed)
            ))
        }
    }
}

impl FsFile {
    /// `file`, whose flushes count in `stats`.
    pub(crate) fn new(file: File, stats: Arc<Counters>) -> Result<FsFile> {
        Ok(FsFile {
            key: identity(&file)?,
            file: Mutex::new(file),
            stats,
        })
    }
}

impl Backing for FsFile {
    fn key(&self) -> &str {
        &self.key
    }

    fn len(&self) -> Result<u64> {
        // From the end of the file, not `metadata`, which reads zeros on
        // Emscripten with emcc before 3.1.42 (see `store/dir.rs`); every
        // read and write seeks first, so moving the position is harmless.
        lock(&self.file)
            .seek(SeekFrom::End(0))
            .map_err(|e| Error::from_io("find the length of the mapped file", e))
    }

    fn read_at(&self, offset: u64, out: &mut [u8]) -> Result<()> {
        let len = out.len();
        let context = |e| Error::from_io(format!("read {len} bytes at {offset}"), e);
        let mut file = lock(&self.file);
        file.seek(SeekFrom::Start(offset)).map_err(context)?;
        let mut filled = 0;
        while filled < len {
            match file.read(&mut out[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(context(e)),
            }
        }
        out[filled..].fill(0);
        Ok(())
    }

    fn set_len(&self, len: u64) -> Result<()> {
        lock(&self.file)
            .set_len(len)
            .map_err(|e| Error::from_io(format!("set the file length to {len}"), e))
    }

    /// Writes each run at its offset, then syncs: on `Ok` every run is in the
    /// file. An error may leave some runs written and others not; the map
    /// keeps all of them dirty, so the next flush writes them again.
    fn commit(
        &self,
        window: &[u8],
        offset: u64,
        _: Range<usize>,
        runs: &[Range<usize>],
        _: OnFail,
    ) -> Result<()> {
        let mut file = lock(&self.file);
        for run in runs {
            let at = offset + run.start as u64;
            file.seek(SeekFrom::Start(at))
                .and_then(|_| file.write_all(&window[run.clone()]))
                .map_err(|e| Error::from_io(format!("write {} bytes at {at}", run.len()), e))?;
        }
        file.sync_data()
            .map_err(|e| Error::from_io("sync the mapped file", e))?;
        self.stats.record(runs);
        Ok(())
    }

    fn committed(&self) -> FlushFuture {
        // `commit` returns once the data is in the file: nothing is pending.
        Box::pin(std::future::ready(Ok(())))
    }
}

/// The counters of each directory whose files were mapped, by its path as
/// given: a directory store and `Mmap::open` of a path in it count together.
static BY_DIR: Mutex<BTreeMap<PathBuf, Arc<Counters>>> = Mutex::new(BTreeMap::new());

/// The counters that flushes of files in `dir` add to.
pub(crate) fn dir_counters(dir: &Path) -> Arc<Counters> {
    lock(&BY_DIR).entry(dir.to_owned()).or_default().clone()
}

/// What flushes of maps of files in `dir` have written (`FileStore::stats`).
pub(crate) fn dir_stats(dir: &Path) -> StoreStats {
    lock(&BY_DIR)
        .get(dir)
        .map_or_else(StoreStats::default, |counters| counters.snapshot())
}
