#![cfg_attr(all(target_arch = "wasm32", target_os = "unknown"), no_main)]
#![cfg(not(all(target_arch = "wasm32", target_os = "unknown")))]
// Every target with std::fs (native, WASI, Emscripten). In the browser the
// crate is empty, and `no_main` lets that empty crate build (`cargo test` and
// clippy build every target).
//! The `hello.txt` example of Python's `mmap` documentation, line for line,
//! printing the same three lines Python prints:
//!
//! ```text
//! b'Hello Python!\n'
//! b'Hello'
//! b'Hello  world!\n'
//! ```
//!
//! Run it with `cargo run --example hello [DIR]`; it writes `hello.txt` in
//! `DIR` (default: a new directory in `$TMPDIR` or the OS's temporary
//! directory). Under WASI: `cargo run --target wasm32-wasip1 --example hello`
//! (the runner in `.cargo/config.toml` gives it a `/tmp`).

use std::io::SeekFrom;
use std::path::PathBuf;

use vmmap::{Mmap, MmapOptions};

fn main() -> vmmap::Result<()> {
    let dir = match std::env::args_os().nth(1) {
        Some(dir) => PathBuf::from(dir),
        // WASI has no default temporary directory, only what TMPDIR names.
        None => std::env::var_os("TMPDIR")
            .map_or_else(std::env::temp_dir, PathBuf::from)
            .join(format!("vmmap-hello-{}", unique())),
    };
    std::fs::create_dir_all(&dir).map_err(|e| vmmap::Error::from_io("create the directory", e))?;
    let path = dir.join("hello.txt");

    // write a simple example file
    std::fs::write(&path, b"Hello Python!\n")
        .map_err(|e| vmmap::Error::from_io("write hello.txt", e))?;

    // memory-map the file, length 0 means the whole file
    // SAFETY: nothing else writes hello.txt while this example runs.
    let mut mm = unsafe { Mmap::open(&path, &MmapOptions::new()) }?;
    // read content via standard file methods
    println!("{}", py_repr(&mm.readline()?)); // prints b'Hello Python!\n'
    // read content via slice notation
    println!("{}", py_repr(&mm[..5])); // prints b'Hello'
    // update content using slice notation; new content must have the same size
    mm.write_at(6, b" world!\n")?;
    // ... and read again using standard file methods
    mm.seek(SeekFrom::Start(0))?;
    println!("{}", py_repr(&mm.readline()?)); // prints b'Hello  world!\n'
    // close the map
    mm.close()?;
    Ok(())
}

/// A name no other run uses: the clock in nanoseconds (WASI has no process id).
fn unique() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos())
}

/// Bytes as Python's `repr` shows them: `b'...'` with escapes.
fn py_repr(bytes: &[u8]) -> String {
    let quote = if bytes.contains(&b'\'') && !bytes.contains(&b'"') {
        '"'
    } else {
        '\''
    };
    let mut out = format!("b{quote}");
    for &b in bytes {
        match b {
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            _ if b as char == quote => out.push_str(&format!("\\{quote}")),
            0x20..=0x7e => out.push(b as char),
            _ => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    out.push(quote);
    out
}
