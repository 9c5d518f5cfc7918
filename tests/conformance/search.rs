//! `find` / `rfind`: absolute ranges, clipping, empty needles, and a model
//! check over every start and end.
//!
//! The ranges differ from Python on purpose: Python's `find()` starts at the
//! cursor by default, here `..` is always the whole map. Otherwise Python's
//! rules hold: both ends are clipped to the length, so an empty needle with a
//! start past the end is found at the end (`mmap.find(b"", 11)` on 10 bytes
//! is 10).

use super::{granule, pattern, reversed, window, write_and_map};
use std::io::SeekFrom;
use std::ops::Bound;
use vmmap::{Access, FileStore};

const DATA: &[u8] = b"abcabcabca";

/// `..` searches the whole map wherever the cursor is.
pub async fn find_ignores_cursor(store: &FileStore) {
    let mut m = write_and_map(store, "f", DATA, &super::access(Access::Read)).await;
    ok!(m.seek(SeekFrom::Start(5)));
    assert_eq!(m.find(b"abc", ..), Some(0));
    assert_eq!(m.rfind(b"abc", ..), Some(6));
    assert_eq!(m.find(b"a", ..), Some(0));
    assert_eq!(m.rfind(b"a", ..), Some(9));
    assert_eq!(m.tell(), 5, "find moved the cursor");
}

/// Every `RangeBounds` form is an absolute range of the map; a match must lie
/// wholly inside it.
pub async fn find_with_bounds(store: &FileStore) {
    let m = write_and_map(store, "f", DATA, &super::access(Access::Read)).await;
    assert_eq!(m.find(b"abc", 1..), Some(3));
    assert_eq!(m.find(b"abc", 1..5), None);
    assert_eq!(m.find(b"abc", 1..6), Some(3));
    assert_eq!(m.find(b"abc", 1..=5), Some(3));
    assert_eq!(m.find(b"abc", 4..), Some(6));
    assert_eq!(m.find(b"abc", 7..), None);
    assert_eq!(m.find(b"ca", ..3), None);
    assert_eq!(m.find(b"ca", ..=3), Some(2));
    assert_eq!(m.rfind(b"abc", ..8), Some(3));
    assert_eq!(m.rfind(b"abc", ..=8), Some(6));
    assert_eq!(m.rfind(b"abc", 4..), Some(6));
    assert_eq!(m.rfind(b"abc", 4..8), None);
    assert_eq!(m.rfind(b"bc", 0..3), Some(1));
    assert_eq!(
        m.find(b"abc", (Bound::Excluded(0), Bound::Unbounded)),
        Some(3)
    );
    assert_eq!(
        m.rfind(b"abc", (Bound::Excluded(0), Bound::Excluded(9))),
        Some(6)
    );
    assert_eq!(m.find(b"a", 9..10), Some(9));
}

/// Python clips an end past the length to the length.
pub async fn find_end_past_len_is_clipped(store: &FileStore) {
    let m = write_and_map(store, "f", DATA, &super::access(Access::Read)).await;
    assert_eq!(m.find(b"abca", 6..100), Some(6));
    assert_eq!(m.find(b"abc", 1..100), Some(3));
    assert_eq!(m.rfind(b"a", 0..1000), Some(9));
    assert_eq!(m.rfind(b"abc", ..=1000), Some(6));
    assert_eq!(m.find(b"a", 10..11), None);
}

/// Python clips the start to the length too: nothing but the empty needle is
/// found there (`mmap(-1, 10).find(b"", 11)` is 10).
pub async fn find_start_past_len_is_clipped(store: &FileStore) {
    let m = write_and_map(store, "f", DATA, &super::access(Access::Read)).await;
    assert_eq!(m.find(b"a", 10..), None);
    assert_eq!(m.find(b"a", 11..), None);
    assert_eq!(m.rfind(b"a", 11..), None);
    assert_eq!(m.find(b"a", 11..20), None);
    assert_eq!(m.rfind(b"a", 100..200), None);
    assert_eq!(m.find(b"", 11..), Some(10));
    assert_eq!(m.rfind(b"", 11..), Some(10));
    assert_eq!(m.find(b"", 12..20), Some(10));
}

