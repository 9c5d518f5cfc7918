//! The JS class `Mmap`: Python's `mmap` object over [`Mmap`], with JS
//! names, checked arguments and named errors.
//!
//! Every method except the getters and `close` throws an
//! `InvalidStateError` on a closed map; writes to a read-only map throw a
//! `TypeError` (checked before the arguments, as Python does).
//!
//! `view()` hands JS the map's bytes in wasm memory. Writes through a view
//! are found at flush by hashing (see `MappedRegion::bytes_mut`), which
//! forgets a page once it is flushed; a view outlives the flush, so after
//! every flush, close or resize of any map, the maps with views are exposed
//! again ([`expose_views`]).

use std::cell::{Cell, Ref, RefCell, RefMut};
use std::rc::{Rc, Weak};

use js_sys::{Promise, Uint8Array};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;

use super::args::{self, JsResult};
use super::errors::{from_vmmap, invalid_state, range_error, type_error};
use crate::mmap::Mmap;
use crate::options::Access;
use crate::paged::zeroed;

/// One map and whether JS holds a view of it.
struct Inner {
    map: RefCell<Mmap>,
    /// `view()` was called on this `Access::Write` map since it was made,
    /// resized or closed.
    viewed: Cell<bool>,
}

thread_local! {
    /// The write maps with views, exposed again after every flush.
    static VIEWED: RefCell<Vec<Weak<Inner>>> = const { RefCell::new(Vec::new()) };
}

/// Exposes the bytes of every live write map with a view again, so that
/// writes through the view after a flush are found by the next one. Maps
/// that share pages with one just flushed have had their exposure reset too.
fn expose_views() {
    VIEWED.with(|viewed| {
        let Ok(mut viewed) = viewed.try_borrow_mut() else {
            return;
        };
        viewed.retain(|weak| {
            let Some(inner) = weak.upgrade() else {
                return false;
            };
            if !inner.viewed.get() {
                return false;
            }
            match inner.map.try_borrow_mut() {
                Ok(map) if map.is_closed() => {
                    inner.viewed.set(false);
                    false
                }
                Ok(mut map) => {
                    let _ = map.as_mut_slice();
                    true
                }
                // In use by the caller: it exposes itself when done.
                Err(_) => true,
            }
        });
    });
}

/// A memory-mapped file, or anonymous memory, with the API of Python's `mmap`.
///
/// `get`/`set` index single bytes (negative indices count from the end);
/// `slice`/`setSlice` copy ranges; `view()` is a zero-copy `Uint8Array` of
/// the mapped bytes; `read`/`write`/`seek` use the file-object cursor.
/// Writes reach the file at `flush()`, whose promise resolves once they are
/// committed to IndexedDB.
#[wasm_bindgen(js_name = Mmap)]
pub struct JsMmap {
    inner: Rc<Inner>,
}

impl JsMmap {
    pub(crate) fn new(map: Mmap) -> JsMmap {
        JsMmap {
            inner: Rc::new(Inner {
                map: RefCell::new(map),
                viewed: Cell::new(false),
            }),
        }
    }

    /// The open map, to read.
    pub(super) fn reading(&self, call: &str) -> JsResult<Ref<'_, Mmap>> {
        // No Rust borrow of the bytes outlives a JS call: bring in what
        // other tabs committed before this one reads.
        if let Ok(mut map) = self.inner.map.try_borrow_mut() {
            map.refresh();
        }
        let map = self
            .inner
            .map
            .try_borrow()
            .map_err(|_| invalid_state(format!("{call}: the map is in use")))?;
        if map.is_closed() {
            return Err(closed(call));
        }
        Ok(map)
    }

    /// The open map, for a call that does not write bytes (the cursor moves).
    pub(super) fn open(&self, call: &str) -> JsResult<RefMut<'_, Mmap>> {
        let mut map = self
            .inner
            .map
            .try_borrow_mut()
            .map_err(|_| invalid_state(format!("{call}: the map is in use")))?;
        if map.is_closed() {
            return Err(closed(call));
        }
        map.refresh();
        Ok(map)
    }

    /// The open map, for a call that writes bytes: `TypeError` if read-only.
    pub(super) fn writable(&self, call: &str) -> JsResult<RefMut<'_, Mmap>> {
        let map = self.open(call)?;
        if map.access() == Access::Read {
            return Err(type_error(format!(
                "{call}: the map is read-only (access \"read\")"
            )));
        }
        Ok(map)
    }
}

