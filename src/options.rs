//! How to map: [`MmapOptions`] (length, offset, access, create), [`Access`] and [`Advice`].

use crate::error::{Error, ErrorKind, Result};

/// What a map may do with its bytes, as Python's `ACCESS_*` constants.
///
/// # Example
/// ```
/// use vmmap::{Access, Mmap};
/// let m = Mmap::anonymous(8).unwrap();
/// assert_eq!(m.access(), Access::Write);
/// assert_eq!(Access::default(), Access::Write);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Access {
    /// Read only: every write, `move_within` and `resize` is
    /// [`ErrorKind::ReadOnly`] and changes nothing (`ACCESS_READ`).
    Read,
    /// Read and write; writes reach the file, durably after a flush
    /// (`ACCESS_WRITE`, and `ACCESS_DEFAULT` on Unix).
    #[default]
    Write,
    /// Copy on write: writes change this map only, never the file; no resize
    /// (`ACCESS_COPY`).
    Copy,
}

impl Access {
    /// Whether writes to the map are allowed (`Write` and `Copy`).
    ///
    /// # Example
    /// ```
    /// assert!(!vmmap::Access::Read.is_writable());
    /// assert!(vmmap::Access::Copy.is_writable());
    /// ```
    pub fn is_writable(self) -> bool {
        !matches!(self, Access::Read)
    }

    /// Whether writes reach the file (`Write` only).
    ///
    /// # Example
    /// ```
    /// assert!(vmmap::Access::Write.is_shared());
    /// assert!(!vmmap::Access::Copy.is_shared());
    /// ```
    pub fn is_shared(self) -> bool {
        matches!(self, Access::Write)
    }
}

/// A hint about how a range of the map will be used, as Python's `MADV_*`.
///
/// Advice never changes the bytes of a map: where the OS advice would (such as
/// `MADV_DONTNEED` on a private or anonymous map), it is not passed on.
/// Emulated backends accept every advice and may ignore it.
///
/// # Example
/// ```
/// use vmmap::{Advice, Mmap};
/// let m = Mmap::anonymous(vmmap::page_size() * 4).unwrap();
/// m.advise(Advice::Sequential, ..).unwrap();
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Advice {
    /// No special treatment (`MADV_NORMAL`).
    Normal,
    /// Expect page references in random order (`MADV_RANDOM`).
    Random,
    /// Expect page references in sequential order (`MADV_SEQUENTIAL`).
    Sequential,
    /// Expect access soon: read ahead (`MADV_WILLNEED`).
    WillNeed,
    /// Do not expect access soon: the OS may drop clean pages (`MADV_DONTNEED`).
    DontNeed,
}

/// A builder for maps: length, offset, access and whether to create a missing file.
///
/// Defaults: length 0 (from the offset to the end of the file), offset 0,
/// [`Access::Write`], no create.
///
/// # Example
/// ```
/// # fn main() -> vmmap::Result<()> {
/// # let dir = tempfile::tempdir().unwrap();
/// # let path = dir.path().join("data.bin");
/// # std::fs::write(&path, vec![7u8; 3 * vmmap::allocation_granularity()]).unwrap();
/// use vmmap::{Access, Mmap, MmapOptions};
/// let g = vmmap::allocation_granularity();
/// let m = unsafe { Mmap::open(&path, MmapOptions::new().offset(g as u64).len(16).access(Access::Read)) }?;
/// assert_eq!(m.len(), 16);
/// assert_eq!(m[0], 7);
/// # Ok(()) }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct MmapOptions {
    len: usize,
    offset: u64,
    access: Access,
    create: bool,
}

impl MmapOptions {
    /// Options with every default: the whole file, writable, not created.
    ///
    /// # Example
    /// ```
    /// let opts = vmmap::MmapOptions::new();
    /// assert_eq!(opts.get_access(), vmmap::Access::Write);
    /// ```
    pub fn new() -> MmapOptions {
        MmapOptions::default()
    }

    /// The length of the map in bytes; 0 (the default) maps from the offset to
    /// the end of the file. A length past the end of the file is
    /// [`ErrorKind::InvalidArgument`], as in Python.
    ///
    /// # Example
    /// ```
    /// let mut opts = vmmap::MmapOptions::new();
    /// opts.len(4096);
    /// assert_eq!(opts.get_len(), 4096);
    /// ```
    pub fn len(&mut self, len: usize) -> &mut MmapOptions {
        self.len = len;
        self
    }

    /// Where in the file the map starts; a multiple of
    /// [`allocation_granularity()`](crate::allocation_granularity), else
    /// [`ErrorKind::InvalidArgument`].
    ///
    /// # Example
    /// ```
    /// let mut opts = vmmap::MmapOptions::new();
    /// opts.offset(vmmap::allocation_granularity() as u64);
    /// assert_eq!(opts.get_offset(), vmmap::allocation_granularity() as u64);
    /// ```
    pub fn offset(&mut self, offset: u64) -> &mut MmapOptions {
        self.offset = offset;
        self
    }

    /// What the map may do: [`Access::Read`], [`Access::Write`] (default) or [`Access::Copy`].
    ///
    /// # Example
    /// ```
    /// let mut opts = vmmap::MmapOptions::new();
    /// opts.access(vmmap::Access::Copy);
    /// assert_eq!(opts.get_access(), vmmap::Access::Copy);
    /// ```
    pub fn access(&mut self, access: Access) -> &mut MmapOptions {
        self.access = access;
        self
    }

