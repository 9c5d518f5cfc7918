//! `std::io::{Read, Write, Seek, BufRead}` on `Mmap`, sharing the Python-like
//! cursor.

use super::{access, file, flush_and_wait, pattern, write_and_map};
use std::io::{BufRead, Read, Seek, SeekFrom, Write};
use vmmap::{Access, FileStore};

const TEXT: &[u8] = b"alpha\nbeta\ngamma";

pub async fn io_read_reads_and_advances(store: &FileStore) {
    let mut m = write_and_map(store, "f", TEXT, &access(Access::Read)).await;
    let mut buf = [0u8; 4];
    assert_eq!(Read::read(&mut m, &mut buf).unwrap(), 4);
    assert_eq!(&buf, b"alph");
    assert_eq!(m.tell(), 4);
    let mut rest = Vec::new();
    assert_eq!(m.read_to_end(&mut rest).unwrap(), TEXT.len() - 4);
    assert_eq!(rest, &TEXT[4..]);
    assert_eq!(Read::read(&mut m, &mut buf).unwrap(), 0, "at the end");
    assert_eq!(m.tell(), TEXT.len());
}

pub async fn io_read_exact_past_end_fails(store: &FileStore) {
    let mut m = write_and_map(store, "f", TEXT, &access(Access::Read)).await;
    let mut buf = vec![0u8; TEXT.len() + 1];
    let error = m.read_exact(&mut buf).unwrap_err();
    assert_eq!(error.kind(), std::io::ErrorKind::UnexpectedEof);
    ok!(m.seek(SeekFrom::Start(0)));
    let mut exact = vec![0u8; TEXT.len()];
    m.read_exact(&mut exact).unwrap();
    assert_eq!(exact, TEXT);
}

pub async fn io_write_writes_and_advances(store: &FileStore) {
    let data = pattern(64);
    let mut m = write_and_map(store, "f", &data, &access(Access::Write)).await;
    m.write_all(b"hello").unwrap();
    assert_eq!(m.tell(), 5);
    assert_eq!(Write::write(&mut m, b", world").unwrap(), 7);
    assert_eq!(m.tell(), 12);
    write!(m, "{}", 42).unwrap();
    assert_eq!(&m[..14], b"hello, world42");
    Write::flush(&mut m).unwrap();
    ok!(m.flushed().await);
    let mut expected = data.clone();
    expected[..14].copy_from_slice(b"hello, world42");
    assert_eq!(file(store, "f").await, expected);
}

/// `write_all` of more than fits fails. (Whether `Write::write` writes a
/// prefix, as `io::Cursor` does, is the crate's choice; only the error is
/// checked.)
pub async fn io_write_past_end_fails(store: &FileStore) {
    let mut m = write_and_map(store, "f", b"0123456789", &access(Access::Write)).await;
    ok!(m.seek(SeekFrom::Start(8)));
    assert!(m.write_all(b"abc").is_err());
    ok!(m.seek(SeekFrom::End(0)));
    assert!(m.write_all(b"x").is_err());
    assert_eq!(&m[..8], b"01234567");
}

/// `Seek` follows the inherent `seek`: out of range is an error that leaves
/// the position alone.
pub async fn io_seek_matches_inherent_seek(store: &FileStore) {
    let mut m = write_and_map(store, "f", TEXT, &access(Access::Read)).await;
    let len = TEXT.len() as u64;
    assert_eq!(Seek::seek(&mut m, SeekFrom::Start(6)).unwrap(), 6);
    assert_eq!(m.stream_position().unwrap(), 6);
    assert_eq!(m.tell(), 6);
    assert_eq!(Seek::seek(&mut m, SeekFrom::Current(-1)).unwrap(), 5);
    assert_eq!(Seek::seek(&mut m, SeekFrom::End(0)).unwrap(), len);
    assert!(Seek::seek(&mut m, SeekFrom::Start(len + 1)).is_err());
    assert!(Seek::seek(&mut m, SeekFrom::End(-(len as i64) - 1)).is_err());
    assert_eq!(m.stream_position().unwrap(), len);
    m.rewind().unwrap();
    assert_eq!(m.tell(), 0);
}

pub async fn io_bufread_lines_and_fill_buf(store: &FileStore) {
    let mut m = write_and_map(store, "f", TEXT, &access(Access::Read)).await;
    ok!(m.seek(SeekFrom::Start(2)));
    assert_eq!(m.fill_buf().unwrap(), &TEXT[2..]);
    m.consume(4);
    assert_eq!(m.tell(), 6);
    let mut line = Vec::new();
    assert_eq!(m.read_until(b'\n', &mut line).unwrap(), 5);
    assert_eq!(line, b"beta\n");
    ok!(m.seek(SeekFrom::Start(0)));
    let lines: Vec<String> = BufRead::lines(&mut m).map(|l| l.unwrap()).collect();
    assert_eq!(lines, ["alpha", "beta", "gamma"]);
    assert_eq!(m.fill_buf().unwrap(), b"", "at the end");
}

pub async fn io_copy_reads_whole_map(store: &FileStore) {
    let data = pattern(3 * super::granule() + 1);
    let mut m = write_and_map(store, "f", &data, &access(Access::Copy)).await;
    let mut out = Vec::new();
    assert_eq!(std::io::copy(&mut m, &mut out).unwrap(), data.len() as u64);
    assert_eq!(out, data);
    let mut target = write_and_map(store, "g", &vec![0; data.len()], &access(Access::Write)).await;
    ok!(m.seek(SeekFrom::Start(0)));
    std::io::copy(&mut m, &mut target).unwrap();
    flush_and_wait(&target).await;
    assert_eq!(file(store, "g").await, data);
}

pub async fn io_write_on_read_map_fails(store: &FileStore) {
    let mut m = write_and_map(store, "f", TEXT, &access(Access::Read)).await;
    assert!(Write::write(&mut m, b"x").is_err());
    assert!(m.write_all(b"xyz").is_err());
    assert_eq!(m.as_slice(), TEXT);
    assert_eq!(m.tell(), 0);
    Write::flush(&mut m).unwrap();
}
