//! The pure decisions of the browser's IndexedDB store (`store/idb/`), free
//! of JS so that plain `cargo test` checks them on the host: a file's record
//! ([`Meta`]) and how a commit changes it, how a write checks the file in
//! its transaction ([`decide`]), which chunks a flush puts as the map has
//! them and which it merges into the stored ones ([`plan_flush`]), and what
//! a resize does to the chunks ([`plan_resize`]).
//!
//! Only the browser store uses these; it is declared on every target (in
//! `store/mod.rs`, not under the browser-only `idb/`) for its tests.
#![allow(
    dead_code,
    reason = "used by store/idb/ in the browser only; compiled everywhere for its host tests"
)]

use std::ops::Range;

/// What the store knows of one file: its record `{ id, size, chunk,
/// version, tag }` in the `files` object store, under the file's name (read
/// and written as JS in `idb/meta.rs`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Meta {
    /// Names the file's chunks (`[id, index]`); a replaced file gets a new id.
    pub(crate) id: f64,
    /// The file's length in bytes.
    pub(crate) size: u64,
    /// The chunk size the file was written with.
    pub(crate) chunk: u64,
    /// Counts the commits to the file.
    pub(crate) version: f64,
    /// Random, new at every commit: names the state the file is in, so a
    /// writer can check in its transaction that nobody committed since the
    /// state it knows ([`decide`]). `None` in records without one.
    pub(crate) tag: Option<f64>,
}

impl Meta {
    /// The record after one more commit: `size` bytes long, with the new tag `tag`.
    pub(crate) fn next(self, size: u64, tag: f64) -> Meta {
        Meta {
            size,
            version: self.version + 1.0,
            tag: Some(tag),
            ..self
        }
    }

    /// The chunks `[first, end)` that hold the bytes `[offset, offset + len)`.
    pub(crate) fn chunks(&self, offset: u64, len: u64) -> (u64, u64) {
        (offset / self.chunk, (offset + len).div_ceil(self.chunk))
    }
}

/// How a write checks, in its transaction, what the file is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Check {
    /// The record must still be `old` (same id, tag and version): nobody committed
    /// since the state the map knows, so its clean pages are the stored
    /// bytes. `new` is put at once, so no request waits for another.
    Known { old: Meta, new: Meta },
    /// Nothing to check: the page holds the file's lease and a commit
    /// under it checked the state `old`, so nobody else committed since.
    /// The record is put only if the length changes (`new`); the tag stays,
    /// since nobody can learn it before the lease ends.
    Leased { old: Meta, new: Option<Meta> },
    /// The record must name the mapped file; the new one is made from it
    /// once read.
    Id,
}

impl Check {
    /// The state the map knows once the write commits.
    pub(crate) fn after(self) -> Option<Meta> {
        match self {
            Check::Known { new, .. } | Check::Leased { new: Some(new), .. } => Some(new),
            Check::Leased { old, new: None } => Some(old),
            Check::Id => None,
        }
    }
}

/// How a write checks the file, when its turn comes: a map that knows the
/// file's state (`known`) and checked it under the lease the turn runs
/// under (`verified == lease`) checks nothing; one that knows the state
/// checks it (its new record tagged with `new_tag()`); any other checks the
/// file's id and merges. `before` and `after` are the file's length before
/// and after the write as the page saw them when asking; if `known`
/// disagrees, the state is not trusted.
pub(crate) fn decide(
    known: Option<Meta>,
    verified: Option<u64>,
    lease: Option<u64>,
    (before, after): (u64, u64),
    new_tag: impl FnOnce() -> f64,
) -> Check {
    let Some(old) = known.filter(|k| k.size == before) else {
        return Check::Id;
    };
    if lease.is_some() && verified == lease {
        let new = (after != old.size).then_some(Meta {
            size: after,
            version: old.version + 1.0,
            ..old
        });
        return Check::Leased { old, new };
    }
    Check::Known {
        old,
        new: old.next(after, new_tag()),
    }
}