/// Python: `find(b"", start, end)` is `start`, `rfind(b"", start, end)` is
/// `end` (after clipping).
pub async fn find_empty_needle(store: &FileStore) {
    let m = write_and_map(store, "f", DATA, &super::access(Access::Read)).await;
    assert_eq!(m.find(b"", ..), Some(0));
    assert_eq!(m.rfind(b"", ..), Some(10));
    assert_eq!(m.find(b"", 3..7), Some(3));
    assert_eq!(m.rfind(b"", 3..7), Some(7));
    assert_eq!(m.rfind(b"", 3..100), Some(10));
    assert_eq!(m.find(b"", 10..), Some(10));
    assert_eq!(m.rfind(b"", 10..), Some(10));
    assert_eq!(m.find(b"", 4..4), Some(4));
    assert_eq!(m.rfind(b"", 4..4), Some(4));
}

/// Python: a start after the end finds nothing, not even `b""`.
pub async fn find_reversed_range_is_none(store: &FileStore) {
    let m = write_and_map(store, "f", DATA, &super::access(Access::Read)).await;
    assert_eq!(m.find(b"", reversed(7, 3)), None);
    assert_eq!(m.rfind(b"", reversed(7, 3)), None);
    assert_eq!(m.find(b"a", reversed(7, 3)), None);
    assert_eq!(m.rfind(b"a", reversed(7, 3)), None);
    assert_eq!(m.find(b"a", reversed(10, 0)), None);
    assert_eq!(
        m.rfind(b"a", (Bound::Excluded(5), Bound::Included(5))),
        None
    );
}

pub async fn find_absent_needle(store: &FileStore) {
    let m = write_and_map(store, "f", DATA, &super::access(Access::Read)).await;
    assert_eq!(m.find(b"zz", ..), None);
    assert_eq!(m.rfind(b"zz", ..), None);
    assert_eq!(m.find(b"abcabcabcaX", ..), None);
    assert_eq!(
        m.find(b"abcabcabcaa", ..),
        None,
        "needle longer than the map"
    );
    assert_eq!(m.find(DATA, ..), Some(0));
    assert_eq!(m.rfind(DATA, ..), Some(0));
}

/// Every `start..end` in `0..=len + 2` and several needles against a model
/// of Python's `mmap.find` (both ends clipped to the length, reversed: none).
pub async fn find_matches_model(store: &FileStore) {
    fn model(data: &[u8], needle: &[u8], start: usize, end: usize, last: bool) -> Option<usize> {
        let (start, end) = (start.min(data.len()), end.min(data.len()));
        if start > end {
            return None;
        }
        let hay = &data[start..end];
        if needle.is_empty() {
            return Some(if last { end } else { start });
        }
        let mut hits = hay
            .windows(needle.len())
            .enumerate()
            .filter(|(_, w)| *w == needle);
        let hit = if last { hits.next_back() } else { hits.next() };
        hit.map(|(i, _)| start + i)
    }
    let m = write_and_map(store, "f", DATA, &super::access(Access::Read)).await;
    let needles: [&[u8]; 8] = [
        b"",
        b"a",
        b"abc",
        b"ca",
        b"abca",
        b"x",
        DATA,
        b"abcabcabcaa",
    ];
    for needle in needles {
        for start in 0..=DATA.len() + 2 {
            for end in 0..=DATA.len() + 2 {
                let range = reversed(start, end);
                assert_eq!(
                    m.find(needle, range.clone()),
                    model(DATA, needle, start, end, false),
                    "find({needle:?}, {start}..{end})"
                );
                assert_eq!(
                    m.rfind(needle, range),
                    model(DATA, needle, start, end, true),
                    "rfind({needle:?}, {start}..{end})"
                );
            }
        }
    }
}

/// Indices are relative to the map, also for a window at an offset.
pub async fn find_on_window_is_relative(store: &FileStore) {
    let g = granule();
    let mut data = pattern(3 * g);
    data.iter_mut().for_each(|b| *b &= 0x7f);
    data[g + 10..g + 16].copy_from_slice(b"\xffneedl");
    data[10..16].copy_from_slice(b"\xffneedl");
    let m = write_and_map(store, "f", &data, &window(g, g, Access::Read)).await;
    assert_eq!(m.find(b"\xffneedl", ..), Some(10));
    assert_eq!(m.rfind(b"\xffneedl", ..), Some(10));
    assert_eq!(m.find(b"\xffneedl", 11..), None);
}
