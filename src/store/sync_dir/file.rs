//! [`SyncFile`]: one open file of a sync directory, as a map's
//! [`Backing`]: pages read on demand at offsets, and every change (a
//! commit, a new length) crash-atomic through the journal beside it
//! (`<name>.vmmap-journal`, a second handle), as the `std::fs` store
//! (`store/fs_file.rs`) does on WASI and Emscripten.

use std::cell::{Cell, RefCell, RefMut};
use std::rc::Rc;

use super::handle::Handle;
use super::js::{self, SyncDir};
use crate::backend::FlushFuture;
use crate::error::{Error, ErrorKind, Result};
use crate::paged::{Backing, Commit};
use crate::store::Counters;
use crate::store::journal::{self, Failed, Found, Record};

/// An open file, shared by the maps of it and by the store's calls on it
/// while they live; its handles close when the last of them is dropped.
#[derive(Debug)]
pub(crate) struct SyncFile {
    key: String,
    name: String,
    dir: SyncDir,
    state: RefCell<State>,
    stats: Rc<Counters>,
    /// How many times the file's bytes or length may have changed through
    /// this handle, or it stopped being the file of its name: a reader
    /// (`read.rs`) that saw another count reads another state of the file.
    changes: Cell<u64>,
    /// The readers (`read.rs`) holding the file open.
    readers: Cell<usize>,
}

#[derive(Debug)]
struct State {
    data: Handle,
    /// The journal: opened for maps that write, and dropped (`detach`) once
    /// the name no longer names this file, which is then written in place.
    journal: Option<Handle>,
    /// A commit failed after its journal was durable: the file may hold
    /// part of it until the journal is replayed, which every call does first.
    pending: bool,
}

/// The name of the journal of the file `name`.
pub(crate) fn journal_name(name: &str) -> String {
    format!("{name}{}", journal::SUFFIX)
}

impl SyncFile {
    /// The file `name` of `dir`, open as `data`, with its `journal` (one
    /// with no commit in it) if it has one; `key` names it in this process.
    pub(crate) fn new(
        key: String,
        name: &str,
        dir: SyncDir,
        data: Handle,
        journal: Option<Handle>,
        stats: Rc<Counters>,
    ) -> SyncFile {
        SyncFile {
            key,
            name: name.to_owned(),
            dir,
            state: RefCell::new(State {
                data,
                journal,
                pending: false,
            }),
            stats,
            changes: Cell::new(0),
            readers: Cell::new(0),
        }
    }

    /// Whether the file has a journal handle.
    pub(crate) fn has_journal(&self) -> bool {
        self.state.try_borrow().is_ok_and(|s| s.journal.is_some())
    }

    /// Gives the file the journal `handle` (clear of commits), if it has none.
    pub(crate) fn attach_journal(&self, handle: Handle) -> Result<()> {
        let mut state = self.state()?;
        if state.journal.is_none() {
            state.journal = Some(handle);
        }
        Ok(())
    }

    /// The name is about to name another file or none: commits from now on
    /// are written in place, and the journal is closed (the store then
    /// removes it), so that it is never replayed onto the file that takes
    /// the name, as `fs_file.rs` does for a file replaced by a rename.
    pub(crate) fn detach(&self) -> Result<()> {
        let mut state = self.settled()?;
        self.changed();
        state.journal.take();
        Ok(())
    }

    /// As [`detach`](Self::detach), and closes the file too: in OPFS,
    /// which replaces or removes no file with an open handle, when only
    /// readers hold it (they fail at their next read: the count of changes
    /// moved).
    pub(crate) fn let_go(&self) -> Result<()> {
        self.detach()?;
        self.state()?.data.close();
        Ok(())
    }

    /// How many times the file may have changed (see the field).
    #[cfg(feature = "js")]
    pub(crate) fn changes(&self) -> u64 {
        self.changes.get()
    }

    fn changed(&self) {
        self.changes.set(self.changes.get() + 1);
    }

    /// How many readers hold the file open.
    pub(crate) fn readers(&self) -> usize {
        self.readers.get()
    }

    /// Counts a reader in (`1`) or out (`-1`).
    #[cfg(feature = "js")]
    pub(crate) fn count_reader(&self, delta: isize) {
        self.readers
            .set(self.readers.get().saturating_add_signed(delta));
    }

    /// Fills the JS bytes `out` from `offset`, none of them through wasm
    /// memory; bytes past the end of the file are left as they are.
    #[cfg(feature = "js")]
    pub(crate) fn read_array_at(&self, offset: u64, out: &js_sys::Uint8Array) -> Result<()> {
        self.stats.read(out.length() as usize);
        let len = out.length();
        self.settled()?
            .data
            .read_array_at(offset, out)
            .map_err(|e| Error::from_io(format!("read {len} bytes at {offset}"), e))
    }

