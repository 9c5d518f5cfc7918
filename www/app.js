// The vmmap demo: a hex editor over a memory-mapped file kept in IndexedDB.
// It uses only the npm package's public API (../pkg/vmmap.js), as a page that
// installed the package would. Dirty pages are tracked here, from the page's
// own edits, to draw the page map; vmmap tracks them itself for flush().
import init, { ALLOCATIONGRANULARITY, FileStore, PAGESIZE } from "../pkg/vmmap.js";

const $ = (id) => document.getElementById(id);
const DB = new URLSearchParams(location.search).get("db") || "vmmap-demo";
const SESSION = `vmmap-demo:${DB}:session`;
const SEEDED = `vmmap-demo:${DB}:seeded`;
const ROW = 20; // px per hex row (--row in style.css)
const COLS = 16; // bytes per row
const MAX_SPACER = 8e6; // px: browsers cap element heights; taller files scroll scaled
const encoder = new TextEncoder();

const ui = {
  banner: $("banner"), msg: $("msg"), files: $("files"), hex: $("hex"), head: $("hex-head"),
  rows: $("hex-rows"), scroll: $("hex-scroll"), spacer: $("hex-spacer"), empty: $("hex-empty"),
  status: $("status"), pagemap: $("pagemap"), pagesInfo: $("pages-info"), flushBtn: $("flush"),
  flushResult: $("flush-result"), mapName: $("map-name"), access: $("map-access"),
  offset: $("map-offset"), length: $("map-length"), progress: $("import-progress"),
  bar: $("import-bar"), barText: $("import-text"), drop: $("drop"),
};

const S = {
  store: null,
  files: new Map(), // name -> size in IndexedDB
  m: null, // the open Mmap
  name: null, access: null, base: 0, len: 0, // base: file offset of map index 0
  dirty: new Set(), // map-relative page numbers written since the last flush
  flushed: new Set(), // pages the last flush wrote
  edited: new Set(), // byte indexes written since the last flush (highlighted)
  top: 0, // first visible row
  sel: -1, pane: "hex", nibble: 0,
  match: null, // { at, n }
  storage: "",
};

// ---------- formatting and parsing ----------

