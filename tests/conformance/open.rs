//! Mapping a file: options, offset windows, and the errors raised at map time.

use super::{access, file, file_size, granule, map, pattern, window, write_and_map};
use vmmap::{Access, FileStore, MmapOptions};

/// `MmapOptions::new()` maps the whole file for writing (Python's
/// `ACCESS_DEFAULT` on Unix); the cursor starts at 0.
pub async fn default_options_map_whole_file_for_write(store: &FileStore) {
    let data = pattern(3 * granule() + 17);
    let m = write_and_map(store, "f", &data, &MmapOptions::new()).await;
    assert!(matches!(Access::default(), Access::Write));
    assert!(matches!(m.access(), Access::Write));
    assert_eq!(m.len(), data.len());
    assert!(!m.is_empty());
    assert_eq!(m.as_slice(), &data[..]);
    assert_eq!(ok!(m.size()), data.len() as u64);
    assert_eq!(m.tell(), 0);
}

pub async fn access_reports_mode(store: &FileStore) {
    let data = pattern(100);
    ok!(store.write_file("f", &data).await);
    for mode in [Access::Read, Access::Write, Access::Copy] {
        let m = map(store, "f", &access(mode)).await;
        let reported = m.access();
        assert!(
            matches!(
                (mode, reported),
                (Access::Read, Access::Read)
                    | (Access::Write, Access::Write)
                    | (Access::Copy, Access::Copy)
            ),
            "mapped with {mode:?}, access() says {reported:?}"
        );
        assert_eq!(m.as_slice(), &data[..]);
    }
}

/// Python: length 0 maps from the offset to the end of the file.
pub async fn length_zero_maps_offset_to_end(store: &FileStore) {
    let g = granule();
    let data = pattern(3 * g + 5);
    ok!(store.write_file("f", &data).await);
    for k in 0..=3 {
        for mode in [Access::Read, Access::Write, Access::Copy] {
            let m = map(store, "f", &window(k * g, 0, mode)).await;
            assert_eq!(m.len(), data.len() - k * g, "offset {k} granules, {mode:?}");
            assert_eq!(m.as_slice(), &data[k * g..]);
        }
    }
}

/// A map at `offset` sees exactly `file[offset..offset + len]`.
pub async fn offset_window_sees_file_range(store: &FileStore) {
    let g = granule();
    let data = pattern(4 * g);
    ok!(store.write_file("f", &data).await);
    for k in 0..4 {
        let offset = k * g;
        for len in [1, g / 2 + 1, g, data.len() - offset] {
            if len == 0 || offset + len > data.len() {
                continue;
            }
            let m = map(store, "f", &window(offset, len, Access::Read)).await;
            assert_eq!(m.len(), len, "offset {offset} len {len}");
            assert_eq!(
                m.as_slice(),
                &data[offset..offset + len],
                "offset {offset} len {len}"
            );
            assert_eq!(ok!(m.size()), data.len() as u64);
        }
    }
}

/// Writes through a window land at the window's offset in the file, and
/// nowhere else.
pub async fn offset_window_writes_land_at_file_offset(store: &FileStore) {
    let g = granule();
    let data = pattern(3 * g);
    let mut m = write_and_map(store, "f", &data, &window(g, g, Access::Write)).await;
    ok!(m.write_at(0, b"HEAD"));
    ok!(m.write_at(g - 4, b"TAIL"));
    ok!(m.write(b"cur"));
    super::flush_and_wait(&m).await;
    let mut expected = data.clone();
    expected[g..g + 4].copy_from_slice(b"HEAD");
    expected[2 * g - 4..2 * g].copy_from_slice(b"TAIL");
    expected[g..g + 3].copy_from_slice(b"cur");
    assert_eq!(file(store, "f").await, expected);
    ok!(m.close());
    assert_eq!(file(store, "f").await, expected);
}

/// `size()` is the whole file's length, also for a window.
pub async fn size_is_whole_file_for_window(store: &FileStore) {
    let g = granule();
    let data = pattern(3 * g + 1);
    let m = write_and_map(store, "f", &data, &window(g, 1, Access::Read)).await;
    assert_eq!(m.len(), 1);
    assert_eq!(ok!(m.size()), data.len() as u64);
    let m = map(store, "f", &window(2 * g, 0, Access::Copy)).await;
    assert_eq!(ok!(m.size()), data.len() as u64);
}

/// Python: `ValueError: mmap length is greater than file size`.
pub async fn length_past_eof_is_invalid(store: &FileStore) {
    let g = granule();
    let data = pattern(3 * g);
    ok!(store.write_file("f", &data).await);
    for mode in [Access::Read, Access::Write, Access::Copy] {
        assert_err!(
            unsafe { store.map("f", &window(0, data.len() + 1, mode)).await },
            InvalidArgument
        );
        assert_err!(
            unsafe { store.map("f", &window(g, 2 * g + 1, mode)).await },
            InvalidArgument
        );
        assert_err!(
            unsafe { store.map("f", &window(2 * g, 10 * g, mode)).await },
            InvalidArgument
        );
    }
    assert_eq!(
        file(store, "f").await,
        data,
        "a failed map changed the file"
    );
}

