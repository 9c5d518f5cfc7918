//! Huge inputs never panic: lengths and offsets near `usize::MAX` /
//! `u64::MAX`, overflowing sums, reversed ranges. Each is an error (or a
//! clipped result) and changes nothing.

use super::{access, file, file_size, granule, pattern, reversed, window, write_and_map};
use std::io::SeekFrom;
use std::ops::Bound;
use vmmap::{Access, Advice, FileStore, Mmap, MmapOptions};

/// The largest multiple of the granularity that fits in a `u64`.
fn top_aligned_offset() -> u64 {
    let g = granule() as u64;
    u64::MAX / g * g
}

pub async fn huge_map_options_are_errors(store: &FileStore) {
    let data = pattern(2 * granule());
    ok!(store.write_file("f", &data).await);
    let top = top_aligned_offset();
    for mode in [Access::Read, Access::Write, Access::Copy] {
        assert_err!(
            unsafe { store.map("f", &window(0, usize::MAX, mode)).await },
            InvalidArgument
        );
        let mut opts = MmapOptions::new();
        opts.access(mode).offset(top);
        assert_err!(unsafe { store.map("f", &opts).await }, InvalidArgument);
        opts.len(usize::MAX);
        assert_err!(unsafe { store.map("f", &opts).await }, InvalidArgument);
        opts.len(1);
        assert_err!(unsafe { store.map("f", &opts).await }, InvalidArgument);
        opts.offset(u64::MAX).len(0);
        assert!(unsafe { store.map("f", &opts).await }.is_err());
        opts.offset(granule() as u64).len(usize::MAX);
        assert_err!(unsafe { store.map("f", &opts).await }, InvalidArgument);
    }
    assert_eq!(file(store, "f").await, data);
}

/// Creating a file of `usize::MAX` bytes fails cleanly (no allocation abort).
pub async fn huge_create_len_is_error(store: &FileStore) {
    let mut opts = MmapOptions::new();
    opts.create(true).len(usize::MAX);
    assert!(unsafe { store.map("huge", &opts).await }.is_err());
}

pub async fn huge_anonymous_len_is_error(_store: &FileStore) {
    assert!(Mmap::anonymous(usize::MAX).is_err());
    assert!(Mmap::anonymous(usize::MAX - granule() + 2).is_err());
}

pub async fn huge_positions_are_errors(store: &FileStore) {
    let data = pattern(3 * super::page());
    let mut m = write_and_map(store, "f", &data, &access(Access::Write)).await;
    let len = m.len();
    assert_err!(m.write_at(usize::MAX, b"x"), OutOfRange);
    assert_err!(m.write_at(usize::MAX, b""), OutOfRange);
    assert_err!(m.write_at(len - 1, b"xy"), OutOfRange);
    assert_err!(m.get_mut(usize::MAX..), OutOfRange);
    assert!(m.get_mut(..=usize::MAX).is_err());
    assert!(
        m.get_mut((Bound::Excluded(usize::MAX), Bound::Unbounded))
            .is_err()
    );
    assert!(
        m.get_mut((Bound::Excluded(usize::MAX), Bound::Included(usize::MAX)))
            .is_err()
    );
    assert!(m.get_mut(reversed(5, 2)).is_err());
    assert!(m.get_mut(reversed(usize::MAX, 0)).is_err());
    assert_err!(m.move_within(usize::MAX, 0, 1), OutOfRange);
    assert_err!(m.move_within(0, usize::MAX, 1), OutOfRange);
    assert_err!(m.move_within(1, 1, usize::MAX), OutOfRange);
    assert_err!(
        m.move_within(usize::MAX, usize::MAX, usize::MAX),
        OutOfRange
    );
    assert_err!(m.move_within(0, 2, usize::MAX - 1), OutOfRange);
    assert_err!(m.flush_range(0, usize::MAX), OutOfRange);
    let p = super::page();
    let top_page = usize::MAX / p * p;
    assert_err!(m.flush_range(top_page, 1), OutOfRange);
    assert_err!(m.flush_range(p, usize::MAX), OutOfRange);
    assert!(m.flush_range(usize::MAX, usize::MAX).is_err());
    assert_err!(m.advise(Advice::Normal, top_page..), OutOfRange);
    assert!(m.advise(Advice::Normal, usize::MAX..).is_err());
    assert!(m.advise(Advice::Normal, reversed(2 * p, p)).is_err());
    let _ = m.advise(Advice::Normal, ..=usize::MAX);
    let _ = m.advise(
        Advice::Normal,
        (Bound::Excluded(usize::MAX), Bound::Unbounded),
    );
    assert_eq!(ok!(m.read(Some(usize::MAX))), data, "read(n) clips n");
    assert_eq!(m.as_slice(), &data[..]);
    flush_and_wait_unchanged(store, &m, &data).await;
}

