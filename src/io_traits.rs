//! `std::io::{Read, Write, Seek, BufRead}` for [`Mmap`], over its cursor.
//!
//! They follow std's conventions where those differ from Python's:
//! `io::Write::write` writes what fits and returns how much (0 at the end,
//! so `write_all` fails with `WriteZero`), like `io::Cursor<&mut [u8]>`;
//! the inherent [`Mmap::write`] stays all-or-nothing.

use std::io::{self, BufRead, Read, Seek, SeekFrom, Write};

use crate::mmap::Mmap;

impl Read for Mmap {
    /// Copies from the cursor into `buf`; 0 at the end.
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let rest = self.fill_buf()?;
        let n = rest.len().min(buf.len());
        buf[..n].copy_from_slice(&rest[..n]);
        self.pos += n;
        Ok(n)
    }
}

impl BufRead for Mmap {
    /// The mapped bytes from the cursor to the end: no copy.
    fn fill_buf(&mut self) -> io::Result<&[u8]> {
        // At most a chunk: a map that loads on demand loads what is read.
        let (start, len) = (self.pos.min(self.len()), self.len());
        let end = start.saturating_add(crate::search::LAST_CHUNK).min(len);
        Ok(self.region_mut()?.bytes_in(start..end)?)
    }

    /// Moves the cursor `amt` bytes on, never past the end.
    fn consume(&mut self, amt: usize) {
        let len = self.len();
        if self.pos < len {
            self.pos = self.pos.saturating_add(amt).min(len);
        }
    }
}

impl Write for Mmap {
    /// Writes as much of `buf` as fits before the end at the cursor.
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.len().saturating_sub(self.pos).min(buf.len());
        if n == 0 {
            // At or past the end (after a shrinking resize): nothing fits.
            self.writable("write")?;
            return Ok(0);
        }
        self.write_checked("write", self.pos, &buf[..n])?;
        self.pos += n;
        Ok(n)
    }

    /// [`Mmap::flush`]: the whole map is written back.
    fn flush(&mut self) -> io::Result<()> {
        Mmap::flush(self).map_err(io::Error::from)
    }
}

impl Seek for Mmap {
    /// [`Mmap::seek`]: a target past the end is an error (`InvalidInput`),
    /// unlike a file's.
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        Mmap::seek(self, pos).map_err(io::Error::from)
    }

    fn stream_position(&mut self) -> io::Result<u64> {
        self.region()?;
        Ok(self.pos as u64)
    }
}
