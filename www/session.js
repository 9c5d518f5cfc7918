// The session: what is open (map, scroll, selection) is kept in localStorage, for app.js to reopen after a reload.
// Imports only state.js: hexview.js and mapping.js save the session as it changes.
import { S, SESSION } from "./state.js";

export function saveSession() {
  if (!S.m) return localStorage.removeItem(SESSION);
  localStorage.setItem(SESSION, JSON.stringify({
    name: S.name, access: S.access, offset: S.base, length: S.len === S.m.size() - S.base ? 0 : S.len,
    top: S.top, sel: S.sel, pane: S.pane,
  }));
}
let sessionTimer = 0;
export function saveSessionSoon() {
  clearTimeout(sessionTimer);
  sessionTimer = setTimeout(saveSession, 300);
}
