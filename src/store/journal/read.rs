//! Reading a journal back: [`inspect`] checks its structure and checksum
//! (whole, torn, or cleared), and [`replay`] writes a whole one into the
//! file again.

use std::io::{self, SeekFrom};

use xxhash_rust::xxh3::{Xxh3Default, xxh3_128};

use super::{
    BLOCK, CHECKED, CHUNK, HEADER_LEN, MAGIC, RECORD_HEAD, Storage, VERSION, VERSION_1, finish,
};

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
        blocks: version == VERSION,
    };
    body.hash.update(&header[..CHECKED]);
    if version != VERSION && version != VERSION_1 {
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
    /// Version 2: a record's bytes are checksummed by the hashes of their blocks.
    blocks: bool,
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

    /// Hashes the next `len` bytes (at most `left`): one record's bytes in
    /// version 2, block by block.
    fn skip(&mut self, mut len: u64) -> io::Result<()> {
        debug_assert!(len <= self.left);
        // A multiple of BLOCK, so that reads split no block but a record's last.
        const { assert!(CHUNK % BLOCK == 0) };
        if self.buffer.is_empty() {
            self.buffer = vec![0; CHUNK.min(usize::try_from(self.left).unwrap_or(CHUNK))];
        }
        while len > 0 {
            let n = self
                .buffer
                .len()
                .min(usize::try_from(len).unwrap_or(usize::MAX));
            self.journal.read_exact(&mut self.buffer[..n])?;
            if self.blocks {
                for block in self.buffer[..n].chunks(BLOCK) {
                    self.hash.update(&xxh3_128(block).to_le_bytes());
                }
            } else {
                self.hash.update(&self.buffer[..n]);
            }
            len -= n as u64;
            self.left -= n as u64;
        }
        Ok(())
    }
}

/// Writes the commit of a complete journal into `data` again, sets its
/// length and syncs it. Writing it twice writes the same bytes.
pub(super) fn replay_into(
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

/// Replays `journal` into `data` if it is complete; says what it found.
/// The journal is left as it is: [`clear`](super::clear) it, or remove it, next.
pub(crate) fn replay(data: &mut impl Storage, journal: &mut impl Storage) -> io::Result<Found> {
    let found = inspect(journal)?;
    if let Found::Complete(header) = &found {
        replay_into(data, journal, header)?;
    }
    Ok(found)
}
