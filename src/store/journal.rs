//! A redo journal that makes one commit to a file crash-atomic: the
//! commit's runs, with their offsets and a checksum, go to
//! `<file>.vmmap-journal` and are synced; only then are they written in
//! place and the file synced; then the journal is cleared. A crash before
//! the journal is durable leaves the file as it was (a torn journal fails
//! its checksum and is discarded); a crash after leaves a complete journal,
//! which [`recover`] replays (again: replaying is idempotent) the next time
//! the file is opened, read or replaced.
//!
//! The WASI and Emscripten store (`fs_file.rs`) and the browser's
//! synchronous directory store (`sync_dir/`: Node's `fs`, OPFS) write
//! journals; every target with a file system recovers them
//! (`backend/open_file.rs`, `dir.rs`), so a directory that a killed WASI
//! program or Node process left is whole when a native program maps it. The logic works on any [`Storage`] (std's `File`,
//! or the tests' simulated disk), so plain `cargo test` checks it. Here:
//! writing a commit; `read.rs`: reading a journal back and replaying it;
//! `on_disk.rs`: journals as files beside their files.
//!
//! # Format (little-endian)
//!
//! ```text
//! header, 56 bytes:
//!    0  magic      8 bytes  "vmmapJNL"
//!    8  version    u32      2 (1 is still read)
//!   12  reserved   u32      0
//!   16  len_after  u64      the file's length after the commit
//!   24  records    u64      how many records follow
//!   32  body_len   u64      bytes of records after the header
//!   40  checksum   u128     XXH3-128 of header bytes 0..40, then the body
//!                            as the version says (below)
//! then `records` records, back to back:
//!       at u64, len u64, then the `len` bytes the file holds at `at` after the commit
//! ```
//!
//! Version 2 (written since 2026-12-02) checksums each record's 16-byte
//! head, then, for each block of 4 KiB of its bytes from its start (the
//! last may be shorter), the block's XXH3-128 hash (16 bytes,
//! little-endian) instead of its bytes: so a flush that already hashed the
//! pages it writes (pages handed out raw, found changed by their hash)
//! hashes them once, not twice. Version 1 checksummed the body's bytes as
//! they are; both are replayed.
//!
//! A journal is complete when its header and body are there and the
//! checksum matches: a torn write, a truncation anywhere or a changed byte
//! goes unseen with probability 2^-128. Bytes after the body are ignored
//! (the journal is overwritten from offset 0). An empty journal, or one
//! whose header is all zero (cleared), is no journal.
#![allow(
    dead_code,
    reason = "commits are written by store/fs_file.rs (WASI, Emscripten) and \
              store/sync_dir/ (the browser build) only; recovery runs on every target \
              with files, and the host tests use the rest"
)]

mod on_disk;
mod read;

use std::fs::File;
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use xxhash_rust::xxh3::{Xxh3Default, xxh3_128};

#[allow(
    unused_imports,
    reason = "each is used on some targets, or by the tests"
)]
pub(crate) use on_disk::{Exclusive, exclusive, forget, open, recover, sync_dir};
#[allow(
    unused_imports,
    reason = "each is used on some targets, or by the tests"
)]
pub(crate) use read::{Found, inspect, replay};

/// What a file's journal is named after it: `data.bin` → `data.bin.vmmap-journal`.
pub(crate) const SUFFIX: &str = ".vmmap-journal";

const MAGIC: [u8; 8] = *b"vmmapJNL";
const VERSION: u32 = 2;
/// The version before per-block hashes, still replayed.
const VERSION_1: u32 = 1;
/// Bytes of a record hashed as one block (version 2): the emulation's page.
const BLOCK: usize = 4096;
const HEADER_LEN: usize = 56;
/// Header bytes before the checksum, which it covers.
const CHECKED: usize = 40;
const RECORD_HEAD: usize = 16;
/// Bytes buffered or copied at a time.
const CHUNK: usize = 1 << 20;

/// The bytes the file holds at `at` once a commit is done.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Record<'a> {
    pub(crate) at: u64,
    pub(crate) bytes: &'a [u8],
}

/// What the journal asks of a file (the data file and the journal itself):
/// std's `File`, or a test's simulated disk.
pub(crate) trait Storage: Read + Write + Seek {
    /// Sets the length; new bytes are zero.
    fn set_len(&mut self, len: u64) -> io::Result<()>;
    /// Returns once what was written (and the length) is durable.
    fn sync(&mut self) -> io::Result<()>;
}

