//! Writing in place without the cursor: `write_at`, `get_mut`,
//! `as_mut_slice`, `Deref`, and `move_within` (Python's `move`).

use super::{access, file, flush_and_wait, pattern, reversed, write_and_map};
use std::io::SeekFrom;
use std::ops::Bound;
use vmmap::{Access, FileStore};

const DIGITS: &[u8] = b"0123456789";

/// `write_at(i, data)` is Python's `m[i:i + len(data)] = data`; the cursor does
/// not move.
pub async fn write_at_writes_slice(store: &FileStore) {
    let mut m = write_and_map(store, "f", DIGITS, &access(Access::Write)).await;
    ok!(m.seek(SeekFrom::Start(4)));
    ok!(m.write_at(2, b"xyz"));
    assert_eq!(m.as_slice(), b"01xyz56789");
    ok!(m.write_at(7, b"END"));
    assert_eq!(m.as_slice(), b"01xyz56END");
    ok!(m.write_at(0, b""));
    ok!(m.write_at(10, b""));
    assert_eq!(m.tell(), 4, "write_at moved the cursor");
    flush_and_wait(&m).await;
    assert_eq!(file(store, "f").await, b"01xyz56END");
}

/// A `write_at` that does not fit writes nothing (Python raises `IndexError`
/// for a slice assignment of the wrong size). An offset past the end is
/// `OutOfRange` even for empty data, as slice indexing past the end is.
pub async fn write_at_is_all_or_nothing(store: &FileStore) {
    let mut m = write_and_map(store, "f", DIGITS, &access(Access::Write)).await;
    assert_err!(m.write_at(8, b"abc"), OutOfRange);
    assert_err!(m.write_at(0, b"0123456789A"), OutOfRange);
    assert_err!(m.write_at(10, b"a"), OutOfRange);
    assert_err!(m.write_at(11, b""), OutOfRange);
    assert_eq!(m.as_slice(), DIGITS);
    flush_and_wait(&m).await;
    assert_eq!(file(store, "f").await, DIGITS);
}

/// `write_with(i, n, fill)` lets `fill` set the `n` bytes at `i` in place:
/// they reach the file at flush like a `write_at`; a span that does not fit
/// is `OutOfRange` and `fill` is not called; a read map is `ReadOnly`.
pub async fn write_with_fills_in_place(store: &FileStore) {
    let mut m = write_and_map(store, "f", DIGITS, &access(Access::Write)).await;
    ok!(m.write_with(3, 4, |dst| {
        assert_eq!(dst, b"3456", "fill sees the bytes as they are");
        dst.copy_from_slice(b"wxyz");
    }));
    ok!(m.write_with(10, 0, |dst| assert!(dst.is_empty())));
    assert_err!(
        m.write_with(8, 3, |_| panic!("fill called for a span past the end")),
        OutOfRange
    );
    assert_err!(
        m.write_with(11, 0, |_| panic!("fill called past the end")),
        OutOfRange
    );
    assert_eq!(m.as_slice(), b"012wxyz789");
    assert_eq!(m.tell(), 0);
    flush_and_wait(&m).await;
    assert_eq!(file(store, "f").await, b"012wxyz789");
    let mut r = ok!(unsafe { store.map("f", &access(Access::Read)).await });
    assert_err!(
        r.write_with(0, 1, |_| panic!("fill called on a read map")),
        ReadOnly
    );
}

/// `get_mut` follows `slice::get_mut`: any `RangeBounds`, `len..` is an empty
/// slice, anything past the end is `OutOfRange`.
pub async fn get_mut_ranges(store: &FileStore) {
    let mut m = write_and_map(store, "f", DIGITS, &access(Access::Write)).await;
    assert_eq!(ok!(m.get_mut(..)).len(), 10);
    ok!(m.get_mut(2..5)).copy_from_slice(b"abc");
    assert_eq!(ok!(m.get_mut(2..=4)), b"abc");
    assert_eq!(ok!(m.get_mut(..2)), b"01");
    assert_eq!(ok!(m.get_mut(..=1)), b"01");
    assert_eq!(ok!(m.get_mut(8..)), b"89");
    assert_eq!(
        ok!(m.get_mut((Bound::Excluded(7), Bound::Unbounded))),
        b"89"
    );
    assert_eq!(ok!(m.get_mut(10..)), b"");
    assert_eq!(ok!(m.get_mut(3..3)), b"");
    assert_err!(m.get_mut(..11), OutOfRange);
    assert_err!(m.get_mut(..=10), OutOfRange);
    assert_err!(m.get_mut(11..), OutOfRange);
    assert_err!(m.get_mut(9..11), OutOfRange);
    assert!(m.get_mut(reversed(5, 2)).is_err(), "5..2 must be an error");
    assert!(
        m.get_mut(reversed(11, 10)).is_err(),
        "11..10 must be an error"
    );
    assert_eq!(m.as_slice(), b"01abc56789");
    flush_and_wait(&m).await;
    assert_eq!(file(store, "f").await, b"01abc56789");
}