/// What a flush writes to one chunk.
#[derive(Debug, PartialEq)]
pub(crate) struct ChunkWrite {
    pub(crate) index: u64,
    /// Where `bytes` starts in the chunk.
    pub(crate) at: usize,
    /// Where the map's bytes of the chunk from `at` are in its window: up
    /// to the end of its last dirty range or, if `whole`, the chunk as the
    /// file holds it once written (to the chunk's end or the file's).
    pub(crate) bytes: Range<usize>,
    /// The dirty ranges, in the chunk.
    pub(crate) dirty: Vec<Range<usize>>,
    /// The map holds every byte of the chunk and knows that those it did not
    /// dirty are the stored ones (as long as [`Check::Known`] holds).
    pub(crate) whole: bool,
}

impl ChunkWrite {
    /// Whether the chunk (of `chunk` bytes) is put as the map has it: if
    /// the map has it whole and its write's [`Check::Known`] holds
    /// (`known`), or if the dirty ranges cover it. Otherwise it is read
    /// and [merged](Self::merge) inside the transaction, so bytes this
    /// flush does not own are kept.
    pub(crate) fn put_as_is(&self, chunk: u64, known: bool) -> bool {
        let covered = matches!(self.dirty.as_slice(), [r] if r.start == 0 && r.end as u64 == chunk);
        (known && self.whole) || covered
    }

    /// The chunk as stored (`stored`, empty if missing) with the dirty
    /// ranges written over it, grown with zeros to reach them; `read`
    /// copies the map's bytes of a range of its window into a slice.
    pub(crate) fn merge(
        &self,
        mut stored: Vec<u8>,
        mut read: impl FnMut(Range<usize>, &mut [u8]),
    ) -> Vec<u8> {
        let need = self.dirty.iter().map(|r| r.end).max().unwrap_or(0);
        if stored.len() < need {
            stored.resize(need, 0);
        }
        for r in &self.dirty {
            let from = self.bytes.start + (r.start - self.at);
            read(from..from + r.len(), &mut stored[r.clone()]);
        }
        stored
    }
}

/// What a flush writes, chunk by chunk (`chunk` bytes each), in the order of
/// `runs`: the dirty `runs` of a window, the map's bytes from file offset
/// `offset`. Nothing is copied: the bytes are read from the window's
/// snapshot when the transaction puts them. `scope` is the part of the
/// window whose stored content the map holds; `size` the file's length
/// after the flush if the map knows the file's state: only then are chunks
/// put whole.
pub(crate) fn plan_flush(
    offset: u64,
    scope: Range<usize>,
    runs: &[Range<usize>],
    chunk: u64,
    size: Option<u64>,
) -> Vec<ChunkWrite> {
    let (known_from, known_to) = (offset + scope.start as u64, offset + scope.end as u64);
    let mut plan: Vec<ChunkWrite> = Vec::new();
    for run in runs {
        let (mut at, stop) = (offset + run.start as u64, offset + run.end as u64);
        while at < stop {
            let index = at / chunk;
            let start = index * chunk;
            let piece_end = (start + chunk).min(stop);
            let dirty = (at - start) as usize..(piece_end - start) as usize;
            match plan.last_mut() {
                Some(w) if w.index == index => w.dirty.push(dirty),
                _ => {
                    let whole_end = size
                        .map(|size| (start + chunk).min(size))
                        .filter(|&e| start >= known_from && e <= known_to);
                    let from = start.max(offset);
                    let bytes =
                        whole_end.map_or(0..0, |e| (from - offset) as usize..(e - offset) as usize);
                    plan.push(ChunkWrite {
                        index,
                        at: (from - start) as usize,
                        bytes,
                        dirty: vec![dirty],
                        whole: whole_end.is_some(),
                    });
                }
            }
            at = piece_end;
        }
    }
    // A chunk not held whole keeps the bytes up to its last dirty one.
    for w in plan.iter_mut().filter(|w| !w.whole) {
        let from = w.index * chunk + w.at as u64;
        let to = w.index * chunk + w.dirty.last().map_or(0, |r| r.end) as u64;
        w.bytes = (from - offset) as usize..(to - offset) as usize;
    }
    plan
}

/// What a resize to `len` bytes does to a file's chunks of `chunk` bytes.
#[derive(Debug, PartialEq)]
pub(crate) struct Resize {
    /// The chunks from this index on are deleted.
    pub(crate) drop_from: u64,
    /// The chunk the new end falls in, when the file shrinks to inside one,
    /// and the bytes of it to keep: it is cut, so that bytes past the end
    /// read as zero if the file grows again.
    pub(crate) cut: Option<(u64, u32)>,
}

