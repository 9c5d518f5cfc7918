//! The file-object cursor: `tell`, `seek`, `read`, `read_byte`, `readline`,
//! `write`, `write_byte`, checked against what Python's `mmap` does.

use super::{access, file, flush_and_wait, granule, pattern, window, write_and_map};
use std::io::SeekFrom;
use vmmap::{Access, FileStore};

const DIGITS: &[u8] = b"0123456789";

pub async fn tell_starts_at_zero(store: &FileStore) {
    for mode in [Access::Read, Access::Write, Access::Copy] {
        let m = write_and_map(store, "f", DIGITS, &access(mode)).await;
        assert_eq!(m.tell(), 0);
    }
}

/// `seek` takes every `SeekFrom` and returns the new position.
pub async fn seek_whence(store: &FileStore) {
    let mut m = write_and_map(store, "f", DIGITS, &access(Access::Write)).await;
    assert_eq!(ok!(m.seek(SeekFrom::Start(3))), 3);
    assert_eq!(m.tell(), 3);
    assert_eq!(ok!(m.seek(SeekFrom::Current(2))), 5);
    assert_eq!(m.tell(), 5);
    assert_eq!(ok!(m.seek(SeekFrom::Current(-5))), 0);
    assert_eq!(ok!(m.seek(SeekFrom::End(-1))), 9);
    assert_eq!(ok!(m.read_byte()), b'9');
    assert_eq!(ok!(m.seek(SeekFrom::End(-10))), 0);
    assert_eq!(ok!(m.seek(SeekFrom::Current(0))), 0);
    assert_eq!(ok!(m.read_byte()), b'0');
}

/// Python allows seeking to exactly `len` (then reads are empty).
pub async fn seek_to_len_is_fine(store: &FileStore) {
    let mut m = write_and_map(store, "f", DIGITS, &access(Access::Read)).await;
    assert_eq!(ok!(m.seek(SeekFrom::Start(10))), 10);
    assert_eq!(ok!(m.seek(SeekFrom::End(0))), 10);
    assert_eq!(ok!(m.seek(SeekFrom::Current(0))), 10);
    ok!(m.seek(SeekFrom::Start(4)));
    assert_eq!(ok!(m.seek(SeekFrom::Current(6))), 10);
    assert_eq!(m.tell(), 10);
    assert_eq!(ok!(m.read(None)), b"");
}

/// Python: `ValueError: seek out of range` past the end or before 0, and the
/// position stays where it was.
pub async fn seek_out_of_range_keeps_cursor(store: &FileStore) {
    let mut m = write_and_map(store, "f", DIGITS, &access(Access::Write)).await;
    ok!(m.seek(SeekFrom::Start(4)));
    assert_err!(m.seek(SeekFrom::Start(11)), OutOfRange);
    assert_eq!(m.tell(), 4);
    assert_err!(m.seek(SeekFrom::Current(7)), OutOfRange);
    assert_eq!(m.tell(), 4);
    assert_err!(m.seek(SeekFrom::Current(-5)), OutOfRange);
    assert_eq!(m.tell(), 4);
    assert_err!(m.seek(SeekFrom::End(1)), OutOfRange);
    assert_eq!(m.tell(), 4);
    assert_err!(m.seek(SeekFrom::End(-11)), OutOfRange);
    assert_eq!(m.tell(), 4);
    assert_eq!(ok!(m.read_byte()), b'4');
}

/// Python `read()` reads to the end; at the end it returns `b''`.
pub async fn read_to_end_then_empty(store: &FileStore) {
    let mut m = write_and_map(store, "f", DIGITS, &access(Access::Read)).await;
    assert_eq!(ok!(m.read(None)), DIGITS);
    assert_eq!(m.tell(), 10);
    assert_eq!(ok!(m.read(None)), b"");
    assert_eq!(ok!(m.read(Some(5))), b"");
    assert_eq!(ok!(m.read(Some(0))), b"");
    assert_eq!(m.tell(), 10);
    ok!(m.seek(SeekFrom::Start(7)));
    assert_eq!(ok!(m.read(None)), b"789");
}

/// Python `read(n)` returns at most `n` bytes, fewer near the end.
pub async fn read_n_clips_at_end(store: &FileStore) {
    let mut m = write_and_map(store, "f", DIGITS, &access(Access::Write)).await;
    assert_eq!(ok!(m.read(Some(3))), b"012");
    assert_eq!(m.tell(), 3);
    assert_eq!(ok!(m.read(Some(0))), b"");
    assert_eq!(m.tell(), 3);
    assert_eq!(ok!(m.read(Some(100))), b"3456789");
    assert_eq!(m.tell(), 10);
}

/// Python: `ValueError: read byte out of range` at the end.
pub async fn read_byte_walks_then_fails_at_end(store: &FileStore) {
    let mut m = write_and_map(store, "f", DIGITS, &access(Access::Copy)).await;
    for (i, &expected) in DIGITS.iter().enumerate() {
        assert_eq!(m.tell(), i);
        assert_eq!(ok!(m.read_byte()), expected);
    }
    assert_err!(m.read_byte(), OutOfRange);
    assert_eq!(m.tell(), 10);
}

