//! The emulated backend: a map's bytes in ordinary (wasm linear) memory,
//! split in pages, with dirty tracking and change detection, over a file of
//! a store ([`Backing`], which stores implement). Used wherever the OS has
//! no mmap. It names no store: stores depend on it.

// One `Arc` serves every target: on threaded ones pages cross threads; in the
// browser, whose stores hold JS handles, they are neither `Send` nor `Sync`.
#![allow(clippy::arc_with_non_send_sync)]

mod backing;
mod bytes;
mod page_set;
mod region;
mod shared;
mod tracker;

pub(crate) use backing::{Backing, Commit, Frozen, Later};
pub(crate) use bytes::zeroed;
pub(crate) use region::map_window;
pub(crate) use shared::Windows;
