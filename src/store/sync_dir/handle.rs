//! [`Handle`]: one open [`SyncHandle`] with a position, so that the
//! journal (`store/journal.rs`), which reads and writes `std::io` streams,
//! commits through it as through a `std::fs::File`; and the JS errors of
//! its calls as [`Error`](crate::Error)s.

use std::io::{self, Read, Seek, SeekFrom, Write};
use std::ops::Range;

use wasm_bindgen::JsValue;

use super::js::{self, SyncHandle};
use crate::error::Result;
use crate::store::idb::js_error;
use crate::store::journal::Storage;

/// The most bytes one `write` call hands the handle. Chromium's OPFS
/// writes a file that grows 3–4x as fast in 1 MiB calls as in one 64 MiB
/// call (51–56 ms vs 179–181 ms for 64 MiB, then `flush`; the same once the
/// file has its blocks), and a journal grows at a map's first flush.
const WRITE_PIECE: u64 = 1 << 20;

/// An open file of a sync directory and a position in it.
#[derive(Debug)]
pub(crate) struct Handle {
    js: SyncHandle,
    /// The file's name in its directory, for messages.
    name: String,
    pos: u64,
}

/// What a JS call threw, as an `io::Error` that keeps its kind (a full
/// store stays `QuotaExceeded` through `Error::from_io`).
fn io_error(what: &str, thrown: &JsValue) -> io::Error {
    js_error(what, thrown).into()
}

impl Handle {
    pub(crate) fn new(js: SyncHandle, name: &str) -> Handle {
        Handle {
            js,
            name: name.to_owned(),
            pos: 0,
        }
    }

    /// The file's length.
    pub(crate) fn size(&self) -> Result<u64> {
        self.js
            .get_size()
            .map(|size| size as u64)
            .map_err(|e| js_error(&format!("size of {:?}", self.name), &e))
    }

    /// Fills `out` from `offset`; bytes past the end of the file read as zero.
    pub(crate) fn read_exact_at(&self, offset: u64, out: &mut [u8]) -> io::Result<()> {
        let mut filled = 0;
        while filled < out.len() {
            let at = offset + filled as u64;
            let n = js::read_at(&self.js, &mut out[filled..], at as f64)
                .map_err(|e| io_error(&format!("read {:?} at {at}", self.name), &e))?;
            if n < 1.0 {
                break;
            }
            filled += n as usize;
        }
        out[filled..].fill(0);
        Ok(())
    }

    /// Fills the JS bytes `out` from `offset`, copying none through wasm
    /// memory; bytes past the end of the file are left as they are (zero,
    /// in a new array).
    #[cfg(feature = "js")]
    pub(crate) fn read_array_at(&self, offset: u64, out: &js_sys::Uint8Array) -> io::Result<()> {
        let len = out.length();
        let mut filled = 0;
        while filled < len {
            let at = offset + u64::from(filled);
            let rest = if filled == 0 {
                out.clone()
            } else {
                out.subarray(filled, len)
            };
            let n = js::read_array_at(&self.js, &rest, at as f64)
                .map_err(|e| io_error(&format!("read {:?} at {at}", self.name), &e))?;
            if n < 1.0 {
                break;
            }
            filled += (n as u32).min(len - filled);
        }
        Ok(())
    }

    /// Writes all of `data` at `offset`.
    pub(crate) fn write_all_at(&self, offset: u64, data: &[u8]) -> io::Result<()> {
        self.write_with(offset, data.len() as u64, |piece, at| {
            js::write_at(
                &self.js,
                &data[piece.start as usize..piece.end as usize],
                at,
            )
        })
    }

    /// Writes all of the JS bytes `data` at `offset`, copying none into
    /// wasm memory.
    #[cfg(feature = "js")]
    pub(crate) fn write_array_at(&self, offset: u64, data: &js_sys::Uint8Array) -> io::Result<()> {
        let len = data.length();
        self.write_with(offset, u64::from(len), |piece, at| {
            js::write_array_at(
                &self.js,
                &data.subarray(piece.start as u32, piece.end as u32),
                at,
            )
        })
    }

    /// Writes `len` bytes from `offset` with `write(piece, at)`, which writes
    /// some of the bytes of `piece` (at most [`WRITE_PIECE`] of them) at file
    /// offset `at` and says how many, until all are written.
    fn write_with(
        &self,
        offset: u64,
        len: u64,
        mut write: impl FnMut(Range<u64>, f64) -> std::result::Result<f64, JsValue>,
    ) -> io::Result<()> {
        let mut done = 0;
        while done < len {
            let at = offset + done;
            let n = write(done..len.min(done + WRITE_PIECE), at as f64)
                .map_err(|e| io_error(&format!("write {:?} at {at}", self.name), &e))?;
            if n < 1.0 {
                return Err(io::Error::new(
                    io::ErrorKind::WriteZero,
                    format!("write {:?} at {at}: nothing was written", self.name),
                ));
            }
            done += n as u64;
        }
        Ok(())
    }

    /// Closes the handle (OPFS: lets another handle open the file).
    /// Closing twice is harmless.
    pub(crate) fn close(&self) {
        let _ = self.js.close();
    }
}

impl Read for Handle {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let at = self.pos;
        let n = js::read_at(&self.js, buf, at as f64)
            .map_err(|e| io_error(&format!("read {:?} at {at}", self.name), &e))?;
        let n = (n as usize).min(buf.len());
        self.pos += n as u64;
        Ok(n)
    }
}

impl Write for Handle {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.write_all_at(self.pos, buf)?;
        self.pos += buf.len() as u64;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Seek for Handle {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        let (base, delta) = match pos {
            SeekFrom::Start(at) => {
                self.pos = at;
                return Ok(at);
            }
            SeekFrom::End(delta) => (self.size()?, delta),
            SeekFrom::Current(delta) => (self.pos, delta),
        };
        self.pos = base.checked_add_signed(delta).ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("seek {:?} to before its start", self.name),
            )
        })?;
        Ok(self.pos)
    }
}

impl Storage for Handle {
    fn set_len(&mut self, len: u64) -> io::Result<()> {
        self.js
            .truncate(len as f64)
            .map_err(|e| io_error(&format!("set the length of {:?} to {len}", self.name), &e))
    }

    fn sync(&mut self) -> io::Result<()> {
        self.js
            .flush()
            .map_err(|e| io_error(&format!("flush {:?}", self.name), &e))
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        self.close();
    }
}
