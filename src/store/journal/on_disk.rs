//! Journals as files beside the files they serve: opening one for a
//! commit, recovering one when its file is opened, read or replaced, and
//! removing it; one at a time in the process.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::Path;
use std::sync::{Mutex, MutexGuard};

use super::path_of;
use super::read::{Found, inspect, replay_into};
use crate::error::{Error, Result};
use crate::sync::lock;

/// Journals are read and written one at a time in the process, so that a
/// recovery never reads a journal that a commit is writing (threads).
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

/// The right to read and write journals, held for one step.
pub(crate) struct Exclusive(MutexGuard<'static, ()>);

/// Waits for the right to read and write journals.
pub(crate) fn exclusive() -> Exclusive {
    Exclusive(lock(&ONE_AT_A_TIME))
}

/// Completes or discards the journal of the file at `path`, if any, then
/// removes it: after this the file holds exactly the state before or after
/// its last commit, and no journal can be replayed onto it. Says whether
/// there was a journal.
pub(crate) fn recover(path: &Path) -> Result<bool> {
    exclusive().recover(path)
}

/// Removes the journal of the file at `path`, if any, without replaying it
/// (the file is gone). Best effort: a journal left without its file is
/// discarded when a file of that name is next opened.
pub(crate) fn forget(path: &Path) {
    let _one = exclusive();
    if fs::remove_file(path_of(path)).is_ok() {
        sync_dir(path);
    }
}

impl Exclusive {
    /// [`recover`], for a caller that holds the right already.
    pub(crate) fn recover(&self, path: &Path) -> Result<bool> {
        let journal_path = path_of(path);
        let mut journal = match File::open(&journal_path) {
            Ok(journal) => journal,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
            Err(e) => {
                return Err(Error::from_io(
                    format!("open the journal {}", journal_path.display()),
                    e,
                ));
            }
        };
        let found = inspect(&mut journal).map_err(|e| {
            Error::from_io(format!("read the journal {}", journal_path.display()), e)
        })?;
        if let Found::Complete(header) = &found {
            match OpenOptions::new().read(true).write(true).open(path) {
                Ok(mut data) => replay_into(&mut data, &mut journal, header).map_err(|e| {
                    Error::from_io(
                        format!(
                            "complete the last commit to {} from its journal",
                            path.display()
                        ),
                        e,
                    )
                })?,
                // The file was removed before its journal: nothing to complete.
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => {
                    return Err(Error::from_io(
                        format!("open {} to complete its last commit", path.display()),
                        e,
                    ));
                }
            }
        }
        match fs::remove_file(&journal_path) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            // A complete journal must go, or it is replayed again later.
            Err(e) if matches!(found, Found::Complete(_)) => {
                return Err(Error::from_io(
                    format!("remove the journal {}", journal_path.display()),
                    e,
                ));
            }
            // An empty or torn one is harmless where it is.
            Err(_) => return Ok(true),
        }
        // The removal is durable before the caller replaces or writes the file.
        sync_dir(path);
        Ok(true)
    }

    /// Removes the journal of the file at `file` unless it holds a
    /// commit to complete (a map's journal, once its last commit is done).
    pub(crate) fn remove_if_clear(&self, file: &Path) {
        let journal_path = path_of(file);
        let clear = File::open(&journal_path)
            .and_then(|mut journal| inspect(&mut journal))
            .is_ok_and(|found| !matches!(found, Found::Complete(_)));
        if clear && fs::remove_file(&journal_path).is_ok() {
            sync_dir(file);
        }
    }
}

/// Opens the journal at `journal_path` for a commit, creating it (and
/// syncing its directory, so that its name is durable before the file
/// depends on it) if it is missing.
pub(crate) fn open(journal_path: &Path) -> io::Result<File> {
    match OpenOptions::new().read(true).write(true).open(journal_path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            let journal = OpenOptions::new()
                .read(true)
                .write(true)
                .create_new(true)
                .open(journal_path)?;
            sync_dir(journal_path);
            Ok(journal)
        }
        opened => opened,
    }
}

/// Syncs the directory that holds `file`, where the runtime can open a
/// directory (Unix, WASI; not Windows, whose renames and removals need no
/// such sync here, and not Emscripten's MEMFS, which keeps nothing anyway).
pub(crate) fn sync_dir(file: &Path) {
    let dir = match file.parent() {
        Some(dir) if dir.as_os_str().is_empty() => Path::new("."),
        Some(dir) => dir,
        None => return,
    };
    if let Ok(dir) = File::open(dir) {
        let _ = dir.sync_all();
    }
}
