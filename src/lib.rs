//! One memory-mapped-file API, modelled on Python's [`mmap`] module, on every
//! target.
//!
//! | target | backend | where files live |
//! |---|---|---|
//! | native (Linux, macOS, Windows) | real OS mappings through `memmap2` | the OS file system |
//! | `wasm32-unknown-unknown` in a browser | emulation: pages in wasm memory, flushed explicitly | an IndexedDB-backed file store |
//! | `wasm32-wasip1`, `wasm32-unknown-emscripten` | emulation | `std::fs` |
//!
//! [`Mmap`] is one type for every access mode ([`Access::Read`],
//! [`Access::Write`], [`Access::Copy`]) and backend. It dereferences to
//! `[u8]`, has Python's file-object calls (`seek`, `read`, `readline`,
//! `write`, `find`, `move_within`, `resize`, `flush`, ...) and implements the
//! `std::io` traits. Every fallible call returns a typed [`Error`]; no public
//! call panics. [`FileStore`] names files where they live.
//!
//! Backends implement [`MappedRegion`]; `src/backend.rs` picks one per target.
//! The contract this crate keeps, in Rust and JS, is `docs/api.md`.
//!
//! Where the API differs by target, so does this documentation: docs.rs
//! builds it for the host, for `wasm32-unknown-unknown` (the browser:
//! [`FileStore`] on IndexedDB; [`Mmap`] and [`FileStore`] are not `Send`) and
//! for `wasm32-wasip1`, and marks an item that exists on some targets only
//! with those targets. In the browser the feature `js` (on by default) also
//! exports the classes `FileStore` and `Mmap` to JavaScript, not to Rust:
//! that API is the npm package `vmmap`, documented in its README.
//!
//! # Example
//! Python's documentation example, in Rust:
//! ```
//! # fn main() -> vmmap::Result<()> {
//! # let dir = tempfile::tempdir().unwrap();
//! # let path = dir.path().join("hello.txt");
//! use std::io::SeekFrom;
//! use vmmap::{Mmap, MmapOptions};
//!
//! std::fs::write(&path, b"Hello Python!\n").unwrap();
//! let mut m = unsafe { Mmap::open(&path, &MmapOptions::new()) }?;
//! assert_eq!(m.readline()?, b"Hello Python!\n");
//! assert_eq!(&m[..5], b"Hello");
//! m.write_at(6, b" world!")?;
//! m.seek(SeekFrom::Start(0))?;
//! assert_eq!(m.readline()?, b"Hello  world!\n");
//! m.close()?;
//! # Ok(()) }
//! ```
//!
//! [`mmap`]: https://docs.python.org/3/library/mmap.html

#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod backend;
mod bounds;
mod cursor;
mod edit;
mod error;
mod file_store;
mod io_traits;
#[cfg(all(target_arch = "wasm32", target_os = "unknown", feature = "js"))]
mod js;
mod mmap;
mod options;
mod paged;
mod region;
mod search;
mod store;
mod sync;
mod writeback;

pub use backend::{FlushFuture, ThreadSafety};
pub use error::{Error, ErrorKind, Result};
pub use file_store::FileStore;
pub use mmap::Mmap;
pub use options::{Access, Advice, MmapOptions};
pub use region::MappedRegion;
pub use store::StoreStats;

/// The page size of the backend (Python `mmap.PAGESIZE`): `flush_range` and
/// `advise` offsets are multiples of it.
///
/// # Example
/// ```
/// assert!(vmmap::page_size().is_power_of_two());
/// ```
pub fn page_size() -> usize {
    backend::page_size()
}

/// Where a map may start in a file (Python `mmap.ALLOCATIONGRANULARITY`):
/// [`MmapOptions::offset`] must be a multiple of it. The page size on Unix,
/// 64 KiB on Windows.
///
/// # Example
/// ```
/// assert_eq!(vmmap::allocation_granularity() % vmmap::page_size(), 0);
/// ```
pub fn allocation_granularity() -> usize {
    backend::allocation_granularity()
}
