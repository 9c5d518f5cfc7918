//! Emscripten's part of the `std::fs` emulation: naming a file by its node
//! in Emscripten's JS file system, and replacing a file so that MEMFS
//! forgets the old one.

use std::fs::File;
use std::io;
use std::os::fd::AsRawFd;
use std::path::Path;

use crate::error::Result;

/// The file system node's id, asked of Emscripten's JS file system. Not
/// `fstat`: Rust's prebuilt std expects the `stat` layout of emcc 3.1.42 and
/// later, the `libc` crate's layout for older emcc misplaces `st_ino` (it
/// assumes a 64-bit `time_t`), and with Debian's emcc 3.1.6 both read the
/// inode as garbage. Node ids are unique in the process and survive renames.
pub(crate) fn file_id(file: &File) -> Result<Option<(u64, u64)>> {
    unsafe extern "C" {
        /// Emscripten's `emscripten.h`: evaluates JS in the module's scope.
        fn emscripten_run_script_int(script: *const std::ffi::c_char) -> std::ffi::c_int;
    }
    let script = format!(
        "(function () {{ try {{ return FS.getStream({}).node.id | 0; }} catch (e) {{ return 0; }} }})()\0",
        file.as_raw_fd()
    );
    // SAFETY: the script is NUL-terminated, and catches what it throws.
    let id = unsafe { emscripten_run_script_int(script.as_ptr().cast()) };
    Ok((id > 0).then_some((0, id as u64)))
}

/// Renames `from` over `to` (how `FileStore::write_file` replaces a file),
/// removing `to` first: the MEMFS of emcc 3.1.6 keeps a file that was
/// renamed over in its name table, and that file comes back once the new
/// one is removed. Files there live in memory and one thread runs, so
/// nothing can see the moment between the two calls.
pub(crate) fn replace_file(from: &Path, to: &Path) -> io::Result<()> {
    match std::fs::remove_file(to) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    std::fs::rename(from, to)
}
