//! The file-object half of [`Mmap`]: a cursor with Python's `seek`, `tell`,
//! `read`, `read_byte`, `readline`, `write` and `write_byte`.

use std::io::SeekFrom;

use crate::error::{Error, ErrorKind, Result};
use crate::mmap::Mmap;

impl Mmap {
    /// The cursor position (0 once closed). After a shrinking
    /// [`resize`](Mmap::resize) it may lie past the end, as in Python.
    ///
    /// # Example
    /// ```
    /// let mut m = vmmap::Mmap::anonymous(8).unwrap();
    /// m.write(b"abc").unwrap();
    /// assert_eq!(m.tell(), 3);
    /// ```
    #[inline]
    pub fn tell(&self) -> usize {
        self.pos
    }

    /// Moves the cursor, as Python's `seek(pos, whence)`; returns the new position.
    ///
    /// # Errors
    /// [`ErrorKind::OutOfRange`] for a target before 0 or past `len()` (the
    /// end itself is fine); the cursor does not move. [`ErrorKind::Closed`].
    ///
    /// # Example
    /// ```
    /// use std::io::SeekFrom;
    /// let mut m = vmmap::Mmap::anonymous(10).unwrap();
    /// assert_eq!(m.seek(SeekFrom::End(-2)).unwrap(), 8);
    /// assert_eq!(m.seek(SeekFrom::Current(-3)).unwrap(), 5);
    /// assert!(m.seek(SeekFrom::Start(11)).is_err());
    /// assert_eq!(m.tell(), 5);
    /// ```
    #[inline]
    pub fn seek(&mut self, pos: SeekFrom) -> Result<u64> {
        // Moves the cursor only: no bytes to bring up to date.
        self.region()?;
        let len = self.len();
        let target = match pos {
            SeekFrom::Start(n) => i128::from(n),
            SeekFrom::Current(d) => self.pos as i128 + i128::from(d),
            SeekFrom::End(d) => len as i128 + i128::from(d),
        };
        if target < 0 || target > len as i128 {
            return Err(Error::new(
                ErrorKind::OutOfRange,
                format!("seek to {target} ({pos:?}) is outside 0..={len}"),
            ));
        }
        self.pos = target as usize;
        Ok(target as u64)
    }

    /// The `n` bytes from the cursor (fewer at the end; none past it),
    /// loaded if the map loads on demand.
    fn ahead(&mut self, n: usize) -> Result<&[u8]> {
        let (pos, len) = (self.pos, self.len);
        let start = pos.min(len);
        let end = start.saturating_add(n).min(len);
        self.region_mut()?.bytes_in(start..end)
    }

    /// Reads up to `n` bytes from the cursor (`None`: to the end) and moves
    /// the cursor past them; at the end, an empty vector.
    ///
    /// # Errors
    /// [`ErrorKind::Closed`].
    ///
    /// # Example
    /// ```
    /// let mut m = vmmap::Mmap::anonymous(5).unwrap();
    /// m.write_at(0, b"hello").unwrap();
    /// assert_eq!(m.read(Some(2)).unwrap(), b"he");
    /// assert_eq!(m.read(None).unwrap(), b"llo");
    /// assert_eq!(m.read(Some(9)).unwrap(), b"");
    /// ```
    #[inline]
    pub fn read(&mut self, n: Option<usize>) -> Result<Vec<u8>> {
        let out = self.ahead(n.unwrap_or(usize::MAX))?.to_vec();
        self.pos += out.len();
        Ok(out)
    }

    /// Reads the byte at the cursor and moves past it.
    ///
    /// # Errors
    /// [`ErrorKind::OutOfRange`] at the end; [`ErrorKind::Closed`].
    ///
    /// # Example
    /// ```
    /// let mut m = vmmap::Mmap::anonymous(1).unwrap();
    /// assert_eq!(m.read_byte().unwrap(), 0);
    /// assert_eq!(m.read_byte().unwrap_err().kind(), vmmap::ErrorKind::OutOfRange);
    /// ```
    pub fn read_byte(&mut self) -> Result<u8> {
        let len = self.len();
        match self.ahead(1)?.first() {
            Some(&byte) => {
                self.pos += 1;
                Ok(byte)
            }
            None => Err(Error::new(
                ErrorKind::OutOfRange,
                format!("read_byte at position {}: the map ends at {len}", self.pos),
            )),
        }
    }

    /// Reads one line from the cursor: up to and including the next `b'\n'`,
    /// or to the end; empty at the end.
    ///
    /// # Errors
    /// [`ErrorKind::Closed`].
    ///
    /// # Example
    /// ```
    /// let mut m = vmmap::Mmap::anonymous(6).unwrap();
    /// m.write_at(0, b"ab\ncd").unwrap();
    /// assert_eq!(m.readline().unwrap(), b"ab\n");
    /// assert_eq!(m.readline().unwrap(), b"cd\0");
    /// assert_eq!(m.readline().unwrap(), b"");
    /// ```
    pub fn readline(&mut self) -> Result<Vec<u8>> {
        // Chunk by chunk, so that a map that loads on demand loads the
        // line's pages and not the rest of the map.
        let mut line = Vec::new();
        let mut chunk = crate::search::FIRST_CHUNK;
        loop {
            let bytes = self.ahead(chunk)?;
            let (take, done) = match memchr::memchr(b'\n', bytes) {
                Some(i) => (i + 1, true),
                None => (bytes.len(), bytes.len() < chunk),
            };
            line.extend_from_slice(&bytes[..take]);
            self.pos += take;
            if done {
                return Ok(line);
            }
            chunk = crate::search::next_chunk(chunk);
        }
    }

    /// Writes all of `data` at the cursor and moves past it; returns `data.len()`.
    /// All or nothing, as Python: never a partial write.
    ///
    /// # Errors
    /// [`ErrorKind::OutOfRange`] if `data` does not fit before the end
    /// (nothing is written, the cursor stays); [`ErrorKind::ReadOnly`];
    /// [`ErrorKind::Closed`].
    ///
    /// # Example
    /// ```
    /// let mut m = vmmap::Mmap::anonymous(4).unwrap();
    /// assert_eq!(m.write(b"abc").unwrap(), 3);
    /// assert!(m.write(b"de").is_err());
    /// assert_eq!(&m[..], b"abc\0");
    /// ```
    #[inline]
    pub fn write(&mut self, data: &[u8]) -> Result<usize> {
        self.write_checked("write", self.pos, data)?;
        self.pos += data.len();
        Ok(data.len())
    }

    /// Writes one byte at the cursor and moves past it.
    ///
    /// # Errors
    /// [`ErrorKind::OutOfRange`] at the end; [`ErrorKind::ReadOnly`]; [`ErrorKind::Closed`].
    ///
    /// # Example
    /// ```
    /// let mut m = vmmap::Mmap::anonymous(1).unwrap();
    /// m.write_byte(b'x').unwrap();
    /// assert_eq!(m.write_byte(b'y').unwrap_err().kind(), vmmap::ErrorKind::OutOfRange);
    /// ```
    pub fn write_byte(&mut self, byte: u8) -> Result<()> {
        let pos = self.pos;
        let len = self.len();
        let region = self.writable("write_byte")?;
        if pos >= len {
            return Err(Error::new(
                ErrorKind::OutOfRange,
                format!("write_byte at position {pos}: the map ends at {len}"),
            ));
        }
        region.write(pos, &[byte])?;
        self.pos += 1;
        Ok(())
    }
}