/// What a resize to `len` bytes (`shrinks`: from a longer length) does to
/// the chunks.
pub(crate) fn plan_resize(len: u64, chunk: u64, shrinks: bool) -> Resize {
    Resize {
        drop_from: len.div_ceil(chunk),
        cut: (len % chunk != 0 && shrinks).then(|| (len / chunk, (len % chunk) as u32)),
    }
}

#[cfg(test)]
#[allow(
    clippy::single_range_in_vec_init,
    reason = "lists of dirty ranges, some of one range"
)]
mod tests {
    use super::*;

    const META: Meta = Meta {
        id: 11.0,
        size: 100,
        chunk: 8,
        version: 4.0,
        tag: Some(21.0),
    };

    fn no_tag() -> f64 {
        panic!("no new tag is needed here")
    }

    #[test]
    fn next_counts_a_commit_and_retags() {
        let next = META.next(7, 99.0);
        assert_eq!(
            next,
            Meta {
                size: 7,
                version: 5.0,
                tag: Some(99.0),
                ..META
            }
        );
    }

    #[test]
    fn chunks_cover_the_bytes() {
        let meta = Meta {
            chunk: 32 * 1024,
            ..META
        };
        assert_eq!(meta.chunks(0, 0), (0, 0));
        assert_eq!(meta.chunks(0, 1), (0, 1));
        assert_eq!(meta.chunks(1, 32 * 1024), (0, 2));
        assert_eq!(meta.chunks(32 * 1024, 32 * 1024), (1, 2));
        assert_eq!(meta.chunks(64 * 1024, 1), (2, 3));
    }

    #[test]
    fn a_map_that_knows_no_state_checks_the_id() {
        assert_eq!(decide(None, None, None, (100, 100), no_tag), Check::Id);
        assert_eq!(
            decide(None, Some(3), Some(3), (100, 120), no_tag),
            Check::Id
        );
        // The page saw another length than the state it knows: not trusted.
        assert_eq!(
            decide(Some(META), Some(3), Some(3), (90, 100), no_tag),
            Check::Id
        );
        assert_eq!(Check::Id.after(), None);
    }

    #[test]
    fn under_the_lease_it_checked_a_map_checks_nothing() {
        let same = decide(Some(META), Some(3), Some(3), (100, 100), no_tag);
        assert_eq!(
            same,
            Check::Leased {
                old: META,
                new: None
            }
        );
        assert_eq!(same.after(), Some(META));
        // A new length is put, with the same tag: nobody can learn it meanwhile.
        let grown = decide(Some(META), Some(3), Some(3), (100, 130), no_tag);
        let new = Meta {
            size: 130,
            version: 5.0,
            ..META
        };
        assert_eq!(
            grown,
            Check::Leased {
                old: META,
                new: Some(new)
            }
        );
        assert_eq!(grown.after(), Some(new));
    }

    #[test]
    fn a_map_that_knows_the_state_checks_its_tag() {
        let new = META.next(100, 7.0);
        let known = Check::Known { old: META, new };
        // Checked under another lease, under none, or never checked.
        assert_eq!(
            decide(Some(META), Some(3), Some(4), (100, 100), || 7.0),
            known
        );
        assert_eq!(decide(Some(META), None, None, (100, 100), || 7.0), known);
        assert_eq!(decide(Some(META), Some(3), None, (100, 100), || 7.0), known);
        assert_eq!(decide(Some(META), None, Some(4), (100, 100), || 7.0), known);
        assert_eq!(known.after(), Some(new));
        let shrunk = decide(Some(META), None, None, (100, 40), || 8.0);
        assert_eq!(shrunk.after(), Some(META.next(40, 8.0)));
    }

    #[test]
    fn without_the_state_a_flush_takes_the_bytes_up_to_the_last_dirty_one() {
        let plan = plan_flush(0, 0..32, &[2..5], 8, None);
        assert_eq!(
            plan,
            [ChunkWrite {
                index: 0,
                at: 0,
                bytes: 0..5,
                dirty: vec![2..5],
                whole: false,
            }]
        );
        assert!(!plan[0].put_as_is(8, false));
        assert!(!plan[0].put_as_is(8, true));
        // A window that starts inside a chunk (a file written with larger
        // chunks than windows are aligned to) has its bytes from there.
        let plan = plan_flush(4, 0..32, &[1..2], 8, None);
        assert_eq!((plan[0].at, plan[0].bytes.clone()), (4, 0..2));
        assert_eq!(plan[0].dirty, [5..6]);
    }

