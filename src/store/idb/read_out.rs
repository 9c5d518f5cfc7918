//! Reading a file out slice by slice, for files too large to copy whole
//! into wasm memory (the JS API's `readFile`, `readFileBlob` and
//! `readFileStream`): the bytes go from IndexedDB to JS values and never
//! through wasm memory, and each task handles one slice of
//! [`SLICE_CHUNKS`] chunks (512 KiB), never the whole file.
//!
//! [`read_all`] reads the whole file in one read-only transaction: the
//! file's record, then its chunks a slice at a time (`getAllKeys` and
//! `getAll` of a key range), the next slice asked for from the success
//! event of one before, so the transaction stays alive from the first
//! request to the last: what is read is one state of the file (a commit of
//! it comes wholly before or wholly after). [`read_slice`] reads one slice
//! in a transaction of its own, for a stream that reads as its consumer
//! asks, and says if the file is no longer in the state it started from.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Array, ArrayBuffer, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbObjectStore, IdbRequest, IdbTransaction};

use super::meta::Meta;
use super::request::{abort_error, completion, js_error, request};
use super::transaction::{Callbacks, chunk_range, on_success, readonly};
use crate::error::{Error, ErrorKind, Result};

/// Chunks per slice: 512 KiB of 32 KiB chunks, a few milliseconds of work.
/// Measured (tests/js/longtasks.mjs, Chromium, a loaded machine): 2 MiB
/// slices made tasks of 100-300 ms as the results were deserialised, 1 MiB
/// ones 60-120 ms, 512 KiB ones about 60 ms, with no loss of speed.
pub(crate) const SLICE_CHUNKS: u64 = 16;

/// Slices asked for ahead of the one being handled, so that the database
/// always has one to read while this thread hands another on.
const AHEAD: u64 = 2;

/// One slice of a file: its chunks in order, each as a view of the bytes
/// stored, or `None` for zero bytes (chunks not stored, or stored short),
/// with its length.
pub(crate) type Parts = Vec<(Option<Uint8Array>, u32)>;

/// What a whole-file read does with the file's record, before any slice.
pub(crate) type First = Box<dyn FnOnce(&Meta) -> Result<()>>;

/// What a whole-file read does with each slice: `(file offset, parts)`.
pub(crate) type Sink = Box<dyn FnMut(u64, Parts) -> Result<()>>;

/// The parts of chunks `[first, end)` of the file `meta`, from the keys and
/// values that `getAllKeys` and `getAll` gave for them: each chunk as long
/// as the file says.
fn parts_of(meta: &Meta, first: u64, end: u64, keys: &JsValue, values: &JsValue) -> Parts {
    let (keys, values): (&Array, &Array) = (keys.unchecked_ref(), values.unchecked_ref());
    let mut stored = keys.iter().zip(values.iter()).filter_map(|(key, value)| {
        let index = Array::from(&key).get(1).as_f64()?;
        Some((index as u64, value.dyn_into::<ArrayBuffer>().ok()?))
    });
    let mut have = stored.next();
    let mut parts = Parts::new();
    for index in first..end {
        let len = (meta.size - index * meta.chunk).min(meta.chunk) as u32;
        while have.as_ref().is_some_and(|(i, _)| *i < index) {
            have = stored.next();
        }
        let mut filled = 0;
        if let Some((i, buf)) = &have {
            if *i == index {
                filled = buf.byte_length().min(len);
                parts.push((
                    Some(Uint8Array::new_with_byte_offset_and_length(buf, 0, filled)),
                    filled,
                ));
            }
        }
        if filled < len {
            parts.push((None, len - filled));
        }
    }
    parts
}

/// The number of chunks of the file `meta`.
fn chunk_count(meta: &Meta) -> u64 {
    meta.size.div_ceil(meta.chunk)
}

/// What the transaction's callbacks of [`read_all`] share.
struct Reading {
    chunks: IdbObjectStore,
    tx: IdbTransaction,
    callbacks: Callbacks,
    sink: Sink,
    /// The file's record, once read.
    meta: Option<Meta>,
    /// The next slice to ask for.
    next: u64,
    /// Why the read failed, when IndexedDB did not say.
    why: Option<Error>,
}

type Shared = Rc<RefCell<Reading>>;

/// Reads the file `name` of `db` whole, in one read-only transaction,
/// handing each slice to `sink` in order; the file's record, or `None` if
/// there is no such file. `first(meta)` runs once the record is read,
/// before any slice, and may fail the read.
pub(crate) async fn read_all(
    db: &IdbDatabase,
    name: &str,
    first: First,
    sink: Sink,
) -> Result<Option<Meta>> {
    let context = format!("read {name:?}");
    let tx = readonly(db, &context)?;
    let done = completion(&tx);
    let fail = |e: JsValue| {
        let _ = tx.abort();
        js_error(&context, &e)
    };
    let files = tx.object_store("files").map_err(fail)?;
    let chunks = tx.object_store("chunks").map_err(fail)?;
    let record = files.get(&JsValue::from_str(name)).map_err(fail)?;
    let state: Shared = Rc::new(RefCell::new(Reading {
        chunks,
        tx: tx.clone(),
        callbacks: Callbacks::default(),
        sink,
        meta: None,
        next: 0,
        why: None,
    }));
    let callbacks = state.borrow().callbacks.clone();
    on_success(&record, &callbacks, {
        let state = state.clone();
        move |value| {
            let Some(meta) = Meta::from_js(&value) else {
                return;
            };
            if let Err(e) = first(&meta) {
                return failed(&state, e);
            }
            state.borrow_mut().meta = Some(meta);
            for _ in 0..AHEAD {
                ask(&state);
            }
        }
    });
    let outcome = JsFuture::from(done).await;
    // The callbacks hold `state`, which holds them: break the cycle.
    drop(std::mem::take(&mut *callbacks.borrow_mut()));
    let mut reading = state.borrow_mut();
    if let Some(why) = reading.why.take() {
        return Err(why);
    }
    if outcome.is_err() {
        return Err(abort_error(&context, &tx));
    }
    Ok(reading.meta)
}

