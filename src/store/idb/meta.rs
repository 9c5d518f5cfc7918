//! The metadata record of a file in the `files` object store:
//! `{ id, size, chunk, version }` under the file's name.

use js_sys::{Object, Reflect};
use wasm_bindgen::JsValue;

/// What the store knows of one file.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Meta {
    /// Names the file's chunks (`[id, index]`); a replaced file gets a new id.
    pub(crate) id: f64,
    /// The file's length in bytes.
    pub(crate) size: u64,
    /// The chunk size the file was written with.
    pub(crate) chunk: u64,
    /// Counts the commits to the file.
    pub(crate) version: f64,
}

fn number(obj: &JsValue, key: &str) -> Option<f64> {
    Reflect::get(obj, &JsValue::from_str(key)).ok()?.as_f64()
}

impl Meta {
    /// The record read from the store; `None` for a missing or foreign one.
    pub(crate) fn from_js(value: &JsValue) -> Option<Meta> {
        if !value.is_object() {
            return None;
        }
        let chunk = number(value, "chunk")?;
        let size = number(value, "size")?;
        if chunk < 1.0 || size < 0.0 {
            return None;
        }
        Some(Meta {
            id: number(value, "id")?,
            size: size as u64,
            chunk: chunk as u64,
            version: number(value, "version").unwrap_or(0.0),
        })
    }

    pub(crate) fn to_js(self) -> JsValue {
        let obj = Object::new();
        for (key, value) in [
            ("id", self.id),
            ("size", self.size as f64),
            ("chunk", self.chunk as f64),
            ("version", self.version),
        ] {
            // Setting a plain property on a fresh object cannot fail.
            let _ = Reflect::set(&obj, &JsValue::from_str(key), &JsValue::from_f64(value));
        }
        obj.into()
    }

    /// The chunks `[first, end)` that hold the bytes `[offset, offset + len)`.
    pub(crate) fn chunks(&self, offset: u64, len: u64) -> (u64, u64) {
        (offset / self.chunk, (offset + len).div_ceil(self.chunk))
    }
}

/// A fresh file id: 53 random bits, so that ids never repeat in practice.
pub(crate) fn new_id() -> f64 {
    let hi = (js_sys::Math::random() * (1u64 << 26) as f64).floor();
    let lo = (js_sys::Math::random() * (1u64 << 27) as f64).floor();
    hi * (1u64 << 27) as f64 + lo
}
