//! Durability: `flush`, `flush_range`, `flushed`, and write-back on `close`,
//! checked through `store.read_file`.

use super::{access, file, flush_and_wait, page, pattern, window, write_and_map};
use vmmap::{Access, FileStore};

pub async fn flush_makes_writes_durable(store: &FileStore) {
    let data = pattern(3 * super::granule());
    let mut m = write_and_map(store, "f", &data, &access(Access::Write)).await;
    let last = data.len() - 1;
    ok!(m.write_at(0, b"first"));
    ok!(m.write_at(last, b"L"));
    ok!(m.flush());
    ok!(m.flushed().await);
    let mut expected = data.clone();
    expected[..5].copy_from_slice(b"first");
    expected[last] = b'L';
    assert_eq!(file(store, "f").await, expected);
}

/// Python: `flush(offset, size)` needs an offset that is a multiple of
/// `PAGESIZE` (`EINVAL`) and `offset + size <= len` (`ValueError`).
pub async fn flush_range_rules(store: &FileStore) {
    let p = page();
    let len = 3 * p.max(super::granule());
    let m = write_and_map(store, "f", &pattern(len), &access(Access::Write)).await;
    ok!(m.flush_range(0, len));
    ok!(m.flush_range(0, 0));
    ok!(m.flush_range(p, p));
    ok!(m.flush_range(p, len - p));
    ok!(m.flush_range(p, 1));
    ok!(m.flush_range(len, 0));
    assert_err!(m.flush_range(1, 1), InvalidArgument);
    assert_err!(m.flush_range(p + 1, 0), InvalidArgument);
    assert_err!(m.flush_range(p, len - p + 1), OutOfRange);
    assert_err!(m.flush_range(0, len + 1), OutOfRange);
    assert_err!(m.flush_range(len + p, 0), OutOfRange);
    ok!(m.flushed().await);
}

pub async fn flush_range_makes_range_durable(store: &FileStore) {
    let p = page();
    let len = 3 * p.max(super::granule());
    let data = pattern(len);
    let mut m = write_and_map(store, "f", &data, &access(Access::Write)).await;
    ok!(m.write_at(p + 3, b"ranged"));
    ok!(m.flush_range(p, p));
    ok!(m.flushed().await);
    let mut expected = data.clone();
    expected[p + 3..p + 9].copy_from_slice(b"ranged");
    assert_eq!(file(store, "f").await, expected);
}

/// `flush_range` offsets count from the map's start, also in a window.
pub async fn flush_range_on_window(store: &FileStore) {
    let g = super::granule();
    let p = page();
    let data = pattern(3 * g);
    let mut m = write_and_map(store, "f", &data, &window(g, g, Access::Write)).await;
    ok!(m.write_at(0, b"w0"));
    ok!(m.flush_range(0, 2));
    ok!(m.flush_range(0, g));
    assert_err!(m.flush_range(0, g + 1), OutOfRange);
    if p < g {
        ok!(m.flush_range(p, g - p));
    }
    ok!(m.flushed().await);
    let mut expected = data.clone();
    expected[g..g + 2].copy_from_slice(b"w0");
    assert_eq!(file(store, "f").await, expected);
}

/// Python: `flush()` on `ACCESS_READ` and `ACCESS_COPY` maps succeeds and
/// does nothing.
pub async fn flush_on_read_and_copy_is_ok(store: &FileStore) {
    let data = pattern(2 * page());
    for mode in [Access::Read, Access::Copy] {
        let mut m = write_and_map(store, "f", &data, &access(mode)).await;
        if let Access::Copy = mode {
            ok!(m.write_at(0, b"copy"));
        }
        ok!(m.flush());
        ok!(m.flush_range(0, page()));
        ok!(m.flushed().await);
        assert_eq!(file(store, "f").await, data);
    }
}

pub async fn flushed_with_nothing_dirty(store: &FileStore) {
    let data = pattern(100);
    let m = write_and_map(store, "f", &data, &access(Access::Write)).await;
    ok!(m.flushed().await);
    ok!(m.flush());
    ok!(m.flush());
    ok!(m.flushed().await);
    assert_eq!(file(store, "f").await, data);
}

/// `close` on a `Write` map writes back what is dirty.
pub async fn close_writes_back(store: &FileStore) {
    let data = pattern(2 * super::granule() + 1);
    let mut m = write_and_map(store, "f", &data, &access(Access::Write)).await;
    ok!(m.write_at(7, b"closing"));
    ok!(m.close());
    let mut expected = data.clone();
    expected[7..14].copy_from_slice(b"closing");
    assert_eq!(file(store, "f").await, expected);
}

