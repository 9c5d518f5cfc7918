//! A redo journal that makes one commit to a file crash-atomic: the
//! commit's runs, with their offsets and a checksum, go to
//! `<file>.vmmap-journal` and are synced; only then are they written in
//! place and the file synced; then the journal is cleared. A crash before
//! the journal is durable leaves the file as it was (a torn journal fails
//! its checksum and is discarded); a crash after leaves a complete journal,
//! which [`recover`] replays (again: replaying is idempotent) the next time
//! the file is opened, read or replaced.
//!
//! The WASI and Emscripten store (`fs_file.rs`) writes journals; every
//! target with a file system recovers them (`backend/open_file.rs`,
//! `dir.rs`), so a directory that a killed WASI program left is whole when a
//! native program maps it. The logic works on any [`Storage`] (std's `File`,
//! or the tests' simulated disk), so plain `cargo test` checks it.
//!
//! # Format (little-endian)
//!
//! ```text
//! header, 56 bytes:
//!    0  magic      8 bytes  "vmmapJNL"
//!    8  version    u32      1
//!   12  reserved   u32      0
//!   16  len_after  u64      the file's length after the commit
//!   24  records    u64      how many records follow
//!   32  body_len   u64      bytes of records after the header
//!   40  checksum   u128     XXH3-128 of header bytes 0..40, then the body
//! then `records` records, back to back:
//!       at u64, len u64, then the `len` bytes the file holds at `at` after the commit
//! ```
//!
//! A journal is complete when its header and body are there and the
//! checksum matches: a torn write, a truncation anywhere or a changed byte
//! goes unseen with probability 2^-128. Bytes after the body are ignored
//! (the journal is overwritten from offset 0). An empty journal, or one
//! whose header is all zero (cleared), is no journal.
#![allow(
    dead_code,
    reason = "commits are written by store/fs_file.rs (WASI, Emscripten) only; \
              recovery runs on every target with files, and the host tests use the rest"
)]

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use xxhash_rust::xxh3::Xxh3Default;

use crate::error::{Error, Result};
use crate::sync::lock;

/// What a file's journal is named after it: `data.bin` → `data.bin.vmmap-journal`.
pub(crate) const SUFFIX: &str = ".vmmap-journal";

const MAGIC: [u8; 8] = *b"vmmapJNL";
const VERSION: u32 = 1;
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
    complete(data, journal).map_err(Failed::Journal)?;
    if let Err(e) = write(journal, len_after, records) {
        // Best effort: a journal that stays is torn or, if only its sync
        // failed, a whole commit, and both are fine to find after a crash.
        let _ = clear(journal);
        return Err(Failed::Journal(e));
    }
    apply(data, len_after, records)
        .and_then(|()| clear(journal))
        .map_err(Failed::InPlace)
}

/// Writes the journal of a commit over whatever `journal` held, and syncs it.
pub(crate) fn write(
    journal: &mut impl Storage,
    len_after: u64,
    records: &[Record<'_>],
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
        hash.update(record.bytes);
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

/// What a journal holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Found {
    /// Nothing, or a cleared header: no commit is pending.
    Empty,
    /// Part of a commit (or damaged bytes): the file was not touched by
    /// it, and the journal is discarded.
    Torn,
    /// A whole commit, which may be partly written in place.
    Complete(Header),
}

/// The header of a complete journal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Header {
    len_after: u64,
    records: u64,
    body_len: u64,
}

