//! The database's `BroadcastChannel` (`"vmmap:" + name`): the messages this
//! page posts to the other tabs of the origin, and those it reads from
//! them ([`Message`]). What the page does with them is in `tabs.rs`.
//!
//! - `{ want: lock }`: a tab wants the Web Lock `lock` (`lease.rs`).
//! - `{ hello: id, version }` when a tab maps file `id` (having loaded
//!   `version`), answered by `{ here: id, version }` from every tab with a
//!   map of it.
//! - `{ id, version, size, chunks }`: `version` of file `id`, `size` bytes
//!   long, committed, changing the chunks listed.

use std::collections::BTreeSet;

use js_sys::{Array, Function, Object, Reflect};
use wasm_bindgen::JsValue;
use web_sys::BroadcastChannel;

use super::transaction::LAST_INDEX;

/// This page's end of the channel of one database.
#[derive(Debug)]
pub(crate) struct Channel(BroadcastChannel);

/// A message from another tab.
#[derive(Debug)]
pub(crate) enum Message {
    /// It wants the Web Lock with this name.
    Want(String),
    /// It maps file `id`, as of `version`: a `hello` (which asks for an
    /// answer) or the answer (`here`).
    Met { id: f64, version: f64, hello: bool },
    /// It committed `version` of file `id`, `size` bytes long, changing `chunks`.
    Commit {
        id: f64,
        version: f64,
        size: f64,
        chunks: BTreeSet<u64>,
    },
}

fn number(obj: &JsValue, key: &str) -> Option<f64> {
    Reflect::get(obj, &JsValue::from_str(key)).ok()?.as_f64()
}

impl Message {
    /// The message in `data` (an event's `data`); `None` if it is not one.
    pub(crate) fn read(data: &JsValue) -> Option<Message> {
        if let Some(name) = Reflect::get(data, &"want".into())
            .ok()
            .and_then(|n| n.as_string())
        {
            return Some(Message::Want(name));
        }
        let version = number(data, "version").unwrap_or(0.0);
        for (what, hello) in [("hello", true), ("here", false)] {
            if let Some(id) = number(data, what) {
                return Some(Message::Met { id, version, hello });
            }
        }
        let (Some(id), Some(version), Some(size)) = (
            number(data, "id"),
            number(data, "version"),
            number(data, "size"),
        ) else {
            return None;
        };
        let chunks = Reflect::get(data, &"chunks".into())
            .ok()
            .filter(Array::is_array)
            .map(|c| Array::from(&c))
            .unwrap_or_default();
        let chunks = chunks
            .iter()
            .filter_map(|c| c.as_f64())
            .filter(|c| c.fract() == 0.0 && *c >= 0.0 && *c <= LAST_INDEX as f64)
            .map(|c| c as u64)
            .collect();
        Some(Message::Commit {
            id,
            version,
            size,
            chunks,
        })
    }
}

impl Channel {
    /// The channel of database `db_name`; `None` where there is no
    /// `BroadcastChannel`.
    pub(crate) fn open(db_name: &str) -> Option<Channel> {
        BroadcastChannel::new(&format!("vmmap:{db_name}"))
            .ok()
            .map(Channel)
    }

    /// Calls `listener` with every message event.
    pub(crate) fn listen(&self, listener: &Function) {
        self.0.set_onmessage(Some(listener));
    }

    /// Stops listening, and closes the channel.
    pub(crate) fn close(&self) {
        self.0.set_onmessage(None);
        self.0.close();
    }

    /// Posts `{ want: lock }`.
    pub(crate) fn want(&self, lock: &str) {
        let message = Object::new();
        let _ = Reflect::set(&message, &"want".into(), &JsValue::from_str(lock));
        let _ = self.0.post_message(&message);
    }

    /// Posts `{ hello: id, version }`: this page maps file `id`, as of `version`.
    pub(crate) fn hello(&self, id: f64, version: f64) {
        self.say("hello", id, version);
    }

    /// Posts `{ here: id, version }`, the answer to a hello.
    pub(crate) fn here(&self, id: f64, version: f64) {
        self.say("here", id, version);
    }

    /// Posts `{ [what]: id, version }`.
    fn say(&self, what: &str, id: f64, version: f64) {
        let message = Object::new();
        let _ = Reflect::set(&message, &JsValue::from_str(what), &JsValue::from_f64(id));
        let _ = Reflect::set(&message, &"version".into(), &JsValue::from_f64(version));
        let _ = self.0.post_message(&message);
    }

    /// Posts a commit announcement `{ id, version, size, chunks }`.
    pub(crate) fn announce(&self, id: f64, version: f64, size: u64, chunks: &[u64]) {
        let message = Object::new();
        let list: Array = chunks
            .iter()
            .map(|&c| JsValue::from_f64(c as f64))
            .collect();
        for (key, value) in [
            ("id", JsValue::from_f64(id)),
            ("version", JsValue::from_f64(version)),
            ("size", JsValue::from_f64(size as f64)),
            ("chunks", list.into()),
        ] {
            let _ = Reflect::set(&message, &JsValue::from_str(key), &value);
        }
        // Best effort: a closed channel means no other tab listens here.
        let _ = self.0.post_message(&message);
    }
}
