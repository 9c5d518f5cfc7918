//! What may cross threads in the browser: nothing needs to, since stores
//! hold JS handles, which are not `Send` (as `futures`' `LocalBoxFuture`).

use std::future::Future;
use std::pin::Pin;

use crate::error::Result;

/// What a [`MappedRegion`](crate::MappedRegion) must be to cross
/// threads: nothing in the browser, where JS handles are not `Send`.
pub trait ThreadSafety {}
impl<T: ?Sized> ThreadSafety for T {}

/// The future returned by [`Mmap::flushed`](crate::Mmap::flushed).
pub type FlushFuture = Pin<Box<dyn Future<Output = Result<()>>>>;

/// What a store calls when a commit it started fails later.
pub(crate) type OnFail = Box<dyn FnOnce()>;
