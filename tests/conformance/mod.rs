//! Conformance suite: test bodies written once and run by every harness.
//!
//! Every case is `pub async fn name(store: &vmmap::FileStore)`. A body makes
//! its files with `store.write_file`, maps them with `store.map` and checks the
//! file with `store.read_file`; it never touches `std::fs` or paths, so the same
//! body runs natively, on the emulated backend, under WASI and in a browser.
//! Sizes come from [`vmmap::allocation_granularity`] and [`vmmap::page_size`],
//! never from a hard-coded 4096.
//!
//! A harness declares `#[macro_use] mod conformance;` and passes its own
//! macro to [`for_each_case!`], which calls it with every case as
//! `module::case` (every harness but the native one also to
//! `for_each_flush_cost_case!`). It gives every case a fresh, empty store (natively a new
//! temporary directory; in a browser a database name of its own). Case names
//! are unique across the suite: they become test function names. Where a case's expectation is not obvious, its doc comment
//! says what Python's `mmap` does (the reference) or why the contract differs.
// A harness may run only some themes.
#![allow(dead_code)]
// `seek(SeekFrom::Current(0))` is itself under test (Python `seek(0, 1)`).
#![allow(clippy::seek_from_current)]

/// Asserts that `$expr` is `Err` of `vmmap::ErrorKind::$kind`.
macro_rules! assert_err {
    ($expr:expr, $kind:ident $(,)?) => {
        match $expr {
            Ok(value) => panic!(
                "`{}` returned Ok({:?}), expected Err({})",
                stringify!($expr),
                value,
                stringify!($kind)
            ),
            Err(error) => assert_eq!(
                error.kind(),
                vmmap::ErrorKind::$kind,
                "`{}` failed with the wrong kind: {}",
                stringify!($expr),
                error
            ),
        }
    };
}

/// Unwraps a `vmmap::Result`, naming the expression when it fails.
macro_rules! ok {
    ($expr:expr $(,)?) => {
        match $expr {
            Ok(value) => value,
            Err(error) => panic!("`{}` failed: {} ({:?})", stringify!($expr), error, error),
        }
    };
}

pub mod access;
pub mod advise;
pub mod anonymous;
pub mod cursor;
pub mod edit;
pub mod errors;
pub mod flush;
pub mod flush_cost;
pub mod io_traits;
pub mod lifecycle;
pub mod limits;
pub mod open;
pub mod resize;
pub mod search;
pub mod shared;
pub mod store;

use vmmap::{Access, FileStore, Mmap, MmapOptions};