fn closed(call: &str) -> JsValue {
    invalid_state(format!("{call}: the map is closed"))
}

/// Copies `data` into the map at `offset`: all of it or, if it does not fit,
/// nothing (`RangeError`).
pub(super) fn copy_in(
    map: &mut Mmap,
    call: &str,
    offset: usize,
    data: &Uint8Array,
) -> JsResult<()> {
    let n = data.length() as usize;
    let len = map.len();
    if offset.checked_add(n).is_none_or(|end| end > len) {
        return Err(range_error(format!(
            "{call}: {n} bytes at offset {offset} do not fit in the map of {len} bytes"
        )));
    }
    let fail = |e: crate::Error| from_vmmap(call, &e);
    let in_wasm_memory = wasm_bindgen::memory()
        .dyn_into::<js_sys::WebAssembly::Memory>()
        .is_ok_and(|memory| js_sys::Object::is(&data.buffer(), &memory.buffer()));
    if in_wasm_memory {
        // A view of wasm memory (maybe of this very map) is copied whole
        // first, so that overlapping bytes move as `TypedArray.set` moves them.
        let mut bytes = zeroed(n as u64, call).map_err(fail)?;
        data.copy_to(&mut bytes);
        return map.write_at(offset, &bytes).map_err(fail);
    }
    // From JS memory straight into the map: one copy.
    map.write_with(offset, n, |dst| data.copy_to(dst))
        .map_err(fail)
}

#[wasm_bindgen(js_class = Mmap)]
impl JsMmap {
    /// A zero-filled, writable map of `length` bytes backed by no file.
    /// `RangeError` for a length of 0 (as Python) or one that is not a safe
    /// non-negative integer.
    pub fn anonymous(
        #[wasm_bindgen(unchecked_param_type = "number")] length: JsValue,
    ) -> JsResult<JsMmap> {
        let call = "Mmap.anonymous";
        let len = args::count(call, "length", &length)?;
        Mmap::anonymous(len)
            .map(JsMmap::new)
            .map_err(|e| from_vmmap(call, &e))
    }

    /// The length of the map in bytes (0 once closed).
    #[wasm_bindgen(getter)]
    pub fn length(&self) -> usize {
        self.inner.map.try_borrow().map_or(0, |m| m.len())
    }

    /// Whether `close()` was called.
    #[wasm_bindgen(getter)]
    pub fn closed(&self) -> bool {
        self.inner.map.try_borrow().is_ok_and(|m| m.is_closed())
    }

    /// What the map may do: `"read"`, `"write"` or `"copy"`.
    #[wasm_bindgen(getter, unchecked_return_type = "\"read\" | \"write\" | \"copy\"")]
    pub fn access(&self) -> String {
        let access = self
            .inner
            .map
            .try_borrow()
            .map_or(Access::Read, |m| m.access());
        super::access_name(access).into()
    }

    /// The byte at `index` (negative counts from the end), as Python's `m[i]`.
    pub fn get(&self, #[wasm_bindgen(unchecked_param_type = "number")] index: JsValue) -> u8 {
        // `throw_val` instead of a `Result`: no array is made for the return
        // value (get and set are the calls made in loops), and nothing
        // borrowed is left behind, since `get_byte` has returned.
        self.get_byte(&index)
            .unwrap_or_else(|e| wasm_bindgen::throw_val(e))
    }

    /// Sets the byte at `index` (negative counts from the end) to `byte`
    /// (0..=255), as Python's `m[i] = byte`.
    pub fn set(
        &self,
        #[wasm_bindgen(unchecked_param_type = "number")] index: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] byte: JsValue,
    ) {
        if let Err(e) = self.set_byte(&index, &byte) {
            wasm_bindgen::throw_val(e);
        }
    }

