//! IndexedDB's callbacks as futures, and its errors as [`Error`]s.
//!
//! A request or transaction gets a `Promise` whose `resolve` and `reject`
//! are set as its event handlers directly: no Rust closure is created, so
//! nothing can leak or be called after it is dropped.

use js_sys::Promise;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{DomException, IdbRequest, IdbTransaction};

use crate::error::{Error, ErrorKind, Result};

/// The error kind for a `DOMException` name.
fn kind_of(name: &str) -> ErrorKind {
    match name {
        "QuotaExceededError" => ErrorKind::QuotaExceeded,
        "NotFoundError" => ErrorKind::NotFound,
        "InvalidStateError" | "TransactionInactiveError" => ErrorKind::Closed,
        "DataError" | "InvalidAccessError" => ErrorKind::InvalidArgument,
        "NotSupportedError" => ErrorKind::Unsupported,
        "NoModificationAllowedError" => ErrorKind::Busy,
        _ => ErrorKind::Io,
    }
}

/// An [`Error`] for what JS threw or reported, with `context` first.
pub(crate) fn js_error(context: &str, value: &JsValue) -> Error {
    if let Some(dom) = value.dyn_ref::<DomException>() {
        return Error::new(
            kind_of(&dom.name()),
            format!("{context}: {}: {}", dom.name(), dom.message()),
        );
    }
    if let Some(err) = value.dyn_ref::<js_sys::Error>() {
        let name = String::from(err.name());
        return Error::new(
            kind_of(&name),
            format!("{context}: {name}: {}", String::from(err.message())),
        );
    }
    Error::new(ErrorKind::Io, format!("{context}: {value:?}"))
}

/// Waits for `request` and returns its result.
pub(crate) async fn request(context: &str, request: &IdbRequest) -> Result<JsValue> {
    let done = Promise::new(&mut |resolve, reject| {
        request.set_onsuccess(Some(&resolve));
        request.set_onerror(Some(&reject));
    });
    let outcome = JsFuture::from(done).await;
    request.set_onsuccess(None);
    request.set_onerror(None);
    match outcome {
        Ok(_) => request.result().map_err(|e| js_error(context, &e)),
        Err(_) => Err(match request.error() {
            Ok(Some(dom)) => js_error(context, &dom.into()),
            _ => Error::new(ErrorKind::Io, format!("{context}: the request failed")),
        }),
    }
}

/// A promise that resolves when `tx` commits and rejects when it aborts.
pub(crate) fn completion(tx: &IdbTransaction) -> Promise {
    Promise::new(&mut |resolve, reject| {
        tx.set_oncomplete(Some(&resolve));
        tx.set_onabort(Some(&reject));
    })
}

/// Waits for a transaction's [`completion`] promise.
pub(crate) async fn committed(context: &str, tx: &IdbTransaction, done: Promise) -> Result<()> {
    match JsFuture::from(done).await {
        Ok(_) => Ok(()),
        Err(_) => Err(abort_error(context, tx)),
    }
}

/// Why `tx` aborted.
pub(crate) fn abort_error(context: &str, tx: &IdbTransaction) -> Error {
    match tx.error() {
        Some(dom) => js_error(context, &dom.into()),
        None => Error::new(
            ErrorKind::Io,
            format!("{context}: the transaction was aborted"),
        ),
    }
}
