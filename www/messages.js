// What the demo tells the user: the message line, vmmap's errors with advice, and the banner on top.
// Imports only state.js and format.js.
import { DB, S, pageBytes, ui } from "./state.js";
import { escapeHtml, fmtBytes, plural } from "./format.js";

export function say(kind, text) {
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
export function fail(e, what, advice) {
  if (e?.friendly) return say("error", `${e.message}. Nothing was changed.`);
  const name = e?.name || "Error";
  say("error", `${what} failed: ${name}: ${String(e?.message ?? e).replace(/\.$/, "")}. ${advice ?? ADVICE[name] ?? ""}`.trim());
}
/** Runs an async UI action; any error becomes a message, never an unhandled rejection. */
export const guard = (what, fn) => async (...args) => {
  try {
    await fn(...args);
  } catch (e) {
    fail(e, what);
  }
};

/** The banner: where the files live, and whether the open map's edits are persisted. */
export function updateBanner() {
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

/** How much of the browser's storage is used, for the banner. */
export async function refreshStorage() {
  try {
    const { usage, quota } = await navigator.storage.estimate();
    S.storage = `browser storage: ${fmtBytes(usage)} of ${fmtBytes(quota)}`;
  } catch {
    S.storage = "";
  }
  updateBanner();
}
