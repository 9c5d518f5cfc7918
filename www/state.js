// The demo's shared pieces: its constants, its page elements (ui) and the open map's state (S).
// Imports only the package: every other module may import this one.
import { PAGESIZE } from "../pkg/vmmap.js";

export const $ = (id) => document.getElementById(id);
export const DB = new URLSearchParams(location.search).get("db") || "vmmap-demo";
export const SESSION = `vmmap-demo:${DB}:session`;
export const SEEDED = `vmmap-demo:${DB}:seeded`;
export const ROW = 20; // px per hex row (--row in style.css)
export const COLS = 16; // bytes per row
export const MAX_SPACER = 8e6; // px: browsers cap element heights; taller files scroll scaled
export const encoder = new TextEncoder();

export const ui = {
  banner: $("banner"), msg: $("msg"), files: $("files"), hex: $("hex"), head: $("hex-head"),
  rows: $("hex-rows"), scroll: $("hex-scroll"), spacer: $("hex-spacer"), empty: $("hex-empty"),
  status: $("status"), pagemap: $("pagemap"), pagesInfo: $("pages-info"), flushBtn: $("flush"),
  flushResult: $("flush-result"), mapName: $("map-name"), access: $("map-access"),
  offset: $("map-offset"), length: $("map-length"), progress: $("import-progress"),
  bar: $("import-bar"), barText: $("import-text"), drop: $("drop"),
};

// Dirty pages are tracked here, from the page's own edits, to draw the page
// map; vmmap tracks them itself for flush().
export const S = {
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

export const pageCount = () => Math.ceil(S.len / PAGESIZE);
export const pageBytes = (p) => Math.min(PAGESIZE, S.len - p * PAGESIZE);
export const visibleRows = () => Math.max(1, Math.floor(ui.rows.clientHeight / ROW)); // hex rows on screen
