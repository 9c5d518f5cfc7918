//! Opening the file behind a map, as every target with `std::fs` does it:
//! for a path, a commit a crash cut short is completed (or discarded) from
//! its journal first, the access decides the mode and `create` makes a
//! missing file of `offset + len` zero bytes; for an open file, a second handle.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::Path;

use crate::error::{Error, Result};
use crate::options::{Access, MmapOptions};
use crate::store::journal;

/// Opens `path` for what `opts` ask, once its journal, if any, is
/// recovered: read and write for `Access::Write`,
/// read only otherwise; with `create(true)` a missing file is made first,
/// and removed again if it cannot be given its size.
pub(crate) fn open_file(path: &Path, opts: &MmapOptions) -> Result<File> {
    let context = || format!("open {}", path.display());
    // Only WASI and Emscripten write journals, but a native program may be
    // the next to open a directory such a program left after a crash.
    journal::recover(path)?;
    if opts.get_create() {
        // Only a missing file needs a size; an existing one is mapped as is.
        let size = opts.created_size();
        match OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(path)
        {
            Ok(file) => {
                let sized = size.and_then(|size| {
                    file.set_len(size).map_err(|e| {
                        Error::from_io(format!("create {} of {size} bytes", path.display()), e)
                    })
                });
                if let Err(e) = sized {
                    // Leave no empty file behind a failed create.
                    drop(file);
                    let _ = std::fs::remove_file(path);
                    return Err(e);
                }
                return Ok(file);
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(Error::from_io(context(), e)),
        }
    }
    OpenOptions::new()
        .read(true)
        .write(opts.get_access() == Access::Write)
        .open(path)
        .map_err(|e| Error::from_io(context(), e))
}

/// A second handle to `file`, which the map keeps open (for `size`,
/// `resize` and flushes) whatever the caller does with the first.
pub(crate) fn duplicate(file: &File) -> Result<File> {
    file.try_clone()
        .map_err(|e| Error::from_io("duplicate the file handle", e))
}
