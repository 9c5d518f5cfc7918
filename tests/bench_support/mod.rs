//! What both benchmarks share: the statistics of timed calls and the
//! results table. `benches/native.rs` (host, stdout) includes this file with
//! `#[path]`; `tests/web_bench.rs` (browser, console) with `mod`. Each bench
//! formats its own values (units, precision) into a [`Row`]; this module
//! turns the rows into the same markdown table in both.

/// The median of `xs` (the mean of the middle two for an even count).
pub fn median(xs: &[f64]) -> f64 {
    assert!(!xs.is_empty(), "median of nothing");
    let mut xs = xs.to_vec();
    xs.sort_by(f64::total_cmp);
    let n = xs.len();
    if n % 2 == 1 {
        xs[n / 2]
    } else {
        (xs[n / 2 - 1] + xs[n / 2]) / 2.0
    }
}

/// The smallest of `xs`: the best call, for calls the rest of the machine
/// can only slow down.
pub fn best(xs: &[f64]) -> f64 {
    xs.iter().copied().fold(f64::INFINITY, f64::min)
}

/// What a row's time ratio is held to.
pub enum Target {
    /// No target; the ratio is for information.
    None,
    /// vmmap time at most this multiple of the peer's.
    AtMost(f64),
    /// vmmap at least this many times faster than the peer.
    FasterBy(f64),
}

/// One comparison of vmmap with a peer, its results already in the bench's units.
pub struct Row {
    pub what: String,
    pub vmmap: String,
    pub peer: String,
    pub peer_result: String,
    /// vmmap / peer, in time (for rates: peer rate / vmmap rate); `None`
    /// when the peer did not run.
    pub ratio: Option<f64>,
    pub target: Target,
}

/// The markdown table of `rows`, line by line: a header, then a line a row.
pub fn table(rows: &[Row]) -> impl Iterator<Item = String> + '_ {
    let header = [
        "| measurement | vmmap | peer | peer result | time ratio vmmap/peer | target | met |",
        "|---|---:|---|---:|---:|---|---|",
    ];
    header
        .into_iter()
        .map(String::from)
        .chain(rows.iter().map(line))
}

fn line(r: &Row) -> String {
    let target = match r.target {
        Target::None => "—".to_string(),
        Target::AtMost(m) => format!("≤ {m}"),
        Target::FasterBy(x) => format!("≥ {x}x faster"),
    };
    let (ratio, met) = match r.ratio {
        None => ("n/a".to_string(), "n/a"),
        Some(t) => {
            let met = match r.target {
                Target::None => "—",
                Target::AtMost(m) if t <= m => "yes",
                Target::FasterBy(x) if t <= 1.0 / x => "yes",
                _ => "**no**",
            };
            (ratio_text(t), met)
        }
    };
    format!(
        "| {} | {} | {} | {} | {ratio} | {target} | {met} |",
        r.what, r.vmmap, r.peer, r.peer_result
    )
}

/// "1.037 (+3.7%)" for a slower vmmap, "0.200 (5.00x faster)" for a faster one.
fn ratio_text(t: f64) -> String {
    if t < 1.0 {
        format!("{t:.3} ({:.2}x faster)", 1.0 / t)
    } else {
        format!("{t:.3} (+{:.1}%)", (t - 1.0) * 100.0)
    }
}
