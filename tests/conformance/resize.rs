//! `resize`: the map and the file grow and shrink together; the cursor is
//! not clamped; `resize(0)` is refused.

use super::{access, file, file_size, flush_and_wait, granule, pattern, window, write_and_map};
use std::io::SeekFrom;
use vmmap::{Access, FileStore};

/// Python: growing keeps the bytes, zero-fills the rest and extends the file.
pub async fn resize_grows_map_and_file(store: &FileStore) {
    let g = granule();
    let data = pattern(2 * g);
    let mut m = write_and_map(store, "f", &data, &access(Access::Write)).await;
    let new_len = 3 * g + 7;
    ok!(m.resize(new_len));
    assert_eq!(m.len(), new_len);
    assert_eq!(&m[..data.len()], &data[..]);
    assert!(
        m[data.len()..].iter().all(|&b| b == 0),
        "grown bytes are zero"
    );
    assert_eq!(ok!(m.size()), new_len as u64);
    assert_eq!(file_size(store, "f").await, new_len as u64);
    ok!(m.write_at(new_len - 4, b"tail"));
    flush_and_wait(&m).await;
    let mut expected = data.clone();
    expected.resize(new_len, 0);
    expected[new_len - 4..].copy_from_slice(b"tail");
    assert_eq!(file(store, "f").await, expected);
}

/// Python: shrinking truncates the file.
pub async fn resize_shrinks_map_and_file(store: &FileStore) {
    let g = granule();
    let data = pattern(3 * g);
    let mut m = write_and_map(store, "f", &data, &access(Access::Write)).await;
    let new_len = g - 1;
    ok!(m.resize(new_len));
    assert_eq!(m.len(), new_len);
    assert_eq!(m.as_slice(), &data[..new_len]);
    assert_eq!(ok!(m.size()), new_len as u64);
    assert_eq!(file_size(store, "f").await, new_len as u64);
    flush_and_wait(&m).await;
    assert_eq!(file(store, "f").await, &data[..new_len]);
    ok!(m.resize(1));
    assert_eq!(m.as_slice(), &data[..1]);
    assert_eq!(file_size(store, "f").await, 1);
}

/// Python: resizing a window at `offset` sets the file's length to
/// `offset + new_len`; the bytes before the window stay, and a window grown
/// past the end of the file gains zeros.
pub async fn resize_window_sets_file_len(store: &FileStore) {
    let g = granule();
    let data = pattern(3 * g);
    let mut m = write_and_map(store, "f", &data, &window(g, g, Access::Write)).await;
    ok!(m.resize(3));
    assert_eq!(m.as_slice(), &data[g..g + 3]);
    assert_eq!(ok!(m.size()), (g + 3) as u64);
    assert_eq!(file_size(store, "f").await, (g + 3) as u64);
    ok!(m.resize(g + 5));
    assert_eq!(m.len(), g + 5);
    assert_eq!(&m[..3], &data[g..g + 3], "a grown window keeps its bytes");
    assert!(
        m[3..].iter().all(|&b| b == 0),
        "bytes past the old end are zero"
    );
    assert_eq!(file_size(store, "f").await, (2 * g + 5) as u64);
    flush_and_wait(&m).await;
    let mut expected = data[..g + 3].to_vec();
    expected.resize(2 * g + 5, 0);
    assert_eq!(file(store, "f").await, expected);
}

/// Python: a window that grows over bytes the file already holds shows them.
/// The browser's IndexedDB store cannot read synchronously, so there the call
/// may be `Unsupported`, and then changes nothing; the host harnesses require
/// success (see `super::grow_window_over_file`).
pub async fn resize_window_over_file_bytes(store: &FileStore) {
    if let Err(e) = super::grow_window_over_file(store).await {
        assert_eq!(e.kind(), vmmap::ErrorKind::Unsupported, "{e}");
    }
}

/// Python does not clamp the cursor when the map shrinks: `tell()` keeps the
/// old position, `read()` gives `b''`, `read_byte`, `write`, `write_byte` and
/// even `seek(0, SEEK_CUR)` raise, until a seek to a valid position.
pub async fn resize_then_seek_keeps_cursor(store: &FileStore) {
    let g = granule();
    let data = pattern(2 * g);
    let mut m = write_and_map(store, "f", &data, &access(Access::Write)).await;
    let pos = 2 * g - 10;
    ok!(m.seek(SeekFrom::Start(pos as u64)));
    ok!(m.resize(g));
    assert_eq!(m.tell(), pos, "the cursor is not clamped");
    assert_eq!(ok!(m.read(None)), b"");
    assert_eq!(ok!(m.read(Some(1))), b"");
    assert_eq!(ok!(m.readline()), b"");
    assert_err!(m.read_byte(), OutOfRange);
    assert_err!(m.write(b"a"), OutOfRange);
    assert_err!(m.write(b""), OutOfRange);
    assert_err!(m.write_byte(b'a'), OutOfRange);
    assert_err!(m.seek(SeekFrom::Current(0)), OutOfRange);
    assert_eq!(m.tell(), pos);
    assert_eq!(m.as_slice(), &data[..g]);
    assert_eq!(ok!(m.seek(SeekFrom::End(0))), g as u64);
    assert_eq!(ok!(m.seek(SeekFrom::Start(1))), 1);
    assert_eq!(ok!(m.read_byte()), data[1]);
}

/// Python: bytes cut off by a shrink are gone; growing again gives zeros.
pub async fn resize_shrink_then_grow_zero_fills(store: &FileStore) {
    let g = granule();
    let data = pattern(2 * g);
    let mut m = write_and_map(store, "f", &data, &access(Access::Write)).await;
    ok!(m.seek(SeekFrom::Start((2 * g - 10) as u64)));
    ok!(m.resize(g));
    ok!(m.resize(2 * g));
    assert_eq!(m.tell(), 2 * g - 10);
    assert_eq!(ok!(m.read(None)), vec![0; 10]);
    assert_eq!(&m[..g], &data[..g]);
    assert!(m[g..].iter().all(|&b| b == 0));
    flush_and_wait(&m).await;
    let mut expected = data[..g].to_vec();
    expected.resize(2 * g, 0);
    assert_eq!(file(store, "f").await, expected);
}

/// A deliberate fix of a Python quirk (`resize(0)` fails with `EINVAL` after
/// truncating the file): `resize(0)` is `InvalidArgument` and changes nothing.
pub async fn resize_zero_is_invalid(store: &FileStore) {
    let data = pattern(granule() + 3);
    let mut m = write_and_map(store, "f", &data, &access(Access::Write)).await;
    assert_err!(m.resize(0), InvalidArgument);
    assert_eq!(m.len(), data.len());
    assert_eq!(m.as_slice(), &data[..]);
    assert_eq!(file_size(store, "f").await, data.len() as u64);
    assert_eq!(file(store, "f").await, data);
    ok!(m.write_at(0, b"still usable"));
}

pub async fn resize_to_same_len(store: &FileStore) {
    let data = pattern(granule() + 3);
    let mut m = write_and_map(store, "f", &data, &access(Access::Write)).await;
    ok!(m.resize(data.len()));
    assert_eq!(m.as_slice(), &data[..]);
    assert_eq!(file_size(store, "f").await, data.len() as u64);
}
