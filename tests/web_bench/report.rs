//! What the bench prints: the rows of the results table (shared with the
//! native bench, `tests/bench_support`), notes, and progress lines.

use js_sys::Reflect;
use wasm_bindgen_test::console_log;

use crate::bench_support::{Row, table};
use crate::clock::{now, step};
use crate::{BULK_RUNS, DURABILITY, FIND_RUNS, KIB, LOAD_RUNS, PAGE_RUNS, WHOLE_RUNS};

/// The rows and notes of `vmmap_vs_raw_indexeddb`, in the order measured.
pub struct Report {
    pub rows: Vec<Row>,
    pub notes: Vec<String>,
    started: f64,
}

impl Report {
    /// An empty report; progress lines count from now.
    pub fn start() -> Report {
        Report {
            rows: Vec::new(),
            notes: Vec::new(),
            started: now(),
        }
    }

    /// Says that `what` is done, and how long the bench has run.
    pub fn progress(&self, what: &str) {
        progress(what, self.started);
    }

    /// The summary line, the table, the notes and the user agent.
    pub fn print(self, chunk: usize, granted: &str) {
        console_log!("");
        console_log!(
            "File: 64 MiB of pseudo-random bytes; vmmap chunk {} KiB; page {} B; readwrite \
             transactions with durability {DURABILITY:?} (the browser reports {granted:?}). Times \
             are medians of {LOAD_RUNS} (load), {PAGE_RUNS} (one page), {WHOLE_RUNS} (whole file), \
             {BULK_RUNS} (every page) calls per side; a time ratio is the median of the per-round \
             ratios (the whole-file row: the ratio of the medians); find: best of {FIND_RUNS}.",
            chunk / KIB,
            vmmap::page_size()
        );
        console_log!("");
        print_rows(&self.rows);
        console_log!("");
        for note in self.notes {
            console_log!("- {note}");
        }
        console_log!("");
        console_log!("user agent: {}", user_agent());
        console_log!(
            "clock: performance.now() steps by {:.3} ms (smallest of 20 steps)",
            step(20)
        );
    }
}

/// A time in ms, as the table shows it.
pub fn ms(x: f64) -> String {
    format!("{x:.2} ms")
}

/// The results table.
pub fn print_rows(rows: &[Row]) {
    for line in table(rows) {
        console_log!("{line}");
    }
}

/// Says that `what` is done, `started` (ms) being when the bench started.
pub fn progress(what: &str, started: f64) {
    console_log!(
        "[web_bench] {what} done ({:.1} s)",
        (now() - started) / 1000.0
    );
}

fn user_agent() -> String {
    Reflect::get(&js_sys::global(), &"navigator".into())
        .and_then(|n| Reflect::get(&n, &"userAgent".into()))
        .ok()
        .and_then(|ua| ua.as_string())
        .unwrap_or_default()
}