/// Reads the journal through, checking its structure and checksum.
/// A complete journal of another version is an error, not a torn one: it
/// may hold a commit that this version cannot replay.
pub(crate) fn inspect(journal: &mut impl Storage) -> io::Result<Found> {
    let total = journal.seek(SeekFrom::End(0))?;
    if total == 0 {
        return Ok(Found::Empty);
    }
    if total < HEADER_LEN as u64 {
        return Ok(Found::Torn);
    }
    let mut header = [0; HEADER_LEN];
    journal.seek(SeekFrom::Start(0))?;
    journal.read_exact(&mut header)?;
    let u64_at = |at: usize| u64::from_le_bytes(header[at..at + 8].try_into().expect("8 bytes"));
    let version = u32::from_le_bytes(header[8..12].try_into().expect("4 bytes"));
    let (len_after, records, body_len) = (u64_at(16), u64_at(24), u64_at(32));
    let checksum = u128::from_le_bytes(header[CHECKED..].try_into().expect("16 bytes"));
    if header == [0; HEADER_LEN] {
        return Ok(Found::Empty);
    }
    if header[..8] != MAGIC || body_len > total - HEADER_LEN as u64 {
        return Ok(Found::Torn);
    }
    let mut body = Body {
        journal,
        left: body_len,
        hash: Xxh3Default::new(),
        buffer: Vec::new(),
    };
    body.hash.update(&header[..CHECKED]);
    if version != VERSION {
        body.skip(body_len)?;
        if body.hash.digest128() != checksum {
            return Ok(Found::Torn);
        }
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("the journal is version {version}; this vmmap replays version {VERSION}"),
        ));
    }
    for _ in 0..records {
        let Some(head) = body.head()? else {
            return Ok(Found::Torn);
        };
        let (at, len) = split_head(&head);
        if at.checked_add(len).is_none() || len > body.left {
            return Ok(Found::Torn);
        }
        body.skip(len)?;
    }
    if body.left != 0 || body.hash.digest128() != checksum {
        return Ok(Found::Torn);
    }
    Ok(Found::Complete(Header {
        len_after,
        records,
        body_len,
    }))
}

fn split_head(head: &[u8; RECORD_HEAD]) -> (u64, u64) {
    let at = u64::from_le_bytes(head[..8].try_into().expect("8 bytes"));
    let len = u64::from_le_bytes(head[8..].try_into().expect("8 bytes"));
    (at, len)
}

/// The body of a journal, read in order, hashed as it is read, and never
/// past `body_len`.
struct Body<'a, J> {
    journal: &'a mut J,
    left: u64,
    hash: Xxh3Default,
    buffer: Vec<u8>,
}

impl<J: Storage> Body<'_, J> {
    /// The next record's head, or `None` if the body ends first.
    fn head(&mut self) -> io::Result<Option<[u8; RECORD_HEAD]>> {
        if self.left < RECORD_HEAD as u64 {
            return Ok(None);
        }
        let mut head = [0; RECORD_HEAD];
        self.journal.read_exact(&mut head)?;
        self.hash.update(&head);
        self.left -= RECORD_HEAD as u64;
        Ok(Some(head))
    }

    /// Hashes the next `len` bytes (at most `left`).
    fn skip(&mut self, mut len: u64) -> io::Result<()> {
        debug_assert!(len <= self.left);
        if self.buffer.is_empty() {
            self.buffer = vec![0; CHUNK.min(usize::try_from(self.left).unwrap_or(CHUNK))];
        }
        while len > 0 {
            let n = self
                .buffer
                .len()
                .min(usize::try_from(len).unwrap_or(usize::MAX));
            self.journal.read_exact(&mut self.buffer[..n])?;
            self.hash.update(&self.buffer[..n]);
            len -= n as u64;
            self.left -= n as u64;
        }
        Ok(())
    }
}

/// Writes the commit of a complete journal into `data` again, sets its
/// length and syncs it. Writing it twice writes the same bytes.
fn replay_into(
    data: &mut impl Storage,
    journal: &mut impl Storage,
    header: &Header,
) -> io::Result<()> {
    journal.seek(SeekFrom::Start(HEADER_LEN as u64))?;
    let mut buffer = vec![0; CHUNK.min(usize::try_from(header.body_len).unwrap_or(CHUNK))];
    for _ in 0..header.records {
        let mut head = [0; RECORD_HEAD];
        journal.read_exact(&mut head)?;
        let (at, mut len) = split_head(&head);
        data.seek(SeekFrom::Start(at))?;
        while len > 0 {
            let n = buffer.len().min(usize::try_from(len).unwrap_or(usize::MAX));
            journal.read_exact(&mut buffer[..n])?;
            data.write_all(&buffer[..n])?;
            len -= n as u64;
        }
    }
    finish(data, header.len_after)
}

/// Completes the commit `journal` holds, if it holds a whole one, and
/// clears it: what a commit does first, since it overwrites the journal.
pub(crate) fn complete(data: &mut impl Storage, journal: &mut impl Storage) -> io::Result<()> {
    if let Found::Complete(_) = replay(data, journal)? {
        clear(journal)?;
    }
    Ok(())
}

/// Replays `journal` into `data` if it is complete; says what it found.
/// The journal is left as it is: [`clear`] it, or remove it, next.
pub(crate) fn replay(data: &mut impl Storage, journal: &mut impl Storage) -> io::Result<Found> {
    let found = inspect(journal)?;
    if let Found::Complete(header) = &found {
        replay_into(data, journal, header)?;
    }
    Ok(found)
}

