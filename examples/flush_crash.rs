#![cfg_attr(all(target_arch = "wasm32", target_os = "unknown"), no_main)]
#![cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
// Every target with std::fs; the crash test runs it under WASI. In the
// browser the crate is empty, and `no_main` lets that empty crate build.
//! The program that `tests/js/reliability/wasi-crash.mjs` SIGKILLs in the
//! middle of flushes (RELIABILITY.md, section 1).
//!
//! `flush_crash run DIR` maps `DIR/data` through a directory `FileStore`
//! and, for ever, writes generation `G + 1` over every page `p` with
//! `p % 17 != 0` (each 8 bytes: `G + 1` and `p`, as little-endian `u32`s;
//! half through `write_at`, half through `as_mut_slice`), prints
//! `flushing G+1`, flushes, prints `flushed G+1`. `G` is what page 1 holds
//! when it starts. Pages with `p % 17 == 0` are never written.
//!
//! `flush_crash check DIR` only opens the store, asks the file's size and
//! maps it for reading (each of which recovers a journal a kill left), and
//! prints `recovered LEN`; the driver then reads the file itself.

use std::process::ExitCode;

use vmmap::{Access, FileStore, MmapOptions};

/// Pages that no flush writes.
const UNTOUCHED_EVERY: usize = 17;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["run", dir] => pollster::block_on(run(dir)),
        ["check", dir] => pollster::block_on(check(dir)),
        _ => {
            eprintln!("usage: flush_crash run|check DIR");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("flush_crash: {error}");
            ExitCode::FAILURE
        }
    }
}

fn word(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
}

/// Page `p` of generation `generation`.
fn page_of(generation: u32, p: usize, page: usize) -> Vec<u8> {
    let pair = [generation.to_le_bytes(), (p as u32).to_le_bytes()].concat();
    pair.iter().copied().cycle().take(page).collect()
}

async fn run(dir: &str) -> vmmap::Result<()> {
    let store = FileStore::open(dir).await?;
    // SAFETY: only this program writes the file while it runs, and no
    // slice borrowed from the map outlives the statement that takes it.
    let mut m = unsafe { store.map("data", &MmapOptions::new()).await }?;
    let names = store.list().await?;
    if names != ["data"] {
        return Err(vmmap::Error::from_io(
            "list the store",
            std::io::Error::other(format!("it shows {names:?}, not only the file")),
        ));
    }
    let page = vmmap::page_size();
    let pages = m.len() / page;
    let mut generation = word(&m, page);
    loop {
        generation += 1;
        for p in (0..pages).filter(|p| p % UNTOUCHED_EVERY != 0) {
            let bytes = page_of(generation, p, page);
            if p % 2 == 0 {
                m.write_at(p * page, &bytes)?;
            } else {
                m.as_mut_slice()?[p * page..(p + 1) * page].copy_from_slice(&bytes);
            }
        }
        println!("flushing {generation}");
        m.flush()?;
        println!("flushed {generation}");
    }
}

async fn check(dir: &str) -> vmmap::Result<()> {
    let store = FileStore::open(dir).await?;
    let len = store.file_size("data").await?;
    let mut opts = MmapOptions::new();
    opts.access(Access::Read);
    // SAFETY: nothing writes the file while this map lives.
    let m = unsafe { store.map("data", &opts).await }?;
    println!("recovered {len} {}", m.len());
    Ok(())
}
