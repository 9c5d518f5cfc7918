#![cfg(not(target_family = "wasm"))]
//! The shared conformance suite against the emulated backend on the host:
//! every case runs on `FileStore::memory()`, the page tracking and store
//! contract that the browser, WASI and Emscripten use.

#[macro_use]
mod conformance;

macro_rules! emulated_cases {
    ($($module:ident :: $case:ident),* $(,)?) => {
        $(
            #[test]
            fn $case() {
                let store = vmmap::FileStore::memory();
                pollster::block_on(conformance::$module::$case(&store));
            }
        )*
    };
}

for_each_case!(emulated_cases);
for_each_flush_cost_case!(emulated_cases);

/// What only the emulated backend can show: flushes write what changed, and
/// nothing more, counted by `FileStore::stats` (with the cases of
/// `tests/conformance/flush_cost.rs`, which every harness but the native one
/// runs).
mod flush_cost {
    use vmmap::{Access, FileStore, MmapOptions};

    /// The size unit of these files: 1 MiB, or 64 KiB under Miri, where
    /// hashing megabytes takes minutes. Every offset used stays page-aligned
    /// relative to it, so the page counts asserted are the same.
    const MIB: usize = if cfg!(miri) { 64 << 10 } else { 1 << 20 };

    fn setup(len: usize) -> (FileStore, vmmap::Mmap) {
        let store = FileStore::memory();
        let map = pollster::block_on(async {
            store.write_file("big", &vec![7u8; len]).await.unwrap();
            unsafe { store.map("big", &MmapOptions::new()).await }.unwrap()
        });
        (store, map)
    }

    #[test]
    fn flush_range_writes_only_its_pages() {
        let (store, mut m) = setup(MIB);
        let page = vmmap::page_size();
        m.write_at(0, b"a").unwrap();
        m.write_at(10 * page, b"b").unwrap();
        m.flush_range(10 * page, 1).unwrap();
        assert_eq!(store.stats().units_written, 1);
        m.flush().unwrap();
        assert_eq!(store.stats().units_written, 2);
    }

    #[test]
    fn copy_map_never_writes() {
        let store = FileStore::memory();
        pollster::block_on(async {
            store.write_file("f", &[1; 10000]).await.unwrap();
            let mut m = unsafe {
                store
                    .map("f", MmapOptions::new().access(Access::Copy))
                    .await
            }
            .unwrap();
            m.write_at(0, b"copy").unwrap();
            m.as_mut_slice().unwrap()[9000] = 9;
            m.flush().unwrap();
            m.close().unwrap();
            assert_eq!(store.stats().commits, 0);
            assert_eq!(store.read_file("f").await.unwrap(), vec![1; 10000]);
        });
    }

    /// Overlapping windows of one file exchange API writes at once, and a
    /// window mapped later sees writes not yet flushed.
    #[test]
    fn overlapping_windows_see_unflushed_writes() {
        let g = vmmap::allocation_granularity();
        let store = FileStore::memory();
        pollster::block_on(async {
            store.write_file("f", &vec![0; 4 * g]).await.unwrap();
            let mut whole = unsafe { store.map("f", &MmapOptions::new()).await }.unwrap();
            whole.write_at(2 * g, b"early").unwrap();
            let win = unsafe {
                store
                    .map("f", MmapOptions::new().offset(g as u64).len(2 * g))
                    .await
            }
            .unwrap();
            assert_eq!(&win[g..g + 5], b"early");
            let copy = unsafe {
                store
                    .map("f", MmapOptions::new().access(Access::Copy))
                    .await
            }
            .unwrap();
            assert_eq!(&copy[2 * g..2 * g + 5], b"early");
        });
    }
}

/// Growing a window over bytes of the file works on the memory store (the
/// shared case also accepts the browser's `Unsupported`).
#[test]
fn window_grows_over_file_bytes() {
    let store = vmmap::FileStore::memory();
    pollster::block_on(conformance::grow_window_over_file(&store)).unwrap();
}