/// Journals are read and written one at a time in the process, so that a
/// recovery never reads a journal that a commit is writing (threads).
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// The right to read and write journals, held for one step.
pub(crate) struct Exclusive(MutexGuard<'static, ()>);

/// Waits for the right to read and write journals.
pub(crate) fn exclusive() -> Exclusive {
    Exclusive(lock(&ONE_AT_A_TIME))
}

/// Completes or discards the journal of the file at `path`, if any, then
/// removes it: after this the file holds exactly the state before or after
/// its last commit, and no journal can be replayed onto it. Says whether
/// there was a journal.
pub(crate) fn recover(path: &Path) -> Result<bool> {
    exclusive().recover(path)
}

/// Removes the journal of the file at `path`, if any, without replaying it
/// (the file is gone). Best effort: a journal left without its file is
/// discarded when a file of that name is next opened.
pub(crate) fn forget(path: &Path) {
    let _one = exclusive();
    if fs::remove_file(path_of(path)).is_ok() {
        sync_dir(path);
    }
}

impl Exclusive {
    /// [`recover`], for a caller that holds the right already.
    pub(crate) fn recover(&self, path: &Path) -> Result<bool> {
        let journal_path = path_of(path);
        let mut journal = match File::open(&journal_path) {
            Ok(journal) => journal,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
            Err(e) => {
                return Err(Error::from_io(
                    format!("open the journal {}", journal_path.display()),
                    e,
                ));
            }
        };
        let found = inspect(&mut journal).map_err(|e| {
            Error::from_io(format!("read the journal {}", journal_path.display()), e)
        })?;
        if let Found::Complete(header) = &found {
            match OpenOptions::new().read(true).write(true).open(path) {
                Ok(mut data) => replay_into(&mut data, &mut journal, header).map_err(|e| {
                    Error::from_io(
                        format!(
                            "complete the last commit to {} from its journal",
                            path.display()
                        ),
                        e,
                    )
                })?,
                // The file was removed before its journal: nothing to complete.
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => {
                    return Err(Error::from_io(
                        format!("open {} to complete its last commit", path.display()),
                        e,
                    ));
                }
            }
        }
        match fs::remove_file(&journal_path) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            // A complete journal must go, or it is replayed again later.
            Err(e) if matches!(found, Found::Complete(_)) => {
                return Err(Error::from_io(
                    format!("remove the journal {}", journal_path.display()),
                    e,
                ));
            }
            // An empty or torn one is harmless where it is.
            Err(_) => return Ok(true),
        }
        // The removal is durable before the caller replaces or writes the file.
        sync_dir(path);
        Ok(true)
    }

    /// Removes the journal of the file at `file` unless it holds a
    /// commit to complete (a map's journal, once its last commit is done).
    pub(crate) fn remove_if_clear(&self, file: &Path) {
        let journal_path = path_of(file);
        let clear = File::open(&journal_path)
            .and_then(|mut journal| inspect(&mut journal))
            .is_ok_and(|found| !matches!(found, Found::Complete(_)));
        if clear && fs::remove_file(&journal_path).is_ok() {
            sync_dir(file);
        }
    }
}

/// Opens the journal at `journal_path` for a commit, creating it (and
/// syncing its directory, so that its name is durable before the file
/// depends on it) if it is missing.
pub(crate) fn open(journal_path: &Path) -> io::Result<File> {
    match OpenOptions::new().read(true).write(true).open(journal_path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            let journal = OpenOptions::new()
                .read(true)
                .write(true)
                .create_new(true)
                .open(journal_path)?;
            sync_dir(journal_path);
            Ok(journal)
        }
        opened => opened,
    }
}

/// Syncs the directory that holds `file`, where the runtime can open a
/// directory (Unix, WASI; not Windows, whose renames and removals need no
/// such sync here, and not Emscripten's MEMFS, which keeps nothing anyway).
pub(crate) fn sync_dir(file: &Path) {
    let dir = match file.parent() {
        Some(dir) if dir.as_os_str().is_empty() => Path::new("."),
        Some(dir) => dir,
        None => return,
    };
    if let Ok(dir) = File::open(dir) {
        let _ = dir.sync_all();
    }
}

#[cfg(test)]
mod tests;
