//! Which pages of an emulated map a flush must write: pages written through
//! the API are marked dirty; pages handed out as raw slices are hashed when
//! exposed and compared at flush, so only pages whose bytes changed are written.

use std::ops::Range;

use super::page_set::PageSet;

/// The 128-bit XXH3 hash of a page: a change goes unseen with probability 2^-128.
fn page_hash(bytes: &[u8]) -> u128 {
    xxhash_rust::xxh3::xxh3_128(bytes)
}

/// The bytes a tracker reads: any byte slice (tests), or a window's pages
/// while their lock is held, read page by page.
pub(crate) trait Source {
    /// How many bytes there are.
    fn size(&self) -> usize;
    /// The bytes of `range`, which lies within `0..size()`.
    fn range(&self, range: Range<usize>) -> &[u8];
}

impl<T: AsRef<[u8]> + ?Sized> Source for T {
    fn size(&self) -> usize {
        self.as_ref().len()
    }

    fn range(&self, range: Range<usize>) -> &[u8] {
        &self.as_ref()[range]
    }
}

/// Dirty and exposed pages of one map, and the hashes of clean pages as last
/// written (or loaded).
#[derive(Debug, Clone)]
pub(crate) struct Tracker {
    page: usize,
    /// Pages known to differ from the file.
    dirty: PageSet,
    /// Pages handed out for writing since the last flush, which may differ.
    exposed: PageSet,
    /// Hashes of the file's content of each page in `hashed`.
    hashes: Vec<u128>,
    hashed: PageSet,
    /// The pages the last [`runs_to_write`](Self::runs_to_write) found
    /// changed by hashing them, with those hashes, by page: a store that
    /// checksums what it writes need not hash them again.
    fresh: Vec<(usize, u128)>,
}

impl Tracker {
    /// A tracker for `len` bytes in pages of `page` bytes, all clean.
    pub(crate) fn new(len: usize, page: usize) -> Tracker {
        let pages = len.div_ceil(page);
        Tracker {
            page,
            dirty: PageSet::new(pages),
            exposed: PageSet::new(pages),
            hashes: vec![0; pages],
            hashed: PageSet::new(pages),
            fresh: Vec::new(),
        }
    }

    /// The pages that hold the bytes of `range`.
    fn pages(&self, range: &Range<usize>) -> Range<usize> {
        if range.is_empty() {
            return 0..0;
        }
        range.start / self.page..range.end.div_ceil(self.page)
    }

