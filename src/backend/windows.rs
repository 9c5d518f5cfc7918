//! What `os_map` asks of Windows: page size and allocation granularity
//! (`GetSystemInfo`); advice and file names need nothing.

use std::ops::Range;
use std::sync::OnceLock;

use windows_sys::Win32::System::SystemInformation::{GetSystemInfo, SYSTEM_INFO};

use crate::error::Result;
use crate::options::Advice;

fn system_info() -> &'static (usize, usize) {
    static INFO: OnceLock<(usize, usize)> = OnceLock::new();
    INFO.get_or_init(|| {
        // SAFETY: SYSTEM_INFO is plain data; GetSystemInfo fills it in.
        let info: SYSTEM_INFO = unsafe {
            let mut info = std::mem::zeroed();
            GetSystemInfo(&mut info);
            info
        };
        (
            info.dwPageSize as usize,
            info.dwAllocationGranularity as usize,
        )
    })
}

/// The OS page size (`dwPageSize`).
pub(crate) fn page_size() -> usize {
    system_info().0
}

/// Where a view of a file may start (`dwAllocationGranularity`, 64 KiB).
pub(crate) fn allocation_granularity() -> usize {
    system_info().1
}

/// Windows has no `madvise` that maps onto Python's: advice is accepted and
/// ignored, as a hint may be.
pub(crate) fn advise(
    _bytes: &[u8],
    _advice: Advice,
    _range: Range<usize>,
    _may_drop: bool,
) -> Result<()> {
    Ok(())
}

/// Names the file behind `file`, for the register of native maps
/// (`os_map/register.rs`): `None`, since Windows itself refuses to cut a
/// file that a map still shows (the resize fails with an OS error).
pub(crate) fn file_id(_file: &std::fs::File) -> Result<Option<(u64, u64)>> {
    Ok(None)
}
