//! The in-memory store: files are byte vectors that live as long as the
//! store. It serves every target, makes the emulation testable with plain
//! `cargo test` (and Miri), and counts what flushes write. Its maps load
//! pages on demand, as over every store that reads synchronously, or, made
//! `preloaded`, their whole window when made, as over IndexedDB: so both
//! ways of loading are tested on the host.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use super::{Counters, Store, StoreStats};
use crate::backend::FlushFuture;
use crate::error::{Error, ErrorKind, Result};
use crate::options::MmapOptions;
use crate::paged::{self, Backing, Commit, Windows, zeroed};
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
    data: Mutex<Vec<u8>>,
    stats: Arc<Counters>,
    on_demand: bool,
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
        Ok(lock(&self.file(name)?.data).clone())
    }

    async fn file_size(&self, name: &str) -> Result<u64> {
        Ok(lock(&self.file(name)?.data).len() as u64)
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

impl Backing for MemoryFile {
    fn key(&self) -> &str {
        &self.key
    }

    fn len(&self) -> Result<u64> {
        Ok(lock(&self.data).len() as u64)
    }

    fn read_at(&self, offset: u64, out: &mut [u8]) -> Result<()> {
        self.stats.read(out.len());
        let data = lock(&self.data);
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

    fn set_len(&self, len: u64) -> Result<()> {
        let len = usize::try_from(len).map_err(|_| {
            Error::new(
                ErrorKind::QuotaExceeded,
                format!("{len} bytes do not fit in memory"),
            )
        })?;
        lock(&self.data).resize(len, 0);
        Ok(())
    }

    fn commit(&self, commit: Commit<'_>) -> Result<()> {
        let mut data = lock(&self.data);
        let too_big = || Error::new(ErrorKind::QuotaExceeded, "the file does not fit in memory");
        let needed = usize::try_from(commit.end()).map_err(|_| too_big())?;
        if data.len() < needed {
            data.resize(needed, 0);
        }
        for (at, bytes) in commit.pieces() {
            // Below `needed`, a usize.
            let at = at as usize;
            data[at..at + bytes.len()].copy_from_slice(bytes);
        }
        self.stats.record(commit.runs);
        Ok(())
    }

    fn committed(&self) -> FlushFuture {
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
