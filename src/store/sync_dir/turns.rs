//! One call at a time per file of a sync directory, in this thread: calls
//! that open, replace or remove a file wait for the earlier ones on that
//! file, so that two maps made at once share one handle (OPFS opens a file
//! once; on disk two handles would make two maps that do not share pages).

use std::cell::RefCell;
use std::collections::HashMap;

use js_sys::{Function, Promise};
use wasm_bindgen_futures::JsFuture;

thread_local! {
    /// The last turn taken on each file, by `"{directory key}\0{name}"`.
    static LAST: RefCell<HashMap<String, Promise>> = RefCell::default();
}

/// A call's turn on a file: the next call's starts when it is dropped.
pub(crate) struct Turn {
    key: String,
    done: Promise,
    resolve: Option<Function>,
}

/// Waits until every earlier turn on `key` is over, and takes the next.
pub(crate) async fn turn(key: String) -> Turn {
    let mut resolve = None;
    let done = Promise::new(&mut |res, _| resolve = Some(res));
    let earlier = LAST.with_borrow_mut(|last| last.insert(key.clone(), done.clone()));
    if let Some(earlier) = earlier {
        // An earlier turn only ever resolves.
        let _ = JsFuture::from(earlier).await;
    }
    Turn { key, done, resolve }
}

impl Drop for Turn {
    fn drop(&mut self) {
        LAST.with_borrow_mut(|last| {
            if last
                .get(&self.key)
                .is_some_and(|p| js_sys::Object::is(p, &self.done))
            {
                last.remove(&self.key);
            }
        });
        if let Some(resolve) = self.resolve.take() {
            let _ = resolve.call0(&wasm_bindgen::JsValue::UNDEFINED);
        }
    }
}