function fmtBytes(n) {
  if (n < 1024) return `${n} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let v = n / 1024, u = 0;
  while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
  return `${v >= 100 || Number.isInteger(v) ? Math.round(v) : v.toFixed(1)} ${units[u]}`;
}
const hex = (n, w) => n.toString(16).padStart(w, "0");
const offDigits = () => Math.max(8, (S.base + S.len).toString(16).length);
const fmtOff = (n) => `0x${hex(n, offDigits())}`;
const plural = (n, word) => `${n.toLocaleString("en")} ${word}${n === 1 ? "" : "s"}`;
const ms = (t) => (t < 10 ? t.toFixed(2) : t < 100 ? t.toFixed(1) : Math.round(t).toLocaleString("en"));

/** "4096", "0x1000", "64k", "1.5 MiB", "1_000" -> a non-negative integer. */
function parseSize(text, what) {
  const s = text.trim().toLowerCase().replace(/[_,]/g, "");
  const m = /^(0x[0-9a-f]+|\d+(?:\.\d+)?)\s*(b|k|kb|kib|m|mb|mib|g|gb|gib)?$/.exec(s);
  if (!m) throw friendly(`${what}: “${text}” is not a number (try 4096, 0x1000 or 64 KiB)`);
  const mult = { k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2]?.[0]] ?? 1;
  const v = (m[1].startsWith("0x") ? parseInt(m[1], 16) : parseFloat(m[1])) * mult;
  if (!Number.isSafeInteger(v)) throw friendly(`${what}: “${text}” is not a whole number of bytes`);
  return v;
}
function friendly(message) {
  const e = new Error(message);
  e.friendly = true;
  return e;
}

// ---------- messages ----------

function say(kind, text) {
  ui.msg.className = `msg ${kind}`;
  ui.msg.textContent = text;
}
const ADVICE = {
  TypeError: "Nothing was changed.",
  RangeError: "Nothing was changed.",
  QuotaExceededError:
    "The browser's storage is full. Your changes are still in the map, dirty: delete a file, then flush again.",
  NotFoundError: "The file is not in IndexedDB (deleted in another tab?).",
  InvalidStateError: "The map is closed: map the file again.",
};
/** Shows an error: what failed, vmmap's error name and message, and what it means. */
function fail(e, what, advice) {
  if (e?.friendly) return say("error", `${e.message}. Nothing was changed.`);
  const name = e?.name || "Error";
  say("error", `${what} failed: ${name}: ${String(e?.message ?? e).replace(/\.$/, "")}. ${advice ?? ADVICE[name] ?? ""}`.trim());
}
/** Runs an async UI action; any error becomes a message, never an unhandled rejection. */
const guard = (what, fn) => async (...args) => {
  try {
    await fn(...args);
  } catch (e) {
    fail(e, what);
  }
};

// ---------- files ----------

async function refreshFiles() {
  const names = (await S.store.list()).sort();
  S.files = new Map();
  for (const n of names) S.files.set(n, await S.store.size(n));
  ui.files.replaceChildren();
  if (!names.length) {
    const li = document.createElement("li");
    li.className = "empty";
    li.textContent = "No files yet: create or import one.";
    ui.files.append(li);
  }
  for (const [name, size] of S.files) {
    const li = document.createElement("li");
    li.dataset.name = name;
    if (name === S.name) li.className = "open";
    const n = document.createElement("span");
    n.className = "name";
    n.textContent = name;
    n.title = `map “${name}” (access from the Map panel)`;
    n.onclick = guard(`Mapping “${name}”`, () => openMap(name, ui.access.value, 0, 0));
    const sz = document.createElement("span");
    sz.className = "size";
    sz.textContent = fmtBytes(size);
    sz.title = `${size.toLocaleString("en")} bytes`;
    const exp = button("export", `download “${name}” as stored in IndexedDB`, guard(`Exporting “${name}”`, () => exportFile(name)));
    exp.className = "export";
    const del = button("delete", `delete “${name}” from IndexedDB`, null);
    del.className = "delete";
    del.onclick = guard(`Deleting “${name}”`, () => deleteFile(name, del));
    li.append(n, sz, exp, del);
    ui.files.append(li);
  }
  const keep = ui.mapName.value;
  ui.mapName.replaceChildren(...names.map((n) => new Option(n, n)));
  ui.mapName.value = S.name ?? (names.includes(keep) ? keep : names[0] ?? "");
  refreshStorage();
}

function button(text, title, onclick) {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = text;
  b.title = title;
  if (onclick) b.onclick = onclick;
  return b;
}

async function refreshStorage() {
  try {
    const { usage, quota } = await navigator.storage.estimate();
    S.storage = `browser storage: ${fmtBytes(usage)} of ${fmtBytes(quota)}`;
  } catch {
    S.storage = "";
  }
  updateBanner();
}

async function createFile(name, size) {
  if (!name) throw friendly("Create: give the file a name");
  if (S.files.has(name)) throw friendly(`Create: “${name}” exists already; pick another name or delete it first`);
  if (size < 1) throw friendly("Create: the size must be at least 1 byte (an empty file cannot be mapped)");
  const t0 = performance.now();
  // create: true makes a file of `length` zero bytes in IndexedDB and maps it.
  await adopt(() => S.store.map(name, { create: true, length: size, access: "write" }), name, 0);
  say("ok", `Created “${name}”: ${size.toLocaleString("en")} zero bytes in IndexedDB, mapped for writing, in ${ms(performance.now() - t0)} ms. Click a byte to edit it.`);
}

async function importFile(file) {
  const name = file.name;
  if (S.m && name === S.name) {
    if (S.access === "write" && S.dirty.size) {
      throw friendly(`Import: “${name}” is open with ${plural(S.dirty.size, "unflushed page")}; flush it (or map another file) before importing over it`);
    }
    await closeMap();
  }
  ui.progress.hidden = false;
  ui.bar.value = 0;
  ui.barText.textContent = `${name}: 0 / ${fmtBytes(file.size)}`;
  const t0 = performance.now();
  try {
    // A File is a Blob: writeFile streams it in 4 MiB parts and swaps the
    // new file in atomically at the end.
    await S.store.writeFile(name, file, {
      onProgress(done, total) {
        ui.bar.value = total ? done / total : 1;
        ui.barText.textContent = `${name}: ${fmtBytes(done)} / ${fmtBytes(total)}`;
      },
    });
  } catch (e) {
    ui.progress.hidden = true;
    await refreshFiles();
    return fail(e, `Importing “${name}”`, "A file of that name that was there before is unchanged.");
  }
  const t = performance.now() - t0;
  ui.barText.textContent = `${name}: ${fmtBytes(file.size)} imported`;
  setTimeout(() => (ui.progress.hidden = true), 2500);
  await refreshFiles();
  await openMap(name, ui.access.value, 0, 0);
  say("ok", `Imported “${name}” (${fmtBytes(file.size)}) into IndexedDB in ${ms(t)} ms, and mapped it (${S.access}).`);
}

async function exportFile(name) {
  const bytes = await S.store.readFile(name);
  const url = URL.createObjectURL(new Blob([bytes], { type: "application/octet-stream" }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 30000);
  const pending = name === S.name && S.access === "write" && S.dirty.size
    ? ` It leaves out the ${plural(S.dirty.size, "page")} not yet flushed.` : "";
  say("ok", `Exported “${name}” (${fmtBytes(bytes.length)}) as stored in IndexedDB.${pending}`);
}

async function deleteFile(name, btn) {
  if (!btn.dataset.armed) {
    btn.dataset.armed = "1";
    btn.textContent = "sure?";
    setTimeout(() => { delete btn.dataset.armed; btn.textContent = "delete"; }, 3000);
    return;
  }
  if (name === S.name) await closeMap({ discard: true });
  await S.store.remove(name);
  await refreshFiles();
  say("ok", `Deleted “${name}” from IndexedDB.`);
}

// ---------- maps ----------

/** Maps `name` with `access` and the window (`offset`, `length`; 0 = to the end). */
async function openMap(name, access, offset, length) {
  const opts = { access };
  if (offset) opts.offset = offset;
  if (length) opts.length = length;
  const t0 = performance.now();
  await adopt(() => S.store.map(name, opts), name, offset);
  const t = performance.now() - t0;
  const window = S.base || S.len !== S.m.size()
    ? `bytes ${fmtOff(S.base)}–${fmtOff(S.base + S.len)} of ${fmtBytes(S.m.size())}` : fmtBytes(S.len);
  say("info", `Mapped “${name}” (${window}) with access “${access}” in ${ms(t)} ms: ${plural(pageCount(), "page")} read from IndexedDB.`);
}

/** Opens a map with `make()` (of the window at file offset `base`); then closes the one open before. */
async function adopt(make, name, base) {
  if (S.m && S.access === "write" && S.dirty.size) await flush(); // nothing lost by switching
  const m = await make();
  if (S.m) await closeMap();
  Object.assign(S, {
    m, name, access: m.access, base, len: m.length, top: 0, sel: -1, match: null, nibble: 0,
    dirty: new Set(), flushed: new Set(), edited: new Set(),
  });
  ui.access.value = S.access;
  ui.empty.hidden = true;
  layout();
  saveSession();
  await refreshFiles();
  ui.hex.focus();
}

async function closeMap({ discard = false } = {}) {
  if (!S.m) return;
  const m = S.m;
  if (S.access === "write" && S.dirty.size && !discard) await flush();
  else if (S.access === "copy" && S.dirty.size) say("info", `Closed the copy map of “${S.name}”: its ${plural(S.dirty.size, "changed page")} were private and are gone, as designed.`);
  S.m = null;
  S.name = null;
  S.dirty = new Set();
  m.close();
  ui.empty.hidden = false;
  ui.rows.replaceChildren();
  ui.head.replaceChildren();
  layout();
}

const pageCount = () => Math.ceil(S.len / PAGESIZE);
const pageBytes = (p) => Math.min(PAGESIZE, S.len - p * PAGESIZE);

function markDirty(i, n) {
  for (let p = Math.floor(i / PAGESIZE); p <= Math.floor((i + n - 1) / PAGESIZE); p++) {
    S.dirty.add(p);
    S.flushed.delete(p);
  }
  for (let k = i; k < i + n && S.edited.size < 100000; k++) S.edited.add(k);
  updateBanner();
  drawPageMap();
}

/** Writes `bytes` at map index `i`; on an error shows it and changes nothing. */
function writeBytes(i, bytes) {
  try {
    if (bytes.length === 1) S.m.set(i, bytes[0]);
    else S.m.setSlice(i, bytes);
  } catch (e) {
    const advice = e.name === "TypeError" && S.access === "read"
      ? "Nothing was changed: map the file with access “write” to edit it."
      : undefined;
    fail(e, `Writing ${plural(bytes.length, "byte")} at ${fmtOff(S.base + i)}`, advice);
    return false;
  }
  markDirty(i, bytes.length);
  return true;
}

let flushedTimer = 0;
async function flush() {
  if (!S.m) throw friendly("Flush: no map is open");
  if (S.access === "read") return say("info", "A read-only map has nothing to flush.");
  if (S.access === "copy") {
    return say("info", `A copy map never writes to the file: its ${plural(S.dirty.size, "changed page")} stay in this page's memory. Map with access “write” to keep edits.`);
  }
  const pages = [...S.dirty].sort((a, b) => a - b);
  const bytes = pages.reduce((sum, p) => sum + pageBytes(p), 0);
  const edited = S.edited;
  S.dirty = new Set(); // edits made while the commit runs are dirty again
  S.edited = new Set();
  ui.flushBtn.disabled = true;
  const t0 = performance.now();
  try {
    await S.m.flush();
  } catch (e) {
    for (const p of pages) S.dirty.add(p);
    for (const b of edited) S.edited.add(b);
    updateBanner();
    drawPageMap();
    return fail(e, "Flush", e.name === "QuotaExceededError" ? undefined : "The changes are still in the map, dirty: flush again.");
  } finally {
    ui.flushBtn.disabled = false;
  }
  const t = performance.now() - t0;
  S.flushed = new Set(pages);
  clearTimeout(flushedTimer);
  flushedTimer = setTimeout(() => { S.flushed.clear(); drawPageMap(); }, 10000);
  ui.flushResult.innerHTML = pages.length
    ? `Last flush: <b>${plural(pages.length, "page")}</b>, <b>${bytes.toLocaleString("en")} bytes</b>, committed in <b>${ms(t)} ms</b>`
    : `Last flush: nothing was dirty (${ms(t)} ms)`;
  say("ok", pages.length
    ? `Flushed “${S.name}”: ${plural(pages.length, "page")} (${fmtBytes(bytes)}) written to IndexedDB in one transaction, committed in ${ms(t)} ms. Reload the page: they stay.`
    : "Nothing to flush: every page is already in IndexedDB.");
  updateBanner();
  drawPageMap();
  render();
  refreshStorage();
}

