//! Commits that read their bytes after the flush that asked for them has
//! returned (the browser's IndexedDB store issues its puts across tasks, so
//! that a large flush never holds the page's thread): a [`Snapshot`] of the
//! pages in flight, kept by copy-on-write. The flush freezes the pages its
//! store may read, copying nothing; a call that is about to change a frozen
//! page first copies it aside for every snapshot that still reads it
//! ([`State::thaw`]). So the flush call costs what it marks, not the bytes
//! it writes, and a page is copied only if it changes while in flight.
//!
//! Soundness: a snapshot reads the window's own bytes only under the pages'
//! lock, like every read vmmap makes, and only of pages no call changed
//! since the flush; every change vmmap makes (`write`, `copy_within`,
//! `take`, `refresh`), and every slice it hands out for writing
//! (`bytes_mut`), thaws the pages first, under the same lock.

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::{Arc, Mutex, Weak};

use super::{Held, Pages, State};
use crate::paged::backing::Frozen;
use crate::paged::page_set::PageSet;
use crate::paged::tracker::Source;
use crate::sync::lock;

/// The bytes one commit writes, as they were when its flush was asked for,
/// readable for as long as the store holds it (dropping it lets the pages
/// go). Made by [`Pages::freeze`].
pub(crate) struct Snapshot {
    /// Weak: a window whose maps are all gone keeps every frozen page
    /// aside when it is dropped, so it need not outlive its maps.
    pages: Weak<Pages>,
    flight: Arc<Mutex<Flight>>,
    len: usize,
}

impl std::fmt::Debug for Snapshot {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Snapshot").field("len", &self.len).finish()
    }
}

/// What one snapshot holds of the window: which pages it still reads in
/// place, and copies of those that changed since.
#[derive(Debug)]
pub(super) struct Flight {
    /// Frozen pages whose bytes are still the snapshot's, in the window.
    live: PageSet,
    /// Page index → the snapshot's bytes of a frozen page that changed since.
    kept: BTreeMap<usize, Box<[u8]>>,
}

impl Flight {
    /// Copies the pages of `pages` that are still live aside, from `held`.
    fn keep(&mut self, held: &dyn Source, pages: Range<usize>) {
        let page = crate::page_size();
        let live: Vec<usize> = self.live.iter(pages).collect();
        for p in live {
            let bytes = p * page..((p + 1) * page).min(held.size());
            self.kept.insert(p, held.range(bytes).into());
            self.live.remove_range(p..p + 1);
        }
    }
}

impl State {
    /// The bytes of `range` are about to change: every snapshot still
    /// reading any of their pages in place gets a copy of it first.
    pub(super) fn thaw(&mut self, held: &Held<'_>, range: &Range<usize>) {
        if self.flights.is_empty() || range.is_empty() {
            return;
        }
        let page = crate::page_size();
        let pages = range.start / page..range.end.div_ceil(page);
        self.flights.retain(|flight| {
            let Some(flight) = flight.upgrade() else {
                return false;
            };
            lock(&flight).keep(held, pages.clone());
            true
        });
    }
}

impl Pages {
    /// Freezes, for a store that reads a commit later in units of `unit`
    /// file bytes, every page of each unit that `runs` touch (within the
    /// window): the snapshot reads them as they are now. Called with the
    /// lock held (`state`), by a flush. Pages must all be resident (stores
    /// that read later load whole windows).
    pub(crate) fn freeze(
        self: &Arc<Self>,
        state: &mut State,
        runs: &[Range<usize>],
        unit: u64,
    ) -> Snapshot {
        debug_assert!(!self.on_demand_pages(), "a frozen page must be resident");
        let (page, len) = (crate::page_size(), self.len());
        let mut live = PageSet::new(len.div_ceil(page));
        let unit = unit.max(1);
        for run in runs.iter().filter(|r| !r.is_empty()) {
            let (from, to) = (self.offset + run.start as u64, self.offset + run.end as u64);
            let start = ((from / unit * unit).max(self.offset) - self.offset) as usize;
            let end = (to.div_ceil(unit).saturating_mul(unit) - self.offset).min(len as u64);
            live.insert_range(start / page..(end as usize).div_ceil(page));
        }
        let flight = Arc::new(Mutex::new(Flight {
            live,
            kept: BTreeMap::new(),
        }));
        state.flights.retain(|f| f.strong_count() > 0);
        state.flights.push(Arc::downgrade(&flight));
        Snapshot {
            pages: Arc::downgrade(self),
            flight,
            len,
        }
    }

