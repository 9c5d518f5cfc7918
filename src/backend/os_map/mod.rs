//! The native backend: [`MappedRegion`] over real OS mappings from `memmap2`,
//! with the register of this process's file maps (`register.rs`) that keeps
//! a resize from cutting bytes another map shows. What differs between
//! Unix and Windows is asked of `backend` (`advise`, `file_id`).

mod register;

use std::fs::File;
use std::io;
use std::ops::Range;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use self::register::Registered;
use super::open_file::{duplicate, open_file};
use crate::backend::{self, FlushFuture};
use crate::error::{Error, ErrorKind, Result};
use crate::options::{Access, Advice, MmapOptions};
use crate::region::MappedRegion;
use crate::store::StoreStats;

/// The OS mapping itself: read-only, or writable (shared, private or anonymous).
#[derive(Debug)]
enum Map {
    ReadOnly(memmap2::Mmap),
    Writable(memmap2::MmapMut),
}

impl Map {
    fn bytes(&self) -> &[u8] {
        match self {
            Map::ReadOnly(m) => m,
            Map::Writable(m) => m,
        }
    }
}

/// A file or anonymous map held by the OS.
#[derive(Debug)]
pub(crate) struct NativeRegion {
    map: Map,
    /// The file behind the map; `None` for anonymous maps.
    file: Option<File>,
    offset: u64,
    access: Access,
    /// Set by `resize`: the next flush also syncs the file's new length.
    len_changed: AtomicBool,
    /// This map's entry among the process's file maps (`None`: anonymous,
    /// or a file the OS guards itself).
    registered: Option<Registered>,
}

/// Opens `path` with the mode `opts` asks for, creating it if asked, and maps it.
pub(crate) fn open_path(path: &Path, opts: &MmapOptions) -> Result<Box<dyn MappedRegion>> {
    let file = open_file(path, opts)?;
    map_owned(file, opts, &path.display().to_string())
}

/// Maps an open file (kept open through a duplicate handle for `size` and `resize`).
pub(crate) fn map_file(file: &File, opts: &MmapOptions) -> Result<Box<dyn MappedRegion>> {
    let file = duplicate(file)?;
    map_owned(file, opts, "file")
}

/// A zero-filled private map of `len` bytes with no file.
pub(crate) fn anonymous(len: usize) -> Result<Box<dyn MappedRegion>> {
    let map = new_anonymous(len)?;
    Ok(Box::new(NativeRegion {
        map: Map::Writable(map),
        file: None,
        offset: 0,
        access: Access::Write,
        len_changed: AtomicBool::new(false),
        registered: None,
    }))
}

/// What flushes of maps in `dir` wrote: the OS writes real maps back and
/// counts nothing for us, so all zero.
pub(crate) fn dir_stats(_dir: &Path) -> StoreStats {
    StoreStats::default()
}

fn new_anonymous(len: usize) -> Result<memmap2::MmapMut> {
    debug_assert!(len != 0 && len <= isize::MAX as usize, "checked by Mmap");
    memmap2::MmapMut::map_anon(len)
        .map_err(|e| Error::from_io(format!("map {len} anonymous bytes"), e))
}

fn map_owned(file: File, opts: &MmapOptions, what: &str) -> Result<Box<dyn MappedRegion>> {
    let file_len = file
        .metadata()
        .map_err(|e| Error::from_io(format!("stat {what}"), e))?
        .len();
    let (offset, len) = opts.window(file_len)?;
    let access = opts.get_access();
    let map = map_window(&file, offset, len, access).map_err(|e| {
        Error::from_io(
            format!("map {what} ({access:?}, {len} bytes at {offset})"),
            e,
        )
    })?;
    let registered = backend::file_id(&file)?.map(|id| Registered::new(id, offset + len as u64));
    Ok(Box::new(NativeRegion {
        map,
        file: Some(file),
        offset,
        access,
        len_changed: AtomicBool::new(false),
        registered,
    }))
}

fn map_window(file: &File, offset: u64, len: usize, access: Access) -> io::Result<Map> {
    let mut options = memmap2::MmapOptions::new();
    options.offset(offset).len(len);
    // SAFETY: the bytes of a file mapping change if the file is written
    // through another handle or map, and touching pages past a truncated end
    // raises SIGBUS. Only `unsafe` constructors get here (`Mmap::open`,
    // `Mmap::map`, `FileStore::map`), whose callers promise that nothing
    // changes bytes under a live borrow and nothing truncates the file under
    // the map; within this process vmmap refuses a resize that would cut
    // another map's bytes (`native_maps`). The window was checked to lie in
    // the file.
    unsafe {
        Ok(match access {
            Access::Read => Map::ReadOnly(options.map(file)?),
            Access::Write => Map::Writable(options.map_mut(file)?),
            Access::Copy => Map::Writable(options.map_copy(file)?),
        })
    }
}

impl NativeRegion {
    /// Whether writes reach a file: a shared, writable file map.
    fn writes_file(&self) -> bool {
        self.file.is_some() && self.access == Access::Write
    }

