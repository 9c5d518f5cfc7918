//! Proptest strategies for [`Op`] sequences and map lengths: positions
//! mostly in range, sometimes just past the edges, sometimes huge; flush
//! offsets mostly page-aligned; bytes from a small alphabet so that searches
//! and lines hit.

use std::ops::Bound;

use proptest::collection::vec;
use proptest::prelude::*;
use vmmap::Advice;

use super::{Data, FlushAt, FlushLen, Needle, Num, Op, SeekTo, Span};

/// Values no map reaches: must be rejected, never allocated or wrapped.
fn huge() -> impl Strategy<Value = usize> {
    prop_oneof![
        Just(usize::MAX),
        Just(usize::MAX - 1),
        Just(isize::MAX as usize),
        Just(isize::MAX as usize + 1),
        Just(u32::MAX as usize),
    ]
}

/// A position or length: mostly in `0..=len`, sometimes within a few bytes
/// of the end, rarely huge.
pub fn num() -> impl Strategy<Value = Num> {
    prop_oneof![
        6 => any::<usize>().prop_map(Num::In),
        3 => (-3i16..=3).prop_map(Num::End),
        1 => huge().prop_map(Num::Abs),
    ]
}

/// A small count: mostly a few bytes, sometimes relative to the map.
fn small() -> impl Strategy<Value = Num> {
    prop_oneof![
        3 => (0usize..=8).prop_map(Num::Abs),
        2 => num(),
    ]
}

/// A byte, mostly from a small alphabet so that searches and lines hit.
pub fn byte() -> impl Strategy<Value = u8> {
    prop_oneof![
        3 => prop::sample::select(&b"ab\n\0"[..]),
        1 => any::<u8>(),
    ]
}

/// Bytes to write: a few, or a run sized relative to the map.
pub fn data() -> impl Strategy<Value = Data> {
    prop_oneof![
        4 => vec(byte(), 0..=8).prop_map(Data::Bytes),
        1 => (num(), byte()).prop_map(|(n, b)| Data::Fill(n, b)),
    ]
}

fn needle() -> impl Strategy<Value = Needle> {
    prop_oneof![
        2 => vec(byte(), 0..=3).prop_map(Needle::Bytes),
        2 => (num(), 0usize..=4).prop_map(|(at, len)| Needle::Copy { at, len }),
    ]
}

fn bound() -> impl Strategy<Value = Bound<Num>> {
    prop_oneof![
        2 => num().prop_map(Bound::Included),
        2 => num().prop_map(Bound::Excluded),
        1 => Just(Bound::Unbounded),
    ]
}

/// Any range argument: `..`, `a..b`, `a..=b`, reversed, past the end,
/// and excluded starts that `a..b` syntax cannot make.
pub fn span() -> impl Strategy<Value = Span> {
    (bound(), bound())
}

/// A range for `advise`: its start mostly on a page boundary.
fn advise_span() -> impl Strategy<Value = Span> {
    let page = vmmap::page_size();
    let start = prop_oneof![
        2 => Just(Bound::Unbounded),
        3 => (0usize..=3).prop_map(move |k| Bound::Included(Num::Abs(k * page))),
        1 => bound(),
    ];
    (start, bound())
}

fn seek() -> impl Strategy<Value = SeekTo> {
    let raw = prop_oneof![
        3 => -3i64..=3,
        1 => prop_oneof![Just(i64::MIN), Just(i64::MAX), Just(i64::MIN + 1)],
    ];
    prop_oneof![
        2 => num().prop_map(SeekTo::Start),
        2 => num().prop_map(SeekTo::CurrentTo),
        2 => num().prop_map(SeekTo::EndTo),
        1 => raw.clone().prop_map(SeekTo::Current),
        1 => raw.prop_map(SeekTo::End),
    ]
}

fn advice() -> impl Strategy<Value = Advice> {
    prop::sample::select(vec![
        Advice::Normal,
        Advice::Random,
        Advice::Sequential,
        Advice::WillNeed,
        Advice::DontNeed,
    ])
}

/// A new length for `resize`: shrink, grow (across pages), 0, huge.
fn new_len() -> impl Strategy<Value = Num> {
    let page = vmmap::page_size();
    prop_oneof![
        4 => any::<usize>().prop_map(Num::In),
        2 => (-3i16..=64).prop_map(Num::End),
        2 => (1..=3 * page + 1).prop_map(Num::Abs),
        1 => Just(Num::Abs(0)),
        // no map can be this long; u32::MAX could be, so it is left out
        1 => prop_oneof![
            Just(usize::MAX),
            Just(isize::MAX as usize + 1),
        ]
        .prop_map(Num::Abs),
    ]
}

fn flush_at() -> impl Strategy<Value = FlushAt> {
    prop_oneof![
        4 => any::<usize>().prop_map(FlushAt::Page),
        1 => num().prop_map(FlushAt::Any),
    ]
}

fn flush_len() -> impl Strategy<Value = FlushLen> {
    prop_oneof![
        3 => (-2i16..=2).prop_map(FlushLen::Rest),
        2 => num().prop_map(FlushLen::Any),
    ]
}

/// One op; `close` is rare, so most sequences run open to the end.
pub fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        18 => seek().prop_map(Op::Seek),
        3 => Just(Op::Tell),
        12 => prop::option::weighted(0.8, small()).prop_map(Op::Read),
        9 => Just(Op::ReadByte),
        9 => Just(Op::Readline),
        18 => data().prop_map(Op::Write),
        9 => byte().prop_map(Op::WriteByte),
        15 => (num(), data()).prop_map(|(o, d)| Op::WriteAt(o, d)),
        9 => (span(), data()).prop_map(|(r, d)| Op::GetMut(r, d)),
        6 => (num(), data()).prop_map(|(o, d)| Op::AsMutSlice(o, d)),
        12 => (num(), num(), small())
            .prop_map(|(dest, src, count)| Op::MoveWithin { dest, src, count }),
        12 => (needle(), span()).prop_map(|(n, r)| Op::Find(n, r)),
        12 => (needle(), span()).prop_map(|(n, r)| Op::Rfind(n, r)),
        9 => new_len().prop_map(Op::Resize),
        3 => Just(Op::Flush),
        9 => (flush_at(), flush_len()).prop_map(|(o, l)| Op::FlushRange(o, l)),
        6 => (advice(), advise_span()).prop_map(|(a, r)| Op::Advise(a, r)),
        3 => Just(Op::Size),
        3 => small().prop_map(Op::IoRead),
        3 => Just(Op::IoReadToEnd),
        6 => data().prop_map(Op::IoWrite),
        3 => Just(Op::IoFlush),
        6 => seek().prop_map(Op::IoSeek),
        3 => Just(Op::FillBuf),
        3 => small().prop_map(Op::Consume),
        // about one sequence in four closes somewhere
        1 => Just(Op::Close),
    ]
}

/// A sequence of 1 to 64 ops (16 under Miri, where each op costs ~1000x).
pub fn ops() -> impl Strategy<Value = Vec<Op>> {
    vec(op(), 1..=if cfg!(miri) { 16 } else { 64 })
}

/// A map length: mostly small, sometimes around one page, sometimes a few pages.
pub fn map_len() -> impl Strategy<Value = usize> {
    let page = vmmap::page_size();
    prop_oneof![
        6 => 1usize..=64,
        2 => page - 2..=page + 2,
        1 => 2 * page..=3 * page + 100,
    ]
}