/// Fails the read: aborts its transaction, saying why.
fn failed(state: &Shared, why: Error) {
    let mut reading = state.borrow_mut();
    reading.why.get_or_insert(why);
    let _ = reading.tx.abort();
}

/// Asks for the next slice, if any is left.
fn ask(state: &Shared) {
    if let Err(e) = try_ask(state) {
        failed(state, e);
    }
}

fn try_ask(state: &Shared) -> Result<()> {
    let (meta, first, end, keys, values, callbacks) = {
        let mut reading = state.borrow_mut();
        let Some(meta) = reading.meta else {
            return Ok(());
        };
        let first = reading.next * SLICE_CHUNKS;
        if first >= chunk_count(&meta) {
            return Ok(());
        }
        reading.next += 1;
        let end = (first + SLICE_CHUNKS).min(chunk_count(&meta));
        let (keys, values) = ask_chunks(&reading.chunks, &meta, first, end)?;
        (meta, first, end, keys, values, reading.callbacks.clone())
    };
    let state = state.clone();
    on_success(&values, &callbacks, move |values| {
        // The next slice first, so the database reads it while this one is handed on.
        ask(&state);
        let keys = keys.result().unwrap_or(JsValue::UNDEFINED);
        let parts = parts_of(&meta, first, end, &keys, &values);
        let result = (state.borrow_mut().sink)(first * meta.chunk, parts);
        if let Err(e) = result {
            failed(&state, e);
        }
    });
    Ok(())
}

/// Asks for the keys and values of chunks `[first, end)` of the file
/// `meta`. Requests complete in order: when the values have, the keys have.
fn ask_chunks(
    chunks: &IdbObjectStore,
    meta: &Meta,
    first: u64,
    end: u64,
) -> Result<(IdbRequest, IdbRequest)> {
    let fail = |e: JsValue| js_error("read chunks", &e);
    let range = chunk_range(meta.id, first, end)?;
    let keys = chunks.get_all_keys_with_key(&range).map_err(fail)?;
    let values = chunks.get_all_with_key(&range).map_err(fail)?;
    Ok((keys, values))
}

/// The state of a file a stream reads: its record, and how many writes of
/// it this page had asked for (`file.rs`: a write under this page's lease
/// leaves the record as it is).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Known {
    pub(crate) meta: Meta,
    pub(crate) asked: u64,
}

/// What [`read_slice`] found.
pub(crate) enum Slice {
    /// The state of the file now (the first call of a read: nothing to
    /// compare with), with `asked` 0: the caller counts.
    Started(Known),
    /// The slice at this file offset, and its parts.
    Read(u64, Parts),
    /// Past the last slice.
    End,
    /// The file is not in the state the read started from: it was
    /// committed to, replaced or removed since.
    Changed,
}

/// Slice `index` of the file `name` of `db`, which must still be in the
/// state `known` names (by id, version and tag: the caller compares the
/// writes asked), read in a transaction of its own; with `known` `None`,
/// the file's record (`NotFound` if there is no such file).
pub(crate) async fn read_slice(
    db: &IdbDatabase,
    name: &str,
    known: Option<Meta>,
    index: u64,
) -> Result<Slice> {
    let context = format!("read {name:?}");
    let tx = readonly(db, &context)?;
    let fail = |e: JsValue| js_error(&context, &e);
    let files = tx.object_store("files").map_err(fail)?;
    let record = files.get(&JsValue::from_str(name)).map_err(fail)?;
    let Some(known) = known else {
        let meta = Meta::from_js(&request(&context, &record).await?);
        return meta
            .map(|meta| Slice::Started(Known { meta, asked: 0 }))
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::NotFound,
                    format!("no file {name:?} in the store"),
                )
            });
    };
    let first = index * SLICE_CHUNKS;
    if first >= chunk_count(&known) {
        return Ok(Slice::End);
    }
    let end = (first + SLICE_CHUNKS).min(chunk_count(&known));
    let chunks = tx.object_store("chunks").map_err(fail)?;
    let (keys, values) = ask_chunks(&chunks, &known, first, end)?;
    let now = Meta::from_js(&request(&context, &record).await?);
    let keys = request(&context, &keys).await?;
    let values = request(&context, &values).await?;
    let same = |m: Meta| (m.id, m.version, m.tag) == (known.id, known.version, known.tag);
    if !now.is_some_and(same) {
        return Ok(Slice::Changed);
    }
    Ok(Slice::Read(
        first * known.chunk,
        parts_of(&known, first, end, &keys, &values),
    ))
}
