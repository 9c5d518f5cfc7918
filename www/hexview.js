// The hex view: draws only the rows on screen (virtual scrolling), selects bytes and edits them as typed.
// Imports state, format, messages, session and pagemap; never mapping, find or files (they import this).
import { PAGESIZE } from "../pkg/vmmap.js";
import { COLS, MAX_SPACER, ROW, S, encoder, ui, visibleRows } from "./state.js";
import { HTML_ESCAPES, fmtOff, hex, offDigits, plural } from "./format.js";
import { fail, say, updateBanner } from "./messages.js";
import { saveSessionSoon } from "./session.js";
import { drawPageMap } from "./pagemap.js";

let rowPx = ROW; // scrollbar px per row: less than ROW when the file is taller than MAX_SPACER
const rowsTotal = () => Math.ceil(S.len / COLS);
const maxTop = () => Math.max(0, rowsTotal() - visibleRows());

/** Sizes the scrollbar to the map, then draws everything again. */
export function layout() {
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

export function setTop(top) {
  S.top = Math.max(0, Math.min(maxTop(), Math.round(top)));
  const want = S.top * rowPx;
  if (Math.abs(ui.scroll.scrollTop - want) >= 1) ui.scroll.scrollTop = want;
  scheduleRender();
}

let frame = 0;
export function scheduleRender() {
  if (!frame) frame = requestAnimationFrame(() => { frame = 0; render(); drawPageMap(); saveSessionSoon(); });
}

function renderHead() {
  if (!S.m) return;
  let x = "";
  for (let c = 0; c < COLS; c++) x += `<b>${hex(c, 2)}</b>`;
  ui.head.innerHTML = `<span class="o">${"offset".padEnd(offDigits() + 2)}</span><span class="x">${x}</span><span class="a">${"0123456789abcdef"}</span>`;
}

// What drawing the visible rows costs (read by the e2e test; see it in the console too).
const renderStats = (window.vmmapDemoStats = { renders: 0, totalMs: 0, maxMs: 0 });
export function render() {
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
      a += `<b data-i="${i}" class="${ch ? cls.replace("z", "") : "n"}${selA}">${ch ? HTML_ESCAPES[ch] ?? ch : "."}</b>`;
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

export function select(i, pane = S.pane) {
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
export function reveal(i) {
  const row = Math.floor(i / COLS);
  if (row < S.top || row >= S.top + visibleRows()) setTop(row - Math.min(3, Math.floor(visibleRows() / 3)));
}

/** Marks the pages of bytes [i, i + n) dirty (unflushed), and the bytes edited. */
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

/** Types `key` at the selected byte: a hex digit in the hex column, a character in the text column. */
function typeKey(key) {
  if (S.pane === "hex") {
    if (!/^[0-9a-f]$/i.test(key)) {
      return say("error", `“${key}” is not a hex digit: type 0-9 or a-f (click the text column on the right to type text). Nothing was changed.`);
    }
    const d = parseInt(key, 16);
    let old;
    try { old = S.m.get(S.sel); } catch (err) { return fail(err, "Reading the byte"); }
    const v = S.nibble === 0 ? (d << 4) | (old & 0x0f) : (old & 0xf0) | d;
    if (!writeBytes(S.sel, Uint8Array.of(v))) return;
    if (S.nibble === 0) { S.nibble = 1; scheduleRender(); }
    else if (S.sel < S.len - 1) select(S.sel + 1);
    else { S.nibble = 0; scheduleRender(); }
  } else {
    const bytes = encoder.encode(key);
    if (!writeBytes(S.sel, bytes)) return;
    if (S.sel + bytes.length < S.len) select(S.sel + bytes.length);
    else scheduleRender();
  }
}

/** Wires scrolling (scrollbar, wheel), clicks on bytes, the keyboard, and resizing the view. */
export function wireHexView() {
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
    typeKey(e.key);
  });

  new ResizeObserver(() => S.m && layout()).observe(ui.rows);
}
