//! Editing a map: writable slices, writes at offsets, moves within the
//! map, and resize. Every check (closed, access, bounds, lengths) and its
//! error message is here or in `mmap.rs`; backends only assert them.

use std::ops::RangeBounds;

use crate::bounds;
use crate::error::{Error, ErrorKind, Result};
use crate::mmap::Mmap;
use crate::options::Access;

impl Mmap {
    /// All the mapped bytes, writable. The map notes that they may be written
    /// and finds at flush which pages really changed.
    ///
    /// # Errors
    /// [`ErrorKind::ReadOnly`] for [`Access::Read`]; [`ErrorKind::Closed`].
    ///
    /// # Example
    /// ```
    /// let mut m = vmmap::Mmap::anonymous(4).unwrap();
    /// m.as_mut_slice().unwrap().copy_from_slice(b"abcd");
    /// assert_eq!(&m[..], b"abcd");
    /// ```
    pub fn as_mut_slice(&mut self) -> Result<&mut [u8]> {
        self.get_mut(..)
    }

    /// The bytes of `range`, writable; `range` must lie within the map.
    ///
    /// # Errors
    /// [`ErrorKind::OutOfRange`] for a range past the end or reversed;
    /// [`ErrorKind::ReadOnly`]; [`ErrorKind::Closed`].
    ///
    /// # Example
    /// ```
    /// let mut m = vmmap::Mmap::anonymous(8).unwrap();
    /// m.get_mut(2..4).unwrap().fill(7);
    /// assert_eq!(&m[..5], &[0, 0, 7, 7, 0]);
    /// assert_eq!(m.get_mut(4..9).unwrap_err().kind(), vmmap::ErrorKind::OutOfRange);
    /// ```
    pub fn get_mut(&mut self, range: impl RangeBounds<usize>) -> Result<&mut [u8]> {
        let len = self.len;
        let region = self.writable("get_mut")?;
        let range = bounds::strict(&range, len)?;
        region.bytes_mut(range)
    }

    /// Writes `data` at `offset` (Python `m[offset:offset+len(data)] = data`);
    /// the cursor does not move.
    ///
    /// # Errors
    /// [`ErrorKind::OutOfRange`] if `data` does not fit (nothing is written);
    /// [`ErrorKind::ReadOnly`]; [`ErrorKind::Closed`].
    ///
    /// # Example
    /// ```
    /// let mut m = vmmap::Mmap::anonymous(5).unwrap();
    /// m.write_at(1, b"abc").unwrap();
    /// assert_eq!(&m[..], b"\0abc\0");
    /// assert!(m.write_at(3, b"abc").is_err());
    /// ```
    #[inline]
    pub fn write_at(&mut self, offset: usize, data: &[u8]) -> Result<()> {
        self.write_checked("write_at", offset, data)
    }

    /// Lets `fill` write the `len` bytes at `offset` in place, for bytes that
    /// come from elsewhere (a socket, a decoder, a JS array) and need not be
    /// gathered in a buffer first. Exactly these bytes count as written (a
    /// flush writes back their pages, as after [`write_at`](Mmap::write_at),
    /// with no hashing as after [`get_mut`](Mmap::get_mut)). `fill` gets the
    /// bytes as they are and should set every one of them. The cursor does
    /// not move.
    ///
    /// # Errors
    /// [`ErrorKind::OutOfRange`] if `len` bytes do not fit at `offset`
    /// (`fill` is not called); [`ErrorKind::ReadOnly`]; [`ErrorKind::Closed`].
    ///
    /// # Example
    /// ```
    /// let mut m = vmmap::Mmap::anonymous(6).unwrap();
    /// m.write_with(1, 4, |dst| dst.copy_from_slice(b"abcd")).unwrap();
    /// assert_eq!(&m[..], b"\0abcd\0");
    /// assert!(m.write_with(3, 4, |_| unreachable!()).is_err());
    /// ```
    pub fn write_with(
        &mut self,
        offset: usize,
        len: usize,
        mut fill: impl FnMut(&mut [u8]),
    ) -> Result<()> {
        let map_len = self.len;
        let region = self.writable("write_with")?;
        bounds::span("write_with", offset, len, map_len)?;
        region.write_with(offset, len, &mut fill)
    }

    /// Writes `data` at `offset` after the closed, access and bounds checks,
    /// naming the call `what` in errors.
    #[inline]
    pub(crate) fn write_checked(&mut self, what: &str, offset: usize, data: &[u8]) -> Result<()> {
        let len = self.len;
        let region = self.writable(what)?;
        bounds::span(what, offset, data.len(), len)?;
        region.write(offset, data)
    }

    /// Copies `count` bytes from `src` to `dest` within the map; the two may
    /// overlap (Python `move`).
    ///
    /// # Errors
    /// [`ErrorKind::OutOfRange`] unless `src + count` and `dest + count` are
    /// both at most `len()` (nothing moves); [`ErrorKind::ReadOnly`];
    /// [`ErrorKind::Closed`].
    ///
    /// # Example
    /// ```
    /// let mut m = vmmap::Mmap::anonymous(6).unwrap();
    /// m.write_at(0, b"abcdef").unwrap();
    /// m.move_within(2, 0, 3).unwrap();
    /// assert_eq!(&m[..], b"ababcf");
    /// ```
    pub fn move_within(&mut self, dest: usize, src: usize, count: usize) -> Result<()> {
        let len = self.len;
        let region = self.writable("move_within")?;
        bounds::span("move_within source", src, count, len)?;
        bounds::span("move_within destination", dest, count, len)?;
        region.copy_within(src..src + count, dest)
    }

    /// Changes the length of the map and of its file (to offset + `new_len`);
    /// new bytes are zero. The cursor is left where it is, even past the new
    /// end, as in Python.
    ///
    /// # Errors
    /// [`ErrorKind::ReadOnly`] for [`Access::Read`] and [`Access::Copy`];
    /// [`ErrorKind::InvalidArgument`] for `new_len` 0 (Python fails there
    /// too, after truncating the file; vmmap changes nothing) or above
    /// `isize::MAX`; [`ErrorKind::Closed`]; [`ErrorKind::Io`]. On error the
    /// map and the file are unchanged.
    ///
    /// # Example
    /// ```
    /// let mut m = vmmap::Mmap::anonymous(4).unwrap();
    /// m.write_at(0, b"abcd").unwrap();
    /// m.resize(6).unwrap();
    /// assert_eq!(&m[..], b"abcd\0\0");
    /// m.resize(2).unwrap();
    /// assert_eq!(&m[..], b"ab");
    /// ```
    pub fn resize(&mut self, new_len: usize) -> Result<()> {
        let access = self.access;
        let region = self.region_mut()?;
        if access != Access::Write {
            return Err(Error::new(
                ErrorKind::ReadOnly,
                format!("resize to {new_len}: a map with {access:?} access cannot be resized"),
            ));
        }
        bounds::check_len("resize: the new length", new_len)?;
        region.resize(new_len)?;
        self.len = new_len;
        Ok(())
    }
}
