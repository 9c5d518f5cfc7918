//! The synchronous directory store of the browser build: a `FileStore`
//! over a directory whose files are read and written synchronously — a
//! directory on disk through `node:fs` (Node, Deno, Bun: `FileStore.open(dir)`)
//! or an OPFS directory through sync access handles (dedicated workers:
//! `FileStore.open(name, { store: "opfs" })`), both behind one JS shape
//! (`js.rs`, `src/js/sync_dir.js`). Each vmmap file is one plain file with
//! its bytes as they are, so a native program reads it as it is.
//!
//! Maps load each page when a call first touches it (`file.rs`); every
//! change to a mapped file is crash-atomic through a redo journal beside it
//! (`store/journal.rs`), replayed when the file is next opened if complete
//! and discarded if torn. `write_file` writes `<name>.vmmap-partial` and
//! renames it over the file. A file has one open handle in this thread,
//! shared by its maps, the store's calls and the JS API's readers
//! (`read.rs`: files read out into JS values), as OPFS allows no second one.

mod file;
mod handle;
mod js;
// The JS API's reads of a whole file into JS arrays.
#[cfg(feature = "js")]
mod read;
mod turns;

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::{Arc, Weak};

use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;

use self::file::{SyncFile, journal_name};
use self::handle::Handle;
use self::js::SyncDir;
#[cfg(feature = "js")]
pub(crate) use self::read::{Read, Reader};
use self::turns::turn;
use crate::error::{Error, ErrorKind, Result};
use crate::options::MmapOptions;
use crate::paged::{self, Backing, Windows, zeroed};
use crate::region::MappedRegion;
use crate::store::idb::js_error;
use crate::store::journal::{self, Found, Storage};
use crate::store::{Counters, PARTIAL_SUFFIX, Store, StoreStats, check_name};

thread_local! {
    /// Maps of one file share pages across every store handle of the thread.
    static WINDOWS: Arc<Windows> = Arc::default();
    /// The open files of every sync directory of the thread, by
    /// `"{directory key}\0{name}"`: one handle per file, which OPFS needs.
    static OPEN: RefCell<HashMap<String, Weak<SyncFile>>> = RefCell::default();
}

/// Whether this runtime has `node:fs` (Node, Deno, Bun): there
/// `FileStore::open` is a directory on disk.
pub(crate) fn has_node_fs() -> bool {
    js::runtime() != "browser"
}

/// A directory of files read and written synchronously.
#[derive(Debug)]
pub(crate) struct SyncDirStore {
    dir: SyncDir,
    /// Names the directory in this process: `node:<absolute path>` or `opfs:<name>`.
    key: String,
    counters: Rc<Counters>,
}

/// Waits for a promise of the JS directory.
async fn settle(
    context: &str,
    promise: std::result::Result<js_sys::Promise, JsValue>,
) -> Result<JsValue> {
    let promise = promise.map_err(|e| js_error(context, &e))?;
    JsFuture::from(promise)
        .await
        .map_err(|e| js_error(context, &e))
}

/// What opening a directory threw: `InvalidArgument` if the name is a file
/// (`TypeMismatchError`), as the directory store says on other targets.
fn open_error(context: &str, thrown: &JsValue) -> Error {
    let error = js_error(context, thrown);
    if error.message().contains("TypeMismatchError") {
        return Error::new(ErrorKind::InvalidArgument, error.message());
    }
    error
}

impl SyncDirStore {
    fn new(dir: SyncDir) -> SyncDirStore {
        SyncDirStore {
            key: dir.key(),
            dir,
            counters: Rc::default(),
        }
    }

    /// The directory at `path` on disk (created if missing), through `node:fs`.
    pub(crate) fn open_node(path: &str) -> Result<SyncDirStore> {
        let dir =
            js::node_dir(path).map_err(|e| open_error(&format!("open store {path:?}"), &e))?;
        Ok(SyncDirStore::new(dir))
    }

