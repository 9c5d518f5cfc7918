//! Pages loaded on demand: which pages of [`Pages`] are resident, loading
//! the ones a call needs ([`Pages::ensure`]) with what live overlapping
//! windows hold of them, and claiming pages a write covers whole without
//! reading them. The rules that make loading sound are in the parent
//! module's documentation.

use std::ops::Range;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Weak};

use super::{Pages, State};
use crate::error::Result;
use crate::paged::page_set::PageSet;
use crate::paged::tracker::Source;

/// The pages (of `page` bytes) that hold the bytes of `range`.
fn pages_of(range: &Range<usize>, page: usize) -> Range<usize> {
    if range.is_empty() {
        return 0..0;
    }
    range.start / page..range.end.div_ceil(page)
}

impl State {
    /// The pages of `run`, none resident, are resident now; `true` once
    /// every page is.
    fn now_resident(&mut self, run: Range<usize>) -> bool {
        self.loaded += run.len();
        self.resident.insert_range(run);
        self.loaded == self.resident.capacity()
    }
}
impl Pages {
    /// Whether page `index` holds its bytes (`state` is this pages' state).
    pub(super) fn is_resident(&self, state: &State, index: usize) -> bool {
        self.complete.load(Ordering::Acquire) || state.resident.contains(index)
    }

    /// Loads the pages of `range` that are not resident: reads them from
    /// the store, then takes over what live overlapping windows hold of
    /// them (their writes are newer than the store; such pages become
    /// dirty here). Nothing refers to a page that is not resident, so the
    /// bytes written here are borrowed by nobody. On error the pages stay
    /// as they were (not resident), and a later call reads them again.
    pub(crate) fn ensure(&self, range: Range<usize>) -> Result<()> {
        if range.is_empty() || self.complete.load(Ordering::Acquire) {
            return Ok(());
        }
        let page = crate::page_size();
        let wanted = pages_of(&range, page);
        let (gaps, others) = self.locked(|state, _| {
            let gaps = state.resident.gaps(wanted.clone());
            state.overlapping.retain(|w| w.strong_count() > 0);
            let others: Vec<Arc<Pages>> =
                state.overlapping.iter().filter_map(Weak::upgrade).collect();
            (gaps, others)
        });
        let (Some(first), Some(last)) = (gaps.first(), gaps.last()) else {
            return Ok(());
        };
        // What the overlapping windows hold, read one lock at a time before
        // this one is taken (never two held at once). A write they make
        // after this passes on to these pages through `take`, which loads
        // first: either it finds the pages resident, or they take it.
        let span = self.offset + (first.start * page) as u64
            ..self.offset + ((last.end * page).min(self.len())) as u64;
        let newer: Vec<(u64, Vec<u8>)> = others
            .iter()
            .flat_map(|other| other.resident_bytes(span.clone()))
            .collect();
        self.locked(|state, _| {
            for gap in gaps {
                // Another call may have loaded some of them meanwhile.
                for run in state.resident.gaps(gap) {
                    let bytes = run.start * page..(run.end * page).min(self.len());
                    // SAFETY: the pages of `run` are not resident, so no
                    // reference to their bytes exists (see the module's
                    // rules), and we hold the lock every load takes.
                    unsafe { self.bytes.init(bytes.clone()) };
                    // SAFETY: as above; the bytes are initialized now.
                    let dst = unsafe { self.bytes.get_mut(bytes.clone()) };
                    self.backing
                        .read_at(self.offset + bytes.start as u64, dst)?;
                    for (at, data) in &newer {
                        self.adopt(state, &bytes, *at, data);
                    }
                    if state.now_resident(run) {
                        self.completed(state);
                    }
                }
            }
            Ok(())
        })
    }

