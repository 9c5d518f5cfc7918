//! Locks that outlive a panic: the one helper every `Mutex` in the crate
//! goes through.

use std::sync::{Mutex, MutexGuard};

/// Locks `m`, and takes it over as it is if a thread panicked while holding
/// it. Every lock in vmmap guards state that a panic cannot leave
/// half-valid (byte vectors, file handles, registers changed in one call),
/// so one panic must not turn every later call into another panic.
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}
