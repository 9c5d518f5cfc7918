//! `Mmap::anonymous`: zero-filled, writable memory with no file behind it.

use std::io::SeekFrom;
use vmmap::{Access, ErrorKind, FileStore, Mmap};

pub async fn anonymous_starts_zeroed(_store: &FileStore) {
    let len = 3 * super::page() + 5;
    let m = ok!(Mmap::anonymous(len));
    assert_eq!(m.len(), len);
    assert!(!m.is_empty());
    assert!(m.iter().all(|&b| b == 0));
    assert!(matches!(m.access(), Access::Write));
    assert_eq!(ok!(m.size()), len as u64, "anonymous: size() is len");
    assert_eq!(m.tell(), 0);
    let one = ok!(Mmap::anonymous(1));
    assert_eq!(one.as_slice(), &[0]);
}

/// Python: `mmap.mmap(-1, 0)` raises `OSError: [Errno 22]`.
pub async fn anonymous_zero_len_is_invalid(_store: &FileStore) {
    assert_err!(Mmap::anonymous(0), InvalidArgument);
}

pub async fn anonymous_is_writable(_store: &FileStore) {
    let mut m = ok!(Mmap::anonymous(2 * super::page()));
    ok!(m.write_at(1, b"abc"));
    assert_eq!(ok!(m.write(b"xy")), 2);
    ok!(m.write_byte(b'z'));
    ok!(m.move_within(10, 0, 4));
    ok!(m.as_mut_slice())[20] = 7;
    ok!(m.get_mut(30..32)).copy_from_slice(b"gm");
    assert_eq!(&m[..4], b"xyzc");
    assert_eq!(&m[10..14], b"xyzc");
    assert_eq!(m[20], 7);
    assert_eq!(m.find(b"gm", ..), Some(30));
    ok!(m.seek(SeekFrom::Start(0)));
    assert_eq!(ok!(m.read(Some(4))), b"xyzc");
    ok!(m.flush());
    ok!(m.flush_range(0, super::page()));
    ok!(m.flushed().await);
    assert_eq!(&m[..4], b"xyzc");
}

pub async fn anonymous_maps_are_independent(_store: &FileStore) {
    let mut a = ok!(Mmap::anonymous(100));
    let b = ok!(Mmap::anonymous(100));
    ok!(a.write_at(0, b"only a"));
    assert!(b.iter().all(|&x| x == 0));
}

/// Python resizes anonymous maps where `mremap` exists (Linux) and raises
/// elsewhere. Either it works like a file map's resize (bytes kept, new bytes
/// zero) or it is `Unsupported`; nothing else, and a failure changes nothing.
pub async fn anonymous_resize_keeps_bytes_or_is_unsupported(_store: &FileStore) {
    let p = super::page();
    let mut m = ok!(Mmap::anonymous(p));
    ok!(m.write_at(0, b"keep"));
    match m.resize(3 * p + 1) {
        Ok(()) => {
            assert_eq!(m.len(), 3 * p + 1);
            assert_eq!(&m[..4], b"keep");
            assert!(m[4..].iter().all(|&b| b == 0));
            assert_eq!(ok!(m.size()), (3 * p + 1) as u64);
            ok!(m.resize(2));
            assert_eq!(m.as_slice(), b"ke");
        }
        Err(error) => {
            assert_eq!(error.kind(), ErrorKind::Unsupported, "{error}");
            assert_eq!(m.len(), p);
            assert_eq!(&m[..4], b"keep");
        }
    }
    assert_err!(m.resize(0), InvalidArgument);
}

pub async fn anonymous_close(_store: &FileStore) {
    let mut m = ok!(Mmap::anonymous(10));
    ok!(m.close());
    assert!(m.is_closed());
    ok!(m.close());
    assert_err!(m.read_byte(), Closed);
}