/// Writes made through `as_mut_slice` (no call tells the map which bytes
/// changed) must still be found and flushed.
pub async fn writes_through_as_mut_slice_are_flushed(store: &FileStore) {
    let len = 4 * page().max(super::granule());
    let data = pattern(len);
    let mut m = write_and_map(store, "f", &data, &access(Access::Write)).await;
    let p = page();
    {
        let slice = ok!(m.as_mut_slice());
        slice[0] = 0xAA;
        slice[2 * p + 1] = 0xBB;
        slice[len - 1] = 0xCC;
    }
    flush_and_wait(&m).await;
    let mut expected = data.clone();
    expected[0] = 0xAA;
    expected[2 * p + 1] = 0xBB;
    expected[len - 1] = 0xCC;
    assert_eq!(file(store, "f").await, expected);
    ok!(m.get_mut(p..p + 2)).copy_from_slice(b"gm");
    expected[p..p + 2].copy_from_slice(b"gm");
    flush_and_wait(&m).await;
    assert_eq!(file(store, "f").await, expected);
}

/// The file ends up with the latest bytes after several write/flush rounds,
/// including rewrites of a byte back to its original value.
pub async fn repeated_flushes_keep_latest_bytes(store: &FileStore) {
    let data = pattern(2 * page());
    let mut m = write_and_map(store, "f", &data, &access(Access::Write)).await;
    let mut expected = data.clone();
    for round in 0..5u8 {
        let at = usize::from(round) * 97;
        ok!(m.write_at(at, &[round; 3]));
        expected[at..at + 3].copy_from_slice(&[round; 3]);
        flush_and_wait(&m).await;
        assert_eq!(file(store, "f").await, expected, "round {round}");
    }
    ok!(m.write_at(0, &data[..3]));
    expected[..3].copy_from_slice(&data[..3]);
    flush_and_wait(&m).await;
    assert_eq!(file(store, "f").await, expected);
}

/// A flush writes the map as it was when `flush` was called. Where the
/// write-back runs after the call returns (the browser) or the store reads
/// the pages later (the preloaded memory store), changes made meanwhile, in
/// every way a map changes (`write_at`, `move_within`, a raw slice,
/// another map of the window, an overlapping window), wait for the next
/// flush. Not a native case: there the file is the map, so `read_file`
/// sees every write at once (`for_each_flush_cost_case!`).
pub async fn a_flush_writes_the_map_as_it_was(store: &FileStore) {
    let (p, g) = (page(), super::granule());
    let len = 4 * p.max(g);
    let data = pattern(len);
    let mut m = write_and_map(store, "f", &data, &access(Access::Write)).await;
    let mut same = super::map(store, "f", &access(Access::Write)).await;
    let mut overlapping = super::map(store, "f", &window(g, len - g, Access::Write)).await;
    ok!(m.write_at(1, b"flushed"));
    ok!(m.write_at(2 * p + 5, b"too"));
    ok!(m.write_at(len - 1, b"z"));
    let mut expected = data.clone();
    expected[1..8].copy_from_slice(b"flushed");
    expected[2 * p + 5..2 * p + 8].copy_from_slice(b"too");
    expected[len - 1] = b'z';
    ok!(m.flush());
    // Changes to the pages in flight and to their neighbours.
    ok!(m.write_at(0, b"later"));
    ok!(m.move_within(p, 2 * p, 16));
    ok!(m.as_mut_slice())[2 * p + 6] = b'!';
    ok!(same.write_at(3, b"same"));
    ok!(overlapping.write_at(len - g - 1, b"o"));
    ok!(m.flushed().await);
    same_bytes(&file(store, "f").await, &expected, "the first flush");
    let now = m.to_vec();
    assert_eq!(
        now[len - 1],
        b'o',
        "the overlapping window's write reached m"
    );
    // `m` last: the raw slice's byte reached no other window.
    for map in [&overlapping, &same, &m] {
        flush_and_wait(map).await;
    }
    same_bytes(&file(store, "f").await, &now, "after the second flushes");
}

/// Asserts that `got` is `want`, naming the first byte that differs.
fn same_bytes(got: &[u8], want: &[u8], what: &str) {
    let first = got.iter().zip(want).position(|(a, b)| a != b);
    assert!(
        got.len() == want.len() && first.is_none(),
        "{what}: {} bytes against {}, first difference at {first:?}",
        got.len(),
        want.len()
    );
}