    /// A copy of the bytes `start..end`, with Python's slice rules: a bound
    /// left out (or `null`) is the start or the end, a negative one counts
    /// from the end, and both are clamped to the map; `end <= start` is empty.
    pub fn slice(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "number")] start: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "number")] end: JsValue,
    ) -> JsResult<Uint8Array> {
        let call = "Mmap.slice";
        let map = self.reading(call)?;
        let len = map.len();
        let s = args::slice_bound(args::optional_integer(call, "start", &start)?, 0, len);
        let e = args::slice_bound(args::optional_integer(call, "end", &end)?, len, len);
        let bytes = map
            .try_get(s..e.max(s))
            .map_err(|err| from_vmmap(call, &err))?;
        Ok(Uint8Array::from(bytes))
    }

    /// Writes `data` at `start` (negative counts from the end), as Python's
    /// `m[start:start + len(data)] = data`. `RangeError` if it does not fit
    /// (nothing is written).
    #[wasm_bindgen(js_name = setSlice)]
    pub fn set_slice(
        &self,
        #[wasm_bindgen(unchecked_param_type = "number")] start: JsValue,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array")] data: JsValue,
    ) -> JsResult<()> {
        let call = "Mmap.setSlice";
        let mut map = self.writable(call)?;
        let len = map.len();
        let s = args::integer(call, "start", &start)?;
        let data = args::uint8array(call, "data", &data)?;
        let resolved = if s < 0 { s + len as i64 } else { s };
        if resolved < 0 || resolved > len as i64 {
            return Err(range_error(format!(
                "{call}: start {s} is out of range for a map of {len} bytes"
            )));
        }
        copy_in(&mut map, call, resolved as usize, data)
    }

    /// A zero-copy `Uint8Array` over the mapped bytes in wasm memory; writes
    /// to it change the map (a write map finds them at `flush()`).
    ///
    /// Take it again after `resize()` and whenever wasm memory grew (the old
    /// view then has length 0): any call that allocates may grow it. Never
    /// use it after `close()`: its bytes may belong to something else then.
    /// Never write through the view of a `"read"` map. While a write map has
    /// a view, every flush hashes the whole map to find what changed.
    pub fn view(&self) -> JsResult<Uint8Array> {
        let call = "Mmap.view";
        let mut map = self.open(call)?;
        if map.access() == Access::Read {
            // SAFETY: the view is valid until wasm memory grows or the map's
            // bytes are freed (close, resize); the method docs tell JS so. JS
            // reads it between calls, when no Rust borrow of the bytes is alive
            // (one thread), and other tabs' bytes land only during calls.
            let bytes = map.try_get(..).map_err(|e| from_vmmap(call, &e))?;
            return Ok(unsafe { Uint8Array::view(bytes) });
        }
        let bytes = map.as_mut_slice().map_err(|e| from_vmmap(call, &e))?;
        // SAFETY: as above; writes through it are found by hashing, because
        // `as_mut_slice` exposed the bytes.
        let view = unsafe { Uint8Array::view_mut_raw(bytes.as_mut_ptr(), bytes.len()) };
        if map.access() == Access::Write && !self.inner.viewed.replace(true) {
            VIEWED.with(|v| {
                if let Ok(mut v) = v.try_borrow_mut() {
                    v.push(Rc::downgrade(&self.inner));
                }
            });
        }
        Ok(view)
    }

    /// The length of the file behind the map (of an anonymous map: its length).
    pub fn size(&self) -> JsResult<f64> {
        let call = "Mmap.size";
        self.reading(call)?
            .size()
            .map(|s| s as f64)
            .map_err(|e| from_vmmap(call, &e))
    }

    /// Changes the length of the map and of its file; new bytes are zero.
    /// `TypeError` for `"read"` and `"copy"` maps; `RangeError` for 0. Take
    /// `view()` again afterwards.
    pub fn resize(
        &self,
        #[wasm_bindgen(unchecked_param_type = "number", js_name = "newSize")] new_size: JsValue,
    ) -> JsResult<()> {
        let call = "Mmap.resize";
        let mut map = self.open(call)?;
        if map.access() != Access::Write {
            return Err(type_error(format!(
                "{call}: a map with access \"{}\" cannot be resized",
                super::access_name(map.access())
            )));
        }
        let n = args::count(call, "newSize", &new_size)?;
        let result = map.resize(n).map_err(|e| from_vmmap(call, &e));
        drop(map);
        // The old view shows the old bytes: it must be taken again.
        self.inner.viewed.set(false);
        expose_views();
        result
    }

    /// Copies `count` bytes from `src` to `dest` (they may overlap), as
    /// Python's `move`. `RangeError` unless both ranges lie in the map.
    #[wasm_bindgen(js_name = move)]
    pub fn move_within(
        &self,
        #[wasm_bindgen(unchecked_param_type = "number")] dest: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] src: JsValue,
        #[wasm_bindgen(unchecked_param_type = "number")] count: JsValue,
    ) -> JsResult<()> {
        let call = "Mmap.move";
        let mut map = self.writable(call)?;
        let dest = args::count(call, "dest", &dest)?;
        let src = args::count(call, "src", &src)?;
        let count = args::count(call, "count", &count)?;
        map.move_within(dest, src, count)
            .map_err(|e| from_vmmap(call, &e))
    }

    /// Writes what changed (all of it, or `size` bytes from `offset`, a
    /// multiple of `PAGESIZE`) back to the file; the promise resolves once
    /// it is committed to IndexedDB, and rejects with the error (such as a
    /// `QuotaExceededError`: the changes stay dirty for a later flush).
    /// `"read"`, `"copy"` and anonymous maps have nothing to write.
    #[wasm_bindgen(unchecked_return_type = "Promise<void>")]
    pub fn flush(
        &self,
        #[wasm_bindgen(unchecked_optional_param_type = "number")] offset: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "number")] size: JsValue,
    ) -> Promise {
        let call = "Mmap.flush";
        match self.start_flush(call, &offset, &size) {
            Ok(done) => future_to_promise(async move {
                done.await
                    .map(|()| JsValue::UNDEFINED)
                    .map_err(|e| from_vmmap(call, &e))
            }),
            Err(error) => Promise::reject(&error),
        }
    }

    /// A usage hint (`MADV_*`) for `length` bytes from `start` (a multiple of
    /// `PAGESIZE`; default 0 and to the end). Accepted and checked; it
    /// changes nothing, since every page is in memory.
    pub fn madvise(
        &self,
        #[wasm_bindgen(unchecked_param_type = "number")] option: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "number")] start: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "number")] length: JsValue,
    ) -> JsResult<()> {
        let call = "Mmap.madvise";
        let map = self.reading(call)?;
        let n = args::integer(call, "option", &option)?;
        let advice = super::advice_of(n).ok_or_else(|| {
            range_error(format!(
                "{call}: option {n} is not one of MADV_NORMAL, MADV_RANDOM, MADV_SEQUENTIAL, MADV_WILLNEED, MADV_DONTNEED"
            ))
        })?;
        let start = match args::optional_integer(call, "start", &start)? {
            Some(s) => args::non_negative(call, "start", s)?,
            None => 0,
        };
        let result = match args::optional_integer(call, "length", &length)? {
            Some(l) => {
                let l = args::non_negative(call, "length", l)?;
                map.advise(advice, start..start.saturating_add(l))
            }
            None => map.advise(advice, start..),
        };
        result.map_err(|e| from_vmmap(call, &e))
    }

    /// Closes the map; a write map starts writing back what is dirty (call
    /// `flush()` first to know when it is committed). Closing twice is fine.
    /// Also `[Symbol.dispose]`, so `using m = ...` closes it.
    pub fn close(&self) -> JsResult<()> {
        let call = "Mmap.close";
        let mut map = self
            .inner
            .map
            .try_borrow_mut()
            .map_err(|_| invalid_state(format!("{call}: the map is in use")))?;
        let result = map.close().map_err(|e| from_vmmap(call, &e));
        drop(map);
        self.inner.viewed.set(false);
        expose_views();
        result
    }
}