/// Calls `$m! { module::case, ... }` with every case of the suite.
macro_rules! for_each_case {
    ($m:ident) => {
        $m! {
            access::read_rejects_every_write,
            access::read_checks_access_before_range,
            access::read_map_reads_normally,
            access::copy_writes_change_map_not_file,
            access::copy_cannot_resize,
            access::copy_writes_invisible_to_other_maps,
            advise::advise_each_variant,
            advise::advise_misaligned_start_is_invalid,
            advise::advise_start_past_len_is_out_of_range,
            advise::advise_end_past_len_is_clipped,
            advise::advise_never_changes_bytes,
            anonymous::anonymous_starts_zeroed,
            anonymous::anonymous_zero_len_is_invalid,
            anonymous::anonymous_is_writable,
            anonymous::anonymous_maps_are_independent,
            anonymous::anonymous_resize_keeps_bytes_or_is_unsupported,
            anonymous::anonymous_close,
            cursor::tell_starts_at_zero,
            cursor::seek_whence,
            cursor::seek_to_len_is_fine,
            cursor::seek_out_of_range_keeps_cursor,
            cursor::read_to_end_then_empty,
            cursor::read_n_clips_at_end,
            cursor::read_byte_walks_then_fails_at_end,
            cursor::readline_splits_lines,
            cursor::readline_without_any_newline,
            cursor::write_advances_cursor,
            cursor::write_is_all_or_nothing,
            cursor::write_byte_advances_then_fails_at_end,
            cursor::read_and_write_share_the_cursor,
            cursor::cursor_is_relative_to_window,
            edit::write_at_writes_slice,
            edit::write_at_is_all_or_nothing,
            edit::write_with_fills_in_place,
            edit::get_mut_ranges,
            edit::as_mut_slice_writes_through,
            edit::deref_reads_the_map,
            edit::move_within_overlapping,
            edit::move_within_exhaustive,
            errors::error_display_names_value,
            errors::error_traits,
            errors::error_into_io_error,
            errors::debug_impls,
            flush::flush_makes_writes_durable,
            flush::flush_range_rules,
            flush::flush_range_makes_range_durable,
            flush::flush_range_on_window,
            flush::flush_on_read_and_copy_is_ok,
            flush::flushed_with_nothing_dirty,
            flush::close_writes_back,
            flush::writes_through_as_mut_slice_are_flushed,
            flush::repeated_flushes_keep_latest_bytes,
            io_traits::io_read_reads_and_advances,
            io_traits::io_read_exact_past_end_fails,
            io_traits::io_write_writes_and_advances,
            io_traits::io_write_past_end_fails,
            io_traits::io_seek_matches_inherent_seek,
            io_traits::io_bufread_lines_and_fill_buf,
            io_traits::io_copy_reads_whole_map,
            io_traits::io_write_on_read_map_fails,
            lifecycle::is_closed_false_while_open,
            lifecycle::close_twice_is_ok,
            lifecycle::every_call_after_close_is_closed,
            lifecycle::io_traits_after_close_fail,
            lifecycle::close_each_access_mode,
            lifecycle::drop_writes_back,
            lifecycle::file_usable_after_close,
            limits::huge_map_options_are_errors,
            limits::huge_create_len_is_error,
            limits::huge_anonymous_len_is_error,
            limits::huge_positions_are_errors,
            limits::huge_seeks_are_errors,
            limits::huge_search_ranges,
            limits::huge_resize_is_error,
            open::default_options_map_whole_file_for_write,
            open::access_reports_mode,
            open::length_zero_maps_offset_to_end,
            open::offset_window_sees_file_range,
            open::offset_window_writes_land_at_file_offset,
            open::size_is_whole_file_for_window,
            open::length_past_eof_is_invalid,
            open::offset_past_eof_is_invalid,
            open::empty_file_is_invalid,
            open::misaligned_offset_is_invalid,
            open::missing_file_is_not_found,
            open::create_missing_file_with_len,
            open::create_keeps_existing_file,
            open::create_with_len_zero_is_invalid,
            resize::resize_grows_map_and_file,
            resize::resize_shrinks_map_and_file,
            resize::resize_window_sets_file_len,
            resize::resize_window_over_file_bytes,
            resize::resize_then_seek_keeps_cursor,
            resize::resize_shrink_then_grow_zero_fills,
            resize::resize_zero_is_invalid,
            resize::resize_to_same_len,
            search::find_ignores_cursor,
            search::find_with_bounds,
            search::find_end_past_len_is_clipped,
            search::find_start_past_len_is_clipped,
            search::find_empty_needle,
            search::find_reversed_range_is_none,
            search::find_absent_needle,
            search::find_matches_model,
            search::find_on_window_is_relative,
            shared::two_write_maps_see_each_other,
            shared::window_and_whole_map_share,
            shared::read_map_sees_write_map,
            store::write_then_read_file,
            store::write_file_overwrites,
            store::write_file_empty,
            store::list_names,
            store::remove_file_removes,
            store::missing_file_is_not_found_everywhere,
            store::large_file_roundtrip,
            store::bad_names_are_invalid,
        }
    };
}

/// Calls `$m! { module::case, ... }` with the cases every harness runs but
/// the native one: those of `flush_cost` (native stores count no writes),
/// and what the file holds while a flush is in flight (natively the file
/// is the map).
#[allow(unused_macros)] // the native harness only lists them
macro_rules! for_each_flush_cost_case {
    ($m:ident) => {
        $m! {
            flush_cost::one_byte_flush_writes_one_unit,
            flush_cost::raw_slice_flush_writes_only_changed_units,
            flush::a_flush_writes_the_map_as_it_was,
        }
    };
}

