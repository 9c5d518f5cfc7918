//! `find` and `rfind` on [`Mmap`], with `memchr::memmem` (SIMD substring search).

use std::ops::RangeBounds;

use memchr::memmem;

use crate::bounds;
use crate::mmap::Mmap;

impl Mmap {
    /// The lowest index of `needle` within `range` (absolute: `..` is the
    /// whole map, not "from the cursor"; an end past the map is clipped),
    /// or `None`. As in Python, both ends are clipped to the map, a reversed
    /// range finds nothing, and an empty needle is found at the (clipped)
    /// start. A closed map finds nothing.
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
        let (start, hay) = self.haystack(range)?;
        memmem::find(hay, needle).map(|i| start + i)
    }

    /// The highest index of `needle` within `range` (absolute, end clipped),
    /// or `None`. An empty needle is found at the (clipped) end of the range.
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
        let (start, hay) = self.haystack(range)?;
        memmem::rfind(hay, needle).map(|i| start + i)
    }

    /// Where `range`, clipped to the map as Python clips it, starts, and its
    /// bytes; `None` for a closed map or a reversed range.
    fn haystack(&self, range: impl RangeBounds<usize>) -> Option<(usize, &[u8])> {
        if self.is_closed() {
            return None;
        }
        let range = bounds::clipped(&range, self.len())?;
        Some((range.start, &self.as_slice()[range]))
    }
}
