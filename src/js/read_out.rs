//! `FileStore.readFile`, `readFileBlob` and `readFileStream`: files read
//! out straight into JS values, never through wasm memory (which never
//! shrinks). An IndexedDB store's slice by slice (`store/idb/read_out.rs`),
//! so that no task of the page handles more than a slice; a sync
//! directory's (Node, OPFS) through a reader (`store/sync_dir/read.rs`):
//! `readFile` and `readFileBlob` in one synchronous run, which no change can
//! come between, `readFileStream` a slice per pull.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;
use web_sys::Blob;

use super::args::{self, JsResult};
use super::errors::{from_vmmap, named, not_supported};
use crate::error::{Error, ErrorKind};
use crate::file_store::FileStore;
use crate::store::idb::{FileRecord, IdbStore, Known, Parts, Slice};
use crate::store::sync_dir::{Read, Reader, SyncDirStore};

/// The IndexedDB store behind `store`, whose files are read out slice by
/// slice; `None` for a memory store (whose bytes are in wasm memory
/// already: read whole through `Store::read_file`) and a sync directory.
fn indexeddb(store: &FileStore) -> Option<&IdbStore> {
    store.named().and_then(|named| named.indexeddb())
}

/// The sync directory (Node, Deno, Bun; OPFS) behind `store`.
fn sync_dir(store: &FileStore) -> Option<&SyncDirStore> {
    store.named().and_then(|named| named.sync_dir())
}

/// Bytes a reader of a sync directory reads with one call (`readFile`):
/// `fs.readSync` reads at most 2 GiB at a time.
const READ_PIECE: u64 = 8 << 20;

/// Fills `out` with the bytes of `reader`'s file from `offset`, a piece at
/// a time. With no `await` between the reader's start and this, the file
/// cannot have changed (`store/sync_dir/read.rs`); if it had, this says so.
fn read_into(reader: &Reader, offset: u64, out: &Uint8Array, name: &str) -> crate::Result<()> {
    let len = out.length();
    let mut done = 0u32;
    while done < len {
        let end = (u64::from(done) + READ_PIECE).min(u64::from(len)) as u32;
        let piece = out.subarray(done, end);
        if reader.read_at(offset + u64::from(done), &piece)? == Read::Changed {
            return Err(Error::new(
                ErrorKind::Io,
                format!("{name:?} changed while it was read"),
            ));
        }
        done = end;
    }
    Ok(())
}

/// `new global[constructor](...args)`, or what it threw.
fn construct(constructor: &str, args: &Array) -> Result<JsValue, JsValue> {
    let f: Function = Reflect::get(&super::global_this(), &constructor.into())?.dyn_into()?;
    Reflect::construct(&f, args)
}

/// A `Uint8Array` of `len` zero bytes, or `QuotaExceeded` if the engine
/// cannot make one that large.
fn zeroed(len: u64, what: &str) -> crate::Result<Uint8Array> {
    let fail = |why: String| {
        Error::new(
            ErrorKind::QuotaExceeded,
            format!("{what} ({len} bytes) does not fit in a Uint8Array here: {why}"),
        )
    };
    if len > u64::from(u32::MAX) {
        return Err(fail(
            "more than 4 GiB; readFileStream reads any size".into(),
        ));
    }
    construct("Uint8Array", &Array::of1(&(len as f64).into()))
        .map(JsCast::unchecked_into)
        .map_err(|e| fail(args::describe(&e)))
}

