//! Writing a file in pieces, for files too large to copy whole (the JS
//! API's `FileStore.writeFile` of a large `Blob`).
//!
//! The pieces go to IndexedDB batch by batch, one transaction each, under a
//! fresh file id that no name points at yet; one last transaction points
//! the name at the new id and drops the old file's chunks. Readers and new
//! maps see the old file until then and the new one after: the switch is
//! atomic, as with `write_file`.
//!
//! While it runs, a marker record under `"{name}\0{id}"` in `files` (a key
//! no file name can be: names have no NUL) says whose chunks these are. A
//! streaming write of a name first deletes the marked chunks of earlier
//! ones, so a write cut short (a closed tab) leaves nothing behind for
//! long. Of two streaming writes of one name at once, the later wins: the
//! earlier finds its marker gone at the switch and fails with `NotFound`.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;

use js_sys::{Array, ArrayBuffer};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{IdbDatabase, IdbKeyRange};

use super::meta::{CHUNK, Meta, new_id};
use super::request::{js_error, request};
use super::transaction::{Callbacks, Writing, all_chunks, chunk_key, in_slices, readonly};
use crate::error::{Error, ErrorKind, Result};

/// Chunks per transaction: 2 MiB of a file in each (64 chunks of 32 KiB).
const BATCH_CHUNKS: u64 = 64;

/// The bytes `[start, end)` of the source, read when awaited.
pub(crate) type Piece = Pin<Box<dyn Future<Output = Result<ArrayBuffer>>>>;

/// A streaming write of one file, under a fresh id no name points at yet.
pub(crate) struct Stream<'a> {
    db: &'a IdbDatabase,
    name: &'a str,
    /// The key of its marker record in `files`.
    marker: String,
    /// The record the name points at once the write is over.
    meta: Meta,
}

impl<'a> Stream<'a> {
    /// Starts writing `total` bytes to the file `name` of `db`: deletes
    /// what earlier streaming writes of `name` left behind, and marks this
    /// one's chunks as its own.
    pub(crate) async fn start(db: &'a IdbDatabase, name: &'a str, total: u64) -> Result<Self> {
        let id = new_id();
        let marker = format!("{name}\0{id}");
        clear_markers(db, name).await?;
        let w = Writing::begin(db, &format!("start writing {name:?}"))?;
        let meta = Meta {
            id,
            size: total,
            chunk: CHUNK,
            version: 0.0,
            tag: Some(new_id()),
        };
        w.files
            .put_with_key(&meta.to_js(), &JsValue::from_str(&marker))
            .map_err(|e| w.fail(&e))?;
        w.finish().await?;
        Ok(Stream {
            db,
            name,
            marker,
            meta,
        })
    }

    /// Writes the bytes that `read` hands over piece by piece (`read(start,
    /// end)`, in order, at most 2 MiB each), calling `progress(done)` after
    /// each piece is committed (a `done` below the total).
    pub(crate) async fn write(
        &self,
        read: &mut dyn FnMut(u64, u64) -> Piece,
        progress: &mut dyn FnMut(u64) -> Result<()>,
    ) -> Result<()> {
        let (db, name, id, total) = (self.db, self.name, self.meta.id, self.meta.size);
        let batch = CHUNK * BATCH_CHUNKS;
        let mut start = 0;
        while start < total {
            let end = (start + batch).min(total);
            let buffer = read(start, end).await?;
            // `read` gives exactly the bytes asked for (`FileStore.writeFile`
            // checks each piece, src/js/store.rs).
            let got = end - start;
            let w = Writing::begin(db, &format!("write bytes {start}..{end} of {name:?}"))?;
            // The piece's puts ([`BATCH_CHUNKS`] of them), in slices across tasks
            // (`in_slices`), so no task of the page issues many of them.
            let callbacks = Callbacks::default();
            let why = Rc::new(RefCell::new(None));
            let issue = {
                let (w, buffer) = (w.clone(), buffer.clone());
                Rc::new(move |i: usize| {
                    let at = i as u64 * CHUNK;
                    let chunk = buffer.slice_with_end(at as u32, (at + CHUNK).min(got) as u32);
                    w.chunks
                        .put_with_key(&chunk, &chunk_key(id, (start + at) / CHUNK))
                        .map_err(|e| w.fail(&e))
                })
            };
            let failed = {
                let (tx, why) = (w.tx.clone(), why.clone());
                Rc::new(move |e: Error| {
                    why.borrow_mut().get_or_insert(e);
                    let _ = tx.abort();
                })
            };
            in_slices(got.div_ceil(CHUNK) as usize, &callbacks, issue, failed)?;
            let outcome = w.finish().await;
            drop(callbacks);
            if let Some(e) = why.borrow_mut().take() {
                return Err(e);
            }
            outcome?;
            start = end;
            if start < total {
                progress(start)?;
            }
        }
        Ok(())
    }

