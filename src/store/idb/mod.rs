//! The IndexedDB store: the browser's `FileStore`.
//!
//! A database has two object stores: `files` maps a file name to its
//! [`Meta`] (`{ id, size, chunk, version, tag }`), and `chunks` maps
//! `[id, index]` to the bytes of one chunk (an `ArrayBuffer` of at most
//! `chunk` bytes, 32 KiB; bytes past its end, or of a missing chunk, read
//! as zero up to `size`). Replacing a file writes it under a new id, so the
//! switch is one atomic step; mapping a window reads only its chunks; a
//! flush writes the dirty pages (and the metadata when needed) in one
//! readwrite transaction (`file.rs`, `commit.rs`). A file too large to copy
//! whole is written in pieces (`stream.rs`). Every call on a file runs in
//! this page's turn on it, holding its Web Lock (`lease.rs`); tabs that map
//! one file hear of each other's commits (`tabs.rs`, over `channel.rs`).
//!
//! Each module imports only those listed before it, never this one:
//!
//! | module | what for | imports |
//! |---|---|---|
//! | `request.rs` | requests as futures, JS errors as [`Error`]s | |
//! | `transaction.rs` | transactions, chunk keys, callbacks in a transaction | request |
//! | `meta.rs` | the file record as JS; `CHUNK`; new ids | `store/idb_plan.rs` |
//! | `lease.rs` | Web Locks: this page's turns on a file, kept as leases | |
//! | `channel.rs` | the `BroadcastChannel` and its messages | |
//! | `commit.rs` | one commit's transaction, and commits in flight | request, transaction, meta, idb_plan |
//! | `file.rs` | a file as a map's `Backing`: when and how it commits | commit, lease, meta, idb_plan |
//! | `tabs.rs` | what other tabs' messages do here (reloads) | request, transaction, meta, lease, channel, file |
//! | `stream.rs` | writing a file in pieces | request, transaction, meta |
//! | `read_out.rs` | reading a file out slice by slice | request, transaction, meta |
//!
//! The pure decisions (how a write checks the file, which chunks a flush
//! puts whole or merges) are in `store/idb_plan.rs`, tested on the host.

mod channel;
mod commit;
mod file;
mod lease;
mod meta;
#[cfg(feature = "js")] // only the JS API reads files out slice by slice
mod read_out;
mod request;
#[cfg(feature = "js")] // only the JS API streams files in
mod stream;
mod tabs;
mod transaction;

use std::rc::Rc;
use std::sync::Arc;

use js_sys::{Array, Function, Reflect, Uint8Array};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{IdbDatabase, IdbFactory};

#[cfg(feature = "js")]
pub(crate) use self::meta::Meta as FileRecord;
#[cfg(feature = "js")]
pub(crate) use self::read_out::{First, Known, Parts, Sink, Slice};
#[cfg(feature = "js")]
pub(crate) use self::stream::Piece;
// JS errors as `Error`s, for the sync directory store too.
pub(crate) use self::request::js_error;

use self::file::{IdbFile, Peers};
use self::meta::{CHUNK, Meta, new_id};
use self::request::request;
use self::transaction::{Writing, all_chunks, chunk_key, chunk_range, readonly};
use crate::error::{Error, ErrorKind, Result};
use crate::options::MmapOptions;
use crate::paged::{self, Backing, Windows, zeroed};
use crate::region::MappedRegion;
use crate::store::{Counters, Store, StoreStats, check_name};

thread_local! {
    /// Maps of one file share pages across every `FileStore` handle of the page.
    static WINDOWS: Arc<Windows> = Arc::default();
}

/// `indexedDB` of the page or worker.
fn factory() -> Result<IdbFactory> {
    Reflect::get(&js_sys::global(), &"indexedDB".into())
        .ok()
        .and_then(|f| f.dyn_into::<IdbFactory>().ok())
        .ok_or_else(|| Error::new(ErrorKind::Unsupported, "this context has no indexedDB"))
}

/// An IndexedDB database of files.
#[derive(Debug)]
pub(crate) struct IdbStore {
    db: IdbDatabase,
    name: String,
    counters: Rc<Counters>,
    /// The other tabs of this database; `None` without `BroadcastChannel`.
    tabs: Option<Rc<tabs::Tabs>>,
}