async function resize(size) {
  if (!S.m) throw friendly("Resize: no map is open");
  const before = S.len;
  const dirty = [...S.dirty];
  const t0 = performance.now();
  try {
    S.m.resize(size); // writes back what is dirty first, then the new size
  } catch (e) {
    const advice = e.name === "TypeError"
      ? `A “${S.access}” map cannot be resized: nothing was changed. Map the file with access “write”.` : undefined;
    return fail(e, `Resizing to ${size.toLocaleString("en")} bytes`, advice);
  }
  await S.m.flush();
  const t = performance.now() - t0;
  S.len = S.m.length;
  S.dirty = new Set();
  S.edited = new Set();
  S.flushed = new Set(dirty.filter((p) => p < pageCount()));
  for (let p = Math.floor(Math.min(before, S.len) / PAGESIZE); p < pageCount(); p++) S.flushed.add(p);
  if (S.sel >= S.len) S.sel = S.len - 1;
  S.match = null;
  layout();
  await refreshFiles();
  say("ok", `Resized “${S.name}” from ${before.toLocaleString("en")} to ${S.len.toLocaleString("en")} bytes — the map and the file — committed in ${ms(t)} ms.`);
}

// ---------- the hex view (virtual scrolling) ----------

let rowPx = ROW; // scrollbar px per row: less than ROW when the file is taller than MAX_SPACER
const rowsTotal = () => Math.ceil(S.len / COLS);
const visibleRows = () => Math.max(1, Math.floor(ui.rows.clientHeight / ROW));
const maxTop = () => Math.max(0, rowsTotal() - visibleRows());

