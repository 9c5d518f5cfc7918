//! WASI's part of the `std::fs` emulation: naming a file by `fstat`.

use std::fs::File;
use std::io;
use std::os::fd::AsRawFd;

use crate::error::{Error, Result};

/// Device and inode from `fstat` (std's `MetadataExt` is unstable on WASI),
/// or `None` where the runtime reports no inode.
pub(crate) fn file_id(file: &File) -> Result<Option<(u64, u64)>> {
    let mut stat = std::mem::MaybeUninit::<libc::stat>::uninit();
    // SAFETY: `fstat` fills the `stat` it is given on success, and the
    // descriptor is open for as long as `file` is borrowed.
    let stat = unsafe {
        if libc::fstat(file.as_raw_fd(), stat.as_mut_ptr()) != 0 {
            return Err(Error::from_io("stat the file", io::Error::last_os_error()));
        }
        stat.assume_init()
    };
    Ok((stat.st_ino != 0).then_some((stat.st_dev, stat.st_ino)))
}
