//! Writing a map back and letting it go: `flush`, `flush_range`,
//! `flushed`, `advise`, `close` (also on drop).

use std::future::Future;
use std::ops::RangeBounds;

use crate::bounds;
use crate::error::{Error, ErrorKind, Result};
use crate::mmap::Mmap;
use crate::options::Advice;

impl Mmap {
    /// Writes what changed back to the file. Native, WASI and Emscripten:
    /// returns once it is in the file. Browser: starts the write-back;
    /// await [`flushed`](Mmap::flushed) for it to commit. In the browser
    /// (one IndexedDB transaction) and on WASI and Emscripten (a redo
    /// journal beside the file) one flush is atomic: after a crash the file
    /// holds all of it or none of it; natively it is as atomic as `msync`.
    /// Read-only, copy-on-write and anonymous maps have nothing to write: `Ok`.
    ///
    /// # Errors
    /// [`ErrorKind::Closed`]; [`ErrorKind::QuotaExceeded`] or
    /// [`ErrorKind::Io`] from the storage, in which case what was dirty stays
    /// dirty for a later flush.
    ///
    /// # Example
    /// ```
    /// let mut m = vmmap::Mmap::anonymous(4).unwrap();
    /// m.write_at(0, b"data").unwrap();
    /// m.flush().unwrap();
    /// ```
    pub fn flush(&self) -> Result<()> {
        self.region()?.flush(0..self.len)
    }

    /// Flushes `len` bytes from `offset` (Python `flush(offset, size)`).
    ///
    /// # Errors
    /// [`ErrorKind::OutOfRange`] if `offset + len` is past the end;
    /// [`ErrorKind::InvalidArgument`] if `offset` is not a multiple of
    /// [`page_size()`](crate::page_size); as [`flush`](Mmap::flush) otherwise.
    ///
    /// # Example
    /// ```
    /// let page = vmmap::page_size();
    /// let mut m = vmmap::Mmap::anonymous(4 * page).unwrap();
    /// m.write_at(page, b"x").unwrap();
    /// m.flush_range(page, page).unwrap();
    /// assert_eq!(m.flush_range(1, 1).unwrap_err().kind(), vmmap::ErrorKind::InvalidArgument);
    /// ```
    pub fn flush_range(&self, offset: usize, len: usize) -> Result<()> {
        let region = self.region()?;
        let range = bounds::span("flush_range", offset, len, self.len)?;
        let page = crate::page_size();
        if offset % page != 0 {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!("flush_range offset {offset} is not a multiple of the page size {page}"),
            ));
        }
        region.flush(range)
    }

    /// A future that resolves once every flush started so far is durable.
    /// Where `flush` is synchronous (native, WASI, Emscripten) it is ready at
    /// once. It does not borrow the map.
    ///
    /// # Errors
    /// The future yields [`ErrorKind::Closed`] for a closed map, or the error
    /// of a write-back that failed.
    ///
    /// # Example
    /// ```
    /// # pollster::block_on(async {
    /// let mut m = vmmap::Mmap::anonymous(4).unwrap();
    /// m.write_at(0, b"data").unwrap();
    /// m.flush().unwrap();
    /// m.flushed().await.unwrap();
    /// # });
    /// ```
    pub fn flushed(&self) -> impl Future<Output = Result<()>> + use<> {
        let pending = self.region().map(|r| r.flushed());
        async move { pending?.await }
    }

    /// Passes a usage hint for `range` (absolute; `..` is the whole map, an
    /// end past the map is clipped) to the OS. Advice never changes the bytes.
    ///
    /// # Errors
    /// [`ErrorKind::OutOfRange`] if the range starts past the end;
    /// [`ErrorKind::InvalidArgument`] if its start is not a multiple of
    /// [`page_size()`](crate::page_size); [`ErrorKind::Closed`].
    ///
    /// # Example
    /// ```
    /// use vmmap::Advice;
    /// let m = vmmap::Mmap::anonymous(2 * vmmap::page_size()).unwrap();
    /// m.advise(Advice::WillNeed, ..).unwrap();
    /// m.advise(Advice::Random, vmmap::page_size()..).unwrap();
    /// ```
    pub fn advise(&self, advice: Advice, range: impl RangeBounds<usize>) -> Result<()> {
        let region = self.region()?;
        let len = self.len;
        let range = bounds::clipped(&range, len)
            .filter(|clipped| bounds::start(&range) == Some(clipped.start))
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::OutOfRange,
                    format!(
                        "advise range {} starts past the end {len} or is reversed",
                        bounds::show(&range)
                    ),
                )
            })?;
        let page = crate::page_size();
        if range.start % page != 0 {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!(
                    "advise start {} is not a multiple of the page size {page}",
                    range.start
                ),
            ));
        }
        if range.is_empty() {
            return Ok(());
        }
        region.advise(advice, range)
    }

    /// Closes the map: a writable file map starts writing back what is dirty
    /// (call [`flush`](Mmap::flush) first for durability). Closing twice is
    /// fine; afterwards every fallible call is [`ErrorKind::Closed`].
    ///
    /// # Errors
    /// An error from starting the write-back; the map is closed all the same.
    ///
    /// # Example
    /// ```
    /// let mut m = vmmap::Mmap::anonymous(4).unwrap();
    /// m.close().unwrap();
    /// m.close().unwrap();
    /// assert!(m.is_closed());
    /// assert_eq!(m.read(None).unwrap_err().kind(), vmmap::ErrorKind::Closed);
    /// ```
    pub fn close(&mut self) -> Result<()> {
        self.pos = 0;
        self.len = 0;
        match self.region.take() {
            Some(mut region) => region.close(),
            None => Ok(()),
        }
    }

    /// Whether [`close`](Mmap::close) was called.
    ///
    /// # Example
    /// ```
    /// let m = vmmap::Mmap::anonymous(4).unwrap();
    /// assert!(!m.is_closed());
    /// ```
    pub fn is_closed(&self) -> bool {
        self.region.is_none()
    }
}

impl Drop for Mmap {
    fn drop(&mut self) {
        let _ = self.close();
    }
}
