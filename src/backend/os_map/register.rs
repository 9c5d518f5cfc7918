//! The native file maps this process holds, so that a shrinking resize of
//! one of them cannot cut off bytes another still shows: touching those
//! would raise SIGBUS and end the process (Python's maps crash that way).
//! A file is named by `backend::file_id`; Windows needs no register, since
//! it refuses such a cut itself.

use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::sync::lock;

/// One map: the file it shows and where its window ends.
#[derive(Debug)]
struct Entry {
    file: (u64, u64),
    key: u64,
    end: u64,
}

static MAPS: Mutex<Vec<Entry>> = Mutex::new(Vec::new());
static NEXT_KEY: AtomicU64 = AtomicU64::new(0);

/// A map's entry in the register, removed when dropped.
#[derive(Debug)]
pub(crate) struct Registered {
    file: (u64, u64),
    key: u64,
}

impl Registered {
    /// Registers a map of `file` whose window ends at byte `end` of it.
    pub(crate) fn new(file: (u64, u64), end: u64) -> Registered {
        let key = NEXT_KEY.fetch_add(1, Ordering::Relaxed);
        lock(&MAPS).push(Entry { file, key, end });
        Registered { file, key }
    }

    /// Where the windows of the other maps of the file end (0 if there are none).
    pub(crate) fn others_end(&self) -> u64 {
        lock(&MAPS)
            .iter()
            .filter(|e| e.file == self.file && e.key != self.key)
            .map(|e| e.end)
            .max()
            .unwrap_or(0)
    }

    /// This map's window now ends at byte `end`.
    pub(crate) fn set_end(&self, end: u64) {
        if let Some(entry) = lock(&MAPS).iter_mut().find(|e| e.key == self.key) {
            entry.end = end;
        }
    }
}

impl Drop for Registered {
    fn drop(&mut self) {
        lock(&MAPS).retain(|e| e.key != self.key);
    }
}