    fn page_bytes<'a, S: Source + ?Sized>(&self, bytes: &'a S, page: usize) -> &'a [u8] {
        let (start, len) = (page * self.page, bytes.size());
        bytes.range(start.min(len)..(start + self.page).min(len))
    }

    /// The map now has `len` bytes; pages past it are forgotten, new pages are clean.
    pub(crate) fn resize(&mut self, len: usize) {
        let pages = len.div_ceil(self.page);
        // A partial last page that grows gains bytes the hash did not cover.
        if let Some(last) = self.dirty.capacity().checked_sub(1) {
            self.hashed.remove_range(last..last + 1);
        }
        self.dirty.resize(pages);
        self.exposed.resize(pages);
        self.hashed.resize(pages);
        self.hashes.resize(pages, 0);
        self.hashes.shrink_to_fit();
    }

    /// The bytes of `range` were just written through the API.
    pub(crate) fn written(&mut self, range: Range<usize>) {
        let pages = self.pages(&range);
        // Their hashes no longer say what the file holds once flushed.
        self.hashed.remove_range(pages.clone());
        self.dirty.insert_range(pages);
    }

    /// The bytes of `range` are about to be handed out for writing; `bytes`
    /// is the map as it is now, before any such write.
    pub(crate) fn expose<S: Source + ?Sized>(&mut self, bytes: &S, range: Range<usize>) {
        let pages = self.pages(&range);
        for page in pages.clone() {
            if !self.dirty.contains(page) && !self.hashed.contains(page) {
                self.hashes[page] = page_hash(self.page_bytes(bytes, page));
                self.hashed.insert(page);
            }
        }
        self.exposed.insert_range(pages);
    }

    /// The bytes of the pages that hold `range`, in a map of `len` bytes:
    /// what a flush of `range` looks at.
    pub(crate) fn span(&self, range: &Range<usize>, len: usize) -> Range<usize> {
        let pages = self.pages(range);
        (pages.start * self.page).min(len)..(pages.end * self.page).min(len)
    }

    /// The byte ranges a flush of `range` must write: dirty pages, and exposed
    /// pages whose hash changed (which become dirty). Adjacent pages form one run.
    pub(crate) fn runs_to_write<S: Source + ?Sized>(
        &mut self,
        bytes: &S,
        range: Range<usize>,
    ) -> Vec<Range<usize>> {
        let pages = self.pages(&range);
        let exposed: Vec<usize> = self.exposed.iter(pages.clone()).collect();
        self.fresh.clear();
        for page in exposed {
            if self.dirty.contains(page) {
                continue;
            }
            let hash = page_hash(self.page_bytes(bytes, page));
            if hash != self.hashes[page] {
                self.dirty.insert(page);
                self.hashed.remove_range(page..page + 1);
                self.fresh.push((page, hash));
            }
        }
        // Exposed pages that did not change are clean again, whatever the flush does.
        self.exposed.remove_range(pages.clone());
        let len = bytes.size();
        self.dirty
            .runs(pages)
            .into_iter()
            .map(|run| (run.start * self.page).min(len)..(run.end * self.page).min(len))
            .collect()
    }

    /// The pages the last [`runs_to_write`](Self::runs_to_write) hashed and
    /// found changed, in order, with the XXH3-128 hash of their bytes then
    /// (valid until the bytes change: read them under the same lock).
    pub(crate) fn fresh(&self) -> &[(usize, u128)] {
        &self.fresh
    }

    /// Whether `page` may take bytes another writer committed: it is not
    /// dirty and, if handed out raw, unchanged since (such a page that did
    /// change becomes dirty instead: the local write wins until flushed).
    pub(crate) fn may_replace<S: Source + ?Sized>(&mut self, bytes: &S, page: usize) -> bool {
        if self.dirty.contains(page) {
            return false;
        }
        if self.exposed.contains(page) {
            let same = self.hashed.contains(page)
                && page_hash(self.page_bytes(bytes, page)) == self.hashes[page];
            if !same {
                self.dirty.insert(page);
                self.hashed.remove_range(page..page + 1);
                return false;
            }
        }
        true
    }

    /// `page` now holds what the file holds (another writer's bytes).
    pub(crate) fn replaced<S: Source + ?Sized>(&mut self, bytes: &S, page: usize) {
        if self.hashed.contains(page) {
            self.hashes[page] = page_hash(self.page_bytes(bytes, page));
        }
    }

    /// The pages of `range` were written to the file (after [`runs_to_write`](Self::runs_to_write)).
    /// The pages it hashed keep those hashes, now of what the file holds:
    /// exposing them again (a JS view is, after every flush) hashes nothing.
    pub(crate) fn committed(&mut self, range: Range<usize>) {
        let pages = self.pages(&range);
        for &(page, hash) in &self.fresh {
            if pages.contains(&page) {
                self.hashes[page] = hash;
                self.hashed.insert(page);
            }
        }
        self.fresh.clear();
        self.dirty.remove_range(pages);
    }
}

#[cfg(test)]
#[allow(clippy::single_range_in_vec_init)]
mod tests {
    use super::*;

    #[test]
    fn api_writes_mark_exactly_their_pages() {
        let bytes = vec![0u8; 10 * 16];
        let mut t = Tracker::new(bytes.len(), 16);
        t.written(17..18);
        t.written(40..70);
        assert_eq!(t.runs_to_write(&bytes, 0..bytes.len()), vec![16..80]);
        t.committed(0..bytes.len());
        assert!(t.runs_to_write(&bytes, 0..bytes.len()).is_empty());
    }

    /// 100 bytes exposed in pages of 16, then changed in page 2 and in the
    /// partial last page 6, and the runs a flush finds.
    fn changed_raw() -> (Vec<u8>, Tracker) {
        let mut bytes = vec![1u8; 100];
        let mut t = Tracker::new(bytes.len(), 16);
        t.expose(&bytes, 0..100);
        bytes[35] = 9;
        bytes[99] = 9;
        assert_eq!(t.runs_to_write(&bytes, 0..100), [32..48, 96..100]);
        (bytes, t)
    }

