//! Section 5, memory: how much wasm memory mapping the file costs. It runs
//! first, before anything else allocated large buffers: wasm memory never
//! shrinks, so freed space would hide growth.

use js_sys::Reflect;
use vmmap::Access;

use crate::bench_support::{Row, Target};
use crate::data::check_bytes;
use crate::idb::{db_name, raw_delete, seed_files};
use crate::report::Report;
use crate::vmmap_side::{map_whole, vmmap_flush, vmmap_store};
use crate::{FILE, MIB};

/// `wasm_bindgen::memory()`'s `buffer.byteLength`.
fn wasm_memory_bytes() -> f64 {
    let buffer = Reflect::get(&wasm_bindgen::memory(), &"buffer".into()).expect("memory.buffer");
    Reflect::get(&buffer, &"byteLength".into())
        .ok()
        .and_then(|n| n.as_f64())
        .expect("memory.buffer.byteLength")
}

/// Wasm memory before a map of the file, once it is loaded, and after a
/// flush of an API write and one of a raw-slice write.
pub async fn measure(chunk: usize, report: &mut Report) {
    let name = db_name("memory");
    let (store, db) = vmmap_store(&name).await;
    seed_files(&[(&db, chunk)], 5).await;
    db.close();
    let before = wasm_memory_bytes();
    let mut m = map_whole(&store, Access::Write).await;
    let loaded = wasm_memory_bytes();
    check_bytes("the map", 5, &m);
    m.write_at(3 * MIB + 17, b"x").expect("write_at");
    vmmap_flush(&m).await;
    m.as_mut_slice().expect("as_mut_slice")[FILE / 2] ^= 1;
    vmmap_flush(&m).await;
    let flushed = wasm_memory_bytes();
    drop(m);
    drop(store);
    raw_delete(&name).await;
    let growth = loaded - before;
    report.rows.push(Row {
        what: "memory: wasm memory growth from mapping the 64 MiB file (loaded)".into(),
        vmmap: format!("{:.2} MiB", growth / MIB as f64),
        peer: "the file's length".into(),
        peer_result: format!("{:.2} MiB", FILE as f64 / MIB as f64),
        ratio: Some(growth / FILE as f64),
        target: Target::AtMost(1.05),
    });
    report.notes.push(format!(
        "memory: wasm memory {:.2} MiB before the map, {:.2} MiB once loaded, {:.2} MiB after a \
         write_at + flush and an as_mut_slice write + flush",
        before / MIB as f64,
        loaded / MIB as f64,
        flushed / MIB as f64
    ));
    report.progress("memory");
}