function layout() {
  ui.rows.style.right = `${ui.scroll.offsetWidth}px`;
  const mt = S.m ? maxTop() : 0;
  rowPx = mt ? Math.min(ROW, MAX_SPACER / mt) : ROW;
  ui.spacer.style.height = `${mt * rowPx + ui.scroll.clientHeight}px`;
  setTop(S.top);
  renderHead();
  render();
  drawPageMap();
  updateBanner();
}

function setTop(top) {
  S.top = Math.max(0, Math.min(maxTop(), Math.round(top)));
  const want = S.top * rowPx;
  if (Math.abs(ui.scroll.scrollTop - want) >= 1) ui.scroll.scrollTop = want;
  scheduleRender();
}

ui.scroll.addEventListener("scroll", () => {
  // Ours (setTop) when it matches the top row; else the scrollbar was dragged.
  if (Math.abs(ui.scroll.scrollTop - S.top * rowPx) < 1) return;
  S.top = Math.max(0, Math.min(maxTop(), Math.round(ui.scroll.scrollTop / rowPx)));
  render(); // scroll events come once a frame: draw in this one
  drawPageMap();
  saveSessionSoon();
});

let wheelRest = 0;
ui.hex.addEventListener("wheel", (e) => {
  if (!S.m) return;
  e.preventDefault();
  const unit = e.deltaMode === 1 ? ROW : e.deltaMode === 2 ? visibleRows() * ROW : 1;
  wheelRest += e.deltaY * unit;
  const n = Math.trunc(wheelRest / ROW);
  if (n) {
    wheelRest -= n * ROW;
    setTop(S.top + n);
  }
}, { passive: false });

let frame = 0;
function scheduleRender() {
  if (!frame) frame = requestAnimationFrame(() => { frame = 0; render(); drawPageMap(); saveSessionSoon(); });
}

function renderHead() {
  if (!S.m) return;
  let x = "";
  for (let c = 0; c < COLS; c++) x += `<b>${hex(c, 2)}</b>`;
  ui.head.innerHTML = `<span class="o">${"offset".padEnd(offDigits() + 2)}</span><span class="x">${x}</span><span class="a">${"0123456789abcdef"}</span>`;
}