    /// The OPFS directory `name` (created if missing); `Unsupported` outside
    /// a dedicated worker.
    pub(crate) async fn open_opfs(name: &str) -> Result<SyncDirStore> {
        let context = format!("open OPFS store {name:?}");
        let promise = js::opfs_dir(name).map_err(|e| open_error(&context, &e))?;
        let dir = JsFuture::from(promise)
            .await
            .map_err(|e| open_error(&context, &e))?;
        Ok(SyncDirStore::new(wasm_bindgen::JsCast::unchecked_into(dir)))
    }

    fn open_key(&self, name: &str) -> String {
        format!("{}\0{name}", self.key)
    }

    /// The open file `name`, while a map or a call holds it.
    fn live(&self, name: &str) -> Option<Arc<SyncFile>> {
        OPEN.with_borrow(|open| open.get(&self.open_key(name)).and_then(Weak::upgrade))
    }

    /// Opens the file `name` of the directory: `Ok(None)` if it is missing
    /// and `create` is false.
    async fn handle(&self, name: &str, create: bool) -> Result<Option<Handle>> {
        let context = format!("open {name:?} in {}", self.key);
        match settle(&context, self.dir.open(name, create)).await {
            Ok(handle) => Ok(Some(Handle::new(
                wasm_bindgen::JsCast::unchecked_into(handle),
                name,
            ))),
            Err(e) if e.kind() == ErrorKind::NotFound && !create => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn not_found(&self, name: &str) -> Error {
        Error::new(
            ErrorKind::NotFound,
            format!("no file {name:?} in {}", self.key),
        )
    }

    /// The journal of `name`, after replaying into `data` the commit it
    /// holds if it is complete (discarding it if torn): the file holds its
    /// last commit whole, and the journal nothing. Opened (created if
    /// `keep`) and returned if `keep`, else closed and removed.
    async fn recover(&self, name: &str, data: &mut Handle, keep: bool) -> Result<Option<Handle>> {
        let journal_name = journal_name(name);
        let Some(mut journal) = self.handle(&journal_name, keep).await? else {
            return Ok(None);
        };
        let context = |e| {
            Error::from_io(
                format!("complete the last commit to {name:?} from its journal"),
                e,
            )
        };
        if let Found::Complete(_) = journal::replay(data, &mut journal).map_err(context)? {
            journal::clear(&mut journal)
                .and_then(|()| journal.sync())
                .map_err(context)?;
        }
        if keep {
            return Ok(Some(journal));
        }
        drop(journal);
        settle(
            &format!("remove {journal_name:?}"),
            self.dir.remove(&journal_name),
        )
        .await?;
        Ok(None)
    }

    /// The file `name`, open: the live one, or one opened now (its journal
    /// recovered first), with a journal to commit through if `journal`;
    /// `Ok(None)` if it is missing.
    async fn file(&self, name: &str, journal: bool) -> Result<Option<Arc<SyncFile>>> {
        let _turn = turn(self.open_key(name)).await;
        if let Some(file) = self.live(name) {
            if journal && !file.has_journal() {
                let handle = self.handle(&journal_name(name), true).await?;
                if let Some(handle) = handle {
                    file.attach_journal(handle)?;
                }
            }
            return Ok(Some(file));
        }
        let Some(mut data) = self.handle(name, false).await? else {
            return Ok(None);
        };
        let journal = self.recover(name, &mut data, journal).await?;
        #[allow(clippy::arc_with_non_send_sync)] // the browser build has one thread
        let file = Arc::new(SyncFile::new(
            new_key(&self.key, name),
            name,
            self.dir.clone(),
            data,
            journal,
            self.counters.clone(),
        ));
        OPEN.with_borrow_mut(|open| {
            open.retain(|_, file| file.strong_count() > 0);
            open.insert(self.open_key(name), Arc::downgrade(&file));
        });
        Ok(Some(file))
    }

    async fn existing(&self, name: &str) -> Result<Arc<SyncFile>> {
        self.file(name, false)
            .await?
            .ok_or_else(|| self.not_found(name))
    }

    /// Before `name` is replaced or removed: refuses if a map holds it and
    /// the directory allows one handle per file (OPFS); otherwise its live
    /// file, if any, which the caller lets go (`let_go`) before it replaces
    /// or removes the name.
    fn release(&self, name: &str, call: &str) -> Result<Option<Arc<SyncFile>>> {
        let live = self.live(name);
        // Held by something besides `live` itself and readers: a map.
        let mapped = live
            .as_ref()
            .is_some_and(|file| Arc::strong_count(file) > 1 + file.readers());
        if mapped && self.dir.exclusive() {
            return Err(Error::new(
                ErrorKind::Io,
                format!(
                    "cannot {call} {name:?}: a map of it is open, and OPFS allows one open \
                     handle per file; close its maps first"
                ),
            ));
        }
        Ok(live)
    }

    /// The live file `live` of `name` no longer has that name: maps of it
    /// (on disk) keep its bytes and write them in place from now on
    /// (`SyncFile::detach`); in OPFS, where only readers can hold it
    /// (`release`), it is closed for them. Readers of it fail at their
    /// next read.
    fn let_go(&self, name: &str, live: &SyncFile) -> Result<()> {
        if self.dir.exclusive() {
            live.let_go()?;
        } else {
            live.detach()?;
        }
        OPEN.with_borrow_mut(|open| open.remove(&self.open_key(name)));
        Ok(())
    }

    /// Completes or discards the journal of `name`, and removes it: the
    /// name is about to name a new file, onto which it must never be replayed.
    async fn retire_journal(&self, name: &str) -> Result<()> {
        match self.handle(name, false).await? {
            Some(mut data) => self.recover(name, &mut data, false).await.map(drop),
            // No file: a journal left without one is discarded.
            None => {
                let journal_name = journal_name(name);
                if self.handle(&journal_name, false).await?.is_some() {
                    settle(
                        &format!("remove {journal_name:?}"),
                        self.dir.remove(&journal_name),
                    )
                    .await?;
                }
                Ok(())
            }
        }
    }

    /// Writes `<name>.vmmap-partial` with `write` and renames it over
    /// `name`: the old file (whole) or the new one, never a mix. Maps of
    /// the old file keep it (on disk; OPFS refuses while they are open).
    async fn replace_with<F>(&self, name: &str, total: u64, write: F) -> Result<()>
    where
        F: AsyncFnOnce(&mut Handle) -> Result<()>,
    {
        let _turn = turn(self.open_key(name)).await;
        self.release(name, "replace")?;
        let partial = format!("{name}{PARTIAL_SUFFIX}");
        let context = format!("write {name:?} ({total} bytes)");
        let written = async {
            let mut handle = self
                .handle(&partial, true)
                .await?
                .ok_or_else(|| self.not_found(&partial))?;
            handle.set_len(0).map_err(|e| Error::from_io(&context, e))?;
            write(&mut handle).await?;
            handle.sync().map_err(|e| Error::from_io(&context, e))?;
            drop(handle);
            // A live file (on disk) keeps the old bytes, and from now on
            // writes them in place: its journal is the name's.
            if let Some(live) = self.release(name, "replace")? {
                self.let_go(name, &live)?;
            }
            self.retire_journal(name).await?;
            settle(&context, self.dir.replace(&partial, name)).await
        };
        let result = written.await;
        if result.is_err() {
            js::remove_quietly(&self.dir, &partial);
        }
        result.map(drop)
    }
}

/// A key for a newly opened file: unique in the process, so that maps of a
/// file that replaced another never share the old one's pages.
fn new_key(dir: &str, name: &str) -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    format!("sync:{dir}:{}:{name}", NEXT.fetch_add(1, Ordering::Relaxed))
}

impl Store for SyncDirStore {
    async fn write_file(&self, name: &str, data: &[u8]) -> Result<()> {
        let context = format!("write {name:?} ({} bytes)", data.len());
        self.replace_with(name, data.len() as u64, async |handle: &mut Handle| {
            handle
                .write_all_at(0, data)
                .map_err(|e| Error::from_io(&context, e))
        })
        .await
    }

