//! Lifecycle: `close`, `is_closed`, `Drop`, and every call after `close`.

use super::{access, file, pattern, write_and_map};
use std::io::SeekFrom;
use vmmap::{Access, Advice, FileStore};

pub async fn is_closed_false_while_open(store: &FileStore) {
    let m = write_and_map(store, "f", &pattern(10), &access(Access::Write)).await;
    assert!(!m.is_closed());
    let a = ok!(vmmap::Mmap::anonymous(10));
    assert!(!a.is_closed());
}

/// Python: `close()` twice is fine.
pub async fn close_twice_is_ok(store: &FileStore) {
    let mut m = write_and_map(store, "f", &pattern(10), &access(Access::Write)).await;
    ok!(m.close());
    assert!(m.is_closed());
    ok!(m.close());
    assert!(m.is_closed());
}

/// Python raises `ValueError: mmap closed or invalid` for every call on a
/// closed map; here every fallible call is `Err(Closed)`.
pub async fn every_call_after_close_is_closed(store: &FileStore) {
    let mut m = write_and_map(
        store,
        "f",
        &pattern(2 * super::page()),
        &access(Access::Write),
    )
    .await;
    ok!(m.seek(SeekFrom::Start(3)));
    ok!(m.close());
    assert_err!(m.size(), Closed);
    assert_err!(m.as_mut_slice(), Closed);
    assert_err!(m.get_mut(..), Closed);
    assert_err!(m.get_mut(0..1), Closed);
    assert_err!(m.write_at(0, b"x"), Closed);
    assert_err!(m.write_at(0, b""), Closed);
    assert_err!(m.seek(SeekFrom::Start(0)), Closed);
    assert_err!(m.seek(SeekFrom::Current(0)), Closed);
    assert_err!(m.read(None), Closed);
    assert_err!(m.read(Some(1)), Closed);
    assert_err!(m.read_byte(), Closed);
    assert_err!(m.readline(), Closed);
    assert_err!(m.write(b"x"), Closed);
    assert_err!(m.write(b""), Closed);
    assert_err!(m.write_byte(b'x'), Closed);
    assert_err!(m.move_within(0, 1, 1), Closed);
    assert_err!(m.resize(10), Closed);
    assert_err!(m.flush(), Closed);
    assert_err!(m.flush_range(0, 0), Closed);
    assert_err!(m.flushed().await, Closed);
    assert_err!(m.advise(Advice::Normal, ..), Closed);
    assert!(m.is_closed());
    // Documented by the crate: a closed map reports itself empty.
    assert_eq!(m.len(), 0);
    assert!(m.is_empty());
    assert_eq!(m.as_slice(), b"");
    assert_eq!(m.tell(), 0);
    ok!(m.close());

    for mode in [Access::Read, Access::Copy] {
        let mut m = write_and_map(store, "g", b"abc", &access(mode)).await;
        ok!(m.close());
        assert_err!(m.read_byte(), Closed);
        assert_err!(m.size(), Closed);
        assert_err!(m.flush(), Closed);
        assert_err!(m.write_at(0, b"x"), Closed);
        assert_err!(m.resize(1), Closed);
    }

    let mut a = ok!(vmmap::Mmap::anonymous(100));
    ok!(a.close());
    assert_err!(a.size(), Closed);
    assert_err!(a.write(b"x"), Closed);
    assert_err!(a.flush(), Closed);
}

/// The `std::io` traits report an error on a closed map.
pub async fn io_traits_after_close_fail(store: &FileStore) {
    use std::io::{BufRead, Read, Seek, Write};
    let mut m = write_and_map(store, "f", b"abc\ndef\n", &access(Access::Write)).await;
    ok!(m.close());
    let mut buf = [0u8; 4];
    assert!(Read::read(&mut m, &mut buf).is_err());
    assert!(Write::write(&mut m, b"x").is_err());
    assert!(Write::flush(&mut m).is_err());
    assert!(Seek::seek(&mut m, SeekFrom::Start(0)).is_err());
    assert!(m.fill_buf().is_err());
    let mut line = String::new();
    assert!(m.read_line(&mut line).is_err());
    assert!(m.read_to_end(&mut Vec::new()).is_err());
}

pub async fn close_each_access_mode(store: &FileStore) {
    let data = pattern(100);
    for mode in [Access::Read, Access::Write, Access::Copy] {
        let mut m = write_and_map(store, "f", &data, &access(mode)).await;
        ok!(m.close());
        assert!(m.is_closed());
        assert_eq!(file(store, "f").await, data);
    }
}

/// Dropping a `Write` map without `flush` or `close` still writes back, as a
/// shared mapping does in Python (and as `close` does here).
pub async fn drop_writes_back(store: &FileStore) {
    let data = pattern(3 * super::granule());
    let mut m = write_and_map(store, "f", &data, &access(Access::Write)).await;
    ok!(m.write_at(10, b"dropped"));
    drop(m);
    let mut expected = data.clone();
    expected[10..17].copy_from_slice(b"dropped");
    assert_eq!(file(store, "f").await, expected);
}

/// After `close` the file can be rewritten and mapped again.
pub async fn file_usable_after_close(store: &FileStore) {
    let mut m = write_and_map(store, "f", &pattern(100), &access(Access::Write)).await;
    ok!(m.write_at(0, b"x"));
    ok!(m.close());
    let m = write_and_map(store, "f", b"fresh", &access(Access::Read)).await;
    assert_eq!(m.as_slice(), b"fresh");
    drop(m);
    ok!(store.remove_file("f").await);
    assert_err!(store.read_file("f").await, NotFound);
}