/// The whole file `name` as a new `Uint8Array` (`FileStore.readFile`): one
/// state of the file, read or copied slice by slice into the array.
pub(crate) async fn read_array(store: &FileStore, name: &str) -> crate::Result<Uint8Array> {
    if let Some(dir) = sync_dir(store) {
        let reader = dir.reader(name).await?;
        let out = zeroed(reader.len(), &format!("{name:?}"))?;
        read_into(&reader, 0, &out, name)?;
        return Ok(out);
    }
    let Some(idb) = indexeddb(store) else {
        return Ok(Uint8Array::from(&store.read_file(name).await?[..]));
    };
    let out = Rc::new(RefCell::new(None));
    let first = {
        let (out, name) = (out.clone(), name.to_owned());
        Box::new(move |meta: &FileRecord| {
            *out.borrow_mut() = Some(zeroed(meta.size, &format!("{name:?}"))?);
            Ok(())
        })
    };
    let sink = {
        let out = out.clone();
        Box::new(move |offset: u64, parts: Parts| {
            if let Some(out) = out.borrow().as_ref() {
                let mut at = offset;
                for (part, len) in parts {
                    // Zero parts are zero already.
                    if let Some(part) = part {
                        out.set(&part, at as u32);
                    }
                    at += u64::from(len);
                }
            }
            Ok(())
        })
    };
    idb.read_out(name, first, sink).await?;
    let out = out.borrow_mut().take();
    Ok(out.unwrap_or_else(|| Uint8Array::new_with_length(0)))
}

/// Bytes of slices gathered before they become one `Blob` of their own.
const BLOB_PIECE: u64 = 8 << 20;

/// What [`read_blob`] builds.
#[derive(Default)]
struct Building {
    /// `Blob`s of [`BLOB_PIECE`] bytes each, in order.
    pieces: Vec<Blob>,
    /// The parts of the slices since, and their length.
    parts: Vec<JsValue>,
    bytes: u64,
    /// A chunk of zero bytes: parts of chunks not stored are views of it.
    zeros: Option<Uint8Array>,
}

/// A `Blob` of `parts`, or `QuotaExceeded` if the engine cannot make it.
fn blob_of(parts: &[JsValue], name: &str) -> crate::Result<Blob> {
    let parts: Array = parts.iter().collect();
    Blob::new_with_buffer_source_sequence(&parts).map_err(|e| {
        Error::new(
            ErrorKind::QuotaExceeded,
            format!("making a Blob of {name:?}: {}", args::describe(&e)),
        )
    })
}

/// The whole file `name` as a `Blob` (`FileStore.readFileBlob`): one state
/// of the file. Slices are gathered into a `Blob` of their own every
/// [`BLOB_PIECE`] bytes, and those into one at the end: the page's heap
/// holds one piece at most, and no `Blob` is made of a chain of others (a
/// `Blob` per slice over the one before costs more with every slice).
pub(crate) async fn read_blob(store: &FileStore, name: &str) -> crate::Result<Blob> {
    if let Some(dir) = sync_dir(store) {
        // One `Blob` per piece, each read straight into an array that is
        // garbage once the `Blob` has its bytes.
        let reader = dir.reader(name).await?;
        let mut pieces = Vec::new();
        let mut at = 0;
        while at < reader.len() {
            let piece = zeroed((reader.len() - at).min(BLOB_PIECE), "a piece")?;
            read_into(&reader, at, &piece, name)?;
            at += u64::from(piece.length());
            pieces.push(blob_of(&[piece.into()], name)?.into());
        }
        return blob_of(&pieces, name);
    }
    let Some(idb) = indexeddb(store) else {
        let bytes = Uint8Array::from(&store.read_file(name).await?[..]);
        return blob_of(&[bytes.into()], name);
    };
    let building = Rc::new(RefCell::new(Building::default()));
    let first = {
        let building = building.clone();
        Box::new(move |meta: &FileRecord| {
            building.borrow_mut().zeros = Some(zeroed(meta.chunk, "a chunk")?);
            Ok(())
        })
    };
    let sink = {
        let (building, name) = (building.clone(), name.to_owned());
        Box::new(move |_offset: u64, parts: Parts| {
            let mut b = building.borrow_mut();
            let b = &mut *b;
            for (part, len) in parts {
                b.bytes += u64::from(len);
                match (part, &b.zeros) {
                    (Some(part), _) => b.parts.push(part.into()),
                    (None, Some(zeros)) => b.parts.push(zeros.subarray(0, len).into()),
                    (None, None) => {}
                }
            }
            if b.bytes >= BLOB_PIECE {
                b.pieces.push(blob_of(&b.parts, &name)?);
                b.parts.clear();
                b.bytes = 0;
            }
            Ok(())
        })
    };
    idb.read_out(name, first, sink).await?;
    let mut b = building.borrow_mut();
    let mut all: Vec<JsValue> = b.pieces.drain(..).map(JsValue::from).collect();
    all.append(&mut b.parts);
    blob_of(&all, name)
}

