//! The Web Lock of each file, and this page's turns on it.
//!
//! Every call that reads or writes a file (a flush, a resize, `map`,
//! `write_file`, `read_file`, `remove_file`, `file_size`) runs in a
//! [`Turn`]: the page's turns on one file run one at a time, in the order
//! they were asked for, and each holds the file's Web Lock
//! (`vmmap:<database>:<file>`), so no other tab touches the file meanwhile.
//!
//! A page keeps the lock after its turn ends, as a **lease**, until another
//! tab says it wants it (a `{ want: lock }` message on the database's
//! channel, `tabs.rs`, posted before asking for the lock); the lease is
//! then released as soon as no turn runs under it. A tab alone with a file
//! therefore asks for the lock once, not at every flush (a grant costs
//! about a third of a one-page flush). While a page holds a lease nobody
//! else commits to the file, which is what lets a flush skip its checks
//! (`file.rs`); every lease has a serial number, and a page that replaces
//! or removes the file changes it ([`invalidate`]).
//!
//! Without `BroadcastChannel` nobody could ask for a lease back, so the
//! lock is released after every turn; without Web Locks (an insecure
//! origin) turns only keep the page's order.

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::{JsFuture, spawn_local};

/// Tells the other tabs that this page wants a lock, so that one keeping it
/// as a lease lets it go (the database's channel: `tabs.rs`).
pub(crate) trait Asker {
    fn want(&self, name: &str);
}

#[wasm_bindgen]
extern "C" {
    /// `navigator.locks` (web-sys has it only behind an unstable flag).
    type LockManager;

    /// `LockManager.request(name, options, callback)`: the lock is held
    /// until the promise `callback` returns settles.
    #[wasm_bindgen(method, catch, js_name = request)]
    fn request_with_options(
        this: &LockManager,
        name: &str,
        options: &JsValue,
        callback: &Function,
    ) -> std::result::Result<Promise, JsValue>;
}

fn lock_manager() -> Option<LockManager> {
    let navigator = Reflect::get(&js_sys::global(), &"navigator".into()).ok()?;
    let locks = Reflect::get(&navigator, &"locks".into()).ok()?;
    locks.is_object().then(|| locks.unchecked_into())
}

/// The Web Lock of file `name` of database `db_name`.
pub(crate) fn lock_name(db_name: &str, name: &str) -> String {
    format!("vmmap:{db_name}:{name}")
}

/// A lock this page keeps between turns.
struct Lease {
    /// Settles the promise the lock's callback returned: releases the lock.
    release: Function,
    serial: u64,
    /// Turns running under it.
    busy: usize,
    /// Another tab asked for the lock: no new turn starts under the lease,
    /// and it is released once `busy` is 0.
    wanted: bool,
}

impl Lease {
    fn release(self) {
        let _ = self.release.call0(&JsValue::UNDEFINED);
    }
}

thread_local! {
    /// Per lock: how many turns of this page are asked for and not over,
    /// and a promise that resolves when the last of them is.
    static TURNS: RefCell<HashMap<String, (usize, Promise)>> = RefCell::default();
    static LEASES: RefCell<HashMap<String, Lease>> = RefCell::default();
    static SERIAL: Cell<u64> = const { Cell::new(0) };
    /// Locks another tab asked for while this page held no lease on them.
    static WANTED_MEANWHILE: RefCell<HashSet<String>> = RefCell::default();
}

/// How often a page waiting for a lock asks again: a tab that heard the
/// first request before it held its lease lets go at the next.
const ASK_AGAIN_MS: i32 = 50;

/// Asks for the lock `name` again every [`ASK_AGAIN_MS`] while `waiting`.
async fn keep_asking<A: Asker + ?Sized>(tabs: Rc<A>, name: String, waiting: Rc<Cell<bool>>) {
    loop {
        let Some(set_timeout) = Reflect::get(&js_sys::global(), &"setTimeout".into())
            .ok()
            .and_then(|f| f.dyn_into::<Function>().ok())
        else {
            return;
        };
        let (later, wake) = deferred();
        if set_timeout
            .call2(&JsValue::UNDEFINED, &wake, &JsValue::from(ASK_AGAIN_MS))
            .is_err()
        {
            return;
        }
        let _ = JsFuture::from(later).await;
        if !waiting.get() {
            return;
        }
        tabs.want(&name);
    }
}

