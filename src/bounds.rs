//! Turning `RangeBounds` and offsets into checked ranges, without overflow or panics.

use std::ops::{Bound, Range, RangeBounds};

use crate::error::{Error, ErrorKind, Result};

/// The range `range` selects in `0..len`, which must lie inside it and not be
/// reversed (as for slicing), else [`ErrorKind::OutOfRange`].
pub(crate) fn strict(range: &impl RangeBounds<usize>, len: usize) -> Result<Range<usize>> {
    let start = start(range);
    let end = match range.end_bound() {
        Bound::Included(&e) => e.checked_add(1),
        Bound::Excluded(&e) => Some(e),
        Bound::Unbounded => Some(len),
    };
    match (start, end) {
        (Some(start), Some(end)) if start <= end && end <= len => Ok(start..end),
        _ => Err(Error::new(
            ErrorKind::OutOfRange,
            format!("range {} is not within 0..{len}", show(range)),
        )),
    }
}

/// The range `range` selects in `0..len` with both ends clipped to `len`, as
/// Python clips `find` bounds; `None` when it is reversed.
pub(crate) fn clipped(range: &impl RangeBounds<usize>, len: usize) -> Option<Range<usize>> {
    let start = match range.start_bound() {
        Bound::Included(&s) => s,
        Bound::Excluded(&s) => s.saturating_add(1),
        Bound::Unbounded => 0,
    }
    .min(len);
    let end = match range.end_bound() {
        Bound::Included(&e) => e.saturating_add(1),
        Bound::Excluded(&e) => e,
        Bound::Unbounded => len,
    }
    .min(len);
    (start <= end).then_some(start..end)
}

/// `offset..offset + count` if it lies within `0..len`, else [`ErrorKind::OutOfRange`]
/// naming `what`.
pub(crate) fn span(what: &str, offset: usize, count: usize, len: usize) -> Result<Range<usize>> {
    match offset.checked_add(count) {
        Some(end) if end <= len => Ok(offset..end),
        _ => Err(Error::new(
            ErrorKind::OutOfRange,
            format!(
                "{what}: {count} bytes at offset {offset} do not fit in the map of {len} bytes"
            ),
        )),
    }
}

/// The first index `range` includes, if it is representable.
pub(crate) fn start(range: &impl RangeBounds<usize>) -> Option<usize> {
    match range.start_bound() {
        Bound::Included(&s) => Some(s),
        Bound::Excluded(&s) => s.checked_add(1),
        Bound::Unbounded => Some(0),
    }
}

/// A range written the way Rust does, for messages.
pub(crate) fn show(range: &impl RangeBounds<usize>) -> String {
    let start = match range.start_bound() {
        Bound::Included(s) => s.to_string(),
        Bound::Excluded(s) => format!("{s} (excluded)"),
        Bound::Unbounded => String::new(),
    };
    match range.end_bound() {
        Bound::Included(e) => format!("{start}..={e}"),
        Bound::Excluded(e) => format!("{start}..{e}"),
        Bound::Unbounded => format!("{start}.."),
    }
}

/// A map's length must be in `1..=isize::MAX` (Rust's limit for one
/// allocation or slice); else `InvalidArgument` naming `what`.
pub(crate) fn check_len(what: &str, len: usize) -> Result<()> {
    if len == 0 || len > isize::MAX as usize {
        return Err(Error::new(
            ErrorKind::InvalidArgument,
            format!("{what} {len} is not in 1..={}", isize::MAX),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strict_rejects_what_slicing_would_panic_on() {
        assert_eq!(strict(&(2..5), 10).unwrap(), 2..5);
        assert_eq!(strict(&.., 10).unwrap(), 0..10);
        assert_eq!(strict(&(..=9), 10).unwrap(), 0..10);
        #[allow(clippy::reversed_empty_ranges)]
        let reversed = 5..2;
        assert!(strict(&reversed, 10).is_err());
        assert!(strict(&(..=usize::MAX), 10).is_err());
        assert!(strict(&(0..11), 10).is_err());
        assert!(strict(&(usize::MAX..), 10).is_err());
        let e = strict(&(3..12), 10).unwrap_err();
        assert!(e.to_string().contains("3..12"), "{e}");
    }

    #[test]
    fn clipped_follows_python_find() {
        assert_eq!(clipped(&(2..100), 10), Some(2..10));
        assert_eq!(clipped(&(10..), 10), Some(10..10));
        assert_eq!(clipped(&(11..), 10), Some(10..10));
        assert_eq!(clipped(&(12..20), 10), Some(10..10));
        assert_eq!(clipped(&(..=usize::MAX), 10), Some(0..10));
        #[allow(clippy::reversed_empty_ranges)]
        let reversed = 5..2;
        assert_eq!(clipped(&reversed, 10), None);
    }

    #[test]
    fn span_never_overflows() {
        assert_eq!(span("w", 2, 3, 5).unwrap(), 2..5);
        assert!(span("w", usize::MAX, 2, 5).is_err());
        assert!(span("w", 5, 1, 5).is_err());
        assert_eq!(span("w", 5, 0, 5).unwrap(), 5..5);
    }
}
