//! The in-memory store: files are byte vectors that live as long as the
//! store. It serves every target, makes the emulation testable with plain
//! `cargo test` (and Miri), and counts what flushes write. Its maps load
//! pages on demand, as over every store that reads synchronously, or, made
//! `preloaded`, their whole window when made, as over IndexedDB: so both
//! ways of loading are tested on the host. A preloaded store also commits
//! as IndexedDB does: a flush hands over a [`Frozen`] copy of its pages
//! (copy-on-write) and the store writes it later, before anything reads the
//! file or awaits `flushed()`; so the snapshot is tested on the host, and
//! under Miri.

// One `Arc` serves every target: a file's deferred commits hold snapshots
// of pages, which in the browser build are neither `Send` nor `Sync`.
#![allow(clippy::arc_with_non_send_sync)]

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use super::{Counters, Store, StoreStats};
use crate::backend::FlushFuture;
use crate::error::{Error, ErrorKind, Result};
use crate::options::MmapOptions;
use crate::paged::{self, Backing, Commit, Frozen, Later, Windows, zeroed};
use crate::region::MappedRegion;
use crate::sync::lock;

/// The files of one in-memory store, by name.
#[derive(Debug, Default)]
pub(crate) struct MemoryStore {
    files: Mutex<BTreeMap<String, Arc<MemoryFile>>>,
    stats: Arc<Counters>,
    windows: Arc<Windows>,
    id: u64,
    /// Whether maps load pages on demand ([`Backing::on_demand`]).
    on_demand: bool,
}

/// One file: its bytes, and the store's counters.
#[derive(Debug)]
pub(crate) struct MemoryFile {
    key: String,
    /// The bytes, as the commits so far left them once `deferred` is
    /// written: read them through [`MemoryFile::data`].
    data: Mutex<Vec<u8>>,
    /// Commits handed over but not written yet (preloaded stores only).
    deferred: Mutex<Vec<Deferred>>,
    stats: Arc<Counters>,
    on_demand: bool,
}

/// A commit a preloaded store writes later: the runs of a window at
/// `offset`, read from the snapshot of its pages.
#[derive(Debug)]
struct Deferred {
    offset: u64,
    runs: Vec<Range<usize>>,
    snapshot: Box<dyn Frozen>,
}

/// The unit a preloaded store's commits freeze pages in: two pages, so that
/// tests see pages frozen beside the dirty ones, as IndexedDB's chunks do.
fn deferred_unit() -> u64 {
    2 * crate::page_size() as u64
}

fn not_found(name: &str) -> Error {
    Error::new(
        ErrorKind::NotFound,
        format!("no file {name:?} in the memory store"),
    )
}

impl MemoryStore {
    /// A new, empty store whose maps load pages on demand or not.
    pub(crate) fn new(on_demand: bool) -> MemoryStore {
        static NEXT_ID: AtomicU64 = AtomicU64::new(0);
        MemoryStore {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            on_demand,
            ..MemoryStore::default()
        }
    }

    /// Creates or replaces the file `name`; maps of a replaced file keep
    /// the old bytes, as maps of a file replaced by `rename` do.
    pub(crate) fn write(&self, name: &str, data: &[u8]) {
        static GENERATION: AtomicU64 = AtomicU64::new(0);
        let generation = GENERATION.fetch_add(1, Ordering::Relaxed);
        let file = Arc::new(MemoryFile {
            key: format!("memory:{}:{generation}:{name}", self.id),
            data: Mutex::new(data.to_vec()),
            deferred: Mutex::default(),
            stats: self.stats.clone(),
            on_demand: self.on_demand,
        });
        lock(&self.files).insert(name.to_owned(), file);
    }

    pub(crate) fn file(&self, name: &str) -> Result<Arc<MemoryFile>> {
        lock(&self.files)
            .get(name)
            .cloned()
            .ok_or_else(|| not_found(name))
    }

    /// The file `name`; a missing one is created first when `opts` say so.
    fn file_for_map(&self, name: &str, opts: &MmapOptions) -> Result<Arc<MemoryFile>> {
        match self.file(name) {
            Err(e) if e.kind() == ErrorKind::NotFound && opts.get_create() => {
                let size = opts.created_size()?;
                let zeros = zeroed(size, &format!("{name:?}"))?;
                self.write(name, &zeros);
                self.file(name)
            }
            other => other,
        }
    }
}

impl Store for MemoryStore {
    async fn write_file(&self, name: &str, data: &[u8]) -> Result<()> {
        self.write(name, data);
        Ok(())
    }

    async fn read_file(&self, name: &str) -> Result<Vec<u8>> {
        Ok(self.file(name)?.data().clone())
    }

    async fn file_size(&self, name: &str) -> Result<u64> {
        Ok(self.file(name)?.data().len() as u64)
    }

    async fn list(&self) -> Result<Vec<String>> {
        Ok(lock(&self.files).keys().cloned().collect())
    }

    async fn remove_file(&self, name: &str) -> Result<()> {
        lock(&self.files)
            .remove(name)
            .map(drop)
            .ok_or_else(|| not_found(name))
    }

    async fn map(&self, name: &str, opts: &MmapOptions) -> Result<Box<dyn MappedRegion>> {
        let file = self.file_for_map(name, opts)?;
        let (offset, len) = opts.window(file.len()?)?;
        let backing: Arc<dyn Backing> = file.clone();
        paged::map_window(
            &self.windows,
            backing,
            offset,
            len,
            opts.get_access(),
            || file.load(offset, len),
        )
    }