    #[test]
    fn runs_split_at_chunks_and_share_one() {
        let plan = plan_flush(0, 0..32, &[6..18, 20..21, 23..24], 8, None);
        let dirty: Vec<_> = plan.iter().map(|c| (c.index, c.dirty.clone())).collect();
        assert_eq!(
            dirty,
            [
                (0, vec![6..8]),
                (1, vec![0..8]),
                (2, vec![0..2, 4..5, 7..8])
            ]
        );
        assert_eq!(plan[2].at, 0);
        assert_eq!(plan[2].bytes, 16..24);
        // A chunk the dirty bytes cover is put as it is, state known or not.
        let as_is: Vec<_> = plan.iter().map(|c| c.put_as_is(8, false)).collect();
        assert_eq!(as_is, [false, true, false]);
    }

    #[test]
    fn a_map_that_knows_the_state_copies_whole_chunks_up_to_the_file_end() {
        // The window starts at chunk 2 (byte 16); the file will be 30 bytes.
        let plan = plan_flush(16, 0..16, &[1..2, 9..10], 8, Some(30));
        assert_eq!(
            plan,
            [
                ChunkWrite {
                    index: 2,
                    at: 0,
                    bytes: 0..8,
                    dirty: vec![1..2],
                    whole: true,
                },
                ChunkWrite {
                    index: 3,
                    at: 0,
                    bytes: 8..14,
                    dirty: vec![1..2],
                    whole: true,
                },
            ]
        );
        // Put as is only while the state holds; else merged.
        assert!(plan[0].put_as_is(8, true));
        assert!(!plan[0].put_as_is(8, false));
    }

    #[test]
    fn a_chunk_not_all_in_scope_is_merged() {
        // The map holds the stored content of bytes 4..16 only.
        let plan = plan_flush(0, 4..16, &[5..6, 9..10], 8, Some(16));
        assert_eq!(
            plan.iter().map(|c| c.whole).collect::<Vec<_>>(),
            [false, true]
        );
        assert_eq!(plan[0].bytes, 0..6);
    }

    #[test]
    fn merge_writes_the_dirty_ranges_over_the_stored_chunk() {
        // The chunk's bytes from 2 are at 10.. in the window.
        let write = ChunkWrite {
            index: 0,
            at: 2,
            bytes: 10..16,
            dirty: vec![2..3, 6..8],
            whole: false,
        };
        let window: Vec<u8> = [0; 10].into_iter().chain(1..=6).collect();
        let merge = |stored| write.merge(stored, |r, out| out.copy_from_slice(&window[r]));
        assert_eq!(merge(vec![9; 8]), [9, 9, 1, 9, 9, 9, 5, 6]);
        // A missing or short chunk grows with zeros to the last dirty byte.
        assert_eq!(merge(Vec::new()), [0, 0, 1, 0, 0, 0, 5, 6]);
        assert_eq!(merge(vec![9; 3]), [9, 9, 1, 0, 0, 0, 5, 6]);
        // Bytes past the last dirty one are kept.
        assert_eq!(merge(vec![9; 10]), [9, 9, 1, 9, 9, 9, 5, 6, 9, 9]);
    }

    #[test]
    fn a_resize_drops_the_chunks_past_the_end_and_cuts_the_last() {
        assert_eq!(
            plan_resize(20, 8, true),
            Resize {
                drop_from: 3,
                cut: Some((2, 4))
            }
        );
        // Growing, or ending at a chunk's end, cuts nothing.
        assert_eq!(
            plan_resize(20, 8, false),
            Resize {
                drop_from: 3,
                cut: None
            }
        );
        assert_eq!(
            plan_resize(16, 8, true),
            Resize {
                drop_from: 2,
                cut: None
            }
        );
        assert_eq!(
            plan_resize(0, 8, true),
            Resize {
                drop_from: 0,
                cut: None
            }
        );
    }
}