/// Where a [`read_stream`] is.
#[derive(Default)]
struct Streaming {
    /// The state of the file the stream reads, once it has started.
    known: Option<Known>,
    /// The next slice to read.
    next: u64,
}

/// Calls `method` of the stream's `controller` with `args`.
fn control(controller: &JsValue, method: &str, args: &Array) -> JsResult<()> {
    let f: Function = Reflect::get(controller, &method.into())?.dyn_into()?;
    f.apply(controller, args).map(drop)
}

/// The file `name` as a `ReadableStream` of `Uint8Array`s of 512 KiB
/// (`FileStore.readFileStream`): each slice read when the consumer asks
/// for it, in a transaction of its own, checked to be of the state the
/// first one saw; if the file changed since, the stream fails with a
/// `NotReadableError`, as a `File` read after it changed on disk does.
/// A sync directory's stream is [`sync_stream`]'s, a memory store's one
/// chunk. The checks of the call's arguments (a store and a file name) come
/// as `checked`: a failed one errors the stream at its first read.
pub(crate) fn read_stream(
    call: &'static str,
    checked: JsResult<(Rc<FileStore>, String)>,
) -> JsResult<JsValue> {
    if let Ok((store, name)) = &checked {
        if sync_dir(store).is_some() {
            return sync_stream(call, store.clone(), name.clone());
        }
    }
    let state = Rc::new(RefCell::new(Streaming::default()));
    let pull = Closure::<dyn FnMut(JsValue) -> Promise>::new(move |controller: JsValue| {
        let (checked, state) = (checked.clone(), state.clone());
        future_to_promise(async move {
            let (store, name) = checked?;
            let Some(idb) = indexeddb(&store) else {
                // The whole file at the first read, in one chunk; then the end.
                if state.borrow().next == 0 {
                    let bytes = store.read_file(&name).await;
                    let bytes = bytes.map_err(|e| from_vmmap(call, &e))?;
                    state.borrow_mut().next = 1;
                    if !bytes.is_empty() {
                        let chunk = Uint8Array::from(&bytes[..]);
                        control(&controller, "enqueue", &Array::of1(&chunk))?;
                        return Ok(JsValue::UNDEFINED);
                    }
                }
                control(&controller, "close", &Array::new())?;
                return Ok(JsValue::UNDEFINED);
            };
            loop {
                let (known, next) = {
                    let s = state.borrow();
                    (s.known, s.next)
                };
                let slice = idb
                    .read_slice(&name, known, next)
                    .await
                    .map_err(|e| from_vmmap(call, &e))?;
                match slice {
                    Slice::Started(meta) => state.borrow_mut().known = Some(meta),
                    Slice::Read(_offset, parts) => {
                        let len: u64 = parts.iter().map(|(_, len)| u64::from(*len)).sum();
                        let chunk = zeroed(len, "a slice").map_err(|e| from_vmmap(call, &e))?;
                        let mut at = 0;
                        for (part, len) in parts {
                            if let Some(part) = part {
                                chunk.set(&part, at);
                            }
                            at += len;
                        }
                        state.borrow_mut().next += 1;
                        control(&controller, "enqueue", &Array::of1(&chunk))?;
                        return Ok(JsValue::UNDEFINED);
                    }
                    Slice::End => {
                        control(&controller, "close", &Array::new())?;
                        return Ok(JsValue::UNDEFINED);
                    }
                    Slice::Changed => return Err(changed(call, &name)),
                }
            }
        })
    });
    let source = Object::new();
    // The pull function belongs to the stream from here on: the JS garbage
    // collector frees the Rust closure with it (wasm-bindgen's FinalizationRegistry).
    Reflect::set(&source, &"pull".into(), &pull.into_js_value())?;
    new_stream(call, &source)
}