    /// The window is going away: every snapshot still reading pages in
    /// place gets copies of them.
    pub(super) fn keep_all_frozen(&mut self) {
        let flights = std::mem::take(
            &mut self
                .state
                .get_mut()
                .unwrap_or_else(|p| p.into_inner())
                .flights,
        );
        if flights.is_empty() {
            return;
        }
        let held = Held { bytes: &self.bytes };
        for flight in flights.iter().filter_map(Weak::upgrade) {
            let mut flight = lock(&flight);
            let pages = 0..flight.live.capacity();
            flight.keep(&held, pages);
        }
    }
}

impl Frozen for Snapshot {
    /// In one piece, unless pages of `range` changed since the flush.
    fn read(&self, range: Range<usize>, f: &mut dyn FnMut(&[u8])) {
        assert!(
            range.start <= range.end && range.end <= self.len,
            "internal: snapshot range {range:?} outside {} bytes",
            self.len
        );
        match self.pages.upgrade() {
            Some(pages) => pages.locked(|_, held| pieces(&lock(&self.flight), held, range, f)),
            // Dropped: every frozen page was kept aside (`keep_all_frozen`).
            None => pieces(&lock(&self.flight), &Vec::<u8>::new(), range, f),
        }
    }
}

/// The bytes of `range` as `flight` has them: kept pages from its copies,
/// the others from `window`, runs of those in one piece.
fn pieces(flight: &Flight, window: &dyn Source, range: Range<usize>, f: &mut dyn FnMut(&[u8])) {
    let page = crate::page_size();
    let mut pos = range.start;
    while pos < range.end {
        let p = pos / page;
        let page_end = ((p + 1) * page).min(range.end);
        if let Some(kept) = flight.kept.get(&p) {
            f(&kept[pos - p * page..page_end - p * page]);
            pos = page_end;
            continue;
        }
        let mut end = page_end;
        while end < range.end && !flight.kept.contains_key(&(end / page)) {
            end = ((end / page + 1) * page).min(range.end);
        }
        f(window.range(pos..end));
        pos = end;
    }
}

/// Every way vmmap changes a window's bytes leaves a snapshot taken before
/// as it was; run under Miri, which checks that no read of a snapshot
/// overlaps a slice handed out for writing.
#[cfg(test)]
#[allow(
    clippy::single_range_in_vec_init,
    reason = "lists of runs, some of one run"
)]
mod tests {
    use std::sync::Arc;

    use super::Snapshot;
    use crate::backend::FlushFuture;
    use crate::error::Result;
    use crate::paged::backing::Frozen;
    use crate::paged::bytes::Bytes;
    use crate::paged::shared::Pages;
    use crate::paged::{Backing, Commit};
    use crate::sync::lock;

    /// A file that is never read nor written: these tests call the pages directly.
    #[derive(Debug)]
    struct Untouched;

    impl Backing for Untouched {
        fn key(&self) -> &str {
            "untouched"
        }
        fn len(&self) -> Result<u64> {
            Ok(0)
        }
        fn read_at(&self, _: u64, out: &mut [u8]) -> Result<()> {
            out.fill(0);
            Ok(())
        }
        fn set_len(&self, _: u64) -> Result<()> {
            Ok(())
        }
        fn commit(&self, _: Commit<'_>) -> Result<()> {
            Ok(())
        }
        fn committed(&self) -> FlushFuture {
            Box::pin(std::future::ready(Ok(())))
        }
    }

    const PAGES: usize = 6;

    /// A window of `PAGES` pages whose page `p` holds the byte `p`.
    fn window() -> (Arc<Pages>, usize) {
        let page = crate::page_size();
        let bytes = (0..PAGES * page).map(|i| (i / page) as u8).collect();
        let backing: Arc<dyn Backing> = Arc::new(Untouched);
        (
            Arc::new(Pages::new(backing, 0, Bytes::from_vec(bytes))),
            page,
        )
    }

