//! The `std::fs` store of the emulated backend on WASI and Emscripten: one
//! open file per mapped file, read at offsets; every change (a commit, a new
//! length) crash-atomic through a journal beside the file (`journal.rs`);
//! and the counters behind `FileStore::stats` of each directory. What
//! differs between the two targets (how a file is named) is theirs:
//! `backend::file_id`.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use crate::backend::{self, FlushFuture};
use crate::error::{Error, Result};
use crate::paged::{Backing, Commit};
use crate::store::journal::{self, Exclusive, Failed, Record};
use crate::store::{Counters, StoreStats};
use crate::sync::lock;

/// One open file. Reads and writes move the file's position, so the handle
/// sits behind a lock: a seek and the read or write after it are one step.
#[derive(Debug)]
pub(crate) struct FsFile {
    key: String,
    /// Device and inode (or node), where the runtime reports them.
    id: Option<(u64, u64)>,
    /// The path the file was opened at, beside which its journal lives;
    /// `None` for a map of an open handle, which has no path and writes in place.
    path: Option<PathBuf>,
    state: Mutex<State>,
    stats: Arc<Counters>,
}

#[derive(Debug)]
struct State {
    file: File,
    /// A commit failed after its journal was durable: the file may hold
    /// part of it until the journal is replayed, which every call does first.
    pending: bool,
    /// A journal was written for this file; it is removed when the file is dropped.
    journaled: bool,
}

/// Names the file behind `file`: the same for every handle and path of that
/// file, different for a file that replaced it (a rename over a file makes a
/// new one; an open file keeps its identity). Runtimes that report nothing
/// get a key of their own: such maps do not share.
fn identity(id: Option<(u64, u64)>) -> String {
    match id {
        Some((dev, ino)) => format!("fs:{dev}:{ino}"),
        None => {
            static NEXT: AtomicU64 = AtomicU64::new(0);
            format!("fs:unknown:{}", NEXT.fetch_add(1, Ordering::Relaxed))
        }
    }
}

fn file_len(file: &mut File) -> Result<u64> {
    // From the end of the file, not `metadata`, which reads zeros on
    // Emscripten with emcc before 3.1.42 (see `store/dir.rs`); every
    // read and write seeks first, so moving the position is harmless.
    file.seek(SeekFrom::End(0))
        .map_err(|e| Error::from_io("find the length of the mapped file", e))
}

impl FsFile {
    /// `file`, opened at `path` (`None`: a handle the caller opened), whose
    /// flushes count in `stats`.
    pub(crate) fn new(file: File, path: Option<&Path>, stats: Arc<Counters>) -> Result<FsFile> {
        let id = backend::file_id(&file)?;
        Ok(FsFile {
            key: identity(id),
            id,
            path: path.map(Path::to_owned),
            state: Mutex::new(State {
                file,
                pending: false,
                journaled: false,
            }),
            stats,
        })
    }

    /// Where this file's journal goes: beside its path, while the path
    /// still names this file. A file replaced or removed since it was
    /// opened has no journal (the directory store completed and removed
    /// its journal before replacing it): a journal at its old path would be
    /// replayed onto the file that took the name. With no identity from the
    /// runtime, the path is taken to name it still.
    fn journal_path(&self) -> Result<Option<PathBuf>> {
        let Some(path) = &self.path else {
            return Ok(None);
        };
        let named = match self.id {
            None => true,
            Some(id) => match File::open(path) {
                Ok(file) => backend::file_id(&file)? == Some(id),
                Err(e) if e.kind() == io::ErrorKind::NotFound => false,
                Err(e) => return Err(Error::from_io(format!("open {}", path.display()), e)),
            },
        };
        Ok(named.then(|| journal::path_of(path)))
    }

    /// Completes a commit that failed after its journal was durable (one
    /// whose journal the directory store has not completed already).
    fn settle(&self, state: &mut State, one: &Exclusive) -> Result<()> {
        if state.pending {
            if let (Some(path), Some(_)) = (&self.path, self.journal_path()?) {
                one.recover(path)?;
            }
            state.pending = false;
        }
        Ok(())
    }

