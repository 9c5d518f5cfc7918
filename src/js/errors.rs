//! The errors the JS API throws: `Error` objects whose `name` says what
//! happened. [`from_vmmap`] is the one place that maps an [`ErrorKind`] to a
//! JS name; argument checks make `TypeError`s and `RangeError`s directly.

use wasm_bindgen::JsValue;

use crate::error::{Error, ErrorKind};

/// The JS `name` of an error of `kind`, as the table on [`ErrorKind`] says.
fn name_of(kind: ErrorKind) -> &'static str {
    match kind {
        ErrorKind::ReadOnly => "TypeError",
        ErrorKind::Closed => "InvalidStateError",
        ErrorKind::OutOfRange | ErrorKind::InvalidArgument => "RangeError",
        ErrorKind::NotFound => "NotFoundError",
        ErrorKind::QuotaExceeded => "QuotaExceededError",
        ErrorKind::Unsupported => "NotSupportedError",
        ErrorKind::Busy => "NoModificationAllowedError",
        _ => "Error",
    }
}

/// An `Error` named `name`: a real `TypeError` or `RangeError` for those two
/// names (so that `instanceof` works too), else an `Error` with `name` set.
pub(crate) fn named(name: &str, message: &str) -> JsValue {
    match name {
        "TypeError" => js_sys::TypeError::new(message).into(),
        "RangeError" => js_sys::RangeError::new(message).into(),
        _ => {
            let error = js_sys::Error::new(message);
            error.set_name(name);
            error.into()
        }
    }
}

/// The JS error for a failure of the JS call `call` (such as `"Mmap.write"`).
pub(crate) fn from_vmmap(call: &str, error: &Error) -> JsValue {
    named(name_of(error.kind()), &format!("{call}: {error}"))
}

/// A `TypeError`: an argument of the wrong type.
pub(crate) fn type_error(message: String) -> JsValue {
    named("TypeError", &message)
}

/// A `RangeError`: a number that is not allowed here.
pub(crate) fn range_error(message: String) -> JsValue {
    named("RangeError", &message)
}

/// An `InvalidStateError`: the map or store is closed (or busy).
pub(crate) fn invalid_state(message: String) -> JsValue {
    named("InvalidStateError", &message)
}

/// A `NotSupportedError`: this context lacks what the call needs (such as
/// `navigator.storage` in an old engine or an insecure context).
pub(crate) fn not_supported(message: String) -> JsValue {
    named("NotSupportedError", &message)
}