    async fn read_file(&self, name: &str) -> Result<Vec<u8>> {
        let file = self.existing(name).await?;
        let len = file.len()?;
        let mut out = zeroed(len, &format!("{name:?}"))?;
        file.read_at(0, &mut out)?;
        Ok(out)
    }

    async fn file_size(&self, name: &str) -> Result<u64> {
        self.existing(name).await?.len()
    }

    async fn list(&self) -> Result<Vec<String>> {
        let context = format!("list {}", self.key);
        let names = settle(&context, self.dir.list()).await?;
        let mut names: Vec<String> = js_sys::Array::from(&names)
            .iter()
            .filter_map(|name| name.as_string())
            .filter(|name| check_name(name).is_ok())
            .collect();
        names.sort();
        Ok(names)
    }

    /// Removes the file, then its journal: a crash in between leaves a
    /// journal without its file, which is discarded when a file of that
    /// name is next written.
    async fn remove_file(&self, name: &str) -> Result<()> {
        let _turn = turn(self.open_key(name)).await;
        let mut live = self.release(name, "remove")?;
        // OPFS removes no file with an open handle: readers let it go first.
        if self.dir.exclusive() {
            if let Some(live) = live.take() {
                self.let_go(name, &live)?;
            }
        }
        let context = format!("remove {name:?}");
        settle(&context, self.dir.remove(name)).await?;
        if let Some(live) = live {
            self.let_go(name, &live)?;
        }
        js::remove_quietly(&self.dir, &journal_name(name));
        Ok(())
    }