    /// Locks the file, first completing a commit that failed halfway.
    fn settled(&self) -> Result<std::sync::MutexGuard<'_, State>> {
        let mut state = lock(&self.state);
        if state.pending {
            self.settle(&mut state, &journal::exclusive())?;
        }
        Ok(state)
    }

    /// Writes `records` and makes the file `len_after(its length now)`
    /// bytes long, through the journal: on `Ok` all of it is in the file;
    /// on `Err` none of it, or (if writing in place failed) all of it once
    /// the journal is replayed, which the next call on this file does. A
    /// file without a journal (see [`journal_path`](Self::journal_path)) is
    /// written in place.
    fn change(
        &self,
        state: &mut State,
        _one: &Exclusive,
        len_after: impl FnOnce(u64) -> u64,
        records: &[Record<'_>],
        known: &journal::Known<'_>,
    ) -> Result<()> {
        let Some(journal_path) = self.journal_path()? else {
            let len = len_after(file_len(&mut state.file)?);
            return journal::apply(&mut state.file, len, records)
                .map_err(|e| Error::from_io("write the mapped file", e));
        };
        let context = |what: &str, e| {
            Error::from_io(format!("{what} the journal {}", journal_path.display()), e)
        };
        let mut journal = journal::open(&journal_path).map_err(|e| context("open", e))?;
        state.journaled = true;
        journal::change(&mut state.file, &mut journal, len_after, records, known).map_err(
            |failed| match failed {
                Failed::Journal(e) => context("write", e),
                Failed::InPlace(e) => {
                    state.pending = true;
                    Error::from_io("write the mapped file (its journal completes it)", e)
                }
            },
        )
    }
}

impl Backing for FsFile {
    fn key(&self) -> &str {
        &self.key
    }

    fn len(&self) -> Result<u64> {
        file_len(&mut self.settled()?.file)
    }

    fn read_at(&self, offset: u64, out: &mut [u8]) -> Result<()> {
        let len = out.len();
        let context = |e| Error::from_io(format!("read {len} bytes at {offset}"), e);
        self.stats.read(len);
        let mut state = self.settled()?;
        let file = &mut state.file;
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

    /// A new length is a commit with no records: journaled like the others,
    /// so that every change to the file goes through the journal (which
    /// is what makes a journal that a crash brings back harmless).
    fn on_demand(&self) -> bool {
        true
    }

    fn set_len(&self, len: u64) -> Result<()> {
        let mut state = lock(&self.state);
        let one = journal::exclusive();
        self.settle(&mut state, &one)?;
        self.change(&mut state, &one, |_| len, &[], &journal::no_hashes)
            .map_err(|e| Error::new(e.kind(), format!("set the file length to {len}: {e}")))
    }

    /// Writes the runs through the journal, then syncs: on `Ok` every run
    /// is in the file; on `Err` none is (see [`FsFile::change`]), and the
    /// map keeps all of them dirty, so the next flush writes them again.
    fn commit(&self, commit: Commit<'_>) -> Result<()> {
        let mut state = lock(&self.state);
        let one = journal::exclusive();
        self.settle(&mut state, &one)?;
        let records: Vec<Record<'_>> = commit
            .pieces()
            .map(|(at, bytes)| Record { at, bytes })
            .collect();
        let end = commit.end();
        self.change(
            &mut state,
            &one,
            |now| now.max(end),
            &records,
            &|at, len| commit.block_hash(at, len),
        )?;
        self.stats.record(commit.runs);
        Ok(())
    }

    fn committed(&self) -> FlushFuture {
        // `commit` returns once the data is in the file: nothing is pending.
        Box::pin(std::future::ready(Ok(())))
    }
}

impl Drop for FsFile {
    /// The last map of the file is gone: its journal, clear once every
    /// commit is done, goes too. One that a failed commit left is replayed
    /// first, or kept for the next open to replay.
    fn drop(&mut self) {
        let mut state = lock(&self.state);
        if !state.journaled {
            return;
        }
        let one = journal::exclusive();
        let settled = self.settle(&mut state, &one);
        if let (Ok(()), Some(path), Ok(Some(_))) = (settled, &self.path, self.journal_path()) {
            one.remove_if_clear(path);
        }
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