    fn state(&self) -> Result<RefMut<'_, State>> {
        self.state.try_borrow_mut().map_err(|_| {
            Error::new(
                ErrorKind::Io,
                format!("{:?} is in use by another call", self.name),
            )
        })
    }

    /// The state, once a commit that failed halfway is completed from the journal.
    fn settled(&self) -> Result<RefMut<'_, State>> {
        let mut state = self.state()?;
        if state.pending {
            let State { data, journal, .. } = &mut *state;
            if let Some(journal) = journal {
                journal::complete(data, journal).map_err(|e| {
                    Error::from_io(
                        format!(
                            "complete the last commit to {:?} from its journal",
                            self.name
                        ),
                        e,
                    )
                })?;
            }
            state.pending = false;
        }
        Ok(state)
    }

    /// Writes `records` and makes the file `len_after(its length now)`
    /// bytes long, through the journal: on `Ok` all of it is in the file;
    /// on `Err` none of it, or (if writing in place failed) all of it once
    /// the journal is replayed, which the next call on this file does.
    /// `known` gives hashes of blocks the flush computed (`journal::commit_with`).
    fn change(
        &self,
        len_after: impl FnOnce(u64) -> u64,
        records: &[Record<'_>],
        known: &journal::Known<'_>,
    ) -> Result<()> {
        let mut state = self.settled()?;
        // Counted before anything is written: a write that fails halfway
        // may have changed some bytes.
        self.changed();
        let State {
            data,
            journal,
            pending,
        } = &mut *state;
        let Some(journal) = journal else {
            let len = len_after(data.size()?);
            return journal::apply(data, len, records)
                .map_err(|e| Error::from_io(format!("write {:?}", self.name), e));
        };
        journal::change(data, journal, len_after, records, known).map_err(|failed| match failed {
            Failed::Journal(e) => {
                Error::from_io(format!("write the journal of {:?}", self.name), e)
            }
            Failed::InPlace(e) => {
                *pending = true;
                Error::from_io(
                    format!("write {:?} (its journal completes it)", self.name),
                    e,
                )
            }
        })
    }
}

impl Backing for SyncFile {
    fn key(&self) -> &str {
        &self.key
    }

    fn len(&self) -> Result<u64> {
        self.settled()?.data.size()
    }

    fn read_at(&self, offset: u64, out: &mut [u8]) -> Result<()> {
        self.stats.read(out.len());
        let len = out.len();
        self.settled()?
            .data
            .read_exact_at(offset, out)
            .map_err(|e| Error::from_io(format!("read {len} bytes at {offset}"), e))
    }

    fn on_demand(&self) -> bool {
        true
    }

    /// A new length is a commit with no records: journaled like the others,
    /// so that every change to the file goes through the journal.
    fn set_len(&self, len: u64) -> Result<()> {
        self.change(|_| len, &[], &journal::no_hashes)
            .map_err(|e| Error::new(e.kind(), format!("set the file length to {len}: {e}")))
    }

    /// Writes the runs through the journal, then flushes: on `Ok` every run
    /// is in the file; on `Err` none is, and the map keeps all of them
    /// dirty, so the next flush writes them again.
    fn commit(&self, commit: Commit<'_>) -> Result<()> {
        let records: Vec<Record<'_>> = commit
            .pieces()
            .map(|(at, bytes)| Record { at, bytes })
            .collect();
        let end = commit.end();
        self.change(|now| now.max(end), &records, &|at, len| {
            commit.block_hash(at, len)
        })?;
        self.stats.record(commit.runs);
        Ok(())
    }

    fn committed(&self) -> FlushFuture {
        // `commit` returns once the data is flushed: nothing is pending.
        Box::pin(std::future::ready(Ok(())))
    }
}

impl Drop for SyncFile {
    /// The last map of the file is gone: its journal, clear once every
    /// commit is done, goes too. One that a failed commit left is replayed
    /// first, or kept for the next open to replay.
    fn drop(&mut self) {
        let Ok(mut state) = self.settled() else {
            return;
        };
        let Some(mut journal) = state.journal.take() else {
            return;
        };
        let clear = journal::inspect(&mut journal).is_ok_and(|f| !matches!(f, Found::Complete(_)));
        // Closed before it is removed: OPFS removes no file with an open handle.
        drop(journal);
        if clear {
            js::remove_quietly(&self.dir, &journal_name(&self.name));
        }
    }
}
