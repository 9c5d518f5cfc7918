//! Where files live: the [`Store`] contract behind `FileStore`, the
//! [`Backing`](crate::paged::Backing) contract one file fulfils for the emulated backend, and the
//! stores: `memory.rs` everywhere; `dir.rs` where there is a file system,
//! `fs_file.rs` under it on WASI and Emscripten (crash-atomic through
//! `journal.rs`), and in the browser build `idb/` and `sync_dir/` (Node's
//! `fs`, OPFS; crash-atomic through `journal.rs` too), one of which
//! `browser.rs` picks.
//! A store that exists only on some targets says which on its `mod` line;
//! `backend.rs` re-exports each target's `NamedStore`.

pub(crate) mod memory;
// The IndexedDB store's pure planning: compiled everywhere, so that plain
// `cargo test` runs its unit tests on the host.
pub(crate) mod idb_plan;

// Wherever there is a file system: native, WASI, Emscripten.
#[cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
pub(crate) mod dir;
// Every target: WASI and Emscripten (`fs_file.rs`) and the browser build's
// sync directories write journals; every target with a file system replays them.
pub(crate) mod journal;
// WASI and Emscripten, which have files but no mmap.
#[cfg(any(target_os = "wasi", target_os = "emscripten"))]
pub(crate) mod fs_file;
// The browser.
#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
pub(crate) mod idb;
// The browser build: directories read synchronously (Node's `fs`, OPFS).
#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
pub(crate) mod sync_dir;
// The browser build's `FileStore::open`: IndexedDB, or a directory in Node.
#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
pub(crate) mod browser;

use std::ops::Range;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::{Error, ErrorKind, Result};
use crate::options::MmapOptions;
use crate::region::MappedRegion;

/// What `FileStore` asks of a store. Names reaching it are checked with
/// [`check_name`].
pub(crate) trait Store {
    /// Creates or replaces a file, atomically.
    async fn write_file(&self, name: &str, data: &[u8]) -> Result<()>;
    async fn read_file(&self, name: &str) -> Result<Vec<u8>>;
    async fn file_size(&self, name: &str) -> Result<u64>;
    /// Names of the files, sorted.
    async fn list(&self) -> Result<Vec<String>>;
    async fn remove_file(&self, name: &str) -> Result<()>;
    /// The region of a map of `name`; `FileStore::map` makes the `Mmap`.
    async fn map(&self, name: &str, opts: &MmapOptions) -> Result<Box<dyn MappedRegion>>;
    fn stats(&self) -> StoreStats;
}

/// Files that `write_file` is writing carry this suffix until they are
/// renamed into place (the directory stores, `dir.rs` and `sync_dir/`);
/// `list` never shows them.
pub(crate) const PARTIAL_SUFFIX: &str = ".vmmap-partial";

/// A file name must name one file inside the store, and nothing else: not
/// a path, and not one of the directory store's own files (a file being
/// written, `dir.rs`; a file's journal, `journal.rs`), refused on every
/// store so that every store takes the same names.
pub(crate) fn check_name(name: &str) -> Result<()> {
    let bad = name.is_empty()
        || name == "."
        || name == ".."
        || name.ends_with(PARTIAL_SUFFIX)
        || name.ends_with(journal::SUFFIX)
        || name.contains(['/', '\\', '\0']);
    if bad {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            format!(
                "file name {name:?} is not a plain name (no '/', '\\', NUL, '.' or '..'; \
                 not ending in .vmmap-partial or .vmmap-journal)"
            ),
        ));
    }
    Ok(())
}

/// How much a store has written (commits, and bytes in runs of pages) and
/// read for maps (what a map that loads on demand costs: the pages touched).
///
/// # Example
/// ```
/// # pollster::block_on(async {
/// let store = vmmap::FileStore::memory();
/// store.write_file("f", &[0; 8192]).await?;
/// let mut m = unsafe { store.map("f", &vmmap::MmapOptions::new()).await }?;
/// let before = store.stats();
/// m.write_at(5000, b"x")?;
/// m.flush()?;
/// let after = store.stats();
/// assert_eq!(after.commits - before.commits, 1);
/// assert_eq!(after.bytes_written - before.bytes_written, vmmap::page_size() as u64);
/// // The map loaded the one page it wrote in part (the memory store's maps
/// // load pages on demand), and nothing else.
/// assert_eq!(after.bytes_read, vmmap::page_size() as u64);
/// # vmmap::Result::Ok(()) }).unwrap();
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StoreStats {
    /// Flushes that wrote something (one transaction each in the browser).
    pub commits: u64,
    /// Storage units written by flushes: pages in memory and on `std::fs`,
    /// chunks in IndexedDB.
    pub units_written: u64,
    /// Bytes written by flushes.
    pub bytes_written: u64,
    /// Bytes read from the store into maps: whole windows where maps load
    /// them when made, the pages calls touched where they load on demand.
    pub bytes_read: u64,
}

/// What a store's flushes have written, counted as they commit: the numbers
/// behind [`StoreStats`], shared by the files of one store.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    commits: AtomicU64,
    units: AtomicU64,
    bytes: AtomicU64,
    read: AtomicU64,
}

impl Counters {
    /// Counts one commit of `runs`: byte ranges of whole pages, but for the
    /// file's last page, which may be partial.
    pub(crate) fn record(&self, runs: &[Range<usize>]) {
        let page = crate::page_size();
        let units: usize = runs.iter().map(|run| run.len().div_ceil(page)).sum();
        let bytes: usize = runs.iter().map(Range::len).sum();
        self.add(units as u64, bytes as u64);
    }

    /// Counts one commit of `units` storage units (pages, or a store's own
    /// unit, such as IndexedDB chunks) holding `bytes` bytes.
    pub(crate) fn add(&self, units: u64, bytes: u64) {
        self.commits.fetch_add(1, Ordering::Relaxed);
        self.units.fetch_add(units, Ordering::Relaxed);
        self.bytes.fetch_add(bytes, Ordering::Relaxed);
    }

    /// Counts `bytes` read from the store into a map.
    pub(crate) fn read(&self, bytes: usize) {
        self.read.fetch_add(bytes as u64, Ordering::Relaxed);
    }

    /// The counts so far.
    pub(crate) fn snapshot(&self) -> StoreStats {
        StoreStats {
            commits: self.commits.load(Ordering::Relaxed),
            units_written: self.units.load(Ordering::Relaxed),
            bytes_written: self.bytes.load(Ordering::Relaxed),
            bytes_read: self.read.load(Ordering::Relaxed),
        }
    }
}
