//! Checking the JS values that arrive as arguments: every number must be a
//! safe integer (no NaN, no fraction, at most 2**53 - 1 in size), every
//! byte string a `Uint8Array` or a string. A wrong type is a `TypeError`, a
//! number that is not allowed a `RangeError`; the message names the call,
//! the argument and the value. Nothing here panics.

use js_sys::Uint8Array;
use wasm_bindgen::{JsCast, JsValue};

use super::errors::{range_error, type_error};

/// What every checked call returns: a thrown JS error on failure.
pub(crate) type JsResult<T> = Result<T, JsValue>;

/// `Number.MAX_SAFE_INTEGER`: larger numbers are not exact in a JS number.
const MAX_SAFE: f64 = 9_007_199_254_740_991.0;

/// A JS value as a message shows it: numbers as JS prints them, strings
/// quoted (cut after 40 characters), other values by type.
pub(crate) fn describe(value: &JsValue) -> String {
    if let Some(n) = value.as_f64() {
        return number(n);
    }
    if let Some(s) = value.as_string() {
        let cut: String = s.chars().take(40).collect();
        let more = if cut.len() < s.len() { "..." } else { "" };
        return format!("the string {cut:?}{more}");
    }
    if value.is_null() {
        return "null".into();
    }
    if value.is_undefined() {
        return "undefined".into();
    }
    if let Some(b) = value.as_bool() {
        return b.to_string();
    }
    if value.is_bigint() {
        return "a bigint".into();
    }
    if value.is_instance_of::<js_sys::Array>() {
        return "an array".into();
    }
    match value.js_typeof().as_string().as_deref() {
        Some("object") => "an object".into(),
        Some("function") => "a function".into(),
        Some("symbol") => "a symbol".into(),
        Some(other) => format!("a {other}"),
        None => "a value of unknown type".into(),
    }
}

/// A number written as JS writes it (`NaN`, `Infinity`, `1.5`, `-3`).
pub(crate) fn number(n: f64) -> String {
    if n.is_nan() {
        "NaN".into()
    } else if n.is_infinite() {
        if n > 0.0 { "Infinity" } else { "-Infinity" }.into()
    } else if n == 0.0 {
        "0".into()
    } else {
        n.to_string()
    }
}

/// A number argument that must be a safe integer.
pub(crate) fn integer(call: &str, what: &str, value: &JsValue) -> JsResult<i64> {
    match value.as_f64() {
        Some(n) => safe_integer(call, what, n),
        None => Err(type_error(format!(
            "{call}: {what} must be a number, got {}",
            describe(value)
        ))),
    }
}

/// `n` as an integer if it is one and safe, else a `RangeError`.
pub(crate) fn safe_integer(call: &str, what: &str, n: f64) -> JsResult<i64> {
    if n.fract() == 0.0 && n.abs() <= MAX_SAFE {
        return Ok(n as i64);
    }
    let why = if n.is_nan() {
        "not NaN"
    } else if n.is_finite() && n.fract() != 0.0 {
        "an integer"
    } else {
        "a safe integer (at most 2**53 - 1 in size)"
    };
    Err(range_error(format!(
        "{call}: {what} must be {why}, got {}",
        number(n)
    )))
}

/// Whether an optional argument was left out (`undefined` or `null`, as
/// Python's `None`).
pub(crate) fn absent(value: &JsValue) -> bool {
    value.is_undefined() || value.is_null()
}

/// An optional safe integer: `None` when left out.
pub(crate) fn optional_integer(call: &str, what: &str, value: &JsValue) -> JsResult<Option<i64>> {
    if absent(value) {
        return Ok(None);
    }
    integer(call, what, value).map(Some)
}

/// A size, length, offset or position: a safe integer, not negative, that
/// fits in this target's memory addresses.
pub(crate) fn count(call: &str, what: &str, value: &JsValue) -> JsResult<usize> {
    let n = integer(call, what, value)?;
    non_negative(call, what, n)
}

