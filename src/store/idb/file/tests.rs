//! [`IdbFile::write`] in the browser: a write under a lease in which the
//! map checked the file creates its transaction in the call; one asked for
//! behind another call on the file waits for its turn; writes commit in the
//! order they were asked for; a write that fails in the call or later
//! reports it, forgets what the map knew of the file and ends its turn.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Function, Promise, Reflect, Uint8Array};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

use super::{IdbFile, Peers};
use crate::error::ErrorKind;
use crate::store::Store;
use crate::store::idb::IdbStore;
use crate::store::idb::commit::{self, Fill, Started, Update};
use crate::store::idb::lease::{self, Asker};
use crate::store::idb::meta::{Meta, new_id};
use crate::store::idb::request::{js_error, request};
use crate::store::idb::transaction::{chunk_key, readonly};
use crate::store::idb_plan::plan_resize;

wasm_bindgen_test_configure!(run_in_browser);

/// The file's length in the tests: less than a chunk.
const LEN: usize = 100;

/// No other tab.
#[derive(Debug)]
struct Alone;

impl Asker for Alone {
    fn want(&self, _name: &str) {}
}

impl Peers for Alone {
    fn others_have(&self, _id: f64) -> bool {
        false
    }

    fn announce(&self, _id: f64, _version: f64, _size: u64, _chunks: &[u64]) {}
}

/// A store with a file "f" of [`LEN`] bytes, which this page holds the
/// lease of (writing it took a turn), and a map's view of the file.
async fn setup(case: &str) -> (IdbStore, IdbFile) {
    let name = format!("idb-file-{case}-{}", js_sys::Math::random());
    let store = IdbStore::open(&name).await.expect("open a database");
    store.write_file("f", &[0; LEN]).await.expect("write f");
    let meta = store.existing("f").await.expect("the record of f");
    let tabs: Rc<dyn Peers> = Rc::new(Alone);
    let file = IdbFile::new(
        store.db.clone(),
        &name,
        "f",
        meta,
        Some(meta),
        Rc::default(),
        Some(tabs),
    );
    (store, file)
}

/// What the writes of a test did: which were filled (their transaction
/// created), in what order they committed, which failed.
#[derive(Default)]
struct Log {
    filled: RefCell<Vec<u8>>,
    committed: Rc<RefCell<Vec<u8>>>,
    failed: Rc<RefCell<Vec<u8>>>,
}

impl Log {
    fn filled(&self, byte: u8) -> bool {
        self.filled.borrow().contains(&byte)
    }

    fn committed(&self) -> Vec<u8> {
        self.committed.borrow().clone()
    }
}

/// Asks for a write of `file` that puts chunk 0 as [`LEN`] bytes `byte`
/// (and then aborts its transaction if `abort`), noted in `log`.
fn write(file: &IdbFile, log: &Rc<Log>, byte: u8, abort: bool) {
    let id = file.id;
    let fill: Fill = {
        let log = log.clone();
        Rc::new(move |s: &Started, _known: bool| {
            log.filled.borrow_mut().push(byte);
            let value = Uint8Array::from(&[byte; LEN][..]);
            let put = s
                .chunks
                .put_with_key(&value.buffer(), &chunk_key(id, 0))
                .map_err(|e| s.fail(&e))?;
            // The file's transactions run one at a time: their puts succeed
            // in the order they commit (an aborted one's fails).
            let committed = log.committed.clone();
            let note = Closure::once_into_js(move || committed.borrow_mut().push(byte));
            put.set_onsuccess(Some(note.unchecked_ref()));
            if abort {
                let _ = s.tx.abort();
            }
            Ok(())
        })
    };
    let update: Update = Rc::new(|meta: Meta| meta.next(meta.size, new_id()));
    let failed = log.failed.clone();
    file.write(
        "flush",
        (LEN as u64, LEN as u64),
        update,
        fill,
        vec![0],
        Box::new(move || failed.borrow_mut().push(byte)),
    );
}

/// Waits `ms` milliseconds (tasks, not only microtasks, run meanwhile).
async fn sleep(ms: i32) {
    let promise = Promise::new(&mut |resolve, _| {
        let set_timeout: Function = Reflect::get(&js_sys::global(), &"setTimeout".into())
            .expect("setTimeout")
            .unchecked_into();
        set_timeout
            .call2(&JsValue::UNDEFINED, &resolve, &JsValue::from(ms))
            .expect("set a timeout");
    });
    JsFuture::from(promise).await.expect("a timeout");
}

/// The first write under a lease checks the file, so it waits for its
/// turn; once it has committed, the next one creates its transaction in
/// the call.
#[wasm_bindgen_test]
async fn a_write_under_a_checked_lease_starts_in_the_call() {
    let (store, file) = setup("starts").await;
    let log = Rc::new(Log::default());
    write(&file, &log, 1, false);
    assert!(
        !log.filled(1),
        "the first write in the lease waits for a turn"
    );
    file.pending.committed().await.expect("the first write");
    assert_eq!(
        file.verified.get(),
        lease::turn_now(&file.lock).and_then(|t| t.lease())
    );

    write(&file, &log, 2, false);
    assert!(
        log.filled(2),
        "a write under the checked lease starts in the call"
    );
    file.pending.committed().await.expect("the second write");
    assert_eq!(log.committed(), [1, 2]);
    assert!(log.failed.borrow().is_empty());
    assert_eq!(store.read_file("f").await.expect("read f"), [2; LEN]);
}