    /// Points the name at the written file, if its marker is still there;
    /// drops the marker and the chunks of the file the name named before.
    /// Runs in the page's turn on the file.
    pub(crate) async fn switch(&self) -> Result<()> {
        let (name, marker, meta) = (self.name, self.marker.as_str(), self.meta);
        let w = Writing::begin(self.db, &format!("replace {name:?}"))?;
        let get_marker = w
            .files
            .get(&JsValue::from_str(marker))
            .map_err(|e| w.fail(&e))?;
        // Requests of a transaction complete in order: when this one has,
        // the marker's has too.
        let get_old = w
            .files
            .get(&JsValue::from_str(name))
            .map_err(|e| w.fail(&e))?;
        let why = Rc::new(RefCell::new(None));
        let on_read = Closure::once({
            let (files, chunks, tx) = (w.files.clone(), w.chunks.clone(), w.tx.clone());
            let (get_marker, get_old, why) = (get_marker.clone(), get_old.clone(), why.clone());
            let (name, marker) = (name.to_owned(), marker.to_owned());
            move |_event: JsValue| {
                let result = |r: &web_sys::IdbRequest| r.result().unwrap_or(JsValue::UNDEFINED);
                if Meta::from_js(&result(&get_marker)).is_none_or(|m| m.id != meta.id) {
                    *why.borrow_mut() = Some(Error::new(
                        ErrorKind::NotFound,
                        format!(
                            "writing {name:?}: a later write of the same name replaced this one"
                        ),
                    ));
                    let _ = tx.abort();
                    return;
                }
                let old = Meta::from_js(&result(&get_old));
                let new = Meta {
                    version: old.map_or(0.0, |m| m.version) + 1.0,
                    ..meta
                };
                let _ = files.put_with_key(&new.to_js(), &JsValue::from_str(&name));
                let _ = files.delete(&JsValue::from_str(&marker));
                if let Some(old) = old {
                    if let Ok(range) = all_chunks(old.id) {
                        let _ = chunks.delete(&range);
                    }
                }
            }
        });
        get_old.set_onsuccess(Some(on_read.as_ref().unchecked_ref()));
        let outcome = w.finish().await;
        get_old.set_onsuccess(None);
        drop(on_read);
        match why.borrow_mut().take() {
            Some(error) => Err(error),
            None => outcome,
        }
    }

    /// Deletes what the write wrote (best effort: what is left is deleted
    /// by the next streaming write of the name).
    pub(crate) async fn abandon(&self) {
        let _ = drop_marked(self.db, &[(self.marker.clone(), self.meta.id)]).await;
    }
}

/// Deletes the markers of earlier streaming writes of `name`, and their chunks.
async fn clear_markers(db: &IdbDatabase, name: &str) -> Result<()> {
    let context = format!("look for unfinished writes of {name:?}");
    let range = IdbKeyRange::bound_with_lower_open_and_upper_open(
        &JsValue::from_str(&format!("{name}\0")),
        &JsValue::from_str(&format!("{name}\u{1}")),
        false,
        true,
    )
    .map_err(|e| js_error(&context, &e))?;
    let tx = readonly(db, &context)?;
    let files = tx
        .object_store("files")
        .map_err(|e| js_error(&context, &e))?;
    let keys = files
        .get_all_keys_with_key(&range)
        .map_err(|e| js_error(&context, &e))?;
    let values = files
        .get_all_with_key(&range)
        .map_err(|e| js_error(&context, &e))?;
    let keys: Array = request(&context, &keys).await?.unchecked_into();
    let values: Array = request(&context, &values).await?.unchecked_into();
    let stale: Vec<(String, f64)> = keys
        .iter()
        .zip(values.iter())
        .filter_map(|(key, value)| Some((key.as_string()?, Meta::from_js(&value)?.id)))
        .collect();
    if stale.is_empty() {
        return Ok(());
    }
    drop_marked(db, &stale).await
}

/// Deletes markers and the chunks they name, in one transaction.
async fn drop_marked(db: &IdbDatabase, marked: &[(String, f64)]) -> Result<()> {
    let w = Writing::begin(db, "delete the pieces of an unfinished write")?;
    for (marker, id) in marked {
        w.files
            .delete(&JsValue::from_str(marker))
            .map_err(|e| w.fail(&e))?;
        w.chunks.delete(&all_chunks(*id)?).map_err(|e| w.fail(&e))?;
    }
    w.finish().await
}
