//! The one place that picks a backend per target.
//!
//! Each arm names the modules that serve a target and re-exports the same
//! names from them: `page_size`, `allocation_granularity`, `advise` (OS
//! helpers), `open_path`, `map_file` and `anonymous` (region constructors),
//! [`ThreadSafety`] and [`FlushFuture`]. Adding a target is one arm here and
//! the files it names; `cfg` about targets appears nowhere else in `src/`.

use std::future::Future;
use std::pin::Pin;

use crate::error::Result;

cfg_if::cfg_if! {
    if #[cfg(all(unix, not(target_family = "wasm")))] {
        #[path = "os_unix.rs"]
        mod os;
        #[path = "native.rs"]
        mod native;
        pub(crate) use os::{advise, allocation_granularity, page_size};
        pub(crate) use native::{anonymous, map_file, open_path};
        pub(crate) use crate::store::dir::DirStore as NamedStore;
    } else if #[cfg(windows)] {
        #[path = "os_windows.rs"]
        mod os;
        #[path = "native.rs"]
        mod native;
        pub(crate) use os::{advise, allocation_granularity, page_size};
        pub(crate) use native::{anonymous, map_file, open_path};
        pub(crate) use crate::store::dir::DirStore as NamedStore;
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
    } else {
        /// What a [`MappedRegion`](crate::MappedRegion) must be to cross
        /// threads: `Send + Sync` on every target with threads, so that
        /// [`Mmap`](crate::Mmap) is too.
        pub trait ThreadSafety: Send + Sync {}
        impl<T: ?Sized + Send + Sync> ThreadSafety for T {}

        /// The future returned by [`Mmap::flushed`](crate::Mmap::flushed): `Send`
        /// wherever the target has threads.
        pub type FlushFuture = Pin<Box<dyn Future<Output = Result<()>> + Send>>;
    }
}