const ESC = { "<": "&lt;", ">": "&gt;", "&": "&amp;" };
// What drawing the visible rows costs (read by the e2e test; see it in the console too).
const renderStats = (window.vmmapDemoStats = { renders: 0, totalMs: 0, maxMs: 0 });
function render() {
  if (!S.m) return;
  const t0 = performance.now();
  const vis = visibleRows() + 1;
  const start = S.top * COLS;
  const end = Math.min(S.len, start + vis * COLS);
  const bytes = S.m.slice(start, end); // a copy of just the visible bytes
  const { sel, match, pane, edited } = S;
  const w = offDigits();
  let html = "";
  for (let r = start; r < end; r += COLS) {
    let x = "", a = "";
    for (let i = r; i < r + COLS; i++) {
      if (i >= end) { x += "<b> </b>"; continue; }
      const v = bytes[i - start];
      let cls = v === 0 ? "z" : "";
      if (match && i >= match.at && i < match.at + match.n) cls += " m";
      if (edited.has(i)) cls += " e";
      const selCls = i === sel ? (pane === "hex" ? " s" : " s2") : "";
      const selA = i === sel ? (pane === "ascii" ? " s" : " s2") : "";
      x += `<b data-i="${i}" class="${cls}${selCls}">${hex(v, 2)}</b>`;
      const ch = v >= 0x20 && v < 0x7f ? String.fromCharCode(v) : null;
      a += `<b data-i="${i}" class="${ch ? cls.replace("z", "") : "n"}${selA}">${ch ? ESC[ch] ?? ch : "."}</b>`;
    }
    html += `<div class="r"><span class="o">0x${hex(S.base + r, w)}</span><span class="x">${x}</span><span class="a">${a}</span></div>`;
  }
  ui.rows.innerHTML = html;
  renderStatus();
  const t = performance.now() - t0;
  renderStats.renders++;
  renderStats.totalMs += t;
  renderStats.maxMs = Math.max(renderStats.maxMs, t);
}

function renderStatus() {
  if (!S.m) { ui.status.textContent = "no map open"; return; }
  const where = `${S.access} map of “${S.name}”, ${S.len.toLocaleString("en")} bytes`;
  if (S.sel < 0) {
    ui.status.textContent = `${where} · click a byte to edit it`;
    return;
  }
  const v = S.m.get(S.sel);
  const ch = v >= 0x20 && v < 0x7f ? ` '${String.fromCharCode(v)}'` : "";
  const how = S.access === "read" ? "read-only" : S.pane === "hex" ? "type hex digits" : "type text";
  ui.status.textContent = `offset ${fmtOff(S.base + S.sel)} (${(S.base + S.sel).toLocaleString("en")}) · byte 0x${hex(v, 2)} = ${v}${ch} · page ${Math.floor(S.sel / PAGESIZE)} · ${how} · ${where}`;
}

function select(i, pane = S.pane) {
  if (!S.m) return;
  S.sel = Math.max(0, Math.min(S.len - 1, i));
  S.pane = pane;
  S.nibble = 0;
  const row = Math.floor(S.sel / COLS);
  if (row < S.top) setTop(row);
  else if (row >= S.top + visibleRows()) setTop(row - visibleRows() + 1);
  render(); // at once: typing right after a click sees the selection
  drawPageMap();
  saveSessionSoon();
}

/** Scrolls so that map index `i` is in view, a few rows from the top. */
function reveal(i) {
  const row = Math.floor(i / COLS);
  if (row < S.top || row >= S.top + visibleRows()) setTop(row - Math.min(3, Math.floor(visibleRows() / 3)));
}

ui.rows.addEventListener("mousedown", (e) => {
  const b = e.target.closest("b[data-i]");
  if (!b) return;
  e.preventDefault();
  ui.hex.focus();
  select(Number(b.dataset.i), b.parentElement.classList.contains("a") ? "ascii" : "hex");
});

ui.hex.addEventListener("keydown", (e) => {
  if (!S.m || e.ctrlKey && !["Home", "End"].includes(e.key) || e.metaKey || e.altKey) return;
  const vis = visibleRows();
  const moves = {
    ArrowLeft: -1, ArrowRight: 1, ArrowUp: -COLS, ArrowDown: COLS,
    PageUp: -vis * COLS, PageDown: vis * COLS,
  };
  if (e.key in moves) {
    e.preventDefault();
    if (S.sel < 0) return select(S.top * COLS);
    return select(S.sel + moves[e.key]);
  }
  if (e.key === "Home" || e.key === "End") {
    e.preventDefault();
    const at = e.ctrlKey ? (e.key === "Home" ? 0 : S.len - 1)
      : Math.max(0, S.sel) - (Math.max(0, S.sel) % COLS) + (e.key === "Home" ? 0 : COLS - 1);
    return select(at);
  }
  if (e.key === "Escape") { S.match = null; scheduleRender(); return; }
  if (e.key === "Tab" && S.sel >= 0) {
    e.preventDefault();
    return select(S.sel, S.pane === "hex" ? "ascii" : "hex");
  }
  if (S.sel < 0 || e.key.length !== 1) return;
  e.preventDefault();
  if (S.pane === "hex") {
    if (!/^[0-9a-f]$/i.test(e.key)) {
      return say("error", `“${e.key}” is not a hex digit: type 0-9 or a-f (click the text column on the right to type text). Nothing was changed.`);
    }
    const d = parseInt(e.key, 16);
    let old;
    try { old = S.m.get(S.sel); } catch (err) { return fail(err, "Reading the byte"); }
    const v = S.nibble === 0 ? (d << 4) | (old & 0x0f) : (old & 0xf0) | d;
    if (!writeBytes(S.sel, Uint8Array.of(v))) return;
    if (S.nibble === 0) { S.nibble = 1; scheduleRender(); }
    else if (S.sel < S.len - 1) select(S.sel + 1);
    else { S.nibble = 0; scheduleRender(); }
  } else {
    const bytes = encoder.encode(e.key);
    if (!writeBytes(S.sel, bytes)) return;
    if (S.sel + bytes.length < S.len) select(S.sel + bytes.length);
    else scheduleRender();
  }
});

