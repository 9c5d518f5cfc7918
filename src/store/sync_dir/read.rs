//! [`Reader`]: a file of a sync directory read out into JS arrays
//! (`FileStore.readFile`, `readFileBlob`, `readFileStream` in
//! `src/js/read_out.rs`), none of its bytes through wasm memory, which
//! never shrinks.
//!
//! Every change to a file of a sync directory in this thread (a map's
//! commit, replayed from its journal or not; a new length; `writeFile` or
//! `remove` of its name) is synchronous, and bumps the file's count of
//! changes (`SyncFile::changes`) before it writes. So reads made with no
//! `await` between them see one state of the file, and a reader that reads
//! across awaits (a stream, as its consumer asks) sees the state it started
//! from as long as the count is the same, and is told when it is not. The
//! reader keeps the file open meanwhile, so another worker never gets an
//! OPFS file under it (OPFS opens a file once in the whole origin); in this
//! thread, `writeFile` and `remove` of a file that only readers hold close
//! it for them. Another process writing a file on disk (Node) is not seen,
//! as with `readFile`.

use std::sync::Arc;

use js_sys::Uint8Array;

use super::file::SyncFile;
use crate::error::Result;
use crate::paged::Backing;

/// The file a reader reads, in the state it was in when the reader began.
#[derive(Debug)]
pub(crate) struct Reader {
    /// `None` once the reader has let the file go.
    file: Option<Arc<SyncFile>>,
    /// The file's count of changes when the reader began.
    changes: u64,
    len: u64,
}

/// What [`Reader::read_at`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Read {
    /// The bytes are in the array.
    Done,
    /// The file changed since the reader began, or the reader let it go:
    /// nothing was read.
    Changed,
}

impl Reader {
    /// A reader of `file` as it is now.
    pub(crate) fn new(file: Arc<SyncFile>) -> Result<Reader> {
        let len = file.len()?;
        file.count_reader(1);
        Ok(Reader {
            changes: file.changes(),
            len,
            file: Some(file),
        })
    }

    /// The file's length when the reader began.
    pub(crate) fn len(&self) -> u64 {
        self.len
    }

    /// Fills `out` with the file's bytes from `offset`, as they were when
    /// the reader began; bytes past its end are left as they are.
    pub(crate) fn read_at(&self, offset: u64, out: &Uint8Array) -> Result<Read> {
        let Some(file) = self.file.as_ref().filter(|f| f.changes() == self.changes) else {
            return Ok(Read::Changed);
        };
        file.read_array_at(offset, out)?;
        Ok(Read::Done)
    }

    /// Lets the file go (OPFS: another worker may open it once nothing
    /// else here holds it). Later reads are [`Read::Changed`].
    pub(crate) fn close(&mut self) {
        if let Some(file) = self.file.take() {
            file.count_reader(-1);
        }
    }
}

impl Drop for Reader {
    fn drop(&mut self) {
        self.close();
    }
}
