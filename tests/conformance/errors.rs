//! `Error`: `Display` names the bad value, `kind()`, `std::error::Error`,
//! conversion into `std::io::Error`; `Debug` on the public types.

use super::{access, granule, pattern, window, write_and_map};
use std::io::SeekFrom;
use vmmap::{Access, Error, ErrorKind, FileStore, Mmap, MmapOptions};

#[track_caller]
fn message_names<T: std::fmt::Debug>(result: vmmap::Result<T>, kind: ErrorKind, value: &str) {
    match result {
        Ok(v) => panic!("expected Err({kind:?}) naming {value:?}, got Ok({v:?})"),
        Err(error) => {
            assert_eq!(error.kind(), kind, "{error}");
            let text = error.to_string();
            assert!(text.contains(value), "{text:?} does not name {value:?}");
        }
    }
}

/// A message says what was wrong with which value.
pub async fn error_display_names_value(store: &FileStore) {
    let mut small = write_and_map(store, "s", b"0123456789", &access(Access::Write)).await;
    message_names(
        small.seek(SeekFrom::Start(12345)),
        ErrorKind::OutOfRange,
        "12345",
    );
    message_names(small.write_at(99999, b"x"), ErrorKind::OutOfRange, "99999");
    message_names(small.get_mut(0..88888), ErrorKind::OutOfRange, "88888");
    message_names(
        small.move_within(0, 54321, 1),
        ErrorKind::OutOfRange,
        "54321",
    );
    message_names(small.flush_range(0, 77777), ErrorKind::OutOfRange, "77777");
    message_names(
        unsafe { store.map("s", &window(0, 777777, Access::Read)).await },
        ErrorKind::InvalidArgument,
        "777777",
    );

    let g = granule();
    let p = super::page();
    let data = pattern(3 * g);
    let mut m = write_and_map(store, "f", &data, &access(Access::Write)).await;
    message_names(
        m.flush_range(p + 1, 1),
        ErrorKind::InvalidArgument,
        &(p + 1).to_string(),
    );
    let past = 4 * g;
    message_names(
        m.advise(vmmap::Advice::Normal, past..),
        ErrorKind::OutOfRange,
        &past.to_string(),
    );
    let misaligned = g + 1;
    message_names(
        unsafe { store.map("f", &window(misaligned, 0, Access::Read)).await },
        ErrorKind::InvalidArgument,
        &misaligned.to_string(),
    );
    message_names(
        store.read_file("no-such-file").await,
        ErrorKind::NotFound,
        "no-such-file",
    );
    message_names(
        unsafe { store.map("no-such-map", &MmapOptions::new()).await },
        ErrorKind::NotFound,
        "no-such-map",
    );
    ok!(m.seek(SeekFrom::End(0)));
    message_names(
        m.write(b"abc"),
        ErrorKind::OutOfRange,
        &data.len().to_string(),
    );
}

/// `Error` is a `std::error::Error`; `ErrorKind` is `Copy + Eq + Debug`.
pub async fn error_traits(_store: &FileStore) {
    fn is_std_error<E: std::error::Error + 'static>(_: &E) {}
    let error: Error = match Mmap::anonymous(0) {
        Ok(_) => panic!("anonymous(0) succeeded"),
        Err(e) => e,
    };
    is_std_error(&error);
    let kind = error.kind();
    let copied = kind;
    assert_eq!(kind, copied);
    assert_eq!(kind, ErrorKind::InvalidArgument);
    assert_ne!(kind, ErrorKind::OutOfRange);
    assert!(!format!("{kind:?}").is_empty());
    assert!(!format!("{error:?}").is_empty());
    assert!(!error.to_string().is_empty());
    let boxed: Box<dyn std::error::Error> = Box::new(error);
    assert!(!boxed.to_string().is_empty());
}

/// `Error` converts into `std::io::Error`, so `?` works in `io::Result`
/// code; `NotFound` stays `NotFound` and the message survives.
pub async fn error_into_io_error(store: &FileStore) {
    let error = match store.read_file("absent-file").await {
        Ok(_) => panic!("read_file of a missing file succeeded"),
        Err(e) => e,
    };
    let io: std::io::Error = error.into();
    assert_eq!(io.kind(), std::io::ErrorKind::NotFound);
    assert!(io.to_string().contains("absent-file"), "{io}");

    fn seek_far(m: &mut Mmap) -> std::io::Result<u64> {
        let pos = m.seek(SeekFrom::Start(1 << 40))?;
        Ok(pos)
    }
    let mut m = ok!(Mmap::anonymous(10));
    let io = seek_far(&mut m).unwrap_err();
    assert!(io.to_string().contains(&(1u64 << 40).to_string()), "{io}");
}

pub async fn debug_impls(store: &FileStore) {
    let mut opts = MmapOptions::new();
    opts.len(5).access(Access::Read);
    assert!(!format!("{opts:?}").is_empty());
    let m = write_and_map(store, "f", b"0123456789", &opts).await;
    assert!(!format!("{m:?}").is_empty());
    assert!(!format!("{:?}", Access::Copy).is_empty());
    assert!(!format!("{:?}", vmmap::Advice::Random).is_empty());
}