// ---------- the page map ----------

let cell = 8, mapCols = 32;
function drawPageMap() {
  const c = ui.pagemap;
  const ctx = c.getContext("2d");
  const pages = S.m ? pageCount() : 0;
  const width = c.parentElement.clientWidth - 2 || 200;
  for (cell of [28, 20, 16, 12, 10, 8, 6, 5, 4, 3, 2]) {
    mapCols = Math.floor(width / cell);
    if (Math.ceil(pages / mapCols) * cell <= 340) break;
  }
  const rows = Math.max(1, Math.ceil(pages / mapCols));
  const dpr = window.devicePixelRatio || 1;
  const w = mapCols * cell, h = rows * cell;
  if (c.width !== w * dpr || c.height !== h * dpr) {
    c.width = w * dpr;
    c.height = h * dpr;
    c.style.width = `${w}px`;
    c.style.height = `${h}px`;
  }
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, w, h);
  const gap = cell >= 6 ? 1 : 0;
  const css = getComputedStyle(document.documentElement);
  const color = (v) => css.getPropertyValue(v).trim();
  const fill = (p, style) => {
    ctx.fillStyle = style;
    ctx.fillRect((p % mapCols) * cell, Math.floor(p / mapCols) * cell, cell - gap, cell - gap);
  };
  if (!gap && pages) {
    // Small cells: the clean background in a few rectangles, then the rest.
    ctx.fillStyle = color("--clean");
    ctx.fillRect(0, 0, w, (rows - 1) * cell);
    ctx.fillRect(0, (rows - 1) * cell, (pages - (rows - 1) * mapCols) * cell, cell);
  } else {
    for (let p = 0; p < pages; p++) fill(p, color("--clean"));
  }
  for (const p of S.flushed) fill(p, color("--flushed"));
  for (const p of S.dirty) fill(p, color("--dirty"));
  if (pages) {
    const first = Math.floor((S.top * COLS) / PAGESIZE);
    const last = Math.floor((Math.min(S.len, (S.top + visibleRows()) * COLS) - 1) / PAGESIZE);
    ctx.strokeStyle = color("--seen");
    ctx.lineWidth = cell >= 6 ? 2 : 1;
    for (let p = first; p <= last; p++) {
      const x = (p % mapCols) * cell, y = Math.floor(p / mapCols) * cell;
      if (cell >= 6) ctx.strokeRect(x + 1, y + 1, cell - gap - 2, cell - gap - 2);
      else {
        // Tiny cells: the page itself, and a ring around it to find it by.
        ctx.fillStyle = color("--seen");
        ctx.fillRect(x, y, cell, cell);
        ctx.lineWidth = 1.5;
        ctx.strokeRect(x + cell / 2 - 5, y + cell / 2 - 5, 10, 10);
      }
    }
  }
  ui.pagesInfo.textContent = S.m
    ? `${plural(pages, "page")} × ${PAGESIZE} B · ${S.dirty.size.toLocaleString("en")} dirty` : "";
}

ui.pagemap.addEventListener("click", (e) => {
  if (!S.m) return;
  const r = ui.pagemap.getBoundingClientRect();
  const p = Math.floor((e.clientY - r.top) / cell) * mapCols + Math.floor((e.clientX - r.left) / cell);
  if (p >= 0 && p < pageCount()) {
    setTop((p * PAGESIZE) / COLS);
    select(p * PAGESIZE);
  }
});

// ---------- the banner ----------