/// Python: `ValueError: mmap offset is greater than file size`, also when the
/// offset equals the file size (nothing left to map).
pub async fn offset_past_eof_is_invalid(store: &FileStore) {
    let g = granule();
    let data = pattern(3 * g);
    ok!(store.write_file("f", &data).await);
    for mode in [Access::Read, Access::Write, Access::Copy] {
        assert_err!(
            unsafe { store.map("f", &window(3 * g, 0, mode)).await },
            InvalidArgument
        );
        assert_err!(
            unsafe { store.map("f", &window(3 * g, 1, mode)).await },
            InvalidArgument
        );
        assert_err!(
            unsafe { store.map("f", &window(4 * g, 0, mode)).await },
            InvalidArgument
        );
        assert_err!(
            unsafe { store.map("f", &window(100 * g, 1, mode)).await },
            InvalidArgument
        );
    }
    assert_eq!(
        file(store, "f").await,
        data,
        "a failed map changed the file"
    );
    assert_eq!(file_size(store, "f").await, data.len() as u64);
}

/// Python: `ValueError: cannot mmap an empty file`.
pub async fn empty_file_is_invalid(store: &FileStore) {
    ok!(store.write_file("empty", b"").await);
    for mode in [Access::Read, Access::Write, Access::Copy] {
        assert_err!(
            unsafe { store.map("empty", &access(mode)).await },
            InvalidArgument
        );
        assert_err!(
            unsafe { store.map("empty", &window(0, 1, mode)).await },
            InvalidArgument
        );
    }
    assert_eq!(file_size(store, "empty").await, 0);
}

/// Python: `OSError: [Errno 22]` for an offset that is not a multiple of
/// `ALLOCATIONGRANULARITY`.
pub async fn misaligned_offset_is_invalid(store: &FileStore) {
    let g = granule();
    let data = pattern(3 * g);
    ok!(store.write_file("f", &data).await);
    let mut offsets = vec![1, g - 1, g + 1, 2 * g + 3];
    if g >= 2 {
        offsets.push(g / 2);
    }
    if super::page() < g {
        offsets.push(super::page());
    }
    offsets.retain(|&o| o % g != 0);
    for offset in offsets {
        for mode in [Access::Read, Access::Write, Access::Copy] {
            assert_err!(
                unsafe { store.map("f", &window(offset, 0, mode)).await },
                InvalidArgument
            );
            assert_err!(
                unsafe { store.map("f", &window(offset, 1, mode)).await },
                InvalidArgument
            );
        }
    }
    assert_eq!(file(store, "f").await, data);
}

pub async fn missing_file_is_not_found(store: &FileStore) {
    for mode in [Access::Read, Access::Write, Access::Copy] {
        assert_err!(
            unsafe { store.map("missing", &access(mode)).await },
            NotFound
        );
        assert_err!(
            unsafe { store.map("missing", &window(0, 10, mode)).await },
            NotFound
        );
    }
    assert_err!(store.file_size("missing").await, NotFound);
}

/// `create(true)` makes a missing file of `len` zero bytes and maps it.
pub async fn create_missing_file_with_len(store: &FileStore) {
    let len = granule() + 5;
    let mut opts = MmapOptions::new();
    opts.create(true).len(len);
    let mut m = ok!(unsafe { store.map("new", &opts).await });
    assert_eq!(m.len(), len);
    assert!(
        m.as_slice().iter().all(|&b| b == 0),
        "a created file starts zeroed"
    );
    assert_eq!(file_size(store, "new").await, len as u64);
    assert_eq!(ok!(m.size()), len as u64);
    ok!(m.write_at(len - 3, b"end"));
    super::flush_and_wait(&m).await;
    let mut expected = vec![0; len];
    expected[len - 3..].copy_from_slice(b"end");
    assert_eq!(file(store, "new").await, expected);
    assert!(ok!(store.list().await).contains(&"new".to_string()));
}

/// `create(true)` on a file that exists maps it as it is: it neither
/// truncates nor zeroes it (as `OpenOptions::create` does not).
pub async fn create_keeps_existing_file(store: &FileStore) {
    let data = pattern(2 * granule() + 3);
    ok!(store.write_file("f", &data).await);
    let mut opts = MmapOptions::new();
    opts.create(true);
    let m = ok!(unsafe { store.map("f", &opts).await });
    assert_eq!(m.as_slice(), &data[..]);
    opts.len(10);
    let m = ok!(unsafe { store.map("f", &opts).await });
    assert_eq!(m.as_slice(), &data[..10]);
    drop(m);
    assert_eq!(file(store, "f").await, data);
}

/// A created file of length 0 would be empty, and an empty file cannot be
/// mapped.
pub async fn create_with_len_zero_is_invalid(store: &FileStore) {
    let mut opts = MmapOptions::new();
    opts.create(true);
    assert_err!(unsafe { store.map("new", &opts).await }, InvalidArgument);
}