    async fn map(&self, name: &str, opts: &MmapOptions) -> Result<Box<dyn MappedRegion>> {
        let write = opts.get_access() == crate::Access::Write;
        let file = match self.file(name, write).await? {
            Some(file) => file,
            None if opts.get_create() => {
                let size = opts.created_size()?;
                let turn = turn(self.open_key(name)).await;
                // A journal left without its file is not the new file's.
                self.retire_journal(name).await?;
                let mut handle = self
                    .handle(name, true)
                    .await?
                    .ok_or_else(|| self.not_found(name))?;
                let sized = handle.set_len(size).and_then(|()| handle.sync());
                if let Err(e) = sized {
                    // Leave no empty file behind a failed create.
                    drop(handle);
                    js::remove_quietly(&self.dir, name);
                    return Err(Error::from_io(
                        format!("create {name:?} of {size} bytes"),
                        e,
                    ));
                }
                drop(handle);
                drop(turn);
                self.file(name, write)
                    .await?
                    .ok_or_else(|| self.not_found(name))?
            }
            None => return Err(self.not_found(name)),
        };
        let (offset, len) = opts.window(file.len()?)?;
        let backing: Arc<dyn Backing> = file.clone();
        WINDOWS.with(|windows| {
            paged::map_window(windows, backing, offset, len, opts.get_access(), || {
                file.load(offset, len)
            })
        })
    }

    fn stats(&self) -> StoreStats {
        self.counters.snapshot()
    }
}

/// Bytes of a streamed `writeFile` read and written at a time.
#[cfg(feature = "js")]
const STREAM_PIECE: u64 = 4 << 20;

#[cfg(feature = "js")]
impl SyncDirStore {
    /// A reader of the file `name` as it is now (its journal replayed
    /// first, if a crash left one); `NotFound` if there is no such file.
    pub(crate) async fn reader(&self, name: &str) -> Result<Reader> {
        Reader::new(self.existing(name).await?)
    }

    /// Creates or replaces the file `name` with `total` bytes that `read`
    /// hands over piece by piece (`read(start, end)`, in order, at most 4
    /// MiB each), never all in memory at once; `progress(done)` is called
    /// after each piece is written (a `done` below `total`). The file is
    /// replaced only once all of it is written and flushed.
    pub(crate) async fn write_stream(
        &self,
        name: &str,
        total: u64,
        read: &mut dyn FnMut(u64, u64) -> crate::store::idb::Piece,
        progress: &mut dyn FnMut(u64) -> Result<()>,
    ) -> Result<()> {
        self.replace_with(name, total, async |handle: &mut Handle| {
            let mut start = 0;
            while start < total {
                let end = (start + STREAM_PIECE).min(total);
                // `FileStore.writeFile` checks each piece's length (src/js/store.rs).
                let buffer = read(start, end).await?;
                handle
                    .write_array_at(start, &js_sys::Uint8Array::new(&buffer))
                    .map_err(|e| Error::from_io(format!("write {name:?}"), e))?;
                start = end;
                if start < total {
                    progress(start)?;
                }
            }
            Ok(())
        })
        .await
    }
}