    fn freeze(pages: &Arc<Pages>, runs: &[std::ops::Range<usize>], unit: usize) -> Snapshot {
        pages.locked(|state, _| pages.freeze(state, runs, unit as u64))
    }

    /// The snapshot's bytes of `range`, and in how many pieces they came.
    fn read(snapshot: &Snapshot, range: std::ops::Range<usize>) -> (Vec<u8>, usize) {
        let (mut out, mut pieces) = (Vec::new(), 0);
        snapshot.read(range, &mut |piece| {
            out.extend_from_slice(piece);
            pieces += 1;
        });
        (out, pieces)
    }

    /// What pages `from..to` held when the window was made.
    fn first(page: usize, from: usize, to: usize) -> Vec<u8> {
        (from * page..to * page).map(|i| (i / page) as u8).collect()
    }

    #[test]
    fn a_snapshot_reads_in_place_until_a_page_changes() {
        let (pages, page) = window();
        // A run in page 1, frozen in units of two pages: pages 0 and 1.
        let snap = freeze(&pages, &[page..page + 1], 2 * page);
        assert_eq!(read(&snap, 0..2 * page), (first(page, 0, 2), 1));
        pages.write(10..20, true, |b| b.fill(0xAA)).unwrap();
        // Page 0 changed (frozen beside the run): kept aside, so two pieces.
        assert_eq!(read(&snap, 0..2 * page), (first(page, 0, 2), 2));
        // Pages outside the units are not frozen: writes there copy nothing.
        pages
            .write(3 * page..3 * page + 1, true, |b| b[0] = 1)
            .unwrap();
        assert!(lock(&snap.flight).kept.keys().eq([0].iter()));
    }

    #[test]
    fn every_change_vmmap_makes_copies_the_page_first() {
        let (pages, page) = window();
        let snap = freeze(&pages, &[0..PAGES * page], page);
        pages.write(0..1, true, |b| b[0] = 9).unwrap();
        pages.copy_within(4 * page, page, 10, true).unwrap();
        // Another window's write reaching this one.
        pages.take(2 * page as u64, &[7; 3]);
        // Another writer's bytes, copied into a clean page at the next `&mut` call.
        pages.keep_remote(3 * page as u64, &vec![5; page]);
        pages.refresh();
        // A slice handed out for writing, alive while the snapshot is read.
        // SAFETY: nothing else touches page 4 while `raw` lives.
        let raw = unsafe { pages.bytes_mut(4 * page..5 * page, true) }.unwrap();
        let (bytes, _) = read(&snap, 0..PAGES * page);
        raw.fill(3);
        assert_eq!(bytes, first(page, 0, PAGES));
        assert_eq!(read(&snap, 0..PAGES * page).0, first(page, 0, PAGES));
        // The window itself has every change.
        // SAFETY: no slice for writing is alive any more.
        let now = unsafe { pages.bytes(0..PAGES * page) }.unwrap();
        assert_eq!(
            (
                now[0],
                now[page],
                now[2 * page],
                now[3 * page],
                now[4 * page]
            ),
            (9, 4, 7, 5, 3)
        );
    }

    #[test]
    fn snapshots_outlive_their_window_and_each_other() {
        let (pages, page) = window();
        let old = freeze(&pages, &[0..2 * page], page);
        pages.write(0..page, true, |b| b.fill(8)).unwrap();
        let new = freeze(&pages, &[0..2 * page], page);
        pages.write(0..2 * page, true, |b| b.fill(6)).unwrap();
        drop(pages);
        assert_eq!(read(&old, 0..2 * page).0, first(page, 0, 2));
        let mut expected = vec![8; page];
        expected.extend(first(page, 1, 2));
        assert_eq!(read(&new, 0..2 * page).0, expected);
    }

    #[test]
    fn a_dropped_snapshot_costs_later_writes_nothing() {
        let (pages, page) = window();
        drop(freeze(&pages, &[0..page], page));
        pages.write(0..page, true, |b| b.fill(1)).unwrap();
        pages.locked(|state, _| assert!(state.flights.is_empty()));
    }
}
