//! Access modes: `Read` rejects every write, `Copy` writes the map but never
//! the file and cannot resize.

use super::{access, file, file_size, flush_and_wait, granule, map, pattern, write_and_map};
use std::io::SeekFrom;
use vmmap::{Access, FileStore};

/// Python raises `TypeError` on every write to an `ACCESS_READ` map; here each
/// is `Err(ReadOnly)`, and neither the bytes, the cursor nor the file change.
pub async fn read_rejects_every_write(store: &FileStore) {
    let data = pattern(2 * granule());
    let mut m = write_and_map(store, "f", &data, &access(Access::Read)).await;
    let len = m.len();
    ok!(m.seek(SeekFrom::Start(5)));
    assert_err!(m.write_at(0, b"x"), ReadOnly);
    assert_err!(m.write_at(len - 1, b"x"), ReadOnly);
    assert_err!(m.write(b"xyz"), ReadOnly);
    assert_err!(m.write_byte(b'x'), ReadOnly);
    assert_err!(m.move_within(0, 1, 10), ReadOnly);
    assert_err!(m.resize(len + 1), ReadOnly);
    assert_err!(m.resize(len - 1), ReadOnly);
    assert_err!(m.as_mut_slice(), ReadOnly);
    assert_err!(m.get_mut(..), ReadOnly);
    assert_err!(m.get_mut(0..1), ReadOnly);
    assert!(std::io::Write::write(&mut m, b"x").is_err());
    assert!(std::io::Write::write_all(&mut m, b"x").is_err());
    assert_eq!(m.tell(), 5, "a rejected write moved the cursor");
    assert_eq!(m.len(), len);
    assert_eq!(m.as_slice(), &data[..]);
    ok!(m.flush());
    ok!(m.close());
    assert_eq!(file(store, "f").await, data);
    assert_eq!(file_size(store, "f").await, data.len() as u64);
}

/// Python checks the access mode before the positions: a write out of range
/// on a read-only map is still `ReadOnly`.
pub async fn read_checks_access_before_range(store: &FileStore) {
    let data = pattern(100);
    let mut m = write_and_map(store, "f", &data, &access(Access::Read)).await;
    assert_err!(m.write_at(1000, b"x"), ReadOnly);
    assert_err!(m.move_within(0, 1, 1000), ReadOnly);
    ok!(m.seek(SeekFrom::End(0)));
    assert_err!(m.write(b"x"), ReadOnly);
    assert_err!(m.write_byte(b'x'), ReadOnly);
    assert_err!(m.resize(0), ReadOnly);
    assert_eq!(m.as_slice(), &data[..]);
}

/// Everything that only reads works on a `Read` map.
pub async fn read_map_reads_normally(store: &FileStore) {
    let data = b"first\nsecond\n".to_vec();
    let mut m = write_and_map(store, "f", &data, &access(Access::Read)).await;
    assert_eq!(ok!(m.readline()), b"first\n");
    assert_eq!(ok!(m.read_byte()), b's');
    assert_eq!(ok!(m.read(Some(3))), b"eco");
    assert_eq!(ok!(m.seek(SeekFrom::Start(0))), 0);
    assert_eq!(ok!(m.read(None)), data);
    assert_eq!(m.find(b"second", ..), Some(6));
    assert_eq!(m.rfind(b"\n", ..), Some(12));
    assert_eq!(ok!(m.size()), data.len() as u64);
    assert_eq!(&m[..5], b"first");
}

/// Python `ACCESS_COPY`: every kind of write changes the map, and the file
/// never changes, not after `flush`, not after `close`.
pub async fn copy_writes_change_map_not_file(store: &FileStore) {
    let data = pattern(2 * granule() + 10);
    let mut m = write_and_map(store, "f", &data, &access(Access::Copy)).await;
    let mut model = data.clone();

    ok!(m.write_at(1, b"abc"));
    model[1..4].copy_from_slice(b"abc");
    ok!(m.seek(SeekFrom::Start(granule() as u64)));
    assert_eq!(ok!(m.write(b"cursor")), 6);
    model[granule()..granule() + 6].copy_from_slice(b"cursor");
    ok!(m.write_byte(b'!'));
    model[granule() + 6] = b'!';
    ok!(m.move_within(20, 0, 8));
    model.copy_within(0..8, 20);
    ok!(m.as_mut_slice())[40] = 0xEE;
    model[40] = 0xEE;
    ok!(m.get_mut(50..52)).copy_from_slice(b"gm");
    model[50..52].copy_from_slice(b"gm");
    let last = model.len() - 1;
    ok!(m.write_at(last, b"Z"));
    model[last] = b'Z';
    assert_eq!(m.as_slice(), &model[..]);

    ok!(m.flush());
    ok!(m.flush_range(0, m.len()));
    ok!(m.flushed().await);
    assert_eq!(m.as_slice(), &model[..]);
    assert_eq!(file(store, "f").await, data, "a Copy map changed the file");
    ok!(m.close());
    assert_eq!(
        file(store, "f").await,
        data,
        "closing a Copy map changed the file"
    );
    assert_eq!(file_size(store, "f").await, data.len() as u64);
}

/// Python: `TypeError: mmap can't resize a readonly or copy-on-write memory
/// map`.
pub async fn copy_cannot_resize(store: &FileStore) {
    let data = pattern(2 * granule());
    let mut m = write_and_map(store, "f", &data, &access(Access::Copy)).await;
    assert_err!(m.resize(data.len() + 1), ReadOnly);
    assert_err!(m.resize(data.len() - 1), ReadOnly);
    assert_err!(m.resize(granule()), ReadOnly);
    assert_eq!(m.len(), data.len());
    assert_eq!(m.as_slice(), &data[..]);
    assert_eq!(file_size(store, "f").await, data.len() as u64);
}

/// Writes to a `Copy` map are private: other maps of the file do not see them.
pub async fn copy_writes_invisible_to_other_maps(store: &FileStore) {
    let data = pattern(granule() + 1);
    let mut copy = write_and_map(store, "f", &data, &access(Access::Copy)).await;
    let read = map(store, "f", &access(Access::Read)).await;
    let write = map(store, "f", &access(Access::Write)).await;
    ok!(copy.write_at(0, b"private"));
    assert_eq!(&copy[..7], b"private");
    assert_eq!(read.as_slice(), &data[..]);
    assert_eq!(write.as_slice(), &data[..]);
    flush_and_wait(&copy).await;
    assert_eq!(file(store, "f").await, data);
}
