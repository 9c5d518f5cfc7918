//! The sides of the flush sections (2 and 3), each on a database of its own
//! seeded with the same file: vmmap's, and the raw peers' A to E.

use vmmap::{Access, FileStore, Mmap};
use web_sys::IdbDatabase;

use crate::data::random_bytes;
use crate::idb::{db_name, raw_delete, raw_open, seed_files};
use crate::vmmap_side::{map_whole, vmmap_store};

pub struct FlushSides {
    names: [String; 6],
    pub store: FileStore,
    /// Raw A and B (the control) write chunks; C, D and E also the `files`
    /// record, as [`crate::peers::MetaWrite`] says.
    pub raws: Vec<IdbDatabase>,
    /// vmmap's map of its file, for write.
    pub m: Mmap,
    pub chunk: usize,
}

impl FlushSides {
    /// Opens and seeds (stream 2) the six databases, maps vmmap's file, and
    /// makes `data` the raw sides' copy of their file.
    pub async fn open(chunk: usize, data: &mut [u8]) -> FlushSides {
        let names = [
            "page-vmmap",
            "page-a",
            "page-b",
            "page-c",
            "page-d",
            "page-e",
        ]
        .map(db_name);
        let (store, db) = vmmap_store(&names[0]).await;
        let mut raws = Vec::new();
        for name in &names[1..] {
            raws.push(raw_open(name).await);
        }
        let mut targets = vec![(&db, chunk)];
        targets.extend(raws.iter().map(|r| (r, chunk)));
        seed_files(&targets, 2).await;
        db.close();
        let m = map_whole(&store, Access::Write).await;
        random_bytes(2, 0, data);
        FlushSides {
            names,
            store,
            raws,
            m,
            chunk,
        }
    }

    /// Drops the map and the store, closes the raw databases and deletes all six.
    pub async fn close(self) {
        drop(self.m);
        for db in self.raws {
            db.close();
        }
        drop(self.store);
        for name in &self.names {
            raw_delete(name).await;
        }
    }
}
