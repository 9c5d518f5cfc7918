//! One allocation that holds a window's bytes, reached through a raw pointer,
//! so that every access borrows exactly the bytes it touches and a write to
//! some bytes never invalidates a live borrow of others (what Miri checks).

use std::alloc::{Layout, alloc, alloc_zeroed, dealloc};
use std::ops::Range;
use std::ptr::NonNull;

use crate::error::{Error, ErrorKind, Result};

/// `len` zero bytes for `what`, or `QuotaExceeded` if memory cannot hold them
/// (never an abort: a map's size comes from user input and stored files).
/// The allocator's zeroed memory: pages nobody writes need not be touched.
pub(crate) fn zeroed(len: u64, what: &str) -> Result<Vec<u8>> {
    let too_big = || {
        Error::new(
            ErrorKind::QuotaExceeded,
            format!("{len} bytes for {what} do not fit in memory"),
        )
    };
    let len = usize::try_from(len).map_err(|_| too_big())?;
    if len == 0 {
        return Ok(Vec::new());
    }
    let layout = Layout::array::<u8>(len).map_err(|_| too_big())?;
    // SAFETY: `layout` has a non-zero size.
    let ptr = unsafe { alloc_zeroed(layout) };
    if ptr.is_null() {
        return Err(too_big());
    }
    // SAFETY: `ptr` holds `len` initialized (zero) bytes allocated by the
    // global allocator with the layout of `[u8; len]`, as a `Vec<u8>` of
    // capacity `len` would be.
    Ok(unsafe { Vec::from_raw_parts(ptr, len, len) })
}

/// `len` bytes that never move or change size while they live.
///
/// Who may touch which bytes when is the business of [`Pages`](super::shared::Pages):
/// it writes only while it holds its lock, and reads for its own use (hashing,
/// committing, copying to another window) only while it holds it too. The
/// methods here are `unsafe` and name what their caller must make sure of.
///
/// Bytes made by [`uninit`](Bytes::uninit) start uninitialized, so that a
/// map of a large file reserves memory without touching it: a range must be
/// [`init`](Bytes::init)ialized (or written whole through a raw pointer)
/// before any reference to it is made.
pub(crate) struct Bytes {
    /// From `Box::<[u8]>::into_raw`; given back to a `Box` on drop.
    ptr: NonNull<[u8]>,
}

// SAFETY: `Bytes` owns its allocation like a `Box<[u8]>` (which is `Send` and
// `Sync`); it hands out references only through its `unsafe` methods, whose
// callers promise that no write overlaps another access.
unsafe impl Send for Bytes {}
// SAFETY: as for `Send`.
unsafe impl Sync for Bytes {}

impl Bytes {
    /// Takes over `bytes` without copying (after dropping spare capacity).
    pub(crate) fn from_vec(bytes: Vec<u8>) -> Bytes {
        let boxed: Box<[u8]> = bytes.into_boxed_slice();
        Bytes {
            ptr: NonNull::from(Box::leak(boxed)),
        }
    }

    /// `len` zero bytes; `QuotaExceeded` naming `what` if memory cannot hold
    /// them.
    pub(crate) fn zeroed(len: usize, what: &str) -> Result<Bytes> {
        Ok(Bytes::from_vec(zeroed(len as u64, what)?))
    }

    /// `len` uninitialized bytes, for pages loaded on demand: the allocator
    /// reserves them and nothing writes them (a calloc would clear them on
    /// targets whose allocator cannot know fresh memory is zero, touching
    /// every page). `QuotaExceeded` naming `what` if memory cannot hold them.
    pub(crate) fn uninit(len: usize, what: &str) -> Result<Bytes> {
        if len == 0 {
            return Ok(Bytes::from_vec(Vec::new()));
        }
        let too_big = || {
            Error::new(
                ErrorKind::QuotaExceeded,
                format!("{len} bytes for {what} do not fit in memory"),
            )
        };
        let layout = Layout::array::<u8>(len).map_err(|_| too_big())?;
        // SAFETY: `layout` has a non-zero size.
        let ptr = NonNull::new(unsafe { alloc(layout) }).ok_or_else(too_big)?;
        Ok(Bytes {
            ptr: NonNull::slice_from_raw_parts(ptr, len),
        })
    }

    /// Writes zeros over `range` through a raw pointer, so that it holds
    /// initialized bytes before a reference to it is made.
    ///
    /// # Safety
    /// Nothing else reads or writes these bytes meanwhile.
    pub(crate) unsafe fn init(&self, range: Range<usize>) {
        let ptr = self.at(&range);
        // SAFETY: in the allocation (`at`); the caller promises exclusivity.
        unsafe { std::ptr::write_bytes(ptr, 0, range.len()) }
    }

    pub(crate) fn len(&self) -> usize {
        self.ptr.len()
    }

