//! The metadata record of a file in the `files` object store:
//! `{ id, size, chunk, version, tag }` under the file's name, as JS. The
//! record itself, and how a commit changes it, is [`Meta`] in
//! `store/idb_plan.rs`, where host tests check it.

use js_sys::{Object, Reflect};
use wasm_bindgen::JsValue;

pub(crate) use crate::store::idb_plan::Meta;

/// Bytes per chunk: a flush writes whole chunks, a map reads whole chunks.
/// `allocation_granularity()` is a multiple of it, so windows start at a chunk.
///
/// Chosen by measurement (`scripts/bench-web.sh chunks`, BENCHMARKS.md): in
/// Chromium a value over 64 KiB is kept as a separate blob file, so a
/// 64 KiB chunk (plus its header) costs a file per put; 32 KiB halves the
/// cost of a one-page flush and loads faster. Larger chunks load faster still
/// but make every small flush dearer. Files record their chunk size ([`Meta`]),
/// so files written with another one keep working.
pub(crate) const CHUNK: u64 = 32 * 1024;

thread_local! {
    /// The record's field names as JS strings, made once.
    static KEYS: [JsValue; 5] = ["id", "size", "chunk", "version", "tag"].map(JsValue::from_str);
}

/// The fields of a record, in the order of [`KEYS`]; `None` where missing
/// or not a number.
fn fields(obj: &JsValue) -> [Option<f64>; 5] {
    KEYS.with(|keys| keys.each_ref().map(|k| Reflect::get(obj, k).ok()?.as_f64()))
}

impl Meta {
    /// The record read from the store; `None` for a missing or foreign one.
    pub(crate) fn from_js(value: &JsValue) -> Option<Meta> {
        if !value.is_object() {
            return None;
        }
        let [id, size, chunk, version, tag] = fields(value);
        let (id, size, chunk) = (id?, size?, chunk?);
        if chunk < 1.0 || size < 0.0 {
            return None;
        }
        Some(Meta {
            id,
            size: size as u64,
            chunk: chunk as u64,
            version: version.unwrap_or(0.0),
            tag,
        })
    }

    pub(crate) fn to_js(self) -> JsValue {
        let obj = Object::new();
        let values = [
            self.id,
            self.size as f64,
            self.chunk as f64,
            self.version,
            self.tag.unwrap_or(f64::NAN),
        ];
        KEYS.with(|keys| {
            for (key, value) in keys.iter().zip(values) {
                if !value.is_nan() {
                    // Setting a plain property on a fresh object cannot fail.
                    let _ = Reflect::set(&obj, key, &JsValue::from_f64(value));
                }
            }
        });
        obj.into()
    }
}

/// A fresh file id or tag: 53 random bits, so that they never repeat in practice.
pub(crate) fn new_id() -> f64 {
    let hi = (js_sys::Math::random() * (1u64 << 26) as f64).floor();
    let lo = (js_sys::Math::random() * (1u64 << 27) as f64).floor();
    hi * (1u64 << 27) as f64 + lo
}
