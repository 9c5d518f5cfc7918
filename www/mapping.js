// The open map: maps a file (the Map panel), flushes, resizes and closes it.
// Imports state, format, messages, session, pagemap and hexview; never files.js: app.js hands it refreshFiles.
import { ALLOCATIONGRANULARITY, PAGESIZE } from "../pkg/vmmap.js";
import { $, S, pageBytes, pageCount, ui } from "./state.js";
import { fmtBytes, fmtOff, friendly, ms, parseSize, plural } from "./format.js";
import { fail, guard, refreshStorage, say, updateBanner } from "./messages.js";
import { saveSession } from "./session.js";
import { drawPageMap } from "./pagemap.js";
import { layout, render } from "./hexview.js";

let refreshFiles = async () => {}; // the Files panel's, from wireMapping: a map or a resize changes the list

/** Maps `name` with `access` and the window (`offset`, `length`; 0 = to the end). */
export async function openMap(name, access, offset, length) {
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
export async function adopt(make, name, base) {
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

export async function closeMap({ discard = false } = {}) {
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

/** Wires the Map panel's form, Flush (and Ctrl+S) and Resize; `filesPanel.refreshFiles` redraws the Files panel. */
export function wireMapping(filesPanel) {
  refreshFiles = filesPanel.refreshFiles;
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
  document.addEventListener("keydown", (e) => {
    if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "s") {
      e.preventDefault();
      guard("Flush", flush)();
    }
  });
}
