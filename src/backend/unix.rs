//! What `os_map` asks of Unix, through `libc`: the page size, `madvise`, and
//! a file's device and inode.

use std::ops::Range;
use std::sync::OnceLock;

use crate::error::{Error, Result};
use crate::options::Advice;

/// The OS page size, from `sysconf(_SC_PAGESIZE)`, read once.
pub(crate) fn page_size() -> usize {
    static PAGE: OnceLock<usize> = OnceLock::new();
    *PAGE.get_or_init(|| {
        // SAFETY: sysconf only reads a configuration value.
        let size = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
        usize::try_from(size)
            .ok()
            .filter(|&s| s > 0)
            .unwrap_or(4096)
    })
}

/// On Unix a map may start at any page boundary.
pub(crate) fn allocation_granularity() -> usize {
    page_size()
}

/// `madvise` on `range` of `bytes`; `may_drop` says whether the OS may drop
/// pages without changing what they read as (true only for shared file maps).
pub(crate) fn advise(
    bytes: &[u8],
    advice: Advice,
    range: Range<usize>,
    may_drop: bool,
) -> Result<()> {
    let flag = match advice {
        Advice::Normal => libc::MADV_NORMAL,
        Advice::Random => libc::MADV_RANDOM,
        Advice::Sequential => libc::MADV_SEQUENTIAL,
        Advice::WillNeed => libc::MADV_WILLNEED,
        // On a private or anonymous map MADV_DONTNEED would zero or revert
        // bytes that a borrowed slice may be reading: pass it on only where
        // the page cache keeps the contents.
        Advice::DontNeed if may_drop => libc::MADV_DONTNEED,
        Advice::DontNeed => return Ok(()),
    };
    let Some(bytes) = bytes.get(range.clone()) else {
        return Ok(());
    };
    if bytes.is_empty() {
        return Ok(());
    }
    // SAFETY: the pointer and length describe mapped memory of this map
    // (range was checked against it, and its start is page-aligned because
    // maps start at page boundaries and the caller checked the offset); the
    // advice above never changes what the bytes read as.
    let rc = unsafe { libc::madvise(bytes.as_ptr() as *mut libc::c_void, bytes.len(), flag) };
    if rc != 0 {
        return Err(Error::from_io(
            format!("madvise({advice:?}) on {}..{}", range.start, range.end),
            std::io::Error::last_os_error(),
        ));
    }
    Ok(())
}

/// Names the file behind `file` in this system (device, inode), for the
/// register of native maps (`os_map/register.rs`).
pub(crate) fn file_id(file: &std::fs::File) -> Result<Option<(u64, u64)>> {
    use std::os::unix::fs::MetadataExt;
    let meta = file
        .metadata()
        .map_err(|e| Error::from_io("stat the mapped file", e))?;
    Ok(Some((meta.dev(), meta.ino())))
}
