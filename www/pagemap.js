// The page map: a canvas of the map's pages (clean, dirty, just flushed, on screen); a click goes to a page.
// Imports only state.js and format.js: hexview.js draws it; app.js hands it hexview's select and setTop.
import { PAGESIZE } from "../pkg/vmmap.js";
import { COLS, S, pageCount, ui, visibleRows } from "./state.js";
import { plural } from "./format.js";

let cell = 8, mapCols = 32;
export function drawPageMap() {
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

/** Wires a click on the page map: scrolls to that page and selects its first byte (with the hex view's functions). */
export function wirePageMap({ select, setTop }) {
  ui.pagemap.addEventListener("click", (e) => {
    if (!S.m) return;
    const r = ui.pagemap.getBoundingClientRect();
    const p = Math.floor((e.clientY - r.top) / cell) * mapCols + Math.floor((e.clientX - r.left) / cell);
    if (p >= 0 && p < pageCount()) {
      setTop((p * PAGESIZE) / COLS);
      select(p * PAGESIZE);
    }
  });
}