impl Storage for File {
    fn set_len(&mut self, len: u64) -> io::Result<()> {
        File::set_len(self, len)
    }

    fn sync(&mut self) -> io::Result<()> {
        // The data and the length needed to read it back, not other metadata.
        self.sync_data()
    }
}

/// Where the journal of the file at `file` lives.
pub(crate) fn path_of(file: &Path) -> PathBuf {
    let mut name = file.as_os_str().to_owned();
    name.push(SUFFIX);
    PathBuf::from(name)
}

/// Why a commit failed, which says what the file holds.
#[derive(Debug)]
pub(crate) enum Failed {
    /// The journal could not be written and synced: the file is unchanged
    /// (the journal was cleared, or is torn and will be discarded).
    Journal(io::Error),
    /// The journal is durable, but writing it in place (or clearing it)
    /// failed: the file may hold part of the commit until the journal is
    /// replayed, and readers that recover first see all of it.
    InPlace(io::Error),
}

/// Writes `records` to `data` and makes its length `len_after`,
/// crash-atomically through `journal`: write the journal, sync it, write in
/// place, sync the file, clear the journal's header. A complete commit the
/// journal still holds (one whose writing in place failed, maybe from
/// another map of the file) is completed first, as this one overwrites it.
/// The clearing is not
/// synced: should it be undone by a crash, replaying the journal again
/// changes nothing, as long as every change to the file goes through the
/// journal (the next commit's sync makes this one's journal unreachable).
pub(crate) fn commit(
    data: &mut impl Storage,
    journal: &mut impl Storage,
    len_after: u64,
    records: &[Record<'_>],
) -> std::result::Result<(), Failed> {
    commit_with(data, journal, len_after, records, &no_hashes)
}

/// `known(at, len)`: the XXH3-128 hash of the `len` bytes the records hold
/// for file offset `at`, if the caller computed it from those very bytes.
pub(crate) type Known<'a> = dyn Fn(u64, usize) -> Option<u128> + 'a;

/// No block's hash is known: the journal hashes every block.
pub(crate) fn no_hashes(_at: u64, _len: usize) -> Option<u128> {
    None
}

/// [`commit`], with the hashes of blocks the caller knows ([`Known`]).
pub(crate) fn commit_with(
    data: &mut impl Storage,
    journal: &mut impl Storage,
    len_after: u64,
    records: &[Record<'_>],
    known: &Known<'_>,
) -> std::result::Result<(), Failed> {
    complete(data, journal).map_err(Failed::Journal)?;
    if let Err(e) = write_with(journal, len_after, records, known) {
        // Best effort: a journal that stays is torn or, if only its sync
        // failed, a whole commit, and both are fine to find after a crash.
        let _ = clear(journal);
        return Err(Failed::Journal(e));
    }
    apply(data, len_after, records)
        .and_then(|()| clear(journal))
        .map_err(Failed::InPlace)
}

/// One change to `data` through `journal`, as every store that journals
/// makes it: the commit `journal` still holds (one whose writing in place
/// failed, maybe from another map of the file) is completed first, since
/// the length after this one depends on it; then `records` are committed
/// and the length made `len_after(the length now)`; a change that changes
/// nothing writes nothing.
/// `known` is as in [`commit_with`].
pub(crate) fn change(
    data: &mut impl Storage,
    journal: &mut impl Storage,
    len_after: impl FnOnce(u64) -> u64,
    records: &[Record<'_>],
    known: &Known<'_>,
) -> std::result::Result<(), Failed> {
    complete(data, journal).map_err(Failed::Journal)?;
    let now = data.seek(SeekFrom::End(0)).map_err(Failed::Journal)?;
    let len = len_after(now);
    if records.is_empty() && len == now {
        return Ok(());
    }
    commit_with(data, journal, len, records, known)
}

/// Writes the journal of a commit over whatever `journal` held, and syncs it.
pub(crate) fn write(
    journal: &mut impl Storage,
    len_after: u64,
    records: &[Record<'_>],
) -> io::Result<()> {
    write_with(journal, len_after, records, &no_hashes)
}

/// Feeds the checksum of version 2 with the hash of each block of `bytes`,
/// which the file holds at `at`: `known`'s where it has it.
fn hash_blocks(hash: &mut Xxh3Default, at: u64, bytes: &[u8], known: &Known) {
    for (i, block) in bytes.chunks(BLOCK).enumerate() {
        let block_at = at + (i * BLOCK) as u64;
        let h = known(block_at, block.len()).unwrap_or_else(|| xxh3_128(block));
        debug_assert_eq!(h, xxh3_128(block), "a known hash is of other bytes");
        hash.update(&h.to_le_bytes());
    }
}

/// [`write()`], with the hashes of blocks the caller knows (see [`commit_with`]).
fn write_with(
    journal: &mut impl Storage,
    len_after: u64,
    records: &[Record<'_>],
    known: &Known<'_>,
) -> io::Result<()> {
    let body_len: u64 = records
        .iter()
        .map(|record| (RECORD_HEAD + record.bytes.len()) as u64)
        .sum();
    let mut header = [0; HEADER_LEN];
    header[0..8].copy_from_slice(&MAGIC);
    header[8..12].copy_from_slice(&VERSION.to_le_bytes());
    header[16..24].copy_from_slice(&len_after.to_le_bytes());
    header[24..32].copy_from_slice(&(records.len() as u64).to_le_bytes());
    header[32..40].copy_from_slice(&body_len.to_le_bytes());
    let mut hash = Xxh3Default::new();
    hash.update(&header[..CHECKED]);
    // The body first, then the header that vouches for it; one sync covers both.
    journal.seek(SeekFrom::Start(HEADER_LEN as u64))?;
    let buffer = usize::try_from(body_len).map_or(CHUNK, |len| len.min(CHUNK));
    let mut out = BufWriter::with_capacity(buffer, &mut *journal);
    for record in records {
        let head = record_head(record.at, record.bytes.len() as u64);
        hash.update(&head);
        hash_blocks(&mut hash, record.at, record.bytes, known);
        out.write_all(&head)?;
        out.write_all(record.bytes)?;
    }
    out.flush()?;
    drop(out);
    header[CHECKED..].copy_from_slice(&hash.digest128().to_le_bytes());
    journal.seek(SeekFrom::Start(0))?;
    journal.write_all(&header)?;
    journal.sync()
}

fn record_head(at: u64, len: u64) -> [u8; RECORD_HEAD] {
    let mut head = [0; RECORD_HEAD];
    head[..8].copy_from_slice(&at.to_le_bytes());
    head[8..].copy_from_slice(&len.to_le_bytes());
    head
}

/// Writes `records` in place, makes the length `len_after`, and syncs:
/// what a commit does once its journal is durable, and all that a file
/// without a journal gets.
pub(crate) fn apply(
    data: &mut impl Storage,
    len_after: u64,
    records: &[Record<'_>],
) -> io::Result<()> {
    for record in records {
        data.seek(SeekFrom::Start(record.at))?;
        data.write_all(record.bytes)?;
    }
    finish(data, len_after)
}

fn finish(data: &mut impl Storage, len_after: u64) -> io::Result<()> {
    if data.seek(SeekFrom::End(0))? != len_after {
        data.set_len(len_after)?;
    }
    data.sync()
}

/// Clears the journal's header: no commit is pending. The file keeps its
/// length and its blocks, which the next commit overwrites: truncating it
/// would make every commit allocate its blocks again and cost each sync a
/// metadata commit (measured on ext4: a one-page commit took 1.5x as long,
/// a 64 MiB one 1.2–1.5x). SQLite's `journal_mode=PERSIST` does the same.
/// The journal goes when the file's last map does.
pub(crate) fn clear(journal: &mut impl Storage) -> io::Result<()> {
    journal.seek(SeekFrom::Start(0))?;
    journal.write_all(&[0; HEADER_LEN])
}

/// Completes the commit `journal` holds, if it holds a whole one, and
/// clears it: what a commit does first, since it overwrites the journal.
pub(crate) fn complete(data: &mut impl Storage, journal: &mut impl Storage) -> io::Result<()> {
    if let Found::Complete(_) = replay(data, journal)? {
        clear(journal)?;
    }
    Ok(())
}

// On the host and every target with files (the browser build has no
// `std::fs`, nor these tests' dev-dependencies).
#[cfg(all(test, not(all(target_arch = "wasm32", target_os = "unknown"))))]
mod crash_tests;
#[cfg(all(test, not(all(target_arch = "wasm32", target_os = "unknown"))))]
mod file_tests;
