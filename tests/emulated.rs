#![cfg(not(target_family = "wasm"))]
//! The shared conformance suite against the emulated backend on the host:
//! every case runs on `FileStore::memory()`, the page tracking and store
//! contract that the browser, WASI and Emscripten use, whose maps load
//! pages on demand (as over WASI and Emscripten files); and again, in
//! `preloaded::`, on `FileStore::memory_preloaded()`, whose maps load their
//! window when made and whose flushes are written later from a snapshot of
//! the pages (as over IndexedDB).

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

        mod preloaded {
            use super::conformance;
            $(
                #[test]
                fn $case() {
                    let store = vmmap::FileStore::memory_preloaded();
                    pollster::block_on(conformance::$module::$case(&store));
                }
            )*
        }
    };
}

for_each_case!(emulated_cases);

mod cost {
    use super::conformance;
    for_each_flush_cost_case!(emulated_cases);
}

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

/// Maps over a store that reads synchronously load each page when a call
/// first needs it, and nothing else: counted by `StoreStats::bytes_read`.
mod on_demand {
    use vmmap::{Advice, FileStore, Mmap, MmapOptions};

    /// 1 MiB (64 pages under Miri, where every byte costs).
    const LEN: usize = if cfg!(miri) { 64 << 12 } else { 1 << 20 };

    fn byte(i: usize) -> u8 {
        (i % 251) as u8
    }

    fn setup() -> (FileStore, Mmap) {
        let store = FileStore::memory();
        let map = pollster::block_on(async {
            let data: Vec<u8> = (0..LEN).map(byte).collect();
            store.write_file("big", &data).await.unwrap();
            unsafe { store.map("big", &MmapOptions::new()).await }.unwrap()
        });
        (store, map)
    }

    #[test]
    fn a_map_reads_only_the_pages_calls_touch() {
        let page = vmmap::page_size();
        let (store, mut m) = setup();
        let read = || store.stats().bytes_read as usize;
        assert_eq!(read(), 0, "mapping reads nothing");
        assert_eq!(m.try_get(LEN - 1..LEN).unwrap(), &[byte(LEN - 1)]);
        assert_eq!(read(), page, "the last byte costs its page");
        assert_eq!(m.read_byte().unwrap(), byte(0));
        assert_eq!(read(), 2 * page);
        m.write_at(8 * page, &vec![1; page]).unwrap();
        assert_eq!(read(), 2 * page, "a page written whole is not read");
        m.write_at(20 * page + 5, b"x").unwrap();
        assert_eq!(read(), 3 * page, "a page written in part is read first");
        assert_eq!(
            m[20 * page + 4..20 * page + 7],
            [byte(20 * page + 4), b'x', byte(20 * page + 6)]
        );
        assert_eq!(m.len(), LEN);
        assert_eq!(
            read(),
            LEN - page,
            "Deref loads every page once; page 8 was never read"
        );
        assert_eq!(m[8 * page..9 * page], vec![1; page][..]);
        m.flush().unwrap();
        let file = pollster::block_on(store.read_file("big")).unwrap();
        assert_eq!(&file[..], &m[..]);
    }

    #[test]
    fn a_search_loads_as_it_scans() {
        let page = vmmap::page_size();
        let (store, mut m) = setup();
        m.write_at(2 * page, b"needle").unwrap();
        let before = store.stats().bytes_read;
        assert_eq!(m.find(b"needle", ..), Some(2 * page));
        let scanned = (store.stats().bytes_read - before) as usize;
        assert!(
            scanned <= 64 << 10,
            "an early match reads the first chunk only: {scanned}"
        );
        assert_eq!(
            m.rfind(b"needle", ..),
            Some(2 * page),
            "from the end, the whole scan"
        );
        assert_eq!(store.stats().bytes_read as usize, LEN, "each page once");
    }

    #[test]
    fn a_borrow_stays_valid_while_other_pages_load() {
        let page = vmmap::page_size();
        let (_store, m) = setup();
        let first = m.try_get(0..page).unwrap();
        let last = m.try_get(LEN - page..LEN).unwrap();
        m.advise(Advice::WillNeed, page..LEN - page).unwrap();
        assert_eq!(first[7], byte(7));
        assert_eq!(last[0], byte(LEN - page));
        // The pattern repeats every 251 bytes.
        let pair = [byte(3 * page), byte(3 * page + 1)];
        assert_eq!(m.find(&pair, ..), Some(3 * page % 251));
        assert_eq!(first[page - 1], byte(page - 1));
    }

    #[test]
    fn a_resized_map_loads_on_demand_too() {
        let page = vmmap::page_size();
        let (store, mut m) = setup();
        m.write_at(LEN - 1, b"z").unwrap();
        m.resize(LEN + 3 * page).unwrap();
        let before = store.stats().bytes_read;
        assert_eq!(m.try_get(LEN + page..LEN + page + 2).unwrap(), &[0, 0]);
        assert_eq!(store.stats().bytes_read - before, page as u64);
        assert_eq!(m.try_get(LEN - 1..LEN).unwrap(), b"z");
        m.resize(page + 1).unwrap();
        assert_eq!(m.read(None).unwrap().len(), page + 1);
        assert_eq!(
            pollster::block_on(store.file_size("big")).unwrap(),
            page as u64 + 1
        );
    }
}