    fn resize_file(&mut self, file: &File, new_len: usize) -> Result<()> {
        let old_len = self.map.bytes().len();
        let size = self.offset.checked_add(new_len as u64).ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidArgument,
                format!("offset {} + new length {new_len} overflows", self.offset),
            )
        })?;
        if let Some(registered) = &self.registered {
            let others = registered.others_end();
            if others > size {
                return Err(Error::new(
                    ErrorKind::Io,
                    format!(
                        "resize to {new_len} bytes would cut the file to {size} bytes while \
                         another map of it in this process shows bytes up to {others} \
                         (touching them would crash the process); close that map first"
                    ),
                ));
            }
        }
        // Unmap first: Windows cannot change the length of a mapped file,
        // and a new map of the new length is all any platform needs.
        self.map = Map::Writable(new_anonymous(1)?);
        let result = file
            .set_len(size)
            .map_err(|e| Error::from_io(format!("set file length to {size}"), e))
            .and_then(|()| {
                map_window(file, self.offset, new_len, self.access)
                    .map_err(|e| Error::from_io(format!("map {new_len} bytes"), e))
            });
        match result {
            Ok(map) => {
                self.map = map;
                if let Some(registered) = &self.registered {
                    registered.set_end(size);
                }
                self.len_changed.store(true, Ordering::Relaxed);
                Ok(())
            }
            Err(err) => {
                // Put back what was there: the old length and the old window.
                let _ = file.set_len(self.offset + old_len as u64);
                self.map = map_window(file, self.offset, old_len, self.access).map_err(|e| {
                    Error::from_io(format!("{err}; and restoring the old map failed"), e)
                })?;
                Err(err)
            }
        }
    }
}

impl MappedRegion for NativeRegion {
    fn bytes(&self) -> &[u8] {
        self.map.bytes()
    }

    // `Mmap` checks access and ranges before it calls a region (and names
    // the values in its errors); here a range past the end would be a bug
    // in `Mmap`, and slicing would stop it.

    fn bytes_mut(&mut self, range: Range<usize>) -> Result<&mut [u8]> {
        // The OS tracks dirty pages of a real mapping: nothing to record.
        match &mut self.map {
            Map::Writable(m) => Ok(&mut m[range]),
            Map::ReadOnly(_) => Err(Error::read_only("write")),
        }
    }

    #[inline]
    fn write(&mut self, offset: usize, data: &[u8]) -> Result<()> {
        // A copy: the OS tracks what is dirty.
        match &mut self.map {
            Map::Writable(m) => {
                m[offset..offset + data.len()].copy_from_slice(data);
                Ok(())
            }
            Map::ReadOnly(_) => Err(Error::read_only("write")),
        }
    }

    fn flush(&self, range: Range<usize>) -> Result<()> {
        let Map::Writable(map) = &self.map else {
            return Ok(());
        };
        let Some(file) = self.file.as_ref().filter(|_| self.writes_file()) else {
            return Ok(());
        };
        map.flush_range(range.start, range.end - range.start)
            .map_err(|e| Error::from_io(format!("msync {}..{}", range.start, range.end), e))?;
        if self.len_changed.swap(false, Ordering::Relaxed) {
            file.sync_data()
                .map_err(|e| Error::from_io("sync the new file length", e))?;
        }
        Ok(())
    }

    fn flushed(&self) -> FlushFuture {
        // `flush` returns once the data is in the file: nothing is pending.
        Box::pin(std::future::ready(Ok(())))
    }

    fn resize(&mut self, new_len: usize) -> Result<()> {
        debug_assert!(
            new_len != 0 && new_len <= isize::MAX as usize,
            "checked by Mmap"
        );
        if !matches!(self.map, Map::Writable(_)) || self.access != Access::Write {
            return Err(Error::read_only("resize"));
        }
        match self.file.take() {
            Some(file) => {
                let result = self.resize_file(&file, new_len);
                self.file = Some(file);
                result
            }
            None => {
                let mut grown = new_anonymous(new_len)?;
                let keep = new_len.min(self.map.bytes().len());
                grown[..keep].copy_from_slice(&self.map.bytes()[..keep]);
                self.map = Map::Writable(grown);
                Ok(())
            }
        }
    }

    fn advise(&self, advice: Advice, range: Range<usize>) -> Result<()> {
        let may_drop = self.file.is_some() && self.access != Access::Copy;
        backend::advise(self.map.bytes(), advice, range, may_drop)
    }

    fn file_size(&self) -> Result<u64> {
        match &self.file {
            Some(file) => file
                .metadata()
                .map(|m| m.len())
                .map_err(|e| Error::from_io("stat the mapped file", e)),
            None => Ok(self.map.bytes().len() as u64),
        }
    }

    fn close(&mut self) -> Result<()> {
        if let (true, Map::Writable(map)) = (self.writes_file(), &self.map) {
            // Start the write-back, as the browser backend does; durability
            // still takes `flush`.
            map.flush_async()
                .map_err(|e| Error::from_io("start write-back on close", e))?;
        }
        Ok(())
    }
}