function updateBanner() {
  const b = ui.banner;
  const storage = S.storage ? `<span class="storage">${S.storage}</span>` : "";
  const name = S.name ? `“${escapeHtml(S.name)}”` : "";
  const n = S.dirty.size;
  const bytes = [...S.dirty].reduce((s, p) => s + pageBytes(p), 0);
  let cls, text;
  if (!S.m) {
    cls = "idle";
    text = `Files live in this browser's IndexedDB (database “${escapeHtml(DB)}”), not on a server. Map one to edit it.`;
  } else if (S.access === "read") {
    cls = "readonly";
    text = `${name} is mapped <b>read-only</b>: scroll, find, look. Every write is refused and changes nothing.`;
  } else if (S.access === "copy") {
    cls = "copy";
    text = `${name} is mapped as a <b>private copy</b>: ${n ? `${plural(n, "page")} changed in memory only` : "edits change memory only"}; the file in IndexedDB never changes.`;
  } else if (n) {
    cls = "unsaved";
    text = `● <b>${plural(n, "page")} (${fmtBytes(bytes)}) of ${name} not yet flushed</b>: only in memory, a reload now loses ${n === 1 ? "it" : "them"}. Press <b>Flush</b> (Ctrl+S).`;
  } else {
    cls = "saved";
    text = `✓ <b>Everything in ${name} is persisted</b> in IndexedDB. Reload the page: your edits are still here.`;
  }
  b.className = `banner ${cls}`;
  b.innerHTML = storage + text;
}
const escapeHtml = (s) => s.replace(/[<>&"]/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;" })[c]);

// ---------- go to and find ----------

function goTo(text) {
  if (!S.m) throw friendly("Go to: no map is open");
  const off = parseSize(text, "Go to");
  if (off < S.base || off >= S.base + S.len) {
    throw friendly(`Go to: offset ${off.toLocaleString("en")} (0x${off.toString(16)}) is out of range: the map holds file bytes ${fmtOff(S.base)} to ${fmtOff(S.base + S.len - 1)}`);
  }
  reveal(off - S.base);
  select(off - S.base, "hex");
  say("info", `At offset ${fmtOff(off)}.`);
}

function needle() {
  const text = $("find").value;
  if (!text) throw friendly("Find: type text, or hex bytes such as “de ad be ef”");
  if ($("find-mode").value === "text") return encoder.encode(text);
  const digits = text.replace(/0x|[\s,]/gi, "");
  if (!/^([0-9a-f]{2})+$/i.test(digits)) {
    throw friendly(`Find: “${text}” is not hex bytes (pairs of hex digits, such as “de ad be ef”)`);
  }
  return Uint8Array.from(digits.match(/../g), (h) => parseInt(h, 16));
}

function find(backwards) {
  if (!S.m) throw friendly("Find: no map is open");
  const sub = needle();
  const t0 = performance.now();
  let at, wrapped = false;
  if (!backwards) {
    const from = S.match ? S.match.at + 1 : Math.max(0, S.sel);
    at = from < S.len ? S.m.find(sub, from) : -1;
    if (at < 0 && from > 0) { at = S.m.find(sub, 0); wrapped = true; }
  } else {
    const before = S.match ? S.match.at : S.sel >= 0 ? S.sel : S.len;
    // rfind(sub, start, end) finds sub inside [start, end): ends at most before - 1 + len.
    at = before > 0 ? S.m.rfind(sub, 0, Math.min(S.len, before - 1 + sub.length)) : -1;
    if (at < 0) { at = S.m.rfind(sub, 0); wrapped = true; }
  }
  const t = performance.now() - t0;
  const what = $("find-mode").value === "text" ? `“${$("find").value}”` : `bytes ${[...sub].map((v) => hex(v, 2)).join(" ")}`;
  if (at < 0) {
    S.match = null;
    render();
    return say("info", `${what} not found in the map (searched ${fmtBytes(S.len)} in ${ms(t)} ms).`);
  }
  S.match = { at, n: sub.length };
  reveal(at);
  select(at);
  say("info", `${what} found at offset ${fmtOff(S.base + at)}${wrapped ? ", wrapped around" : ""} (${ms(t)} ms). Enter: next, Shift+Enter: previous.`);
}

// ---------- the session (what was open survives a reload) ----------

function saveSession() {
  if (!S.m) return localStorage.removeItem(SESSION);
  localStorage.setItem(SESSION, JSON.stringify({
    name: S.name, access: S.access, offset: S.base, length: S.len === S.m.size() - S.base ? 0 : S.len,
    top: S.top, sel: S.sel, pane: S.pane,
  }));
}
let sessionTimer = 0;
function saveSessionSoon() {
  clearTimeout(sessionTimer);
  sessionTimer = setTimeout(saveSession, 300);
}

const WELCOME = `Welcome to vmmap!

This file lives in your browser, in IndexedDB. The page mapped it with
    const m = await store.map("welcome.txt", { access: "write" });
and the hex view shows the map's bytes: m.slice(start, end).

Try it:
  1. Click a byte and type hex digits, or click the text column and type.
  2. Its page turns orange in the page map: dirty, changed in memory only.
  3. Press Flush (Ctrl+S): vmmap writes just the dirty pages, atomically.
  4. Reload the page. Your edit is still here.

Also: map a file read-only and try to write (refused, nothing changes);
import a big file (drag it onto the page) and scroll to its end; find text.
`;

