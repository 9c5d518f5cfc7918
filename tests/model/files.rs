//! File-map cases for the model over any `FileStore`: a file of prefix,
//! mapped window and tail, mapped with one access; after the ops the file
//! must hold what the model says (Write: the map's bytes; Read and Copy: what
//! it held before).

use proptest::prelude::*;
use vmmap::{Access, FileStore, MmapOptions};

use super::{Model, Op, Reads, strategy};

/// A file of `offset_units` allocation granules, then `len` mapped bytes,
/// then `tail` bytes; mapped with an explicit length, or with length 0 (to
/// the end of the file, tail included).
#[derive(Debug, Clone)]
pub struct FileCase {
    pub access: Access,
    pub offset_units: usize,
    pub len: usize,
    pub tail: usize,
    pub explicit_len: bool,
    /// Repeated (and varied) to fill the file.
    pub pattern: Vec<u8>,
}

/// File cases with `access`: offsets of 0 to 2 granules, tails mostly empty.
pub fn file_cases(access: Access) -> impl Strategy<Value = FileCase> {
    (
        0usize..=2,
        strategy::map_len(),
        prop_oneof![2 => Just(0usize), 1 => 1usize..=100],
        any::<bool>(),
        prop::collection::vec(strategy::byte(), 1..=16),
    )
        .prop_map(
            move |(offset_units, len, tail, explicit_len, pattern)| FileCase {
                access,
                offset_units,
                len,
                tail,
                explicit_len,
                pattern,
            },
        )
}

fn fail(what: &str) -> impl Fn(vmmap::Error) -> String + '_ {
    move |e| format!("{what}: {e}")
}

/// Writes the case's file as `name` into `store`, maps it, runs `ops` on map
/// and model, flushes, and compares the file with the model's; then drops
/// the map and compares again. `reads`: how `store` reads (the model needs
/// it for a window that grows).
pub async fn run_file_case(
    store: &FileStore,
    name: &str,
    case: &FileCase,
    ops: &[Op],
    reads: Reads,
) -> Result<(), String> {
    let offset = case.offset_units * vmmap::allocation_granularity();
    let size = offset + case.len + case.tail;
    let original: Vec<u8> = (0..size)
        .map(|i| case.pattern[i % case.pattern.len()] ^ (i / 7) as u8)
        .collect();
    store
        .write_file(name, &original)
        .await
        .map_err(fail("write_file"))?;

    let mut opts = MmapOptions::new();
    opts.offset(offset as u64).access(case.access);
    if case.explicit_len {
        opts.len(case.len);
    }
    let mut map = unsafe { store.map(name, &opts).await }.map_err(fail("map"))?;
    let len = if case.explicit_len {
        case.len
    } else {
        case.len + case.tail
    };
    let mut model = Model::file(&original, offset, len, case.access, reads);
    let calls = super::try_run(&mut map, &mut model, ops)?;
    let listing = super::listing(&calls);

    let want = model.file_contents().unwrap_or_default().to_vec();
    if case.access != Access::Write && want != original {
        return Err(format!("the model changed a {:?} file", case.access));
    }
    if !map.is_closed() {
        map.flush().map_err(fail("final flush"))?;
        map.flushed().await.map_err(fail("final flushed"))?;
    }
    let flushed = store.read_file(name).await.map_err(fail("read_file"))?;
    if flushed != want {
        return Err(listing + &diff("after the final flush", &flushed, &want));
    }
    drop(map);
    let dropped = store.read_file(name).await.map_err(fail("read_file"))?;
    if dropped != want {
        return Err(listing + &diff("after drop", &dropped, &want));
    }
    Ok(())
}

/// Where a file differs from the model's.
fn diff(when: &str, got: &[u8], want: &[u8]) -> String {
    let at = got
        .iter()
        .zip(want)
        .position(|(a, b)| a != b)
        .unwrap_or(got.len().min(want.len()));
    format!(
        "mismatch: {when} the file ({} bytes) differs from the model's ({} bytes) first at {at}",
        got.len(),
        want.len()
    ) + &format!(
        ": {:?} vs {:?}",
        &got[at..got.len().min(at + 8)],
        &want[at..want.len().min(at + 8)]
    )
}

/// [`run_file_case`] on the same file in several stores at once (the native
/// backend's directory and the emulated `FileStore::memory()`), with one
/// model: each map is compared with the model, and so with the others,
/// after every step, and each store's file with the model's after the final
/// flush and after drop. Returns the number of calls made.
pub async fn run_file_case_on_all(
    stores: &[(&str, &FileStore)],
    name: &str,
    case: &FileCase,
    ops: &[Op],
) -> Result<usize, String> {
    let offset = case.offset_units * vmmap::allocation_granularity();
    let size = offset + case.len + case.tail;
    let original: Vec<u8> = (0..size)
        .map(|i| case.pattern[i % case.pattern.len()] ^ (i / 7) as u8)
        .collect();
    let mut opts = MmapOptions::new();
    opts.offset(offset as u64).access(case.access);
    if case.explicit_len {
        opts.len(case.len);
    }
    let mut maps = Vec::new();
    for (label, store) in stores {
        store
            .write_file(name, &original)
            .await
            .map_err(fail("write_file"))?;
        maps.push((
            *label,
            unsafe { store.map(name, &opts).await }.map_err(fail("map"))?,
        ));
    }
    let len = if case.explicit_len {
        case.len
    } else {
        case.len + case.tail
    };
    let mut model = Model::file(&original, offset, len, case.access, Reads::Sync);
    let mut refs: Vec<(&str, &mut vmmap::Mmap)> =
        maps.iter_mut().map(|(label, map)| (*label, map)).collect();
    let calls = super::try_run_all(&mut refs, &mut model, ops)?;
    let want = model.file_contents().unwrap_or_default().to_vec();
    for ((label, store), (_, map)) in stores.iter().zip(maps) {
        let listing = || super::listing(&calls) + &format!("({label}) ");
        if !map.is_closed() {
            map.flush().map_err(fail("final flush"))?;
            map.flushed().await.map_err(fail("final flushed"))?;
        }
        let flushed = store.read_file(name).await.map_err(fail("read_file"))?;
        if flushed != want {
            return Err(listing() + &diff("after the final flush", &flushed, &want));
        }
        drop(map);
        let dropped = store.read_file(name).await.map_err(fail("read_file"))?;
        if dropped != want {
            return Err(listing() + &diff("after drop", &dropped, &want));
        }
    }
    Ok(calls.len())
}
