//! The journal against crashes at every step of a commit and of its
//! recovery (a simulated disk that loses, reorders and tears unsynced
//! writes), and failures injected at every call.

use std::cell::RefCell;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::rc::Rc;

use proptest::prelude::RngCore;
use proptest::test_runner::{RngAlgorithm, TestRng};

use super::*;

/// One change or sync made to a simulated file, in the order made.
#[derive(Debug, Clone)]
enum Event {
    Write {
        file: usize,
        at: u64,
        bytes: Vec<u8>,
    },
    SetLen {
        file: usize,
        len: u64,
    },
    Sync {
        file: usize,
    },
}

/// The simulated disk's record of what was done to its files.
#[derive(Debug, Default)]
struct Log {
    events: Vec<Event>,
    /// Changes and syncs asked for so far; the one numbered `fail_at` fails.
    calls: usize,
    fail_at: Option<usize>,
}

impl Log {
    fn fails(&mut self) -> bool {
        let fails = self.fail_at == Some(self.calls);
        self.calls += 1;
        fails
    }
}

/// A file of the simulated disk: its bytes as the process sees them.
#[derive(Debug)]
struct Sim {
    file: usize,
    bytes: Vec<u8>,
    pos: u64,
    log: Rc<RefCell<Log>>,
}

fn injected() -> io::Error {
    io::Error::new(io::ErrorKind::StorageFull, "injected failure")
}

fn put(bytes: &mut Vec<u8>, at: u64, data: &[u8]) {
    let at = at as usize;
    if bytes.len() < at + data.len() {
        bytes.resize(at + data.len(), 0);
    }
    bytes[at..at + data.len()].copy_from_slice(data);
}

impl Sim {
    fn new(file: usize, bytes: &[u8], log: &Rc<RefCell<Log>>) -> Sim {
        Sim {
            file,
            bytes: bytes.to_vec(),
            pos: 0,
            log: log.clone(),
        }
    }
}

impl Read for Sim {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let start = (self.pos as usize).min(self.bytes.len());
        let n = out.len().min(self.bytes.len() - start);
        out[..n].copy_from_slice(&self.bytes[start..start + n]);
        self.pos += n as u64;
        Ok(n)
    }
}

impl Write for Sim {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let mut log = self.log.borrow_mut();
        // A failing write (a full disk) writes half of what it was given.
        let fails = log.fails();
        let data = if fails { &data[..data.len() / 2] } else { data };
        put(&mut self.bytes, self.pos, data);
        log.events.push(Event::Write {
            file: self.file,
            at: self.pos,
            bytes: data.to_vec(),
        });
        self.pos += data.len() as u64;
        if fails {
            Err(injected())
        } else {
            Ok(data.len())
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Seek for Sim {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.pos = match pos {
            SeekFrom::Start(at) => at,
            SeekFrom::End(delta) => (self.bytes.len() as i64 + delta) as u64,
            SeekFrom::Current(delta) => (self.pos as i64 + delta) as u64,
        };
        Ok(self.pos)
    }
}

impl Storage for Sim {
    fn set_len(&mut self, len: u64) -> io::Result<()> {
        let mut log = self.log.borrow_mut();
        if log.fails() {
            return Err(injected());
        }
        self.bytes.resize(len as usize, 0);
        log.events.push(Event::SetLen {
            file: self.file,
            len,
        });
        Ok(())
    }