    /// A pointer to the first byte of `range`, which must lie within the bytes.
    fn at(&self, range: &Range<usize>) -> *mut u8 {
        assert!(
            range.start <= range.end && range.end <= self.len(),
            "internal: range {range:?} outside {} bytes",
            self.len()
        );
        // In bounds (checked above), so `add` stays inside the allocation.
        self.ptr.cast::<u8>().as_ptr().wrapping_add(range.start)
    }

    /// The bytes of `range`.
    ///
    /// # Safety
    /// While the returned slice lives, nothing writes these bytes.
    pub(crate) unsafe fn get(&self, range: Range<usize>) -> &[u8] {
        let ptr = self.at(&range);
        // SAFETY: `ptr..ptr + range.len()` lies in the allocation (`at`),
        // which lives as long as `self`; the caller promises no write.
        unsafe { std::slice::from_raw_parts(ptr, range.len()) }
    }

    /// The bytes of `range`, to write.
    ///
    /// # Safety
    /// While the returned slice lives, nothing else reads or writes these bytes.
    #[allow(clippy::mut_from_ref)] // the caller's promise replaces `&mut self`
    pub(crate) unsafe fn get_mut(&self, range: Range<usize>) -> &mut [u8] {
        let ptr = self.at(&range);
        // SAFETY: in the allocation (`at`); the caller promises exclusivity.
        unsafe { std::slice::from_raw_parts_mut(ptr, range.len()) }
    }

    /// Copies the `count` bytes at `src` to `dest`; they may overlap.
    ///
    /// # Safety
    /// Nothing else reads or writes the bytes of `dest..dest + count` meanwhile
    /// (nor writes those of `src`).
    pub(crate) unsafe fn copy_within(&self, src: usize, dest: usize, count: usize) {
        let from = self.at(&(src..src + count));
        let to = self.at(&(dest..dest + count));
        // SAFETY: both ranges lie in the allocation (`at`); `copy` allows
        // overlap; the caller promises nobody else touches them.
        unsafe { std::ptr::copy(from, to, count) }
    }
}

impl Drop for Bytes {
    fn drop(&mut self) {
        let len = self.len();
        if len == 0 {
            // An empty `Box<[u8]>` allocates nothing.
            return;
        }
        // Never fails: the same layout was made when the bytes were.
        let Ok(layout) = Layout::array::<u8>(len) else {
            return;
        };
        // SAFETY: `ptr` came from the global allocator with this layout
        // (`alloc` in `uninit`, or a `Box<[u8]>` of `len` bytes, which
        // allocates `[u8; len]`'s layout), and is given back once. No
        // reference to the bytes is made: some may be uninitialized.
        unsafe { dealloc(self.ptr.cast::<u8>().as_ptr(), layout) }
    }
}

impl std::fmt::Debug for Bytes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Bytes({} bytes)", self.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_leaves_a_borrow_of_other_bytes_valid() {
        let bytes = Bytes::from_vec(vec![1; 64]);
        // SAFETY: nothing writes 32..64 while `high` lives.
        let high = unsafe { bytes.get(32..64) };
        // SAFETY: 0..4 is borrowed by nobody.
        unsafe { bytes.get_mut(0..4) }.fill(9);
        // SAFETY: 8..12 and 0..4 are borrowed by nobody.
        unsafe { bytes.copy_within(0, 8, 4) };
        assert_eq!(high, &[1; 32]);
        // SAFETY: no writer is alive.
        assert_eq!(
            unsafe { bytes.get(0..12) },
            &[9, 9, 9, 9, 1, 1, 1, 1, 9, 9, 9, 9]
        );
    }

    #[test]
    fn uninit_bytes_are_read_only_once_initialized() {
        let bytes = Bytes::uninit(64, "test").unwrap();
        // SAFETY: nobody else touches 8..16; it is initialized before the borrow.
        unsafe { bytes.init(8..16) };
        // SAFETY: 8..16 is initialized and borrowed by nobody.
        unsafe { bytes.get_mut(12..16) }.fill(3);
        // SAFETY: 8..16 is initialized; no writer is alive.
        assert_eq!(unsafe { bytes.get(8..16) }, &[0, 0, 0, 0, 3, 3, 3, 3]);
        assert!(Bytes::uninit(0, "test").unwrap().len() == 0);
        assert_eq!(
            Bytes::uninit(usize::MAX, "a huge map").unwrap_err().kind(),
            ErrorKind::QuotaExceeded
        );
    }

    #[test]
    fn zeroed_and_empty() {
        let z = Bytes::zeroed(10, "test").unwrap();
        // SAFETY: no writer.
        assert_eq!(unsafe { z.get(0..10) }, &[0; 10]);
        let empty = Bytes::from_vec(Vec::new());
        // SAFETY: no writer.
        assert!(unsafe { empty.get(0..0) }.is_empty());
        assert_eq!(
            Bytes::zeroed(usize::MAX, "a huge map").unwrap_err().kind(),
            ErrorKind::QuotaExceeded
        );
    }
}
