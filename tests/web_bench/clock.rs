//! The clock, the order sides take turns in, and the statistics of timed calls.

use js_sys::{Function, Reflect};
use wasm_bindgen::{JsCast, JsValue};

use crate::bench_support::{best, median};

/// `performance.now()` in ms.
pub fn now() -> f64 {
    thread_local! {
        static CLOCK: (JsValue, Function) = {
            let perf = Reflect::get(&js_sys::global(), &"performance".into())
                .expect("this context has no performance object");
            let now = Reflect::get(&perf, &"now".into())
                .expect("performance.now")
                .unchecked_into();
            (perf, now)
        };
    }
    CLOCK.with(|(perf, now)| {
        now.call0(perf)
            .ok()
            .and_then(|t| t.as_f64())
            .expect("performance.now() returned no number")
    })
}

/// The smallest step of `performance.now()` seen over `samples` ticks
/// (ms): engines coarsen it differently (seen here: Chromium 0.005 ms,
/// Firefox ESR and WebKitGTK 0.02 ms), and a one-page flush, 0.4 ms in
/// WebKit, is only as precise as this step.
pub fn step(samples: usize) -> f64 {
    let mut smallest = f64::INFINITY;
    for _ in 0..samples {
        let t0 = now();
        let mut t1 = now();
        while t1 == t0 {
            t1 = now();
        }
        smallest = smallest.min(t1 - t0);
    }
    smallest
}

/// The order of `n` sides in one round: a random permutation, so that no
/// side always runs right after another (a commit can leave work behind,
/// e.g. old blob files to delete, which the next call would pay for).
pub fn order(n: usize) -> impl Iterator<Item = usize> {
    let mut sides: Vec<usize> = (0..n).collect();
    for k in (1..n).rev() {
        let j = (js_sys::Math::random() * (k + 1) as f64) as usize;
        sides.swap(k, j.min(k));
    }
    sides.into_iter()
}

/// Times of a write: issuing it (copies included), then waiting for it to
/// be durable (ms).
#[derive(Clone, Copy)]
pub struct Split {
    pub issue: f64,
    pub wait: f64,
}

impl Split {
    pub fn total(self) -> f64 {
        self.issue + self.wait
    }
}

/// The medians of the totals, of the issue times and of the wait times.
pub fn median_split(splits: &[Split]) -> (f64, f64, f64) {
    let of = |part: fn(Split) -> f64| median(&splits.iter().copied().map(part).collect::<Vec<_>>());
    (of(Split::total), of(|s| s.issue), of(|s| s.wait))
}

/// The totals of `splits`, call by call.
pub fn totals(splits: &[Split]) -> Vec<f64> {
    splits.iter().map(|s| s.total()).collect()
}

/// `xs` as "median (min–max)" in ms, for the notes.
pub fn spread(xs: &[f64]) -> String {
    let max = xs.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    format!("{:.2} ({:.2}–{:.2})", median(xs), best(xs), max)
}

/// The median over rounds of `xs[i] / ys[i]`: two sides timed in the same
/// round share whatever else the machine did then.
pub fn paired(xs: &[f64], ys: &[f64]) -> f64 {
    assert_eq!(
        xs.len(),
        ys.len(),
        "paired sides ran a different number of times"
    );
    median(&xs.iter().zip(ys).map(|(x, y)| x / y).collect::<Vec<_>>())
}