async fn flush_and_wait_unchanged(store: &FileStore, m: &Mmap, data: &[u8]) {
    super::flush_and_wait(m).await;
    assert_eq!(file(store, "f").await, data);
}

pub async fn huge_seeks_are_errors(store: &FileStore) {
    let mut m = write_and_map(store, "f", b"0123456789", &access(Access::Read)).await;
    ok!(m.seek(SeekFrom::Start(3)));
    for pos in [
        SeekFrom::Start(u64::MAX),
        SeekFrom::Start(1 << 63),
        SeekFrom::Current(i64::MAX),
        SeekFrom::Current(i64::MIN),
        SeekFrom::End(i64::MAX),
        SeekFrom::End(i64::MIN),
    ] {
        assert_err!(m.seek(pos), OutOfRange);
        assert_eq!(m.tell(), 3, "{pos:?} moved the cursor");
    }
    ok!(m.seek(SeekFrom::End(0)));
    assert_err!(m.seek(SeekFrom::Current(i64::MAX)), OutOfRange);
    assert_eq!(m.tell(), 10);
}

pub async fn huge_search_ranges(store: &FileStore) {
    let m = write_and_map(store, "f", b"abcabc", &access(Access::Read)).await;
    assert_eq!(m.find(b"a", usize::MAX..), None);
    assert_eq!(m.rfind(b"a", usize::MAX..), None);
    assert_eq!(m.find(b"", usize::MAX..), Some(6));
    assert_eq!(m.find(b"c", ..=usize::MAX), Some(2));
    assert_eq!(m.rfind(b"c", ..=usize::MAX), Some(5));
    assert_eq!(m.rfind(b"", ..=usize::MAX), Some(6));
    assert_eq!(
        m.find(b"a", (Bound::Excluded(usize::MAX), Bound::Unbounded)),
        None
    );
    assert_eq!(
        m.rfind(
            b"a",
            (Bound::Excluded(usize::MAX), Bound::Included(usize::MAX))
        ),
        None
    );
    assert_eq!(m.find(b"a", reversed(usize::MAX, 0)), None);
    assert_eq!(m.rfind(b"", reversed(usize::MAX, 3)), None);
}

/// A resize the store cannot satisfy fails and leaves map and file as they
/// were.
pub async fn huge_resize_is_error(store: &FileStore) {
    let data = pattern(granule() + 1);
    let mut m = write_and_map(store, "f", &data, &access(Access::Write)).await;
    assert!(m.resize(usize::MAX).is_err());
    assert_eq!(m.len(), data.len());
    assert_eq!(m.as_slice(), &data[..]);
    assert_eq!(file_size(store, "f").await, data.len() as u64);
    ok!(m.write_at(0, b"ok"));

    let mut win = write_and_map(
        store,
        "g",
        &pattern(2 * granule()),
        &window(granule(), 0, Access::Write),
    )
    .await;
    assert!(
        win.resize(usize::MAX).is_err(),
        "offset + new_len overflows"
    );
    assert_eq!(win.len(), granule());
    assert_eq!(file_size(store, "g").await, 2 * granule() as u64);
}
