//! The crate's one error type: a kind that says what went wrong, a message that says with which value.

use std::fmt;
use std::io;

/// What went wrong, in terms shared by every backend.
///
/// Each kind matches an exception class of Python's `mmap` and a JS error `name`:
///
/// | kind | Python | JS `name` |
/// |---|---|---|
/// | [`ReadOnly`](ErrorKind::ReadOnly) | `TypeError` | `TypeError` |
/// | [`Closed`](ErrorKind::Closed) | `ValueError: mmap closed or invalid` | `InvalidStateError` |
/// | [`OutOfRange`](ErrorKind::OutOfRange) | `IndexError` / `ValueError` | `RangeError` |
/// | [`InvalidArgument`](ErrorKind::InvalidArgument) | `ValueError` / `OSError(EINVAL)` | `RangeError` |
/// | [`NotFound`](ErrorKind::NotFound) | `FileNotFoundError` | `NotFoundError` |
/// | [`QuotaExceeded`](ErrorKind::QuotaExceeded) | `OSError(ENOSPC)` | `QuotaExceededError` |
/// | [`Unsupported`](ErrorKind::Unsupported) | `OSError` / `AttributeError` | `NotSupportedError` |
/// | [`Busy`](ErrorKind::Busy) | `OSError(EBUSY)` | `NoModificationAllowedError` |
/// | [`Io`](ErrorKind::Io) | `OSError` | `Error` |
///
/// # Example
/// ```
/// let mut m = vmmap::Mmap::anonymous(4).unwrap();
/// let err = m.write_at(3, b"too long").unwrap_err();
/// assert_eq!(err.kind(), vmmap::ErrorKind::OutOfRange);
/// ```
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// A write, `move_within` or `resize` on a map that does not allow it.
    ReadOnly,
    /// The map (or store) was closed.
    Closed,
    /// An index, position or range lies outside the map.
    OutOfRange,
    /// An argument is malformed: a misaligned offset, a zero or too large length,
    /// an empty file, a window past the end of the file, a bad file name.
    InvalidArgument,
    /// No such file.
    NotFound,
    /// The store is full.
    QuotaExceeded,
    /// The operation does not exist on this target or backend.
    Unsupported,
    /// Another holder has the file and did not let go in time: an OPFS file
    /// whose one sync access handle another worker or tab keeps open
    /// (while it has maps of the file).
    Busy,
    /// Any other failure of the operating system or the storage below.
    Io,
}

impl ErrorKind {
    /// A short lower-case name, used as the start of every message.
    fn as_str(self) -> &'static str {
        match self {
            ErrorKind::ReadOnly => "read-only",
            ErrorKind::Closed => "closed",
            ErrorKind::OutOfRange => "out of range",
            ErrorKind::InvalidArgument => "invalid argument",
            ErrorKind::NotFound => "not found",
            ErrorKind::QuotaExceeded => "quota exceeded",
            ErrorKind::Unsupported => "unsupported",
            ErrorKind::Busy => "busy",
            ErrorKind::Io => "i/o error",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error of every fallible call in this crate: an [`ErrorKind`] and a
/// message that names the offending value.
///
/// # Example
/// ```
/// use std::io::SeekFrom;
/// let mut m = vmmap::Mmap::anonymous(10).unwrap();
/// let err = m.seek(SeekFrom::Start(12345)).unwrap_err();
/// assert_eq!(err.kind(), vmmap::ErrorKind::OutOfRange);
/// assert!(err.to_string().contains("12345"));
/// // It converts into std::io::Error for use with `?` in I/O code.
/// let io: std::io::Error = err.into();
/// assert_eq!(io.kind(), std::io::ErrorKind::InvalidInput);
/// ```
pub struct Error {
    kind: ErrorKind,
    message: String,
    source: Option<io::Error>,
}

/// `std::result::Result` with this crate's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// An error of `kind` with a message saying what was wrong with which value.
    ///
    /// Public so that custom [`MappedRegion`](crate::MappedRegion) backends can
    /// report errors of the same type.
    ///
    /// # Example
    /// ```
    /// let e = vmmap::Error::new(vmmap::ErrorKind::Unsupported, "no advice here");
    /// assert_eq!(e.to_string(), "unsupported: no advice here");
    /// ```
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            kind,
            message: message.into(),
            source: None,
        }
    }

    /// An error caused by an operating-system error; its kind is derived from
    /// the OS error (`NotFound`, `QuotaExceeded`, `Unsupported`, `Busy`, else `Io`).
    ///
    /// # Example
    /// ```
    /// let os = std::io::Error::from(std::io::ErrorKind::NotFound);
    /// let e = vmmap::Error::from_io("open data.bin", os);
    /// assert_eq!(e.kind(), vmmap::ErrorKind::NotFound);
    /// ```
    pub fn from_io(context: impl Into<String>, err: io::Error) -> Error {
        let kind = match err.kind() {
            io::ErrorKind::NotFound => ErrorKind::NotFound,
            io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded => ErrorKind::QuotaExceeded,
            io::ErrorKind::Unsupported => ErrorKind::Unsupported,
            io::ErrorKind::ResourceBusy => ErrorKind::Busy,
            io::ErrorKind::InvalidInput => ErrorKind::InvalidArgument,
            _ => ErrorKind::Io,
        };
        Error {
            kind,
            message: format!("{}: {err}", context.into()),
            source: Some(err),
        }
    }

    /// What went wrong.
    ///
    /// # Example
    /// ```
    /// let mut m = vmmap::Mmap::anonymous(1).unwrap();
    /// m.close().unwrap();
    /// assert_eq!(m.read_byte().unwrap_err().kind(), vmmap::ErrorKind::Closed);
    /// ```
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The message without the kind prefix.
    ///
    /// # Example
    /// ```
    /// let e = vmmap::Error::new(vmmap::ErrorKind::NotFound, "no file \"a\"");
    /// assert_eq!(e.message(), "no file \"a\"");
    /// ```
    pub fn message(&self) -> &str {
        &self.message
    }

    pub(crate) fn closed() -> Error {
        Error::new(ErrorKind::Closed, "the map is closed")
    }

    pub(crate) fn read_only(what: &str) -> Error {
        Error::new(ErrorKind::ReadOnly, format!("{what}: the map is read-only"))
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("Error");
        d.field("kind", &self.kind).field("message", &self.message);
        if let Some(source) = &self.source {
            d.field("source", source);
        }
        d.finish()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind, self.message)
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.source
            .as_ref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

impl From<Error> for io::Error {
    /// Keeps the [`Error`] inside (reachable with `get_ref`/`into_inner` and
    /// `downcast`), with the closest [`io::ErrorKind`].
    fn from(err: Error) -> io::Error {
        let kind = match err.kind {
            ErrorKind::ReadOnly => io::ErrorKind::PermissionDenied,
            ErrorKind::Closed => io::ErrorKind::NotConnected,
            ErrorKind::OutOfRange | ErrorKind::InvalidArgument => io::ErrorKind::InvalidInput,
            ErrorKind::NotFound => io::ErrorKind::NotFound,
            ErrorKind::QuotaExceeded => io::ErrorKind::StorageFull,
            ErrorKind::Unsupported => io::ErrorKind::Unsupported,
            ErrorKind::Busy => io::ErrorKind::ResourceBusy,
            ErrorKind::Io => match &err.source {
                Some(source) => source.kind(),
                None => io::ErrorKind::Other,
            },
        };
        io::Error::new(kind, err)
    }
}