/// The error of a stream whose file changed before it was read to the end.
fn changed(call: &str, name: &str) -> JsValue {
    named(
        "NotReadableError",
        &format!(
            "{call}: {name:?} changed while it was read (a flush, write or remove \
             committed): the bytes read so far are of the file before; read it again"
        ),
    )
}

/// A `ReadableStream` of the underlying source `source`.
fn new_stream(call: &str, source: &Object) -> JsResult<JsValue> {
    construct("ReadableStream", &Array::of1(source)).map_err(|e| {
        not_supported(format!(
            "{call}: this context has no ReadableStream: {}",
            args::describe(&e)
        ))
    })
}

/// Bytes of a sync directory's stream chunk: as many as an IndexedDB
/// store's slice (`store/idb/read_out.rs`).
const STREAM_SLICE: u64 = 512 << 10;

/// Where a [`sync_stream`] is: its reader, from its start to its end (or
/// its failure, or its cancel), and the offset of the next slice.
#[derive(Default)]
struct SyncStreaming {
    reader: Option<Reader>,
    next: u64,
    /// Cancelled: a reader that comes after is let go at once.
    cancelled: bool,
}

/// `readFileStream` of the file `name` of a sync directory: a reader made
/// when the stream starts (at the call, in the order of the calls on the
/// file), then a slice of [`STREAM_SLICE`] bytes per pull, read straight
/// into a new array; `NotReadableError` if the file changed in between
/// (`store/sync_dir/read.rs`). The file is let go at the end, at an error
/// and at a cancel.
fn sync_stream(call: &'static str, store: Rc<FileStore>, name: String) -> JsResult<JsValue> {
    let state = Rc::new(RefCell::new(SyncStreaming::default()));
    let start = {
        let (state, name) = (state.clone(), name.clone());
        Closure::once_into_js(move |_controller: JsValue| {
            future_to_promise(async move {
                let dir = sync_dir(&store).ok_or_else(|| {
                    from_vmmap(call, &Error::new(ErrorKind::Io, "not a sync directory"))
                })?;
                let reader = dir.reader(&name).await;
                let reader = reader.map_err(|e| from_vmmap(call, &e))?;
                let mut s = state.borrow_mut();
                if !s.cancelled {
                    s.reader = Some(reader);
                }
                Ok(JsValue::UNDEFINED)
            })
        })
    };
    let pull = {
        let state = state.clone();
        Closure::<dyn FnMut(JsValue) -> JsResult<()>>::new(move |controller: JsValue| {
            let mut s = state.borrow_mut();
            let result = pull_slice(&mut s, &controller, call, &name);
            if result.is_err() {
                s.reader = None;
            }
            result
        })
    };
    let cancel = Closure::<dyn FnMut(JsValue)>::new(move |_reason: JsValue| {
        let mut s = state.borrow_mut();
        s.reader = None;
        s.cancelled = true;
    });
    let source = Object::new();
    // As in `read_stream`: the closures belong to the stream from here on.
    Reflect::set(&source, &"start".into(), &start)?;
    Reflect::set(&source, &"pull".into(), &pull.into_js_value())?;
    Reflect::set(&source, &"cancel".into(), &cancel.into_js_value())?;
    new_stream(call, &source)
}

/// Reads the next slice of a [`sync_stream`] into a new array and enqueues
/// it; closes the stream (and lets the file go) after the last.
fn pull_slice(s: &mut SyncStreaming, controller: &JsValue, call: &str, name: &str) -> JsResult<()> {
    let Some(reader) = s.reader.as_ref() else {
        // A pull after the end: there is none, but close anyway.
        return control(controller, "close", &Array::new());
    };
    let len = reader.len();
    if s.next < len {
        let chunk = zeroed((len - s.next).min(STREAM_SLICE), "a slice")
            .map_err(|e| from_vmmap(call, &e))?;
        let read = reader
            .read_at(s.next, &chunk)
            .map_err(|e| from_vmmap(call, &e))?;
        if read == Read::Changed {
            return Err(changed(call, name));
        }
        s.next += u64::from(chunk.length());
        control(controller, "enqueue", &Array::of1(&chunk))?;
    }
    if s.next >= len {
        s.reader = None;
        control(controller, "close", &Array::new())?;
    }
    Ok(())
}
