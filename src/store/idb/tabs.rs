//! Several tabs (or workers) of one origin with maps of one file: what
//! this page does with the messages of the database's channel
//! (`channel.rs`, which has their format).
//!
//! - **Writes of a file are serialized** with its Web Lock, which a page
//!   keeps as a lease until another tab asks for it (`lease.rs`); a page
//!   asks with `{ want: lock }` on a `BroadcastChannel` per database
//!   (`"vmmap:" + name`) before requesting the lock. Where `navigator.locks`
//!   is missing (an insecure origin) writes run unlocked, still atomic, and
//!   each checks the file's state in its transaction (`file.rs`).
//! - **Tabs say which files they map** on the same channel: `{ hello: id,
//!   version }` when a map of file `id` is made (`version`: the one it
//!   loaded), answered by `{ here: id, version }` from every tab with a map
//!   of it.
//! - **Commits are announced** on the same channel: `{ id, version, size,
//!   chunks }` once the transaction has committed, before the turn ends, if
//!   another tab is known to map the file. A tab alone keeps the chunks it
//!   committed (and their versions) and announces those newer than the
//!   version in a hello or here it receives, so a tab that loaded before
//!   such a commit but was not heard of yet still gets it. A tab that maps
//!   file `id` reloads those chunks from IndexedDB (after its own commits of
//!   the file have settled) and copies them into its pages that are clean; a
//!   page it has dirtied keeps its bytes until its own flush, which then
//!   wins for that page.

use std::cell::{Cell, RefCell};
use std::collections::{BTreeMap, BTreeSet};
use std::rc::{Rc, Weak};
use std::sync::Arc;

use js_sys::{Promise, Reflect, Uint8Array};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::{JsFuture, spawn_local};
use web_sys::IdbDatabase;

use super::channel::{Channel, Message};
use super::file::{IdbFile, Peers, file_key};
use super::lease::{self, Asker};
use super::meta::CHUNK;
use super::request::{js_error, request};
use super::transaction::{chunk_key, readonly};
use crate::error::Result;
use crate::paged::Windows;

thread_local! {
    /// The channel of each database this page has open, shared by its stores.
    static CHANNELS: RefCell<Vec<(String, Weak<Tabs>)>> = const { RefCell::new(Vec::new()) };
}

/// This page among the tabs of one database: it listens on the channel
/// and reloads what other tabs commit to the files its maps use.
#[derive(Debug)]
pub(crate) struct Tabs {
    _listener: Closure<dyn FnMut(JsValue)>,
    shared: Rc<Shared>,
}

/// What the listener needs: files to reload, and which are being reloaded.
#[derive(Debug)]
struct Shared {
    channel: Channel,
    db: IdbDatabase,
    db_name: String,
    /// The pages of this page's maps (the store's `WINDOWS`).
    windows: Arc<Windows>,
    /// The files of the database that maps of this page use.
    files: RefCell<Vec<std::sync::Weak<IdbFile>>>,
    /// Chunks to reload, by file id (its bits).
    queue: RefCell<BTreeMap<u64, BTreeSet<u64>>>,
    reloading: Cell<bool>,
    /// Files (id bits) another tab has said it maps.
    others: RefCell<BTreeSet<u64>>,
}

/// The channel of database `db_name` (opened as `db`, its maps' pages in
/// `windows`), made on first use; `None` where there is no `BroadcastChannel`.
pub(crate) fn for_database(
    db: &IdbDatabase,
    db_name: &str,
    windows: Arc<Windows>,
) -> Option<Rc<Tabs>> {
    CHANNELS.with(|channels| {
        let mut channels = channels.borrow_mut();
        channels.retain(|(_, tabs)| tabs.strong_count() > 0);
        if let Some(tabs) = channels
            .iter()
            .find(|(name, _)| name == db_name)
            .and_then(|(_, tabs)| tabs.upgrade())
        {
            return Some(tabs);
        }
        let shared = Rc::new(Shared {
            channel: Channel::open(db_name)?,
            db: db.clone(),
            db_name: db_name.to_owned(),
            windows,
            files: RefCell::default(),
            queue: RefCell::default(),
            reloading: Cell::new(false),
            others: RefCell::default(),
        });
        let listener = Closure::<dyn FnMut(JsValue)>::new({
            let shared = shared.clone();
            move |event: JsValue| {
                let data = Reflect::get(&event, &"data".into());
                if let Some(message) = data.ok().as_ref().and_then(Message::read) {
                    Shared::receive(&shared, message);
                }
            }
        });
        shared.channel.listen(listener.as_ref().unchecked_ref());
        let tabs = Rc::new(Tabs {
            _listener: listener,
            shared,
        });
        channels.push((db_name.to_owned(), Rc::downgrade(&tabs)));
        Some(tabs)
    })
}

impl Drop for Tabs {
    fn drop(&mut self) {
        // Nobody could ask for this page's leases on the database any more.
        lease::give_up(&lease::lock_name(&self.shared.db_name, ""));
        self.shared.channel.close();
    }
}