    /// Copies over the bytes of `within` what another window holds at file
    /// offset `at`; each page it changes becomes dirty. Called with the lock
    /// held, on bytes nothing refers to yet: pages being loaded, or the
    /// fresh pages of a map being made.
    fn adopt(&self, state: &mut State, within: &Range<usize>, at: u64, data: &[u8]) {
        let Some((here, from)) = self.clip(at, data.len()) else {
            return;
        };
        let (start, end) = (here.start.max(within.start), here.end.min(within.end));
        let page = crate::page_size();
        let mut pos = start;
        while pos < end {
            let next = ((pos / page + 1) * page).min(end);
            let theirs = &data[from.start + (pos - here.start)..from.start + (next - here.start)];
            // SAFETY: nothing refers to these bytes (above); lock held.
            let dst = unsafe { self.bytes.get_mut(pos..next) };
            if dst != theirs {
                dst.copy_from_slice(theirs);
                state.tracker.written(pos..next);
            }
            pos = next;
        }
    }

    /// The resident bytes of these pages within the file span `span`, as
    /// (file offset, bytes) runs: what a window loading that span must
    /// take over (pages that are not resident hold what the store holds).
    fn resident_bytes(&self, span: Range<u64>) -> Vec<(u64, Vec<u8>)> {
        let Some((here, _)) = self.clip(span.start, (span.end - span.start) as usize) else {
            return Vec::new();
        };
        let page = crate::page_size();
        self.locked(|state, held| {
            let runs = if self.complete.load(Ordering::Acquire) {
                vec![here.clone()]
            } else {
                state
                    .resident
                    .runs(pages_of(&here, page))
                    .into_iter()
                    .map(|r| (r.start * page).max(here.start)..(r.end * page).min(here.end))
                    .collect()
            };
            runs.into_iter()
                .map(|r| (self.offset + r.start as u64, held.range(r).to_vec()))
                .collect()
        })
    }

    /// Makes the pages of `range` ready to be written whole: pages it
    /// covers only in part are loaded; pages it covers whole are marked
    /// resident without reading them (their bytes are about to be
    /// replaced), after zeroing them. Called with the lock held, from
    /// [`write`](Self::write), after `ensure` of the partial pages.
    pub(super) fn claim(&self, state: &mut State, range: &Range<usize>) {
        if self.complete.load(Ordering::Acquire) {
            return;
        }
        let page = crate::page_size();
        for run in state.resident.gaps(pages_of(range, page)) {
            let bytes = run.start * page..(run.end * page).min(self.len());
            debug_assert!(bytes.start >= range.start && bytes.end <= range.end);
            // SAFETY: not resident: nothing refers to these bytes; lock held.
            unsafe { self.bytes.init(bytes) };
            if state.now_resident(run) {
                self.completed(state);
            }
        }
    }

    /// Every page is resident now: accesses stop asking which.
    fn completed(&self, state: &mut State) {
        self.complete.store(true, Ordering::Release);
        state.resident = PageSet::new(0);
        state.loaded = 0;
    }

    /// The pages `range` covers only in part (its first and last), as byte
    /// ranges: what a write of `range` must load first.
    pub(super) fn partial_pages(&self, range: &Range<usize>) -> [Range<usize>; 2] {
        let page = crate::page_size();
        let len = self.len();
        let whole = |p: usize| {
            let (start, end) = (p * page, ((p + 1) * page).min(len));
            start >= range.start && end <= range.end
        };
        let edge = |p: usize| {
            if range.is_empty() || whole(p) {
                0..0
            } else {
                p * page..((p + 1) * page).min(len)
            }
        };
        let pages = pages_of(range, page);
        [edge(pages.start), edge(pages.end.saturating_sub(1))]
    }

    /// Whether pages are loaded on demand (not all resident yet, or never).
    pub(crate) fn on_demand_pages(&self) -> bool {
        !self.complete.load(Ordering::Acquire)
    }

    /// Copies what `other` holds of this window over freshly loaded bytes
    /// (all resident), marking dirty the pages whose bytes differ from the
    /// store's. Pages loaded on demand do this as each page loads instead.
    pub(super) fn overlay(&self, other: &Pages) {
        if self.on_demand_pages() {
            return;
        }
        for (at, theirs) in other.resident_bytes(self.span()) {
            self.locked(|state, _| self.adopt(state, &(0..self.len()), at, &theirs));
        }
    }
}
