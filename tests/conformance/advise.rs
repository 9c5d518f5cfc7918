//! `advise` (Python's `madvise`): every `Advice` variant, alignment and
//! bounds, and that advice never changes the bytes.

use super::{access, page, pattern, write_and_map};
use vmmap::{Access, Advice, FileStore, Mmap};

fn every_advice() -> [Advice; 5] {
    [
        Advice::Normal,
        Advice::Random,
        Advice::Sequential,
        Advice::WillNeed,
        Advice::DontNeed,
    ]
}

/// Each variant is accepted on the whole map and on page-aligned parts.
pub async fn advise_each_variant(store: &FileStore) {
    let p = page();
    let len = 3 * p.max(super::granule());
    let data = pattern(len);
    for mode in [Access::Read, Access::Write, Access::Copy] {
        let m = write_and_map(store, "f", &data, &access(mode)).await;
        for advice in every_advice() {
            ok!(m.advise(advice, ..));
            ok!(m.advise(advice, 0..p));
            ok!(m.advise(advice, p..));
            ok!(m.advise(advice, p..=p));
            ok!(m.advise(advice, ..len));
            assert_eq!(m.as_slice(), &data[..]);
        }
    }
}

/// Python: `madvise` with a start that is not page aligned is `EINVAL`.
pub async fn advise_misaligned_start_is_invalid(store: &FileStore) {
    let p = page();
    let m = write_and_map(store, "f", &pattern(3 * p), &access(Access::Write)).await;
    for advice in every_advice() {
        assert_err!(m.advise(advice, 1..), InvalidArgument);
        assert_err!(m.advise(advice, 1..p), InvalidArgument);
        assert_err!(m.advise(advice, p + 1..2 * p), InvalidArgument);
    }
}

/// Python: `ValueError: madvise start out of bounds`. (A start equal to the
/// length is also refused by Python; the contract only names a start past
/// it.)
pub async fn advise_start_past_len_is_out_of_range(store: &FileStore) {
    let p = page();
    let m = write_and_map(store, "f", &pattern(3 * p), &access(Access::Write)).await;
    for advice in every_advice() {
        assert_err!(m.advise(advice, 4 * p..), OutOfRange);
        assert_err!(m.advise(advice, 4 * p..5 * p), OutOfRange);
        assert_err!(m.advise(advice, 100 * p..), OutOfRange);
    }
}

/// Python clips a length that runs past the end.
pub async fn advise_end_past_len_is_clipped(store: &FileStore) {
    let p = page();
    let m = write_and_map(store, "f", &pattern(3 * p), &access(Access::Write)).await;
    for advice in every_advice() {
        ok!(m.advise(advice, 0..100 * p));
        ok!(m.advise(advice, p..=4 * p));
    }
}

/// `advise` takes `&self`, so it must not change bytes someone may be
/// reading: `DontNeed` on a private (`Copy`) or anonymous map keeps its
/// contents here, although Linux would drop them.
pub async fn advise_never_changes_bytes(store: &FileStore) {
    let p = page();
    let len = 2 * p.max(super::granule());
    let data = pattern(len);
    let mut copy = write_and_map(store, "f", &data, &access(Access::Copy)).await;
    ok!(copy.write_at(0, b"private"));
    let mut anon = ok!(Mmap::anonymous(len));
    ok!(anon.write_at(p, b"anon"));
    let mut write = write_and_map(store, "g", &data, &access(Access::Write)).await;
    ok!(write.write_at(1, b"dirty"));
    for advice in every_advice() {
        ok!(copy.advise(advice, ..));
        ok!(anon.advise(advice, ..));
        ok!(write.advise(advice, ..));
        assert_eq!(&copy[..7], b"private", "{advice:?} on a Copy map");
        assert_eq!(&copy[7..], &data[7..]);
        assert_eq!(&anon[p..p + 4], b"anon", "{advice:?} on an anonymous map");
        assert_eq!(&write[1..6], b"dirty", "{advice:?} on a Write map");
    }
}
