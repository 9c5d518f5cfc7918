//! What may cross threads on every target with threads (native, WASI,
//! Emscripten): regions, flush futures and failure callbacks are `Send`.

use std::future::Future;
use std::pin::Pin;

use crate::error::Result;

/// What a [`MappedRegion`](crate::MappedRegion) must be to cross threads:
/// `Send + Sync` on every target with threads, so that
/// [`Mmap`](crate::Mmap) is too.
pub trait ThreadSafety: Send + Sync {}
impl<T: ?Sized + Send + Sync> ThreadSafety for T {}

/// The future returned by [`Mmap::flushed`](crate::Mmap::flushed): `Send`
/// wherever the target has threads.
pub type FlushFuture = Pin<Box<dyn Future<Output = Result<()>> + Send>>;

/// What a store calls when a commit it started fails later.
pub(crate) type OnFail = Box<dyn FnOnce() + Send>;
