//! `FileStore`: `write_file`, `read_file`, `file_size`, `list`,
//! `remove_file`; `map` with `create` is in `open`.

use super::{access, granule, pattern};
use vmmap::{Access, FileStore};

pub async fn write_then_read_file(store: &FileStore) {
    let data = pattern(1000);
    ok!(store.write_file("a.bin", &data).await);
    assert_eq!(ok!(store.read_file("a.bin").await), data);
    assert_eq!(ok!(store.file_size("a.bin").await), 1000);
}

/// `write_file` replaces a file, also with shorter data.
pub async fn write_file_overwrites(store: &FileStore) {
    ok!(store.write_file("a", &pattern(5000)).await);
    ok!(store.write_file("a", b"short").await);
    assert_eq!(ok!(store.read_file("a").await), b"short");
    assert_eq!(ok!(store.file_size("a").await), 5);
    let m = ok!(unsafe { store.map("a", &access(Access::Read)).await });
    assert_eq!(m.as_slice(), b"short");
}

/// An empty file can be stored and read, but not mapped.
pub async fn write_file_empty(store: &FileStore) {
    ok!(store.write_file("e", b"").await);
    assert_eq!(ok!(store.read_file("e").await), b"");
    assert_eq!(ok!(store.file_size("e").await), 0);
    assert!(ok!(store.list().await).contains(&"e".to_string()));
    assert_err!(
        unsafe { store.map("e", &access(Access::Write)).await },
        InvalidArgument
    );
}

/// `list` names every file once; its order is not specified.
pub async fn list_names(store: &FileStore) {
    assert_eq!(
        ok!(store.list().await),
        Vec::<String>::new(),
        "a fresh store is empty"
    );
    for name in ["b", "a", "c.dat"] {
        ok!(store.write_file(name, name.as_bytes()).await);
    }
    ok!(store.write_file("a", b"again").await);
    let mut names = ok!(store.list().await);
    names.sort();
    assert_eq!(names, ["a", "b", "c.dat"]);
}

pub async fn remove_file_removes(store: &FileStore) {
    ok!(store.write_file("gone", b"bytes").await);
    ok!(store.write_file("kept", b"bytes").await);
    ok!(store.remove_file("gone").await);
    assert_err!(store.read_file("gone").await, NotFound);
    assert_err!(store.file_size("gone").await, NotFound);
    assert_err!(
        unsafe { store.map("gone", &access(Access::Read)).await },
        NotFound
    );
    assert_eq!(ok!(store.list().await), ["kept"]);
    assert_eq!(ok!(store.read_file("kept").await), b"bytes");
}

/// Every call about a missing file is `NotFound`, `remove_file` too (as
/// `std::fs::remove_file`).
pub async fn missing_file_is_not_found_everywhere(store: &FileStore) {
    assert_err!(store.read_file("nope").await, NotFound);
    assert_err!(store.file_size("nope").await, NotFound);
    assert_err!(store.remove_file("nope").await, NotFound);
    assert_err!(
        unsafe { store.map("nope", &access(Access::Write)).await },
        NotFound
    );
    assert_eq!(ok!(store.list().await), Vec::<String>::new());
}

/// A file several granules long with a ragged tail survives the round trip
/// and maps back unchanged.
pub async fn large_file_roundtrip(store: &FileStore) {
    let data = pattern(5 * granule() + 123);
    ok!(store.write_file("big", &data).await);
    assert_eq!(ok!(store.read_file("big").await), data);
    assert_eq!(ok!(store.file_size("big").await), data.len() as u64);
    let m = ok!(unsafe { store.map("big", &access(Access::Read)).await });
    assert_eq!(m.as_slice(), &data[..]);
}

/// A file name is a plain name: not empty, no `/`, `\` or NUL, not `.` or
/// `..` (so one store never reaches outside itself), and not a name the
/// directory store keeps for itself (a file being written, a journal), on
/// every store alike.
pub async fn bad_names_are_invalid(store: &FileStore) {
    for name in [
        "",
        ".",
        "..",
        "a/b",
        "../escape",
        "a\\b",
        "nul\0",
        "f.vmmap-partial",
        "f.vmmap-journal",
    ] {
        assert_err!(store.write_file(name, b"x").await, InvalidArgument);
        assert_err!(store.read_file(name).await, InvalidArgument);
        assert_err!(store.file_size(name).await, InvalidArgument);
        assert_err!(store.remove_file(name).await, InvalidArgument);
        assert_err!(
            unsafe { store.map(name, &access(Access::Read)).await },
            InvalidArgument
        );
    }
    assert_eq!(ok!(store.list().await), Vec::<String>::new());
}