/// Python `readline()` keeps the `b'\n'`, returns a last line that has none,
/// then `b''` for ever.
pub async fn readline_splits_lines(store: &FileStore) {
    let data = b"ab\ncd\n\nlast";
    let mut m = write_and_map(store, "f", data, &access(Access::Read)).await;
    assert_eq!(ok!(m.readline()), b"ab\n");
    assert_eq!(m.tell(), 3);
    assert_eq!(ok!(m.readline()), b"cd\n");
    assert_eq!(ok!(m.readline()), b"\n");
    assert_eq!(ok!(m.readline()), b"last");
    assert_eq!(m.tell(), data.len());
    assert_eq!(ok!(m.readline()), b"");
    assert_eq!(ok!(m.readline()), b"");
    ok!(m.seek(SeekFrom::Start(4)));
    assert_eq!(ok!(m.readline()), b"d\n");

    let mut m = write_and_map(store, "g", b"one\n", &access(Access::Read)).await;
    assert_eq!(ok!(m.readline()), b"one\n");
    assert_eq!(ok!(m.readline()), b"");
}

pub async fn readline_without_any_newline(store: &FileStore) {
    let data = pattern(granule() + 3)
        .into_iter()
        .map(|b| if b == b'\n' { b'-' } else { b })
        .collect::<Vec<_>>();
    let mut m = write_and_map(store, "f", &data, &access(Access::Read)).await;
    assert_eq!(ok!(m.readline()), data);
    assert_eq!(ok!(m.readline()), b"");
}

pub async fn write_advances_cursor(store: &FileStore) {
    let mut m = write_and_map(store, "f", DIGITS, &access(Access::Write)).await;
    assert_eq!(ok!(m.write(b"ab")), 2);
    assert_eq!(m.tell(), 2);
    assert_eq!(ok!(m.write(b"")), 0);
    assert_eq!(m.tell(), 2);
    ok!(m.seek(SeekFrom::End(-3)));
    assert_eq!(ok!(m.write(b"xyz")), 3);
    assert_eq!(m.tell(), 10);
    assert_eq!(ok!(m.write(b"")), 0, "an empty write at the end is fine");
    assert_eq!(m.as_slice(), b"ab23456xyz");
    flush_and_wait(&m).await;
    assert_eq!(file(store, "f").await, b"ab23456xyz");
}

/// Python: `ValueError: data out of range`; nothing is written and the cursor
/// stays (unlike `std::io::Write`, which may write part).
pub async fn write_is_all_or_nothing(store: &FileStore) {
    let mut m = write_and_map(store, "f", DIGITS, &access(Access::Write)).await;
    ok!(m.seek(SeekFrom::Start(8)));
    assert_err!(m.write(b"abc"), OutOfRange);
    assert_eq!(m.tell(), 8);
    assert_eq!(m.as_slice(), DIGITS);
    ok!(m.seek(SeekFrom::Start(0)));
    assert_err!(m.write(b"0123456789A"), OutOfRange);
    assert_eq!(m.tell(), 0);
    assert_eq!(m.as_slice(), DIGITS);
    flush_and_wait(&m).await;
    assert_eq!(file(store, "f").await, DIGITS);
}

/// Python: `ValueError: write byte out of range` at the end.
pub async fn write_byte_advances_then_fails_at_end(store: &FileStore) {
    let mut m = write_and_map(store, "f", DIGITS, &access(Access::Write)).await;
    ok!(m.seek(SeekFrom::Start(8)));
    ok!(m.write_byte(b'a'));
    assert_eq!(m.tell(), 9);
    ok!(m.write_byte(b'b'));
    assert_eq!(m.tell(), 10);
    assert_err!(m.write_byte(b'c'), OutOfRange);
    assert_eq!(m.tell(), 10);
    assert_eq!(m.as_slice(), b"01234567ab");
}

pub async fn read_and_write_share_the_cursor(store: &FileStore) {
    let mut m = write_and_map(store, "f", DIGITS, &access(Access::Write)).await;
    assert_eq!(ok!(m.read(Some(2))), b"01");
    ok!(m.write(b"AB"));
    assert_eq!(ok!(m.read_byte()), b'4');
    ok!(m.write_byte(b'C'));
    assert_eq!(ok!(m.readline()), b"6789");
    assert_eq!(m.as_slice(), b"01AB4C6789");
}

/// In a window the cursor counts from the window's start, not the file's.
pub async fn cursor_is_relative_to_window(store: &FileStore) {
    let g = granule();
    let data = pattern(3 * g);
    let mut m = write_and_map(store, "f", &data, &window(g, g, Access::Write)).await;
    assert_eq!(m.tell(), 0);
    assert_eq!(ok!(m.read(Some(4))), &data[g..g + 4]);
    assert_eq!(ok!(m.seek(SeekFrom::End(0))), g as u64);
    assert_err!(m.seek(SeekFrom::Start(g as u64 + 1)), OutOfRange);
    ok!(m.seek(SeekFrom::End(-2)));
    assert_eq!(ok!(m.read(None)), &data[2 * g - 2..2 * g]);
}