/// A store name no other test of this run uses, for the browser harnesses
/// (a browser profile may outlive one run): the case name, a counter and a
/// random suffix.
#[cfg(all(target_arch = "wasm32", target_os = "unknown"))]
pub fn unique_name(case: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let salt = (js_sys::Math::random() * f64::from(u32::MAX)) as u32;
    format!("vmmap-test-{case}-{n}-{salt:08x}")
}

/// [`vmmap::allocation_granularity`]: the alignment of a map's offset.
pub fn granule() -> usize {
    vmmap::allocation_granularity()
}

/// [`vmmap::page_size`]: the alignment `flush_range` and `advise` need.
pub fn page() -> usize {
    vmmap::page_size()
}

/// Deterministic bytes in which no two of the first granules are alike, so a
/// map of the wrong window shows.
pub fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8).collect()
}

/// Options with only `access` set.
pub fn access(access: Access) -> MmapOptions {
    let mut opts = MmapOptions::new();
    opts.access(access);
    opts
}

/// Options with `offset`, `len` and `access` set.
pub fn window(offset: usize, len: usize, access: Access) -> MmapOptions {
    let mut opts = MmapOptions::new();
    opts.offset(offset as u64).len(len).access(access);
    opts
}

/// Writes `data` to the file `name`, then maps it with `opts`.
pub async fn write_and_map(store: &FileStore, name: &str, data: &[u8], opts: &MmapOptions) -> Mmap {
    if let Err(error) = store.write_file(name, data).await {
        panic!("write_file({name:?}, {} bytes) failed: {error}", data.len());
    }
    map(store, name, opts).await
}

/// Maps the existing file `name` with `opts`.
pub async fn map(store: &FileStore, name: &str, opts: &MmapOptions) -> Mmap {
    match unsafe { store.map(name, opts).await } {
        Ok(mmap) => mmap,
        Err(error) => panic!("map({name:?}, {opts:?}) failed: {error}"),
    }
}

/// The bytes of the file `name` as the store holds them now.
pub async fn file(store: &FileStore, name: &str) -> Vec<u8> {
    match store.read_file(name).await {
        Ok(bytes) => bytes,
        Err(error) => panic!("read_file({name:?}) failed: {error}"),
    }
}

/// The length of the file `name` as the store reports it.
pub async fn file_size(store: &FileStore, name: &str) -> u64 {
    match store.file_size(name).await {
        Ok(size) => size,
        Err(error) => panic!("file_size({name:?}) failed: {error}"),
    }
}

/// Flushes `mmap` and waits until the flush is durable.
pub async fn flush_and_wait(mmap: &Mmap) {
    if let Err(error) = mmap.flush() {
        panic!("flush failed: {error}");
    }
    if let Err(error) = mmap.flushed().await {
        panic!("flushed failed: {error}");
    }
}

/// A range with `start > end`, built at run time so no lint rejects it.
pub fn reversed(start: usize, end: usize) -> std::ops::Range<usize> {
    std::ops::Range { start, end }
}

/// Grows a window at `g` over bytes of a 3-granule file, as Python does:
/// the window shows them and the file is cut at `offset + new_len`. Returns
/// the error of a backend that cannot, after checking it changed nothing.
pub async fn grow_window_over_file(store: &FileStore) -> vmmap::Result<()> {
    let g = granule();
    let data = pattern(3 * g);
    let mut m = write_and_map(store, "grow", &data, &window(g, g, Access::Write)).await;
    if let Err(e) = m.resize(g + 5) {
        assert_eq!(
            m.as_slice(),
            &data[g..2 * g],
            "a failed resize changed the map"
        );
        assert_eq!(
            file(store, "grow").await,
            data,
            "a failed resize changed the file"
        );
        return Err(e);
    }
    assert_eq!(m.as_slice(), &data[g..2 * g + 5]);
    assert_eq!(ok!(m.size()), (2 * g + 5) as u64);
    flush_and_wait(&m).await;
    assert_eq!(file(store, "grow").await, &data[..2 * g + 5]);
    Ok(())
}