impl JsMmap {
    fn get_byte(&self, index: &JsValue) -> JsResult<u8> {
        let call = "Mmap.get";
        let map = self.reading(call)?;
        let i = args::index(call, index, map.len())?;
        let byte = map.try_get(i..i + 1).map_err(|e| from_vmmap(call, &e))?;
        byte.first()
            .copied()
            .ok_or_else(|| range_error(format!("{call}: index {i} is out of range")))
    }

    fn set_byte(&self, index: &JsValue, byte: &JsValue) -> JsResult<()> {
        let call = "Mmap.set";
        let mut map = self.writable(call)?;
        let i = args::index(call, index, map.len())?;
        let b = args::byte(call, byte)?;
        map.write_at(i, &[b]).map_err(|e| from_vmmap(call, &e))
    }

    fn start_flush(
        &self,
        call: &str,
        offset: &JsValue,
        size: &JsValue,
    ) -> JsResult<impl std::future::Future<Output = crate::Result<()>> + use<>> {
        let map = self.reading(call)?;
        let len = map.len();
        let result = if args::absent(offset) && args::absent(size) {
            map.flush()
        } else {
            let offset = match args::optional_integer(call, "offset", offset)? {
                Some(o) => args::non_negative(call, "offset", o)?,
                None => 0,
            };
            let size = match args::optional_integer(call, "size", size)? {
                Some(s) => args::non_negative(call, "size", s)?,
                None => len.saturating_sub(offset),
            };
            map.flush_range(offset, size)
        };
        result.map_err(|e| from_vmmap(call, &e))?;
        let done = map.flushed();
        drop(map);
        expose_views();
        Ok(done)
    }
}