async function seedWelcome() {
  const lines = [WELCOME];
  for (let i = 1; lines.join("").length < 3 * PAGESIZE - 80; i++) lines.push(`line ${String(i).padStart(3)}: filler so the file spans a few pages of ${PAGESIZE} bytes.\n`);
  await S.store.writeFile("welcome.txt", encoder.encode(lines.join("").slice(0, 3 * PAGESIZE)));
}

// ---------- wiring ----------

function wire() {
  $("create-form").onsubmit = guard("Create", async (e) => {
    e.preventDefault();
    const name = $("new-name").value.trim();
    await createFile(name, parseSize($("new-size").value, "Create: size"));
    $("new-name").value = "";
  });
  $("import-input").onchange = guard("Import", async (e) => {
    const files = [...e.target.files];
    e.target.value = "";
    for (const f of files) await importFile(f);
  });
  $("map-form").onsubmit = guard("Map", async (e) => {
    e.preventDefault();
    const name = ui.mapName.value;
    if (!name) throw friendly("Map: create or import a file first");
    const offset = ui.offset.value.trim() ? parseSize(ui.offset.value, "Map: offset") : 0;
    const length = ui.length.value.trim() ? parseSize(ui.length.value, "Map: length") : 0;
    if (offset % ALLOCATIONGRANULARITY) {
      throw friendly(`Map: offset ${offset.toLocaleString("en")} is not a multiple of ${ALLOCATIONGRANULARITY.toLocaleString("en")} (ALLOCATIONGRANULARITY, 64 KiB), as Python's mmap requires`);
    }
    await openMap(name, ui.access.value, offset, length);
  });
  ui.flushBtn.onclick = guard("Flush", flush);
  $("resize").onclick = guard("Resize", () => resize(parseSize($("resize-size").value, "Resize")));
  $("goto-form").onsubmit = guard("Go to", async (e) => { e.preventDefault(); goTo($("goto").value); });
  $("find-form").onsubmit = guard("Find", async (e) => { e.preventDefault(); find(false); });
  $("find-prev").onclick = guard("Find", async () => find(true));
  $("find").addEventListener("keydown", (e) => {
    if (e.key === "Enter" && e.shiftKey) { e.preventDefault(); guard("Find", async () => find(true))(); }
  });
  $("find").addEventListener("input", () => { S.match = null; scheduleRender(); });
  document.addEventListener("keydown", (e) => {
    if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "s") {
      e.preventDefault();
      guard("Flush", flush)();
    }
  });
  // Drag and drop anywhere on the page.
  let depth = 0;
  const hasFiles = (e) => [...(e.dataTransfer?.types ?? [])].includes("Files");
  document.addEventListener("dragenter", (e) => { if (hasFiles(e)) { depth++; ui.drop.hidden = false; } });
  document.addEventListener("dragleave", () => { if (--depth <= 0) { depth = 0; ui.drop.hidden = true; } });
  document.addEventListener("dragover", (e) => { if (hasFiles(e)) e.preventDefault(); });
  document.addEventListener("drop", guard("Import", async (e) => {
    e.preventDefault();
    depth = 0;
    ui.drop.hidden = true;
    for (const f of [...(e.dataTransfer?.files ?? [])]) await importFile(f);
  }));
  new ResizeObserver(() => S.m && layout()).observe(ui.rows);
}

async function main() {
  try {
    await init();
    S.store = await FileStore.open(DB);
  } catch (e) {
    ui.banner.className = "banner unsaved";
    ui.banner.textContent = `The vmmap package did not load: ${e.name}: ${e.message}. Build it with scripts/build-pkg.sh and serve this page with scripts/demo.sh.`;
    return;
  }
  $("db-name").textContent = DB;
  wire();
  navigator.storage?.persist?.().catch(() => {}); // ask the browser not to evict the files
  await refreshFiles();
  if (!S.files.size && !localStorage.getItem(SEEDED)) {
    await seedWelcome();
    await refreshFiles();
  }
  localStorage.setItem(SEEDED, "1");
  const session = JSON.parse(localStorage.getItem(SESSION) || "null");
  try {
    if (session && S.files.has(session.name)) {
      await openMap(session.name, session.access, session.offset, session.length);
      setTop(session.top);
      if (session.sel >= 0) select(session.sel, session.pane);
      say("info", `Reopened “${session.name}” as you left it: what you flushed is here; what you did not flush is gone.`);
    } else if (S.files.has("welcome.txt")) {
      await openMap("welcome.txt", "write", 0, 0);
    } else {
      updateBanner();
    }
  } catch (e) {
    fail(e, "Reopening the last map");
    updateBanner();
  }
  document.body.dataset.ready = "1";
}

main();
