//! What every emulated target (browser, WASI, Emscripten) shares outside
//! `paged/`: the page size and allocation granularity, documented constants
//! the same in every browser and runtime; and anonymous maps
//! (`anonymous.rs`).

mod anonymous;

pub(crate) use anonymous::anonymous;

/// Dirty pages are tracked, and `flush_range` offsets aligned, in 4 KiB pages
/// (what most OSes use, and `mmap.PAGESIZE` on Linux x86-64).
pub(crate) fn page_size() -> usize {
    4096
}

/// Windows start at multiples of 64 KiB (as on Windows): a whole number of
/// the IndexedDB store's chunks, so a window never shares a chunk with the
/// bytes before it.
pub(crate) fn allocation_granularity() -> usize {
    64 * 1024
}