impl Tabs {
    /// Maps of `file` in this page receive what other tabs commit to it.
    /// Tells the other tabs, which answer if they map it too.
    pub(crate) fn register(&self, file: &Arc<IdbFile>) {
        let mut files = self.shared.files.borrow_mut();
        files.retain(|f| f.strong_count() > 0);
        files.push(Arc::downgrade(file));
        self.shared.channel.hello(file.id(), file.version());
    }
}

impl Peers for Tabs {
    fn others_have(&self, id: f64) -> bool {
        self.shared.others.borrow().contains(&id.to_bits())
    }

    fn announce(&self, id: f64, version: f64, size: u64, chunks: &[u64]) {
        self.shared.channel.announce(id, version, size, chunks);
    }
}

impl Asker for Tabs {
    fn want(&self, name: &str) {
        self.shared.channel.want(name);
    }
}

impl Shared {
    fn live_files(&self, id: f64) -> Vec<Arc<IdbFile>> {
        self.files
            .borrow()
            .iter()
            .filter_map(std::sync::Weak::upgrade)
            .filter(|f| f.id() == id)
            .collect()
    }

    /// Another tab maps file `id`, as of `version`: from now on this page
    /// announces its commits of it; what it committed unannounced after
    /// that version is announced now (and a hello is answered).
    fn met(&self, id: f64, version: f64, hello: bool) {
        self.others.borrow_mut().insert(id.to_bits());
        let files = self.live_files(id);
        for file in &files {
            let chunks = file.unannounced_since(version);
            if !chunks.is_empty() {
                self.channel
                    .announce(id, file.version(), file.size(), &chunks);
            }
        }
        if hello {
            if let Some(latest) = files.iter().map(|f| f.version()).reduce(f64::max) {
                self.channel.here(id, latest);
            }
        }
    }

    /// A message from another tab: a hello or its answer, or a commit, whose
    /// chunks are queued for reloading.
    fn receive(this: &Rc<Shared>, message: Message) {
        let (id, version, size, chunks) = match message {
            Message::Want(name) => return lease::wanted(&name),
            Message::Met { id, version, hello } => return this.met(id, version, hello),
            Message::Commit {
                id,
                version,
                size,
                chunks,
            } => (id, version, size, chunks),
        };
        this.others.borrow_mut().insert(id.to_bits());
        let files = this.live_files(id);
        for file in &files {
            file.saw(version, size as u64);
        }
        let key = file_key(&this.db_name, id);
        if files.is_empty() || !this.windows.has_file(&key) || chunks.is_empty() {
            return;
        }
        this.queue
            .borrow_mut()
            .entry(id.to_bits())
            .or_default()
            .extend(chunks);
        if !this.reloading.replace(true) {
            spawn_local(Shared::reload(this.clone()));
        }
    }

    /// Reloads queued chunks until none are left, one file at a time.
    async fn reload(this: Rc<Shared>) {
        loop {
            let next = this.queue.borrow_mut().pop_first();
            let Some((id, chunks)) = next else {
                this.reloading.set(false);
                return;
            };
            let id = f64::from_bits(id);
            let chunk = this.live_files(id).first().map_or(CHUNK, |f| f.chunk());
            loop {
                // This page's own commits of the file go first: the reload
                // then reads past them, and in-flight pages are not touched.
                let waits: Vec<Promise> = this
                    .live_files(id)
                    .iter()
                    .flat_map(|f| f.unsettled())
                    .collect();
                for wait in waits {
                    let _ = JsFuture::from(wait).await;
                }
                let Ok(loaded) = this.load(id, chunk, &chunks).await else {
                    break; // the database was closed or deleted: nothing to show
                };
                if this
                    .live_files(id)
                    .iter()
                    .any(|f| !f.unsettled().is_empty())
                {
                    continue; // a flush started meanwhile
                }
                let key = file_key(&this.db_name, id);
                for (index, bytes) in &loaded {
                    this.windows.apply_remote(&key, index * chunk, bytes);
                }
                break;
            }
        }
    }

    /// The chunks of file `id`, each `chunk` bytes (missing bytes are zero).
    async fn load(
        &self,
        id: f64,
        chunk: u64,
        chunks: &BTreeSet<u64>,
    ) -> Result<Vec<(u64, Vec<u8>)>> {
        let context = "reload chunks another tab committed";
        let tx = readonly(&self.db, context)?;
        let store = tx
            .object_store("chunks")
            .map_err(|e| js_error(context, &e))?;
        let mut gets = Vec::new();
        for &index in chunks {
            let get = store
                .get(&chunk_key(id, index))
                .map_err(|e| js_error(context, &e))?;
            gets.push((index, get));
        }
        let mut out = Vec::new();
        for (index, get) in gets {
            let value = request(context, &get).await?;
            let mut bytes = match value.dyn_ref::<js_sys::ArrayBuffer>() {
                Some(buf) => Uint8Array::new(buf).to_vec(),
                None => Vec::new(),
            };
            bytes.resize(chunk as usize, 0);
            out.push((index, bytes));
        }
        Ok(out)
    }
}
