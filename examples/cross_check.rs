#![cfg_attr(all(target_arch = "wasm32", target_os = "unknown"), no_main)]
#![cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
// Every target with std::fs; tests/js/native.test.mjs runs it natively. In
// the browser build the crate is empty, and `no_main` lets it build.
//! The native half of the check that a directory written by the npm package
//! in Node (`FileStore.open(dir)`) is an ordinary directory to the native
//! crate, and the reverse (`tests/js/native.test.mjs`):
//!
//! - `cross_check read DIR NAME` maps `DIR/NAME` through a native
//!   `FileStore` and writes the mapped bytes to stdout (after checking that
//!   `read_file` gives the same);
//! - `cross_check write DIR NAME LEN` writes `LEN` bytes (byte `i` is
//!   `i % 251`) with `write_file`, then maps the file and writes `native` at
//!   offset 10 and `end` over its last 3 bytes, and flushes.

use std::io::Write;
use std::process::ExitCode;

use vmmap::{Access, FileStore, MmapOptions};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        ["read", dir, name] => pollster::block_on(read(dir, name)),
        ["write", dir, name, len] => match len.parse() {
            Ok(len) => pollster::block_on(write(dir, name, len)),
            Err(_) => Err(vmmap::Error::new(
                vmmap::ErrorKind::InvalidArgument,
                format!("length {len:?} is not a number"),
            )),
        },
        _ => {
            eprintln!("usage: cross_check read DIR NAME | write DIR NAME LEN");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("cross_check: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn read(dir: &str, name: &str) -> vmmap::Result<()> {
    let store = FileStore::open(dir).await?;
    let whole = store.read_file(name).await?;
    let mut opts = MmapOptions::new();
    opts.access(Access::Read);
    // SAFETY: nothing writes the file while this map lives.
    let m = unsafe { store.map(name, &opts).await }?;
    if m[..] != whole[..] {
        return Err(vmmap::Error::new(
            vmmap::ErrorKind::Io,
            "the map and read_file disagree",
        ));
    }
    std::io::stdout()
        .write_all(&m)
        .map_err(|e| vmmap::Error::from_io("write stdout", e))
}

async fn write(dir: &str, name: &str, len: usize) -> vmmap::Result<()> {
    let store = FileStore::open(dir).await?;
    let data: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
    store.write_file(name, &data).await?;
    // SAFETY: only this program writes the file while the map lives.
    let mut m = unsafe { store.map(name, &MmapOptions::new()).await }?;
    m.write_at(10, b"native")?;
    m.write_at(len - 3, b"end")?;
    m.flush()
}