    /// Create a missing file of `offset + len` zero bytes before mapping it
    /// (`len` must then be non-zero). An existing file is mapped as it is.
    ///
    /// # Example
    /// ```
    /// # pollster::block_on(async {
    /// # let dir = tempfile::tempdir().unwrap();
    /// let store = vmmap::FileStore::open(dir.path().to_str().unwrap()).await?;
    /// let m = unsafe { store.map("new.bin", vmmap::MmapOptions::new().len(100).create(true)).await }?;
    /// assert_eq!(m.as_slice(), &[0u8; 100][..]);
    /// # vmmap::Result::Ok(()) }).unwrap();
    /// ```
    pub fn create(&mut self, create: bool) -> &mut MmapOptions {
        self.create = create;
        self
    }

    /// The length set with [`len`](Self::len).
    ///
    /// # Example
    /// ```
    /// assert_eq!(vmmap::MmapOptions::new().get_len(), 0);
    /// ```
    pub fn get_len(&self) -> usize {
        self.len
    }

    /// The offset set with [`offset`](Self::offset).
    ///
    /// # Example
    /// ```
    /// assert_eq!(vmmap::MmapOptions::new().get_offset(), 0);
    /// ```
    pub fn get_offset(&self) -> u64 {
        self.offset
    }

    /// The access set with [`access`](Self::access).
    ///
    /// # Example
    /// ```
    /// assert_eq!(vmmap::MmapOptions::new().get_access(), vmmap::Access::Write);
    /// ```
    pub fn get_access(&self) -> Access {
        self.access
    }

    /// Whether a missing file is created.
    ///
    /// # Example
    /// ```
    /// assert!(!vmmap::MmapOptions::new().get_create());
    /// ```
    pub fn get_create(&self) -> bool {
        self.create
    }

    /// The size of the file that `create` makes: `offset + len`.
    pub(crate) fn created_size(&self) -> Result<u64> {
        if self.len == 0 {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                "create(true) needs a length: len is 0 and the file is missing",
            ));
        }
        self.check_offset()?;
        (self.len as u64).checked_add(self.offset).ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidArgument,
                format!("offset {} + length {} overflows", self.offset, self.len),
            )
        })
    }

    fn check_offset(&self) -> Result<()> {
        let granularity = crate::allocation_granularity() as u64;
        if self.offset % granularity != 0 {
            return Err(Error::new(
                ErrorKind::InvalidArgument,
                format!(
                    "offset {} is not a multiple of the allocation granularity {granularity}",
                    self.offset
                ),
            ));
        }
        Ok(())
    }

    /// The window `(offset, len)` these options select in a file of
    /// `file_len` bytes, with Python's checks and messages.
    pub(crate) fn window(&self, file_len: u64) -> Result<(u64, usize)> {
        self.check_offset()?;
        let offset = self.offset;
        if self.len == 0 {
            if file_len == 0 {
                return Err(Error::new(
                    ErrorKind::InvalidArgument,
                    "cannot map an empty file",
                ));
            }
            if offset >= file_len {
                return Err(Error::new(
                    ErrorKind::InvalidArgument,
                    format!("offset {offset} is not below the file size {file_len}"),
                ));
            }
            let len = usize::try_from(file_len - offset)
                .ok()
                .filter(|&len| len <= isize::MAX as usize)
                .ok_or_else(|| {
                    Error::new(
                        ErrorKind::InvalidArgument,
                        format!("file size {file_len} from offset {offset} does not fit in memory"),
                    )
                })?;
            return Ok((offset, len));
        }
        let end = offset.checked_add(self.len as u64);
        match end {
            Some(end) if end <= file_len && self.len <= isize::MAX as usize => {
                Ok((offset, self.len))
            }
            _ => Err(Error::new(
                ErrorKind::InvalidArgument,
                format!(
                    "length {} at offset {offset} is past the end of the file (size {file_len})",
                    self.len
                ),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn g() -> u64 {
        crate::allocation_granularity() as u64
    }

    #[test]
    fn window_follows_python() {
        let mut o = MmapOptions::new();
        assert_eq!(o.window(10).unwrap(), (0, 10));
        assert_eq!(o.window(0).unwrap_err().kind(), ErrorKind::InvalidArgument);
        o.offset(g());
        assert_eq!(o.window(g() + 5).unwrap(), (g(), 5));
        assert_eq!(
            o.window(g()).unwrap_err().kind(),
            ErrorKind::InvalidArgument
        );
        o.len(5);
        assert_eq!(o.window(g() + 5).unwrap(), (g(), 5));
        assert_eq!(
            o.window(g() + 4).unwrap_err().kind(),
            ErrorKind::InvalidArgument
        );
        o.offset(u64::MAX - g() + 1).len(usize::MAX);
        assert_eq!(
            o.window(u64::MAX).unwrap_err().kind(),
            ErrorKind::InvalidArgument
        );
        o.offset(1);
        assert!(o.window(100).unwrap_err().to_string().contains("offset 1 "));
    }

    #[test]
    fn created_size_needs_len() {
        let mut o = MmapOptions::new();
        assert_eq!(
            o.created_size().unwrap_err().kind(),
            ErrorKind::InvalidArgument
        );
        o.len(3).offset(g());
        assert_eq!(o.created_size().unwrap(), g() + 3);
    }
}