    fn stats(&self) -> StoreStats {
        self.stats.snapshot()
    }
}

impl MemoryFile {
    /// The file's bytes, once every commit handed over is written: as the
    /// browser's transactions run in order, whatever reads the file after a
    /// flush sees it. Never called with a window's lock held (the snapshot
    /// takes it): preloaded maps read the store only outside their locks.
    fn data(&self) -> MutexGuard<'_, Vec<u8>> {
        let deferred = std::mem::take(&mut *lock(&self.deferred));
        // The snapshots are read before the bytes are locked: no lock is
        // ever held while another is taken here.
        let pieces: Vec<(u64, Vec<u8>)> = deferred
            .iter()
            .flat_map(|d| {
                d.runs.iter().map(|run| {
                    let mut bytes = vec![0; run.len()];
                    d.snapshot.copy(run.clone(), &mut bytes);
                    (d.offset + run.start as u64, bytes)
                })
            })
            .collect();
        let mut data = lock(&self.data);
        for (at, bytes) in pieces {
            write_at(&mut data, at, &bytes);
        }
        data
    }
}

/// `QuotaExceeded` unless a file of `end` bytes can be held in memory.
fn fits(end: u64) -> Result<()> {
    usize::try_from(end)
        .map(drop)
        .map_err(|_| Error::new(ErrorKind::QuotaExceeded, "the file does not fit in memory"))
}

/// Writes `bytes` at `at` of `data`, growing it with zeros to reach them.
/// The caller made sure `at + bytes.len()` fits in memory.
fn write_at(data: &mut Vec<u8>, at: u64, bytes: &[u8]) {
    let (at, end) = (at as usize, at as usize + bytes.len());
    if data.len() < end {
        data.resize(end, 0);
    }
    data[at..end].copy_from_slice(bytes);
}

impl Backing for MemoryFile {
    fn key(&self) -> &str {
        &self.key
    }

    fn len(&self) -> Result<u64> {
        Ok(self.data().len() as u64)
    }

    fn read_at(&self, offset: u64, out: &mut [u8]) -> Result<()> {
        self.stats.read(out.len());
        let data = self.data();
        out.fill(0);
        if let Some(tail) = usize::try_from(offset).ok().and_then(|o| data.get(o..)) {
            let n = tail.len().min(out.len());
            out[..n].copy_from_slice(&tail[..n]);
        }
        Ok(())
    }

    fn on_demand(&self) -> bool {
        self.on_demand
    }

    fn deferred_unit(&self) -> Option<u64> {
        (!self.on_demand).then(deferred_unit)
    }

    fn set_len(&self, len: u64) -> Result<()> {
        let len = usize::try_from(len).map_err(|_| {
            Error::new(
                ErrorKind::QuotaExceeded,
                format!("{len} bytes do not fit in memory"),
            )
        })?;
        self.data().resize(len, 0);
        Ok(())
    }

    fn commit(&self, commit: Commit<'_>) -> Result<()> {
        fits(commit.end())?;
        self.stats.record(commit.runs);
        let mut data = lock(&self.data);
        for (at, bytes) in commit.pieces() {
            write_at(&mut data, at, bytes);
        }
        Ok(())
    }

    fn commit_later(&self, commit: Later) -> Result<()> {
        fits(commit.end())?;
        self.stats.record(&commit.runs);
        // Written before anything reads the file (`data`).
        lock(&self.deferred).push(Deferred {
            offset: commit.offset,
            runs: commit.runs,
            snapshot: commit.snapshot,
        });
        Ok(())
    }

    fn committed(&self) -> FlushFuture {
        drop(self.data());
        Box::pin(std::future::ready(Ok(())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::options::Access;

    /// What another writer commits (a browser tab, whose announcements reach
    /// `Windows::apply_remote` from a background task) never changes bytes
    /// behind a borrow: it lands at the next `&mut` call, in clean pages only,
    /// and never over a later local write.
    #[test]
    fn other_writers_bytes_wait_for_a_mut_call() {
        let page = crate::page_size();
        let store = MemoryStore::new(false);
        store.write("f", &vec![0; 3 * page]);
        let key = store.file("f").unwrap().key.clone();
        let map = |access| {
            let region = pollster::block_on(store.map("f", MmapOptions::new().access(access)));
            crate::Mmap::from_region(region.unwrap(), access)
        };
        let (mut a, mut reader) = (map(Access::Write), map(Access::Read));
        a.write_at(0, b"L").unwrap();
        let seen: &[u8] = &reader[..];
        store.windows.apply_remote(&key, 0, &vec![5; 2 * page]);
        assert_eq!(
            (seen[0], seen[page]),
            (b'L', 0),
            "nothing changes behind a borrow"
        );
        reader.read_byte().unwrap();
        assert_eq!(
            (reader[0], reader[page]),
            (b'L', 5),
            "dirty pages keep their bytes"
        );
        a.write_at(2 * page, b"new").unwrap();
        store
            .windows
            .apply_remote(&key, 2 * page as u64, &vec![7; page]);
        a.flush().unwrap();
        reader.read_byte().unwrap();
        assert_eq!(
            &reader[2 * page..2 * page + 4],
            b"new\0",
            "a local write flushed before the other writer's bytes land wins"
        );
    }
}