    fn sync(&mut self) -> io::Result<()> {
        let mut log = self.log.borrow_mut();
        if log.fails() {
            return Err(injected());
        }
        log.events.push(Event::Sync { file: self.file });
        Ok(())
    }
}

/// A deterministic generator for `seed` (proptest's, a dev-dependency).
fn seeded(seed: u64) -> TestRng {
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    TestRng::from_seed(RngAlgorithm::ChaCha, &bytes)
}

/// Which unsynced changes a crash keeps.
#[derive(Debug, Clone, Copy)]
enum Keep {
    Nothing,
    Everything,
    /// Each change, or each 16-byte piece of a write, kept or lost at random.
    Some(u64),
}

const KEEPS: [Keep; 10] = [
    Keep::Nothing,
    Keep::Everything,
    Keep::Some(1),
    Keep::Some(2),
    Keep::Some(3),
    Keep::Some(4),
    Keep::Some(5),
    Keep::Some(6),
    Keep::Some(7),
    Keep::Some(8),
];

/// What the two files (data, journal) hold after a crash once `events`
/// were made on `before`: every change up to a file's last sync, and of
/// the changes after it what `keep` says, in any subset (so in any order).
fn crash(before: [&[u8]; 2], events: &[Event], keep: Keep) -> [Vec<u8>; 2] {
    let mut durable = before.map(<[u8]>::to_vec);
    let mut pending: [Vec<&Event>; 2] = [Vec::new(), Vec::new()];
    for event in events {
        match event {
            Event::Write { file, .. } | Event::SetLen { file, .. } => pending[*file].push(event),
            Event::Sync { file } => {
                for event in pending[*file].drain(..) {
                    apply_event(&mut durable[*file], event, &mut |_| true);
                }
            }
        }
    }
    let mut rng = match keep {
        Keep::Some(seed) => Some(seeded(seed)),
        _ => None,
    };
    let mut keeps = |_: u64| match (&mut rng, keep) {
        (Some(rng), _) => rng.next_u32() & 1 == 1,
        (None, keep) => matches!(keep, Keep::Everything),
    };
    for (file, events) in pending.iter().enumerate() {
        for event in events {
            if keeps(0) {
                apply_event(&mut durable[file], event, &mut keeps);
            }
        }
    }
    durable
}

/// Applies one change; `piece` says which 16-byte pieces of a write land.
fn apply_event(bytes: &mut Vec<u8>, event: &Event, piece: &mut dyn FnMut(u64) -> bool) {
    match event {
        Event::Write {
            at, bytes: data, ..
        } => {
            for (i, chunk) in data.chunks(16).enumerate() {
                if piece(i as u64) {
                    put(bytes, at + 16 * i as u64, chunk);
                }
            }
        }
        Event::SetLen { len, .. } => bytes.resize(*len as usize, 0),
        Event::Sync { .. } => {}
    }
}

/// One commit of the scenario: its records and the length after it.
pub(super) struct Change {
    pub(super) len_after: u64,
    pub(super) records: Vec<(u64, Vec<u8>)>,
}

impl Change {
    pub(super) fn records(&self) -> Vec<Record<'_>> {
        self.records
            .iter()
            .map(|(at, bytes)| Record { at: *at, bytes })
            .collect()
    }

    /// What a file holding `before` holds after this commit.
    pub(super) fn after(&self, before: &[u8]) -> Vec<u8> {
        let mut bytes = before.to_vec();
        for (at, data) in &self.records {
            put(&mut bytes, *at, data);
        }
        bytes.resize(self.len_after as usize, 0);
        bytes
    }
}

fn fill(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31) ^ seed)
        .collect()
}

/// Commits that rewrite bytes, grow the file (a record past the end, and a
/// length past the last record), shrink it, and write one large record.
pub(super) fn scenario() -> (Vec<u8>, Vec<Change>) {
    let changes = vec![
        Change {
            len_after: 320,
            records: vec![(0, fill(10, 1)), (130, fill(70, 2))],
        },
        Change {
            len_after: 512,
            records: vec![(300, fill(100, 3))],
        },
        Change {
            len_after: 100,
            records: vec![(20, fill(5, 4))],
        },
        Change {
            len_after: 3200,
            records: vec![(64, fill(3000, 5)), (3100, fill(50, 6))],
        },
        Change {
            len_after: 3200,
            records: vec![],
        },
    ];
    (fill(320, 9), changes)
}

/// Recovers `files` (data, journal) as an open does: replays a complete
/// journal, then removes it. Returns the data, or what the disk holds if
/// the recovery is itself cut short after `cut` changes.
fn recover_sim(files: &[Vec<u8>; 2], cut: Option<(usize, Keep)>) -> Vec<u8> {
    let log = Rc::new(RefCell::new(Log::default()));
    let mut data = Sim::new(0, &files[0], &log);
    let mut journal = Sim::new(1, &files[1], &log);
    replay(&mut data, &mut journal).expect("the simulated disk reads");
    // Removing the journal is clearing it, here.
    clear(&mut journal).expect("no failure injected");
    match cut {
        None => data.bytes,
        Some((cut, keep)) => {
            let events = &log.borrow().events;
            let [data, journal] = crash(
                [&files[0], &files[1]],
                &events[..cut.min(events.len())],
                keep,
            );
            // The journal's removal may be lost: recover again from there.
            recover_sim(&[data, journal], None)
        }
    }
}

