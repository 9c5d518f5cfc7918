//! Several maps of one file: `Write` maps see each other's writes at once, as
//! `MAP_SHARED` maps do, without a flush.

use super::{access, file, flush_and_wait, granule, map, pattern, window, write_and_map};
use std::io::SeekFrom;
use vmmap::{Access, FileStore};

pub async fn two_write_maps_see_each_other(store: &FileStore) {
    let data = pattern(2 * granule() + 9);
    let mut a = write_and_map(store, "f", &data, &access(Access::Write)).await;
    let mut b = map(store, "f", &access(Access::Write)).await;
    ok!(a.write_at(5, b"from a"));
    assert_eq!(&b[5..11], b"from a");
    ok!(b.seek(SeekFrom::Start(granule() as u64)));
    ok!(b.write(b"from b"));
    assert_eq!(&a[granule()..granule() + 6], b"from b");
    ok!(a.as_mut_slice())[data.len() - 1] = b'!';
    assert_eq!(b[data.len() - 1], b'!');
    ok!(b.move_within(0, 5, 6));
    assert_eq!(&a[..6], b"from a");
    flush_and_wait(&a).await;
    flush_and_wait(&b).await;
    assert_eq!(file(store, "f").await, a.as_slice());
    assert_eq!(a.as_slice(), b.as_slice());
}

/// A window and a whole-file map share the bytes they both cover.
pub async fn window_and_whole_map_share(store: &FileStore) {
    let g = granule();
    let data = pattern(3 * g);
    let mut whole = write_and_map(store, "f", &data, &access(Access::Write)).await;
    let mut win = map(store, "f", &window(g, g, Access::Write)).await;
    ok!(whole.write_at(g + 1, b"W"));
    assert_eq!(win[1], b'W');
    ok!(win.write_at(g - 1, b"V"));
    assert_eq!(whole[2 * g - 1], b'V');
    assert_eq!(&whole[2 * g..], &data[2 * g..]);
}

/// A `Read` map sees a `Write` map's writes at once (Python maps
/// `ACCESS_READ` shared too).
pub async fn read_map_sees_write_map(store: &FileStore) {
    let data = pattern(granule() + 1);
    let mut w = write_and_map(store, "f", &data, &access(Access::Write)).await;
    let r = map(store, "f", &access(Access::Read)).await;
    ok!(w.write_at(3, b"seen"));
    assert_eq!(&r[3..7], b"seen");
}