impl IdbStore {
    /// Opens (creating if needed) the database `name`.
    pub(crate) async fn open(name: &str) -> Result<IdbStore> {
        let context = format!("open IndexedDB database {name:?}");
        let open = factory()?
            .open_with_u32(name, 1)
            .map_err(|e| js_error(&context, &e))?;
        let upgrade = Closure::<dyn FnMut(JsValue)>::new({
            let open = open.clone();
            move |_event: JsValue| {
                let Ok(db) = open.result().and_then(|db| db.dyn_into::<IdbDatabase>()) else {
                    return;
                };
                for store in ["files", "chunks"] {
                    if !db.object_store_names().contains(store) {
                        let _ = db.create_object_store(store);
                    }
                }
            }
        });
        open.set_onupgradeneeded(Some(upgrade.as_ref().unchecked_ref()));
        let result = request(&context, &open).await;
        open.set_onupgradeneeded(None);
        drop(upgrade);
        let db: IdbDatabase = result?.dyn_into().map_err(|e| js_error(&context, &e))?;
        // Let another page that upgrades or deletes the database proceed.
        db.set_onversionchange(Some(&Function::new_no_args("this.close()")));
        Ok(IdbStore {
            tabs: tabs::for_database(&db, name, WINDOWS.with(Arc::clone)),
            db,
            name: name.to_owned(),
            counters: Default::default(),
        })
    }

    async fn meta(&self, name: &str) -> Result<Option<Meta>> {
        let tx = readonly(&self.db, "read metadata")?;
        let files = tx
            .object_store("files")
            .map_err(|e| js_error("read metadata", &e))?;
        let get = files
            .get(&JsValue::from_str(name))
            .map_err(|e| js_error("read metadata", &e))?;
        Ok(Meta::from_js(
            &request(&format!("read metadata of {name:?}"), &get).await?,
        ))
    }

    fn not_found(&self, name: &str) -> Error {
        Error::new(
            ErrorKind::NotFound,
            format!("no file {name:?} in database {:?}", self.name),
        )
    }

    async fn existing(&self, name: &str) -> Result<Meta> {
        self.meta(name).await?.ok_or_else(|| self.not_found(name))
    }

    /// The bytes `[offset, offset + len)` of file `name` (record `meta`),
    /// reading only their chunks, and the record as it was when they were
    /// read (`None` if it no longer names the file).
    async fn load(
        &self,
        name: &str,
        meta: &Meta,
        offset: u64,
        len: usize,
    ) -> Result<(Vec<u8>, Option<Meta>)> {
        let context = format!("read {len} bytes at {offset} of {name:?}");
        let mut out = zeroed(len as u64, &context)?;
        self.counters.read(len);
        let tx = readonly(&self.db, &context)?;
        let record = tx
            .object_store("files")
            .and_then(|files| files.get(&JsValue::from_str(name)))
            .map_err(|e| js_error(&context, &e))?;
        if len == 0 {
            let record = Meta::from_js(&request(&context, &record).await?);
            return Ok((out, record.filter(|r| r.id == meta.id)));
        }
        let (first, end) = meta.chunks(offset, len as u64);
        let chunks = tx
            .object_store("chunks")
            .map_err(|e| js_error(&context, &e))?;
        let range = chunk_range(meta.id, first, end)?;
        let keys = chunks
            .get_all_keys_with_key(&range)
            .map_err(|e| js_error(&context, &e))?;
        let values = chunks
            .get_all_with_key(&range)
            .map_err(|e| js_error(&context, &e))?;
        let record = Meta::from_js(&request(&context, &record).await?);
        let keys: Array = request(&context, &keys).await?.unchecked_into();
        let values: Array = request(&context, &values).await?.unchecked_into();
        let window_end = offset + len as u64;
        for (key, value) in keys.iter().zip(values.iter()) {
            let index = Array::from(&key).get(1).as_f64().unwrap_or(-1.0);
            let Some(buf) = value.dyn_ref::<js_sys::ArrayBuffer>() else {
                continue;
            };
            if index < 0.0 {
                continue;
            }
            let start = index as u64 * meta.chunk;
            let bytes = Uint8Array::new(buf);
            // The part of this chunk inside the window and inside the file.
            let from = start.max(offset);
            let to = (start + bytes.length() as u64)
                .min(window_end)
                .min(meta.size);
            if from < to {
                bytes
                    .subarray((from - start) as u32, (to - start) as u32)
                    .copy_to(&mut out[(from - offset) as usize..(to - offset) as usize]);
            }
        }
        Ok((out, record.filter(|r| r.id == meta.id)))
    }