/// A write asked for while another call on the file waits for its turn (a
/// resize, a `read_file`) waits behind it, though the lease is held; one
/// asked for while that write waits comes after it.
#[wasm_bindgen_test]
async fn a_write_behind_another_call_waits_its_turn() {
    let (store, file) = setup("waits").await;
    let log = Rc::new(Log::default());
    write(&file, &log, 1, false);
    file.pending.committed().await.expect("the first write");

    let earlier = lease::ticket(&file.lock);
    write(&file, &log, 2, false);
    write(&file, &log, 3, false);
    assert!(
        !log.filled(2) && !log.filled(3),
        "the writes jumped the queue"
    );
    let turn = earlier.turn(None::<&Rc<Alone>>).await;
    sleep(20).await;
    assert!(!log.filled(2), "a write started during an earlier turn");
    drop(turn);
    file.pending.committed().await.expect("the writes");
    assert_eq!(log.committed(), [1, 2, 3]);
    assert_eq!(store.read_file("f").await.expect("read f"), [3; LEN]);
}

/// Writes asked for one after the other commit in that order: the first
/// starts in the call, the others wait for its turn to end.
#[wasm_bindgen_test]
async fn writes_commit_in_the_order_asked() {
    let (store, file) = setup("order").await;
    let log = Rc::new(Log::default());
    write(&file, &log, 1, false);
    file.pending.committed().await.expect("the first write");
    for byte in 2..=6 {
        write(&file, &log, byte, false);
    }
    assert!(log.filled(2));
    assert!(!log.filled(3), "a write started during another's turn");
    file.pending.committed().await.expect("the writes");
    assert_eq!(log.committed(), [1, 2, 3, 4, 5, 6]);
    assert_eq!(store.read_file("f").await.expect("read f"), [6; LEN]);
}

/// A write that starts in the call and then aborts reports it through
/// `committed()`, runs its `on_fail`, forgets what the map knew of the
/// file (so the next write checks it again) and ends its turn.
#[wasm_bindgen_test]
async fn a_write_that_aborts_reports_and_forgets() {
    let (store, file) = setup("aborts").await;
    let log = Rc::new(Log::default());
    write(&file, &log, 1, false);
    file.pending.committed().await.expect("the first write");

    write(&file, &log, 2, true);
    assert!(
        log.filled(2),
        "the write under the checked lease started in the call"
    );
    let error = file
        .pending
        .committed()
        .await
        .expect_err("an aborted write");
    assert_eq!(error.kind(), ErrorKind::Io, "{error}");
    sleep(0).await;
    assert_eq!(*log.failed.borrow(), [2]);
    assert_eq!((file.known.get(), file.verified.get()), (None, None));
    assert!(lease::turn_now(&file.lock).is_some(), "its turn ended");

    // The next writes check the file by id, in their turns.
    write(&file, &log, 3, false);
    assert!(!log.filled(3));
    file.pending.committed().await.expect("the third write");
    write(&file, &log, 4, false);
    file.pending.committed().await.expect("the fourth write");
    assert_eq!(log.committed(), [1, 3, 4]);
    assert_eq!(store.read_file("f").await.expect("read f"), [4; LEN]);
}

/// A write under the checked lease that cannot create its transaction
/// (the database was closed) fails in the call: `committed()` reports it,
/// `on_fail` runs, and the turn ends.
#[wasm_bindgen_test]
async fn a_write_that_cannot_start_reports_it() {
    let (store, file) = setup("cannot").await;
    let log = Rc::new(Log::default());
    write(&file, &log, 1, false);
    file.pending.committed().await.expect("the first write");
    store.db.close();

    write(&file, &log, 2, false);
    assert!(!log.filled(2), "no transaction could be created");
    assert!(
        lease::turn_now(&file.lock).is_some(),
        "its turn ended in the call"
    );
    let error = file.pending.committed().await.expect_err("a failed write");
    assert_eq!(error.kind(), ErrorKind::Closed, "{error}");
    sleep(0).await;
    assert_eq!(*log.failed.borrow(), [2]);
    assert_eq!((file.known.get(), file.verified.get()), (None, None));
    assert_eq!(log.committed(), [1]);
}

/// A write under the checked lease whose fill issues requests from success
/// events (a resize that cuts a chunk: `get`, then `put` once it is read)
/// is not committed early: every request lands in its one transaction.
#[wasm_bindgen_test]
async fn a_write_with_requests_from_callbacks_commits_them_all() {
    let (store, file) = setup("callbacks").await;
    let log = Rc::new(Log::default());
    write(&file, &log, 1, false);
    file.pending.committed().await.expect("the first write");

    let cut = 40;
    let fill = commit::resize(file.id, plan_resize(cut, file.chunk, true));
    let update: Update = Rc::new(move |meta: Meta| meta.next(cut, new_id()));
    let failed = log.failed.clone();
    file.write(
        "resize",
        (LEN as u64, cut),
        update,
        fill,
        Vec::new(),
        Box::new(move || failed.borrow_mut().push(0)),
    );
    file.pending.committed().await.expect("the resize");
    assert!(log.failed.borrow().is_empty());
    assert_eq!(store.read_file("f").await.expect("read f"), [1; 40]);
    let record = store.existing("f").await.expect("the record of f");
    assert_eq!(record.size, cut);
    // The put made from the `get`'s success event cut the chunk.
    let get = readonly(&store.db, "test")
        .and_then(|tx| {
            tx.object_store("chunks")
                .and_then(|chunks| chunks.get(&chunk_key(file.id, 0)))
                .map_err(|e| js_error("get chunk 0", &e))
        })
        .expect("get chunk 0");
    let stored = request("get chunk 0", &get).await.expect("chunk 0");
    let stored: js_sys::ArrayBuffer = stored.dyn_into().expect("an ArrayBuffer");
    assert_eq!(stored.byte_length() as u64, cut);
}
