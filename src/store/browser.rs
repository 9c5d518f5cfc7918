//! The browser build's `FileStore::open`: the runtime decides. In a
//! browser (window or worker) an IndexedDB database (`idb/`); in Node, Deno
//! and Bun, which have `node:fs`, a directory on disk (`sync_dir/`). OPFS
//! (`FileStore::open_opfs`) is a sync directory too.

use super::idb::IdbStore;
use super::sync_dir::{self, SyncDirStore};
use super::{Store, StoreStats};
use crate::error::Result;
use crate::options::MmapOptions;
use crate::region::MappedRegion;

/// The store behind `FileStore::open` in the browser build.
#[derive(Debug)]
pub(crate) enum BrowserStore {
    /// The browser's IndexedDB.
    Idb(IdbStore),
    /// A directory on disk (Node, Deno, Bun) or in OPFS.
    SyncDir(SyncDirStore),
}

/// Calls the same method on whichever store it is.
macro_rules! dispatch {
    ($self:ident, $store:ident => $call:expr) => {
        match $self {
            BrowserStore::Idb($store) => $call,
            BrowserStore::SyncDir($store) => $call,
        }
    };
}

impl BrowserStore {
    /// The store `name`: the directory at that path in Node, Deno and Bun;
    /// the IndexedDB database of that name elsewhere.
    pub(crate) async fn open(name: &str) -> Result<BrowserStore> {
        if sync_dir::has_node_fs() {
            return Ok(BrowserStore::SyncDir(SyncDirStore::open_node(name)?));
        }
        Self::open_indexeddb(name).await
    }

    /// The IndexedDB database `name`; `Unsupported` where there is no IndexedDB.
    pub(crate) async fn open_indexeddb(name: &str) -> Result<BrowserStore> {
        Ok(BrowserStore::Idb(IdbStore::open(name).await?))
    }

    /// The OPFS directory `name`; `Unsupported` outside a dedicated worker.
    pub(crate) async fn open_opfs(name: &str) -> Result<BrowserStore> {
        Ok(BrowserStore::SyncDir(SyncDirStore::open_opfs(name).await?))
    }

    /// The IndexedDB store, if this is one: files read out slice by slice
    /// into JS values (`js/read_out.rs`) need its transactions.
    #[cfg(feature = "js")]
    pub(crate) fn indexeddb(&self) -> Option<&IdbStore> {
        match self {
            BrowserStore::Idb(store) => Some(store),
            BrowserStore::SyncDir(_) => None,
        }
    }

    /// The sync directory, if this is one: files read out into JS arrays
    /// (`js/read_out.rs`) through its readers.
    #[cfg(feature = "js")]
    pub(crate) fn sync_dir(&self) -> Option<&SyncDirStore> {
        match self {
            BrowserStore::Idb(_) => None,
            BrowserStore::SyncDir(store) => Some(store),
        }
    }

    /// As `IdbStore::write_stream`, on either store.
    #[cfg(feature = "js")]
    pub(crate) async fn write_stream(
        &self,
        name: &str,
        total: u64,
        read: &mut dyn FnMut(u64, u64) -> super::idb::Piece,
        progress: &mut dyn FnMut(u64) -> Result<()>,
    ) -> Result<()> {
        dispatch!(self, s => s.write_stream(name, total, read, progress).await)
    }
}

impl Store for BrowserStore {
    async fn write_file(&self, name: &str, data: &[u8]) -> Result<()> {
        dispatch!(self, s => s.write_file(name, data).await)
    }

    async fn read_file(&self, name: &str) -> Result<Vec<u8>> {
        dispatch!(self, s => s.read_file(name).await)
    }

    async fn file_size(&self, name: &str) -> Result<u64> {
        dispatch!(self, s => s.file_size(name).await)
    }

    async fn list(&self) -> Result<Vec<String>> {
        dispatch!(self, s => s.list().await)
    }

    async fn remove_file(&self, name: &str) -> Result<()> {
        dispatch!(self, s => s.remove_file(name).await)
    }

    async fn map(&self, name: &str, opts: &MmapOptions) -> Result<Box<dyn MappedRegion>> {
        dispatch!(self, s => s.map(name, opts).await)
    }

    fn stats(&self) -> StoreStats {
        dispatch!(self, s => s.stats())
    }
}
