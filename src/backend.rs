//! The one place that picks a backend per target.
//!
//! Each arm names the modules that serve a target and re-exports the same
//! names from them: `page_size`, `allocation_granularity`, `advise` (OS
//! helpers), `open_path`, `map_file` and `anonymous` (region constructors),
//! `dir_stats` and `replace_file` (for the directory store),
//! [`ThreadSafety`] and [`FlushFuture`]. Adding a target is one arm here and
//! the files it names; `cfg` about targets appears nowhere else in `src/`.

use std::future::Future;
use std::pin::Pin;

use crate::error::Result;

cfg_if::cfg_if! {
    if #[cfg(all(unix, not(target_family = "wasm")))] {
        #[path = "os_unix.rs"]
        mod os;
        #[path = "open_file.rs"]
        mod open_file;
        #[path = "native.rs"]
        mod native;
        #[path = "native_maps.rs"]
        mod native_maps;
        pub(crate) use os::{advise, allocation_granularity, file_id, page_size};
        #[path = "store/dir.rs"]
        mod dir;
        pub(crate) use native::{anonymous, dir_stats, map_file, open_path};
        pub(crate) use std::fs::rename as replace_file;
        pub(crate) use dir::DirStore as NamedStore;
    } else if #[cfg(windows)] {
        #[path = "os_windows.rs"]
        mod os;
        #[path = "open_file.rs"]
        mod open_file;
        #[path = "native.rs"]
        mod native;
        #[path = "native_maps.rs"]
        mod native_maps;
        pub(crate) use os::{advise, allocation_granularity, file_id, page_size};
        #[path = "store/dir.rs"]
        mod dir;
        pub(crate) use native::{anonymous, dir_stats, map_file, open_path};
        pub(crate) use std::fs::rename as replace_file;
        pub(crate) use dir::DirStore as NamedStore;
    } else if #[cfg(all(target_arch = "wasm32", target_os = "unknown"))] {
        #[path = "os_emulated.rs"]
        mod os;
        #[path = "no_paths.rs"]
        mod no_paths;
        #[path = "store/idb/mod.rs"]
        mod idb;
        pub(crate) use os::{allocation_granularity, page_size};
        #[path = "paged/anonymous.rs"]
        mod anonymous;
        pub(crate) use no_paths::{map_file, open_path};
        pub(crate) use anonymous::anonymous;
        pub(crate) use idb::IdbStore as NamedStore;
        #[cfg(feature = "js")]
        #[path = "js/mod.rs"]
        mod js;
    } else if #[cfg(all(target_family = "wasm", any(target_os = "wasi", target_os = "emscripten")))] {
        // WASI and Emscripten: files through std::fs, no mmap (Emscripten is
        // also `unix`; the native arm leaves out every wasm target).
        #[path = "os_emulated.rs"]
        mod os;
        #[path = "paged/anonymous.rs"]
        mod anonymous;
        #[path = "store/fs_file.rs"]
        mod fs_file;
        #[path = "open_file.rs"]
        mod open_file;
        #[path = "fs_paths.rs"]
        mod fs_paths;
        #[path = "store/dir.rs"]
        mod dir;
        pub(crate) use os::{allocation_granularity, page_size};
        pub(crate) use anonymous::anonymous;
        pub(crate) use fs_paths::{map_file, open_path};
        pub(crate) use fs_file::{dir_stats, replace_file};
        pub(crate) use dir::DirStore as NamedStore;
    } else {
        compile_error!(
            "vmmap: no backend for this target yet; see the platform table in README.md"
        );
    }
}

cfg_if::cfg_if! {
    if #[cfg(all(target_arch = "wasm32", target_os = "unknown"))] {
        /// What a [`MappedRegion`](crate::MappedRegion) must be to cross
        /// threads: nothing in the browser, where JS handles are not `Send`.
        pub trait ThreadSafety {}
        impl<T: ?Sized> ThreadSafety for T {}

        /// The future returned by [`Mmap::flushed`](crate::Mmap::flushed).
        pub type FlushFuture = Pin<Box<dyn Future<Output = Result<()>>>>;

        /// What a store calls when a commit it started fails later.
        pub(crate) type OnFail = Box<dyn FnOnce()>;
    } else {
        /// What a [`MappedRegion`](crate::MappedRegion) must be to cross
        /// threads: `Send + Sync` on every target with threads, so that
        /// [`Mmap`](crate::Mmap) is too.
        pub trait ThreadSafety: Send + Sync {}
        impl<T: ?Sized + Send + Sync> ThreadSafety for T {}

        /// The future returned by [`Mmap::flushed`](crate::Mmap::flushed): `Send`
        /// wherever the target has threads.
        pub type FlushFuture = Pin<Box<dyn Future<Output = Result<()>> + Send>>;

        /// What a store calls when a commit it started fails later.
        pub(crate) type OnFail = Box<dyn FnOnce() + Send>;
    }
}