/// `n` as a `usize` if it is not negative and fits, else a `RangeError`.
pub(crate) fn non_negative(call: &str, what: &str, n: i64) -> JsResult<usize> {
    if n < 0 {
        return Err(range_error(format!(
            "{call}: {what} must not be negative, got {n}"
        )));
    }
    usize::try_from(n).map_err(|_| {
        range_error(format!(
            "{call}: {what} {n} is larger than wasm memory can hold"
        ))
    })
}

/// An index into `len` bytes: negative counts from the end, as in Python.
pub(crate) fn index(call: &str, value: &JsValue, len: usize) -> JsResult<usize> {
    let i = integer(call, "index", value)?;
    let resolved = if i < 0 { i + len as i64 } else { i };
    if resolved < 0 || resolved >= len as i64 {
        return Err(range_error(format!(
            "{call}: index {i} is out of range for a map of {len} bytes"
        )));
    }
    Ok(resolved as usize)
}

/// A byte value: an integer in 0..=255.
pub(crate) fn byte(call: &str, value: &JsValue) -> JsResult<u8> {
    let n = integer(call, "byte", value)?;
    u8::try_from(n).map_err(|_| {
        range_error(format!(
            "{call}: byte must be in 0..=255 (range(0, 256)), got {n}"
        ))
    })
}

/// A slice bound as Python clips it: `None` is `default`, a negative bound
/// counts from the end, then it is clamped to `0..=len`.
pub(crate) fn slice_bound(bound: Option<i64>, default: usize, len: usize) -> usize {
    match bound {
        None => default,
        Some(b) if b < 0 => (b + len as i64).max(0) as usize,
        Some(b) => (b as u64).min(len as u64) as usize,
    }
}

/// A string argument.
pub(crate) fn string(call: &str, what: &str, value: &JsValue) -> JsResult<String> {
    value.as_string().ok_or_else(|| {
        type_error(format!(
            "{call}: {what} must be a string, got {}",
            describe(value)
        ))
    })
}

/// `value[Symbol.toStringTag]`: the class a built-in object says it is,
/// whichever realm (window, frame, worker, WebDriver sandbox) made it.
fn tag(value: &JsValue) -> Option<String> {
    if !value.is_object() {
        return None;
    }
    js_sys::Reflect::get(value, &js_sys::Symbol::to_string_tag())
        .ok()?
        .as_string()
}

/// `value` as a `Uint8Array`, also one made in another realm (an iframe,
/// a WebDriver script's sandbox), which `instanceof` does not recognise.
pub(crate) fn as_uint8array(value: &JsValue) -> Option<&Uint8Array> {
    if let Some(array) = value.dyn_ref::<Uint8Array>() {
        return Some(array);
    }
    (tag(value).as_deref() == Some("Uint8Array")).then(|| value.unchecked_ref())
}

/// `value` as a `Blob` (or `File`), also one made in another realm.
pub(crate) fn as_blob(value: &JsValue) -> Option<&web_sys::Blob> {
    if let Some(blob) = value.dyn_ref::<web_sys::Blob>() {
        return Some(blob);
    }
    matches!(tag(value).as_deref(), Some("Blob" | "File")).then(|| value.unchecked_ref())
}

/// A `Uint8Array` argument.
pub(crate) fn uint8array<'a>(
    call: &str,
    what: &str,
    value: &'a JsValue,
) -> JsResult<&'a Uint8Array> {
    as_uint8array(value).ok_or_else(|| {
        type_error(format!(
            "{call}: {what} must be a Uint8Array, got {}",
            describe(value)
        ))
    })
}

/// Bytes given as a `Uint8Array` or a string (its UTF-8 encoding).
pub(crate) enum Bytes<'a> {
    Array(&'a Uint8Array),
    Utf8(Vec<u8>),
}

/// A `Uint8Array` or a string.
pub(crate) fn bytes<'a>(call: &str, what: &str, value: &'a JsValue) -> JsResult<Bytes<'a>> {
    if let Some(array) = as_uint8array(value) {
        return Ok(Bytes::Array(array));
    }
    if let Some(s) = value.as_string() {
        return Ok(Bytes::Utf8(s.into_bytes()));
    }
    Err(type_error(format!(
        "{call}: {what} must be a Uint8Array or a string, got {}",
        describe(value)
    )))
}
