//! Maps of paths and file handles where there are none (the browser): each
//! call says so and points at `FileStore`.

use std::fs::File;
use std::path::Path;

use crate::error::{Error, ErrorKind, Result};
use crate::options::MmapOptions;
use crate::region::MappedRegion;

pub(crate) fn open_path(path: &Path, _opts: &MmapOptions) -> Result<Box<dyn MappedRegion>> {
    Err(Error::new(
        ErrorKind::Unsupported,
        format!(
            "cannot open {}: the browser has no file paths; map files of a FileStore instead",
            path.display()
        ),
    ))
}

pub(crate) fn map_file(_file: &File, _opts: &MmapOptions) -> Result<Box<dyn MappedRegion>> {
    Err(Error::new(
        ErrorKind::Unsupported,
        "the browser has no file handles; map files of a FileStore instead",
    ))
}