fn next_serial() -> u64 {
    SERIAL.with(|s| {
        s.set(s.get() + 1);
        s.get()
    })
}

/// A promise and the function that resolves it.
fn deferred() -> (Promise, Function) {
    let mut resolve = None;
    let promise = Promise::new(&mut |ok, _| resolve = Some(ok));
    // The executor runs at once, so `resolve` is set (else: a no-op).
    let resolve = resolve.unwrap_or_else(|| JsValue::UNDEFINED.unchecked_into());
    (promise, resolve)
}

/// How a turn holds the lock.
#[derive(Debug)]
enum Hold {
    /// Under this page's lease.
    Lease,
    /// The lock, released when the turn ends.
    Lock(Function),
    /// No lock (no Web Locks here).
    Nothing,
}

/// This page's turn on one file's lock; the next turn starts when it is dropped.
#[derive(Debug)]
pub(crate) struct Turn {
    name: String,
    hold: Hold,
    /// Resolves this turn's promise in `TURNS`.
    over: Function,
}

impl Turn {
    /// The serial number of the lease the turn runs under, if it does.
    pub(crate) fn lease(&self) -> Option<u64> {
        match self.hold {
            Hold::Lease => LEASES.with(|l| l.borrow().get(&self.name).map(|l| l.serial)),
            _ => None,
        }
    }
}

impl Drop for Turn {
    fn drop(&mut self) {
        match std::mem::replace(&mut self.hold, Hold::Nothing) {
            Hold::Lease => LEASES.with(|leases| {
                let mut leases = leases.borrow_mut();
                if let Some(lease) = leases.get_mut(&self.name) {
                    lease.busy -= 1;
                    if lease.wanted && lease.busy == 0 {
                        if let Some(lease) = leases.remove(&self.name) {
                            lease.release();
                        }
                    }
                }
            }),
            Hold::Lock(release) => {
                let _ = release.call0(&JsValue::UNDEFINED);
            }
            Hold::Nothing => {}
        }
        let _ = self.over.call0(&JsValue::UNDEFINED);
        TURNS.with(|turns| {
            let mut turns = turns.borrow_mut();
            if let Some(entry) = turns.get_mut(&self.name) {
                entry.0 -= 1;
                if entry.0 == 0 {
                    turns.remove(&self.name);
                }
            }
        });
    }
}

/// A place in this page's queue of turns on one lock, taken at once; the
/// turn starts with [`Ticket::turn`].
pub(crate) struct Ticket {
    turn: Turn,
    before: Promise,
}

/// Takes this page's next place in the queue of turns on the lock `name`:
/// calls that ask for a turn later run after this one.
pub(crate) fn ticket(name: &str) -> Ticket {
    let (mine, over) = deferred();
    let before = TURNS.with(|turns| {
        let mut turns = turns.borrow_mut();
        let entry = turns
            .entry(name.to_owned())
            .or_insert_with(|| (0, Promise::resolve(&JsValue::UNDEFINED)));
        entry.0 += 1;
        std::mem::replace(&mut entry.1, mine)
    });
    Ticket {
        // A guard from now on: if the ticket or the turn waiting for it is
        // dropped, the turns after it still run.
        turn: Turn {
            name: name.to_owned(),
            hold: Hold::Nothing,
            over,
        },
        before,
    }
}

/// This page's turn on the lock `name` at once, if it can start now: no
/// turn of this page on the lock is asked for and not over, and the page
/// holds the lock as a lease no other tab wants. The turn runs under that
/// lease, and turns asked for later wait for it, as after [`Ticket::turn`];
/// `None` otherwise (take a [`ticket`] then).
///
/// This is what lets a flush under the lease create its transaction in the
/// `flush()` call itself: waiting for a ticket's turn, even one due at
/// once, costs a chain of microtasks (BENCHMARKS.md, "Where the one-page
/// gap comes from").
pub(crate) fn turn_now(name: &str) -> Option<Turn> {
    if TURNS.with(|turns| turns.borrow().contains_key(name)) {
        return None;
    }
    LEASES.with(|leases| {
        let mut leases = leases.borrow_mut();
        let lease = leases.get_mut(name).filter(|l| !l.wanted)?;
        lease.busy += 1;
        Some(())
    })?;
    let (mine, over) = deferred();
    TURNS.with(|turns| turns.borrow_mut().insert(name.to_owned(), (1, mine)));
    Some(Turn {
        name: name.to_owned(),
        hold: Hold::Lease,
        over,
    })
}

