// The session: what was open (map, scroll, selection) is kept in localStorage and reopened after a reload.
import { S, SESSION } from "./state.js";
import { fail, say, updateBanner } from "./messages.js";
import { openMap } from "./mapping.js";
import { select, setTop } from "./hexview.js";

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

/** Reopens the map of the last session as it was left, else welcome.txt if it is there. */
export async function reopenSession() {
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
}