#[test]
fn a_crash_at_any_step_leaves_the_state_before_or_after() {
    let (initial, changes) = scenario();
    let mut states = vec![initial.clone()];
    for change in &changes {
        let last = states.last().expect("one state at least");
        states.push(change.after(last));
    }
    let log = Rc::new(RefCell::new(Log::default()));
    let mut data = Sim::new(0, &initial, &log);
    let mut journal = Sim::new(1, &[], &log);
    // The number of events made when each commit returned.
    let mut returned = Vec::new();
    for change in &changes {
        commit(&mut data, &mut journal, change.len_after, &change.records()).expect("no failure");
        returned.push(log.borrow().events.len());
    }
    assert_eq!(data.bytes, states[changes.len()]);
    let events = log.borrow().events.clone();
    let mut checked = 0;
    for cut in 0..=events.len() {
        let done = returned.iter().filter(|&&at| at <= cut).count();
        let allowed = &states[done..(done + 2).min(states.len())];
        for keep in KEEPS {
            let files = crash([&initial, &[]], &events[..cut], keep);
            let recovered = recover_sim(&files, None);
            assert!(
                allowed.contains(&recovered),
                "crash after {cut} events ({done} commits returned), {keep:?}: \
                 neither before nor after the commit"
            );
            // A crash while recovering, at every step, changes nothing.
            for recut in 0..12 {
                for rekeep in [Keep::Nothing, Keep::Some(cut as u64 + 1)] {
                    let again = recover_sim(&files, Some((recut, rekeep)));
                    assert_eq!(again, recovered, "recovery cut at {recut}, {rekeep:?}");
                }
            }
            checked += 1;
        }
    }
    assert!(checked > 300, "{checked} crashes checked");
}

#[test]
fn a_failure_at_any_call_leaves_the_file_unchanged_or_completable() {
    let (before, changes) = scenario();
    for change in &changes[..4] {
        let after = change.after(&before);
        let calls = {
            let log = Rc::new(RefCell::new(Log::default()));
            let (mut data, mut journal) = (Sim::new(0, &before, &log), Sim::new(1, &[], &log));
            commit(&mut data, &mut journal, change.len_after, &change.records()).unwrap();
            log.borrow().calls
        };
        let (mut unchanged, mut completed) = (0, 0);
        for fail_at in 0..calls {
            let log = Rc::new(RefCell::new(Log {
                fail_at: Some(fail_at),
                ..Log::default()
            }));
            let (mut data, mut journal) = (Sim::new(0, &before, &log), Sim::new(1, &[], &log));
            let failed = commit(&mut data, &mut journal, change.len_after, &change.records())
                .expect_err("a call fails");
            match failed {
                Failed::Journal(_) => {
                    unchanged += 1;
                    assert_eq!(data.bytes, before, "failure at call {fail_at}");
                    assert_eq!(inspect(&mut journal).unwrap(), Found::Empty, "not cleared");
                    // A crash now finds the file as before.
                    let events = log.borrow().events.clone();
                    for keep in KEEPS {
                        let files = crash([&before, &[]], &events, keep);
                        assert_eq!(recover_sim(&files, None), before);
                    }
                }
                Failed::InPlace(_) => {
                    completed += 1;
                    // The journal completes the commit, in the process or after a crash.
                    let events = log.borrow().events.clone();
                    for keep in KEEPS {
                        let files = crash([&before, &[]], &events, keep);
                        assert_eq!(recover_sim(&files, None), after);
                    }
                    // (Unless it was the clearing that failed, halfway: then
                    // the journal is torn, and the file is whole already.)
                    replay(&mut data, &mut journal).unwrap();
                    clear(&mut journal).unwrap();
                    assert_eq!(data.bytes, after);
                }
            }
            // A retry succeeds.
            log.borrow_mut().fail_at = None;
            commit(&mut data, &mut journal, change.len_after, &change.records()).unwrap();
            assert_eq!(data.bytes, after);
        }
        assert!(unchanged >= 3 && completed >= 3, "{unchanged} {completed}");
    }
}

#[test]
fn a_commit_completes_the_commit_its_journal_still_holds() {
    let (before, changes) = scenario();
    let (first, second) = (&changes[0], &changes[1]);
    let log = Rc::new(RefCell::new(Log::default()));
    let mut journal = Sim::new(1, &[], &log);
    write(&mut journal, first.len_after, &first.records()).unwrap();
    // The first commit's writing in place stopped after its first record.
    let mut partly = before.clone();
    let (at, bytes) = &first.records[0];
    put(&mut partly, *at, bytes);
    let mut data = Sim::new(0, &partly, &log);
    commit(&mut data, &mut journal, second.len_after, &second.records()).unwrap();
    assert_eq!(data.bytes, second.after(&first.after(&before)));
}