pub async fn as_mut_slice_writes_through(store: &FileStore) {
    let data = pattern(3 * super::granule() + 1);
    let mut m = write_and_map(store, "f", &data, &access(Access::Write)).await;
    let slice = ok!(m.as_mut_slice());
    assert_eq!(slice.len(), data.len());
    for b in slice.iter_mut() {
        *b = b.wrapping_add(1);
    }
    let expected: Vec<u8> = data.iter().map(|b| b.wrapping_add(1)).collect();
    assert_eq!(m.as_slice(), &expected[..]);
    flush_and_wait(&m).await;
    assert_eq!(file(store, "f").await, expected);
}

/// `Mmap` derefs to `[u8]`.
pub async fn deref_reads_the_map(store: &FileStore) {
    let m = write_and_map(store, "f", DIGITS, &access(Access::Read)).await;
    let bytes: &[u8] = &m;
    assert_eq!(bytes, DIGITS);
    assert_eq!(&m[2..4], b"23");
    assert_eq!(m[9], b'9');
    assert_eq!(m.iter().map(|&b| u32::from(b - b'0')).sum::<u32>(), 45);
    assert!(m.starts_with(b"012"));
}

/// Python `move(dest, src, count)` copies like `memmove`: overlap is fine.
pub async fn move_within_overlapping(store: &FileStore) {
    let mut m = write_and_map(store, "f", DIGITS, &access(Access::Write)).await;
    ok!(m.move_within(1, 0, 9));
    assert_eq!(m.as_slice(), b"0012345678");
    ok!(m.write_at(0, DIGITS));
    ok!(m.move_within(0, 1, 9));
    assert_eq!(m.as_slice(), b"1234567899");
    ok!(m.move_within(3, 3, 4));
    ok!(m.move_within(10, 10, 0));
    ok!(m.move_within(0, 10, 0));
    assert_eq!(m.as_slice(), b"1234567899");
    assert_eq!(m.tell(), 0, "move_within moved the cursor");
    flush_and_wait(&m).await;
    assert_eq!(file(store, "f").await, b"1234567899");
}

/// Adapted from CPython's `test_mmap.test_move`: every `dest`, `src`, `count`
/// in `0..=len + 2`. Python's rule: Ok exactly when `src + count <= len` and
/// `dest + count <= len`, and then the bytes are `copy_within`'s; otherwise
/// `ValueError` (here `OutOfRange`) and nothing changes.
pub async fn move_within_exhaustive(store: &FileStore) {
    let mut m = write_and_map(store, "f", DIGITS, &access(Access::Write)).await;
    let len = DIGITS.len();
    for dest in 0..=len + 2 {
        for src in 0..=len + 2 {
            for count in 0..=len + 2 {
                ok!(m.write_at(0, DIGITS));
                let result = m.move_within(dest, src, count);
                if src + count <= len && dest + count <= len {
                    assert!(
                        result.is_ok(),
                        "move_within({dest}, {src}, {count}): {result:?}"
                    );
                    let mut model = DIGITS.to_vec();
                    model.copy_within(src..src + count, dest);
                    assert_eq!(
                        m.as_slice(),
                        &model[..],
                        "move_within({dest}, {src}, {count})"
                    );
                } else {
                    match result {
                        Err(e) => assert_eq!(
                            e.kind(),
                            vmmap::ErrorKind::OutOfRange,
                            "move_within({dest}, {src}, {count}): {e}"
                        ),
                        Ok(()) => panic!("move_within({dest}, {src}, {count}) should fail"),
                    }
                    assert_eq!(
                        m.as_slice(),
                        DIGITS,
                        "failed move_within({dest}, {src}, {count})"
                    );
                }
            }
        }
    }
}
