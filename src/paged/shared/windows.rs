//! [`Windows`], the register of one store's live windows: maps of the same
//! window share [`Pages`]; overlapping windows are linked so writes reach
//! each other.

use std::sync::{Arc, Mutex, Weak};

use super::Pages;
use crate::sync::lock;

/// The live windows of one store's files: maps of the same window share
/// [`Pages`]; overlapping windows are linked so writes reach each other.
#[derive(Debug, Default)]
pub(crate) struct Windows {
    live: Mutex<Vec<Weak<Pages>>>,
}

impl Windows {
    fn alive(&self) -> Vec<Arc<Pages>> {
        let mut live = lock(&self.live);
        live.retain(|w| w.strong_count() > 0);
        live.iter().filter_map(Weak::upgrade).collect()
    }

    /// The pages of a live map of exactly this window of the file `key`.
    pub(crate) fn get(&self, key: &str, offset: u64, len: usize) -> Option<Arc<Pages>> {
        self.alive()
            .into_iter()
            .find(|p| p.backing.key() == key && p.offset == offset && p.len() == len)
    }

    /// Whether a map of this page holds a window of the file `key`.
    #[allow(dead_code)] // only the browser store has other writers (store/idb/tabs.rs)
    pub(crate) fn has_file(&self, key: &str) -> bool {
        self.alive().iter().any(|p| p.backing.key() == key)
    }

    /// Bytes that another writer (a browser tab) committed to the file
    /// `key` at file offset `offset`: kept by every live window that holds
    /// them, and copied into its clean pages at the next `&mut` call of one
    /// of its maps ([`Pages::refresh`]), never behind a borrow.
    #[allow(dead_code)] // only the browser store has other writers (store/idb/tabs.rs)
    pub(crate) fn apply_remote(&self, key: &str, offset: u64, data: &[u8]) {
        for pages in self.alive().iter().filter(|p| p.backing.key() == key) {
            pages.keep_remote(offset, data);
        }
    }

    /// Brings freshly loaded `pages` up to date with the live windows of the
    /// same file that overlap it (their unflushed writes are newer than the
    /// store). With `link`, registers them: later maps of the window share
    /// them and writes flow both ways; unless a live map of that window
    /// registered first, whose pages are returned instead.
    pub(crate) fn join(&self, pages: Arc<Pages>, link: bool) -> Arc<Pages> {
        let key = pages.backing.key();
        let mut live = lock(&self.live);
        live.retain(|w| w.strong_count() > 0);
        let same_file: Vec<Arc<Pages>> = live
            .iter()
            .filter_map(Weak::upgrade)
            .filter(|p| p.backing.key() == key)
            .collect();
        if link {
            if let Some(same) = same_file
                .iter()
                .find(|p| p.offset == pages.offset && p.len() == pages.len())
            {
                return same.clone();
            }
        }
        let span = pages.span();
        for other in same_file
            .iter()
            .filter(|o| o.span().start < span.end && span.start < o.span().end)
        {
            pages.overlay(other);
            if link {
                lock(&other.state).overlapping.push(Arc::downgrade(&pages));
            }
            // Pages loaded on demand (a copy map's too) take what the live
            // windows hold as each page loads; only linked ones pass writes on.
            if link || pages.on_demand_pages() {
                lock(&pages.state).overlapping.push(Arc::downgrade(other));
            }
        }
        if link {
            live.push(Arc::downgrade(&pages));
        }
        pages
    }
}
