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

/// What only the emulated backend can show: flushes write what changed, and
/// nothing more, counted by `FileStore::stats`.
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
    fn one_byte_flush_writes_one_page() {
        let (store, mut m) = setup(8 * MIB);
        let before = store.stats();
        m.write_at(5 * MIB + 3, b"x").unwrap();
        m.flush().unwrap();
        let after = store.stats();
        assert_eq!(after.commits - before.commits, 1);
        assert_eq!(after.units_written - before.units_written, 1);
        assert_eq!(
            after.bytes_written - before.bytes_written,
            vmmap::page_size() as u64
        );
        // A second flush with nothing dirty writes nothing.
        m.flush().unwrap();
        assert_eq!(store.stats(), after);
        let file = pollster::block_on(store.read_file("big")).unwrap();
        assert_eq!(file[5 * MIB + 3], b'x');
    }

    #[test]
    fn raw_slice_writes_flush_only_changed_pages() {
        let (store, mut m) = setup(4 * MIB);
        let page = vmmap::page_size();
        let slice = m.as_mut_slice().unwrap();
        slice[10] = 1;
        slice[3 * page] = 7; // unchanged: the byte was 7 already
        slice[2 * MIB] = 2;
        slice[2 * MIB + 1] = 2; // same page
        let before = store.stats();
        m.flush().unwrap();
        let after = store.stats();
        assert_eq!(after.units_written - before.units_written, 2);
        // Exposed again, nothing changed: nothing to write.
        m.get_mut(..).unwrap();
        m.flush().unwrap();
        assert_eq!(store.stats(), after);
        let file = pollster::block_on(store.read_file("big")).unwrap();
        assert_eq!((file[10], file[2 * MIB], file[2 * MIB + 1]), (1, 2, 2));
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
