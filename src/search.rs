//! `find` and `rfind` on [`Mmap`], with `memchr::memmem` (SIMD substring
//! search), chunk by chunk: a map that loads pages on demand loads what a
//! search scans as it goes (chunks double from 64 KiB to 4 MiB, so an early
//! match loads little and a long scan reads in large steps).

use std::ops::{Range, RangeBounds};

use memchr::memmem::{Finder, FinderRev};

use crate::bounds;
use crate::error::Result;
use crate::mmap::Mmap;

/// Which way a search scans.
#[derive(Clone, Copy)]
enum Direction {
    Forward,
    Backward,
}

/// The first chunk a scan reads.
pub(crate) const FIRST_CHUNK: usize = 64 * 1024;
/// The largest chunk a scan reads.
pub(crate) const LAST_CHUNK: usize = 4 << 20;

/// The chunk after one of `chunk` bytes.
pub(crate) fn next_chunk(chunk: usize) -> usize {
    (chunk * 2).min(LAST_CHUNK)
}

/// For the calls that cannot return an error: a page a map that loads on
/// demand cannot read is fatal, as `SIGBUS` is for a native map.
fn loaded<T>(found: Result<T>) -> T {
    found.unwrap_or_else(|e| panic!("vmmap: a page of the map could not be loaded: {e}"))
}

impl Mmap {
    /// The lowest index of `needle` within `range` (absolute: `..` is the
    /// whole map, not "from the cursor"; an end past the map is clipped),
    /// or `None`. As in Python, both ends are clipped to the map, a reversed
    /// range finds nothing, and an empty needle is found at the (clipped)
    /// start. A closed map finds nothing.
    ///
    /// # Panics
    /// Only on a map that loads pages on demand, if a page it scans cannot
    /// be read from its file (as [`as_slice`](Mmap::as_slice)); load the
    /// range first with [`advise`](Mmap::advise)`(Advice::WillNeed, ..)` to
    /// get that error as a value.
    ///
    /// # Example
    /// ```
    /// let mut m = vmmap::Mmap::anonymous(11).unwrap();
    /// m.write_at(0, b"abc abc abc").unwrap();
    /// assert_eq!(m.find(b"abc", ..), Some(0));
    /// assert_eq!(m.find(b"abc", 1..), Some(4));
    /// assert_eq!(m.find(b"abc", 1..6), None);
    /// assert_eq!(m.find(b"", 3..), Some(3));
    /// ```
    pub fn find(&self, needle: &[u8], range: impl RangeBounds<usize>) -> Option<usize> {
        loaded(self.find_in(needle, range))
    }

    /// The highest index of `needle` within `range` (absolute, end clipped),
    /// or `None`. An empty needle is found at the (clipped) end of the range.
    ///
    /// # Panics
    /// As [`find`](Mmap::find).
    ///
    /// # Example
    /// ```
    /// let mut m = vmmap::Mmap::anonymous(11).unwrap();
    /// m.write_at(0, b"abc abc abc").unwrap();
    /// assert_eq!(m.rfind(b"abc", ..), Some(8));
    /// assert_eq!(m.rfind(b"abc", ..8), Some(4));
    /// assert_eq!(m.rfind(b"", ..), Some(11));
    /// ```
    pub fn rfind(&self, needle: &[u8], range: impl RangeBounds<usize>) -> Option<usize> {
        loaded(self.rfind_in(needle, range))
    }

    /// [`find`](Mmap::find), with a page that cannot be loaded as an error
    /// (for the JS bindings, whose calls can all throw).
    pub(crate) fn find_in(
        &self,
        needle: &[u8],
        range: impl RangeBounds<usize>,
    ) -> Result<Option<usize>> {
        let finder = Finder::new(needle);
        self.scan(needle, range, Direction::Forward, |hay| finder.find(hay))
    }

    /// [`rfind`](Mmap::rfind), with a page that cannot be loaded as an error.
    pub(crate) fn rfind_in(
        &self,
        needle: &[u8],
        range: impl RangeBounds<usize>,
    ) -> Result<Option<usize>> {
        let finder = FinderRev::new(needle);
        self.scan(needle, range, Direction::Backward, |hay| finder.rfind(hay))
    }

    /// Searches `range` chunk by chunk in `direction` with `search` (which
    /// finds the first match of `needle` in a chunk, from that end): a
    /// chunk searched for the matches that start in `from..to` holds the
    /// bytes `from..to + needle.len() - 1`.
    fn scan(
        &self,
        needle: &[u8],
        range: impl RangeBounds<usize>,
        direction: Direction,
        search: impl Fn(&[u8]) -> Option<usize>,
    ) -> Result<Option<usize>> {
        let Some((range, starts)) = self.starts(needle, range) else {
            return Ok(None);
        };
        if needle.is_empty() {
            // Found at once, at the end the search starts from.
            return Ok(Some(match direction {
                Direction::Forward => range.start,
                Direction::Backward => range.end,
            }));
        }
        let (mut left, mut chunk) = (starts.clone(), FIRST_CHUNK);
        while !left.is_empty() {
            let take = chunk.min(left.len());
            let part = match direction {
                Direction::Forward => left.start..left.start + take,
                Direction::Backward => left.end - take..left.end,
            };
            let hay = self.try_get(part.start..(part.end + needle.len() - 1).min(range.end))?;
            if let Some(i) = search(hay) {
                return Ok(Some(part.start + i));
            }
            left = match direction {
                Direction::Forward => part.end..left.end,
                Direction::Backward => left.start..part.start,
            };
            chunk = next_chunk(chunk);
        }
        Ok(None)
    }

    /// `range` clipped to the map as Python clips it, and where a match of
    /// `needle` may start within it: a chunk searched for matches that start
    /// in `from..to` holds the bytes `from..to + needle.len() - 1`. `None`
    /// for a closed map or a reversed range.
    fn starts(
        &self,
        needle: &[u8],
        range: impl RangeBounds<usize>,
    ) -> Option<(Range<usize>, Range<usize>)> {
        if self.is_closed() {
            return None;
        }
        let range = bounds::clipped(&range, self.len())?;
        // A match at `p` needs `p + needle.len() <= range.end`.
        let end = (range.end + 1).saturating_sub(needle.len().max(1));
        Some((range.clone(), range.start..end.max(range.start)))
    }
}