    #[test]
    fn exposed_pages_are_written_only_if_changed() {
        let (mut bytes, mut t) = changed_raw();
        t.committed(0..100);
        // Exposing again compares against what was written.
        t.expose(&bytes, 0..100);
        assert!(t.runs_to_write(&bytes, 0..100).is_empty());
        t.expose(&bytes, 30..40);
        bytes[35] = 1;
        assert_eq!(t.runs_to_write(&bytes, 0..100), vec![32..48]);
    }

    #[test]
    fn pages_found_changed_keep_their_hash_once_committed() {
        let (bytes, mut t) = changed_raw();
        assert_eq!(
            t.fresh(),
            [
                (2, page_hash(&bytes[32..48])),
                (6, page_hash(&bytes[96..100]))
            ]
        );
        t.committed(0..100);
        assert!(t.fresh().is_empty());
        for (page, range) in [(2, 32..48), (6, 96..100)] {
            assert!(t.hashed.contains(page));
            assert_eq!(t.hashes[page], page_hash(&bytes[range]));
        }
        // A write through the API since makes the hash say nothing.
        t.written(96..97);
        assert!(!t.hashed.contains(6));
    }

    #[test]
    fn flush_of_a_range_leaves_other_pages_dirty() {
        let bytes = vec![0u8; 64];
        let mut t = Tracker::new(64, 16);
        t.written(0..64);
        assert_eq!(t.runs_to_write(&bytes, 16..20), vec![16..32]);
        t.committed(16..20);
        assert_eq!(t.runs_to_write(&bytes, 0..64), [0..16, 32..64]);
    }

    #[test]
    fn a_page_set_back_after_an_api_write_is_written() {
        let mut bytes = vec![0u8; 32];
        let mut t = Tracker::new(32, 16);
        t.expose(&bytes, 0..32);
        bytes[5] = b'a';
        t.written(5..6);
        assert_eq!(t.runs_to_write(&bytes, 0..32), vec![0..16]);
        t.committed(0..32);
        t.expose(&bytes, 0..32);
        bytes[5] = 0;
        assert_eq!(t.runs_to_write(&bytes, 0..32), vec![0..16]);
    }

    #[test]
    fn a_failed_flush_keeps_changed_pages_dirty() {
        let mut bytes = vec![0u8; 64];
        let mut t = Tracker::new(64, 16);
        t.expose(&bytes, 0..64);
        bytes[20] = 1;
        assert_eq!(t.runs_to_write(&bytes, 0..64), vec![16..32]);
        // no `committed`: the write failed
        assert_eq!(t.runs_to_write(&bytes, 0..64), vec![16..32]);
    }

    #[test]
    fn remote_bytes_replace_only_clean_unchanged_pages() {
        let mut bytes = vec![0u8; 64];
        let mut t = Tracker::new(64, 16);
        t.written(0..1); // page 0: dirty
        t.expose(&bytes, 16..48); // pages 1, 2: handed out
        bytes[20] = 5; // page 1 changed through the raw slice
        assert!(!t.may_replace(&bytes, 0));
        assert!(!t.may_replace(&bytes, 1), "a changed raw page is kept");
        assert!(t.may_replace(&bytes, 2));
        bytes[32] = 9; // the remote bytes
        t.replaced(&bytes, 2);
        assert!(t.may_replace(&bytes, 3));
        // Page 1 is now dirty; page 2 is clean with the remote bytes.
        assert_eq!(t.runs_to_write(&bytes, 0..64), [0..32]);
    }

    #[test]
    fn resize_forgets_pages_past_the_end() {
        let bytes = [0u8; 64];
        let mut t = Tracker::new(64, 16);
        t.written(40..64);
        t.resize(40);
        assert_eq!(t.runs_to_write(&bytes[..40], 0..40), vec![32..40]);
        t.resize(80);
        let grown = vec![0u8; 80];
        assert_eq!(t.runs_to_write(&grown, 0..80), vec![32..48]);
    }
}
