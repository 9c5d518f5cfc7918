//! The one place that picks a backend per target.
//!
//! Each arm declares the files of `backend/` that serve its target and
//! re-exports the same names from them:
//!
//! - `page_size`, `allocation_granularity`: what `crate::page_size` reports;
//! - `anonymous`, `open_path`, `map_file`: the region constructors behind
//!   `Mmap::anonymous`, `Mmap::open` and `Mmap::map`;
//! - `NamedStore`: the store behind `FileStore::open` (a store of
//!   `crate::store`, re-exported here);
//! - `dir_stats`, `replace_file` (targets with a file system): what the
//!   directory store asks of its target;
//! - `file_id` (the same targets) and `advise` (native): what `os_map` and
//!   the `std::fs` store ask of the OS;
//! - [`ThreadSafety`], [`FlushFuture`], `OnFail`: what may cross threads.
//!
//! Adding a target is one arm here and the files it names; `cfg` about
//! targets appears nowhere else in `src/` but on the `mod` lines of
//! `store/mod.rs` (stores that exist only on some targets) and `lib.rs`
//! (the JS bindings).

cfg_if::cfg_if! {
    if #[cfg(not(target_family = "wasm"))] {
        // Native: real OS maps (memmap2); a named store is a directory.
        // (Not `unix`: Emscripten is `unix` too, and has no mmap.)
        mod open_file;
        mod os_map;
        mod send;
        pub(crate) use os_map::{anonymous, dir_stats, map_file, open_path};
        pub(crate) use std::fs::rename as replace_file;
        pub(crate) use crate::store::dir::DirStore as NamedStore;
        pub use send::{FlushFuture, ThreadSafety};
        pub(crate) use send::OnFail;
        cfg_if::cfg_if! {
            if #[cfg(unix)] {
                mod unix;
                pub(crate) use unix::{advise, allocation_granularity, file_id, page_size};
            } else if #[cfg(windows)] {
                mod windows;
                pub(crate) use windows::{advise, allocation_granularity, file_id, page_size};
            } else {
                compile_error!(
                    "vmmap: no native backend for this OS yet; see the platform table in README.md"
                );
            }
        }
    } else if #[cfg(all(target_arch = "wasm32", target_os = "unknown"))] {
        // The browser build: emulated maps, files in IndexedDB (or, in
        // Node, Deno and Bun, on disk), no paths, and JS handles that
        // cannot cross threads.
        mod emulated;
        mod local;
        mod no_paths;
        pub(crate) use emulated::{allocation_granularity, anonymous, page_size};
        pub(crate) use no_paths::{map_file, open_path};
        pub(crate) use crate::store::browser::BrowserStore as NamedStore;
        pub use local::{FlushFuture, ThreadSafety};
        pub(crate) use local::OnFail;
    } else if #[cfg(any(target_os = "wasi", target_os = "emscripten"))] {
        // WASI and Emscripten: files through std::fs, but no mmap, so maps
        // are emulated over the std::fs store; a named store is a directory.
        mod emulated;
        mod fs_paths;
        mod open_file;
        mod send;
        pub(crate) use emulated::{allocation_granularity, anonymous, page_size};
        pub(crate) use fs_paths::{map_file, open_path};
        pub(crate) use crate::store::fs_file::dir_stats;
        pub(crate) use crate::store::dir::DirStore as NamedStore;
        pub use send::{FlushFuture, ThreadSafety};
        pub(crate) use send::OnFail;
        cfg_if::cfg_if! {
            if #[cfg(target_os = "wasi")] {
                mod wasi;
                pub(crate) use wasi::file_id;
                pub(crate) use std::fs::rename as replace_file;
            } else {
                mod emscripten;
                pub(crate) use emscripten::{file_id, replace_file};
            }
        }
    } else {
        compile_error!(
            "vmmap: no backend for this target yet; see the platform table in README.md"
        );
    }
}