    /// Writes a new metadata record (and, for a replacement, drops the old chunks).
    async fn put_file(&self, name: &str, meta: Meta, data: &[u8], old: Option<Meta>) -> Result<()> {
        let w = Writing::begin(&self.db, &format!("write {name:?} ({} bytes)", data.len()))?;
        for (index, part) in data.chunks(meta.chunk as usize).enumerate() {
            // All-zero chunks read as zero when missing: store none.
            if part.iter().all(|&b| b == 0) {
                continue;
            }
            let value = Uint8Array::new_with_length(part.len() as u32);
            value.copy_from(part);
            w.chunks
                .put_with_key(&value.buffer(), &chunk_key(meta.id, index as u64))
                .map_err(|e| w.fail(&e))?;
        }
        w.files
            .put_with_key(&meta.to_js(), &JsValue::from_str(name))
            .map_err(|e| w.fail(&e))?;
        if let Some(old) = old {
            w.chunks
                .delete(&all_chunks(old.id)?)
                .map_err(|e| w.fail(&e))?;
        }
        w.finish().await
    }

    /// A map's view of file `name`, whose pages hold the state `known` names.
    fn file(&self, name: &str, meta: Meta, known: Option<Meta>) -> Arc<dyn Backing> {
        #[allow(clippy::arc_with_non_send_sync)] // the browser has one thread
        let file = Arc::new(IdbFile::new(
            self.db.clone(),
            &self.name,
            name,
            meta,
            known,
            self.counters.clone(),
            self.tabs.clone().map(|tabs| tabs as Rc<dyn Peers>),
        ));
        if let Some(tabs) = &self.tabs {
            tabs.register(&file);
        }
        file
    }
}

impl Store for IdbStore {
    async fn write_file(&self, name: &str, data: &[u8]) -> Result<()> {
        self.in_turn(name, async {
            let old = self.meta(name).await?;
            let meta = Meta {
                id: new_id(),
                size: data.len() as u64,
                chunk: CHUNK,
                version: old.map_or(0.0, |m| m.version) + 1.0,
                tag: Some(new_id()),
            };
            self.put_file(name, meta, data, old).await?;
            lease::invalidate(&self.lock(name));
            Ok(())
        })
        .await
    }

    async fn read_file(&self, name: &str) -> Result<Vec<u8>> {
        self.in_turn(name, self.read_unlocked(name)).await
    }

    async fn file_size(&self, name: &str) -> Result<u64> {
        self.in_turn(name, async { Ok(self.existing(name).await?.size) })
            .await
    }

    async fn list(&self) -> Result<Vec<String>> {
        self.list_unlocked().await
    }

    async fn remove_file(&self, name: &str) -> Result<()> {
        self.in_turn(name, async {
            self.remove_unlocked(name).await?;
            lease::invalidate(&self.lock(name));
            Ok(())
        })
        .await
    }

    async fn map(&self, name: &str, opts: &MmapOptions) -> Result<Box<dyn MappedRegion>> {
        self.in_turn(name, self.map_unlocked(name, opts)).await
    }

    fn stats(&self) -> StoreStats {
        self.counters.snapshot()
    }
}

#[cfg(feature = "js")]
impl IdbStore {
    /// Creates or replaces the file `name` with `total` bytes that `read`
    /// hands over piece by piece (`read(start, end)`, in order, at most 2 MiB
    /// each); `progress(done)` is called after each piece is committed (a
    /// `done` below `total`). The file is replaced only once all of it is
    /// written: on error the old file is kept and the pieces are deleted
    /// (`stream.rs`).
    pub(crate) async fn write_stream(
        &self,
        name: &str,
        total: u64,
        read: &mut dyn FnMut(u64, u64) -> Piece,
        progress: &mut dyn FnMut(u64) -> Result<()>,
    ) -> Result<()> {
        let stream = stream::Stream::start(&self.db, name, total).await?;
        let mut result = stream.write(read, progress).await;
        if result.is_ok() {
            result = self
                .in_turn(name, async {
                    stream.switch().await?;
                    lease::invalidate(&self.lock(name));
                    Ok(())
                })
                .await;
        }
        if result.is_err() {
            stream.abandon().await;
        }
        result
    }
}

#[cfg(feature = "js")]
impl IdbStore {
    /// Reads the file `name` whole in one transaction (`read_out.rs`), one
    /// state of it: `first(meta)` with its record, then `sink(offset,
    /// parts)` for each slice in order. Nothing goes through wasm memory,
    /// and no task handles more than a slice.
    pub(crate) async fn read_out(&self, name: &str, first: First, sink: Sink) -> Result<()> {
        self.in_turn(name, async {
            read_out::read_all(&self.db, name, first, sink)
                .await?
                .map(drop)
                .ok_or_else(|| self.not_found(name))
        })
        .await
    }

