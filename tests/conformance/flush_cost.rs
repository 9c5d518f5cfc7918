//! What a flush costs on a store that writes pages (`FileStore::memory()`,
//! and the directory store under WASI and Emscripten): it writes what
//! changed and nothing more, as `FileStore::stats` counts it. Not a theme of
//! `for_each_case!`: natively the OS writes a map back and `stats` counts
//! nothing, and the browser's store writes chunks of many pages
//! (`tests/web.rs` checks those). The harnesses of page stores run these
//! cases through `for_each_page_store_case!`.

use super::{file, flush_and_wait, page, write_and_map};
use vmmap::{FileStore, MmapOptions};

const MIB: usize = 1 << 20;

/// A flush after a one-byte change writes one page in one commit; a second
/// flush, with nothing dirty, writes nothing.
pub async fn one_byte_flush_writes_one_page(store: &FileStore) {
    let mut m = write_and_map(store, "big", &vec![7u8; 8 * MIB], &MmapOptions::new()).await;
    let before = store.stats();
    ok!(m.write_at(5 * MIB + 3, b"x"));
    flush_and_wait(&m).await;
    let after = store.stats();
    assert_eq!(
        (
            after.commits - before.commits,
            after.units_written - before.units_written,
            after.bytes_written - before.bytes_written
        ),
        (1, 1, page() as u64),
        "commits, pages and bytes written: {before:?} -> {after:?}"
    );
    flush_and_wait(&m).await;
    assert_eq!(store.stats(), after, "a flush with nothing dirty wrote");
    let stored = file(store, "big").await;
    assert_eq!(stored[5 * MIB + 3], b'x');
    assert_eq!(stored.iter().filter(|&&b| b != 7).count(), 1);
}

/// Pages changed through a raw slice are found at flush, and only they are
/// written: a byte set to the value it had dirties nothing, and two bytes
/// of one page are one page. Exposed again but unchanged, nothing is written.
pub async fn raw_slice_writes_flush_only_changed_pages(store: &FileStore) {
    let mut m = write_and_map(store, "big", &vec![7u8; 4 * MIB], &MmapOptions::new()).await;
    let slice = ok!(m.as_mut_slice());
    slice[10] = 1;
    slice[3 * page()] = 7; // unchanged: the byte was 7 already
    slice[2 * MIB] = 2;
    slice[2 * MIB + 1] = 2; // the same page
    let before = store.stats();
    flush_and_wait(&m).await;
    let after = store.stats();
    assert_eq!(
        after.units_written - before.units_written,
        2,
        "pages written: {before:?} -> {after:?}"
    );
    ok!(m.get_mut(..));
    flush_and_wait(&m).await;
    assert_eq!(store.stats(), after, "an unchanged raw slice was written");
    let stored = file(store, "big").await;
    assert_eq!(
        (stored[10], stored[2 * MIB], stored[2 * MIB + 1]),
        (1, 2, 2)
    );
    assert_eq!(stored.iter().filter(|&&b| b != 7).count(), 3);
}
