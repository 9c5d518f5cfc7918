//! A set of page indices as a bitmap: mark, test, clear and walk in runs.

use std::ops::Range;

/// Pages `0..len`, each in or out of the set.
#[derive(Debug, Clone, Default)]
pub(crate) struct PageSet {
    words: Vec<u64>,
    len: usize,
}

impl PageSet {
    /// An empty set over `len` pages.
    pub(crate) fn new(len: usize) -> PageSet {
        PageSet {
            words: vec![0; len.div_ceil(64)],
            len,
        }
    }

    /// The number of pages the set ranges over.
    pub(crate) fn capacity(&self) -> usize {
        self.len
    }

    /// Changes the number of pages; pages past the new end leave the set.
    pub(crate) fn resize(&mut self, len: usize) {
        self.words.resize(len.div_ceil(64), 0);
        if len % 64 != 0 {
            if let Some(last) = self.words.last_mut() {
                *last &= (1u64 << (len % 64)) - 1;
            }
        }
        self.len = len;
    }

    pub(crate) fn contains(&self, page: usize) -> bool {
        page < self.len && self.words[page / 64] & (1 << (page % 64)) != 0
    }

    /// Adds the pages of `pages` (clipped to the capacity).
    pub(crate) fn insert_range(&mut self, pages: Range<usize>) {
        for page in pages.start..pages.end.min(self.len) {
            self.words[page / 64] |= 1 << (page % 64);
        }
    }

    pub(crate) fn insert(&mut self, page: usize) {
        self.insert_range(page..page + 1);
    }

    /// Removes the pages of `pages` (clipped to the capacity).
    pub(crate) fn remove_range(&mut self, pages: Range<usize>) {
        for page in pages.start..pages.end.min(self.len) {
            self.words[page / 64] &= !(1 << (page % 64));
        }
    }

    /// The pages of the set within `pages`, in order; skips empty words, so a
    /// sparse set is walked at 64 pages a step.
    pub(crate) fn iter(&self, pages: Range<usize>) -> impl Iterator<Item = usize> + '_ {
        let end = pages.end.min(self.len);
        let mut page = pages.start;
        std::iter::from_fn(move || {
            while page < end {
                let word = self.words[page / 64] >> (page % 64);
                if word == 0 {
                    page = (page / 64 + 1) * 64;
                    continue;
                }
                let found = page + word.trailing_zeros() as usize;
                if found >= end {
                    page = end;
                    return None;
                }
                page = found + 1;
                return Some(found);
            }
            None
        })
    }

    /// The set within `pages` as maximal runs of consecutive pages.
    pub(crate) fn runs(&self, pages: Range<usize>) -> Vec<Range<usize>> {
        let mut runs: Vec<Range<usize>> = Vec::new();
        for page in self.iter(pages) {
            match runs.last_mut() {
                Some(run) if run.end == page => run.end += 1,
                _ => runs.push(page..page + 1),
            }
        }
        runs
    }

    /// The pages of `pages` (clipped to the capacity) not in the set, as
    /// maximal runs of consecutive pages.
    pub(crate) fn gaps(&self, pages: Range<usize>) -> Vec<Range<usize>> {
        let end = pages.end.min(self.len);
        let mut gaps = Vec::new();
        let mut from = pages.start;
        for run in self.runs(pages.start..end) {
            if from < run.start {
                gaps.push(from..run.start);
            }
            from = run.end;
        }
        if from < end {
            gaps.push(from..end);
        }
        gaps
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn insert_iterate_remove() {
        let mut s = PageSet::new(200);
        s.insert_range(3..6);
        s.insert(64);
        s.insert(199);
        s.insert_range(198..400);
        assert_eq!(s.iter(0..200).collect::<Vec<_>>(), [3, 4, 5, 64, 198, 199]);
        assert_eq!(s.runs(0..200), [3..6, 64..65, 198..200]);
        assert_eq!(s.runs(4..65), [4..6, 64..65]);
        s.remove_range(0..64);
        assert_eq!(s.runs(0..200), [64..65, 198..200]);
        assert_eq!(s.iter(0..64).count(), 0);
    }

    #[test]
    fn gaps() {
        let mut set = PageSet::new(130);
        assert_eq!(set.gaps(0..130), vec![0..130]);
        set.insert_range(3..5);
        set.insert(70);
        assert_eq!(set.gaps(0..200), vec![0..3, 5..70, 71..130]);
        assert_eq!(set.gaps(3..5), Vec::<Range<usize>>::new());
        set.insert_range(0..130);
        assert!(set.gaps(0..130).is_empty());
    }

    #[test]
    fn resize_drops_pages_past_the_end() {
        let mut s = PageSet::new(130);
        s.insert_range(0..130);
        s.resize(70);
        assert_eq!(s.iter(0..usize::MAX).count(), 70);
        s.resize(130);
        assert_eq!(s.iter(0..130).count(), 70);
        assert!(!s.contains(129));
    }
}
