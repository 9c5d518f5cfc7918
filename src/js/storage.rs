//! The browser's storage manager, `navigator.storage`, behind
//! `FileStore.persist()`, `persisted()` and `estimate()`. It is reached
//! through `Reflect` on the global object, so the same code runs in a window
//! and in a worker (whose `navigator` is a `WorkerNavigator`), and a missing
//! piece (an old engine, an insecure context, `persist` in a worker, Node,
//! Deno and Bun, which have no Storage API) is a
//! `NotSupportedError` that names it instead of a thrown `TypeError` from
//! deep inside.

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

use super::args::{self, JsResult};
use super::errors::{named, not_supported};
use crate::store::sync_dir::has_node_fs;

/// `target[key]`, or `None` when it is missing, not an object, or its getter throws.
fn object_at(target: &JsValue, key: &str) -> Option<JsValue> {
    Reflect::get(target, &JsValue::from_str(key))
        .ok()
        .filter(|v| v.is_object())
}

/// Calls `navigator.storage[method]()` now (so a call made in a user gesture
/// is still in it) and returns what it promises. `call` names the JS call
/// for messages, such as `"FileStore.persist"`.
pub(crate) fn request(call: &str, method: &str) -> JsResult<JsFuture> {
    let storage = object_at(&super::global_this(), "navigator")
        .and_then(|navigator| object_at(&navigator, "storage"))
        .ok_or_else(|| {
            // Node 20 has no `navigator`, Node 21+ one without `storage`:
            // say why in the runtime's terms, not a browser's.
            let why = if has_node_fs() {
                "Node, Deno and Bun have no Storage API: a directory store \
                 stays on disk until its files are removed"
            } else {
                "an engine without the Storage API, \
                 or an insecure context: it needs https or localhost"
            };
            not_supported(format!("{call}: navigator.storage is missing ({why})"))
        })?;
    let function = Reflect::get(&storage, &JsValue::from_str(method))
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok())
        .ok_or_else(|| {
            let why = if method == "persist" {
                " (engines expose persist() in windows only, not in workers)"
            } else {
                ""
            };
            not_supported(format!(
                "{call}: navigator.storage.{method} is missing{why}"
            ))
        })?;
    let value = function
        .call0(&storage)
        .map_err(|thrown| failed(call, method, &thrown))?;
    // `Promise.resolve` also takes a plain value or a thenable.
    Ok(JsFuture::from(Promise::resolve(&value)))
}

/// The error for `navigator.storage[method]()` throwing or rejecting with
/// `thrown`: an `Error` of the same name (a `DOMException`'s `name`, such as
/// `"NotAllowedError"`, or `"Error"`) whose message names the call.
pub(crate) fn failed(call: &str, method: &str, thrown: &JsValue) -> JsValue {
    let text = |key: &str| {
        thrown
            .is_object()
            .then(|| Reflect::get(thrown, &JsValue::from_str(key)).ok())
            .flatten()
            .and_then(|v| v.as_string())
            .filter(|s| !s.is_empty())
    };
    let name = text("name").unwrap_or_else(|| "Error".to_owned());
    let message = text("message").unwrap_or_else(|| args::describe(thrown));
    named(
        &name,
        &format!("{call}: navigator.storage.{method}() failed: {message}"),
    )
}

/// A number field of what `navigator.storage.estimate()` resolved with.
pub(crate) fn estimate_field(call: &str, estimate: &JsValue, key: &str) -> JsResult<f64> {
    Reflect::get(estimate, &JsValue::from_str(key))
        .ok()
        .and_then(|v| v.as_f64())
        .ok_or_else(|| {
            not_supported(format!(
                "{call}: navigator.storage.estimate() gave no {key}"
            ))
        })
}