    /// Slice `index` of the file `name`, which must still be in the state
    /// `known` names, in a transaction of its own; with `known` `None`, the
    /// file's state, read in this page's turn on the file, after the writes
    /// this page asked for before (`read_out.rs`).
    pub(crate) async fn read_slice(
        &self,
        name: &str,
        known: Option<Known>,
        index: u64,
    ) -> Result<Slice> {
        let Some(known) = known else {
            return self
                .in_turn(name, async {
                    match read_out::read_slice(&self.db, name, None, index).await {
                        Ok(Slice::Started(k)) => Ok(Slice::Started(Known {
                            asked: file::writes_asked(&file::file_key(&self.name, k.meta.id)),
                            ..k
                        })),
                        Ok(other) => Ok(other),
                        Err(e) if e.kind() == ErrorKind::NotFound => Err(self.not_found(name)),
                        Err(e) => Err(e),
                    }
                })
                .await;
        };
        let slice = read_out::read_slice(&self.db, name, Some(known.meta), index).await?;
        // Checked after the read: a write asked for before it ended may have committed before it.
        let asked = file::writes_asked(&file::file_key(&self.name, known.meta.id));
        Ok(if asked == known.asked {
            slice
        } else {
            Slice::Changed
        })
    }
}

/// The calls of [`Store`], run in this page's turn on the file, holding its
/// Web Lock (`lease.rs`): in this page's order, between other tabs' commits.
impl IdbStore {
    fn lock(&self, name: &str) -> String {
        lease::lock_name(&self.name, name)
    }

    /// Runs `work` in this page's turn on file `name` (`lease.rs`).
    async fn in_turn<T>(
        &self,
        name: &str,
        work: impl std::future::Future<Output = Result<T>>,
    ) -> Result<T> {
        let turn = lease::turn(self.tabs.as_ref(), &self.lock(name)).await;
        let out = work.await;
        drop(turn);
        out
    }

    async fn read_unlocked(&self, name: &str) -> Result<Vec<u8>> {
        let meta = self.existing(name).await?;
        let len = usize::try_from(meta.size).map_err(|_| {
            Error::new(
                ErrorKind::QuotaExceeded,
                format!("{name:?} does not fit in memory"),
            )
        })?;
        Ok(self.load(name, &meta, 0, len).await?.0)
    }

    async fn list_unlocked(&self) -> Result<Vec<String>> {
        let tx = readonly(&self.db, "list files")?;
        let files = tx
            .object_store("files")
            .map_err(|e| js_error("list files", &e))?;
        let keys = files
            .get_all_keys()
            .map_err(|e| js_error("list files", &e))?;
        let keys: Array = request("list files", &keys).await?.unchecked_into();
        // Markers of streaming writes (`stream.rs`) are not file names.
        Ok(keys
            .iter()
            .filter_map(|k| k.as_string())
            .filter(|k| check_name(k).is_ok())
            .collect())
    }

    async fn remove_unlocked(&self, name: &str) -> Result<()> {
        let meta = self.existing(name).await?;
        let w = Writing::begin(&self.db, &format!("remove {name:?}"))?;
        w.files
            .delete(&JsValue::from_str(name))
            .map_err(|e| w.fail(&e))?;
        w.chunks
            .delete(&all_chunks(meta.id)?)
            .map_err(|e| w.fail(&e))?;
        w.finish().await
    }

    async fn map_unlocked(&self, name: &str, opts: &MmapOptions) -> Result<Box<dyn MappedRegion>> {
        let meta = match self.meta(name).await? {
            Some(meta) => meta,
            None if opts.get_create() => {
                let meta = Meta {
                    id: new_id(),
                    size: opts.created_size()?,
                    chunk: CHUNK,
                    version: 1.0,
                    tag: Some(new_id()),
                };
                self.put_file(name, meta, &[], None).await?;
                meta
            }
            None => return Err(self.not_found(name)),
        };
        let (offset, len) = opts.window(meta.size)?;
        let access = opts.get_access();
        let windows = WINDOWS.with(Arc::clone);
        let key = file::file_key(&self.name, meta.id);
        let shared = access != crate::Access::Copy && windows.get(&key, offset, len).is_some();
        // Pages shared with another map hold what that map knows, not a state read here.
        let (bytes, known) = if shared {
            (Vec::new(), None)
        } else {
            self.load(name, &meta, offset, len).await?
        };
        let backing = self.file(name, meta, known);
        paged::map_window(&windows, backing, offset, len, access, || Ok(bytes))
    }
}