/// Waits for this page's turn on the lock `name` ([`ticket`], then
/// [`Ticket::turn`]).
pub(crate) async fn turn<A: Asker + ?Sized + 'static>(tabs: Option<&Rc<A>>, name: &str) -> Turn {
    ticket(name).turn(tabs).await
}

impl Ticket {
    /// Waits until this page's earlier turns on the lock are over, and for
    /// the lock: under the page's lease if it has one nobody wants, else
    /// asked for (telling `tabs` first, so a tab with a lease lets go) and
    /// kept as a lease afterwards if `tabs` can hear it being wanted.
    pub(crate) async fn turn<A: Asker + ?Sized + 'static>(self, tabs: Option<&Rc<A>>) -> Turn {
        let Ticket { mut turn, before } = self;
        let _ = JsFuture::from(before).await;
        let name = turn.name.clone();
        let name = name.as_str();
        let leased = LEASES.with(|leases| {
            let mut leases = leases.borrow_mut();
            let lease = leases.get_mut(name).filter(|l| !l.wanted)?;
            lease.busy += 1;
            Some(())
        });
        if leased.is_some() {
            turn.hold = Hold::Lease;
            return turn;
        }
        let Some(locks) = lock_manager() else {
            return turn;
        };
        WANTED_MEANWHILE.with(|w| w.borrow_mut().remove(name));
        let waiting = Rc::new(Cell::new(true));
        if let Some(tabs) = tabs {
            tabs.want(name);
            spawn_local(keep_asking(tabs.clone(), name.to_owned(), waiting.clone()));
        }
        let (held, release) = deferred();
        let (granted, on_grant) = deferred();
        let callback = Closure::once_into_js(move |_lock: JsValue| {
            let _ = on_grant.call0(&JsValue::UNDEFINED);
            held
        });
        let options = Object::new();
        let _ = Reflect::set(&options, &"mode".into(), &"exclusive".into());
        if locks
            .request_with_options(name, &options, callback.unchecked_ref())
            .is_err()
        {
            return turn;
        }
        let _ = JsFuture::from(granted).await;
        waiting.set(false);
        // A tab that asked while this one waited may be queued behind it.
        let wanted = WANTED_MEANWHILE.with(|w| w.borrow_mut().remove(name));
        turn.hold = if tabs.is_some() {
            LEASES.with(|leases| {
                let lease = Lease {
                    release,
                    serial: next_serial(),
                    busy: 1,
                    wanted,
                };
                if let Some(old) = leases.borrow_mut().insert(name.to_owned(), lease) {
                    old.release(); // cannot be: a page has one lease per lock
                }
            });
            Hold::Lease
        } else {
            Hold::Lock(release)
        };
        turn
    }
}

/// Another tab wants the lock `name`: the lease on it, if this page has
/// one, is released once no turn runs under it.
pub(crate) fn wanted(name: &str) {
    LEASES.with(|leases| {
        let mut leases = leases.borrow_mut();
        let Some(lease) = leases.get_mut(name) else {
            WANTED_MEANWHILE.with(|w| w.borrow_mut().insert(name.to_owned()));
            return;
        };
        lease.wanted = true;
        if lease.busy == 0 {
            if let Some(lease) = leases.remove(name) {
                lease.release();
            }
        }
    });
}

/// Every lease of the locks whose names start with `prefix` ends (once idle):
/// nobody can ask for them back any more.
pub(crate) fn give_up(prefix: &str) {
    let names: Vec<String> = LEASES.with(|l| {
        l.borrow()
            .keys()
            .filter(|n| n.starts_with(prefix))
            .cloned()
            .collect()
    });
    for name in names {
        wanted(&name);
    }
}

/// The file of lock `name` was replaced or removed by this page: what maps
/// checked under the current lease no longer holds.
pub(crate) fn invalidate(name: &str) {
    LEASES.with(|leases| {
        if let Some(lease) = leases.borrow_mut().get_mut(name) {
            lease.serial = next_serial();
        }
    });
}
