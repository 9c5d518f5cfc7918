// The demo's entry module (index.html loads it): loads the package, wires the panels, reopens the last map.
// The vmmap demo is a hex editor over a memory-mapped file kept in IndexedDB.
// It uses only the npm package's public API (../pkg/vmmap.js), as a page that
// installed the package would. Its modules import one way only, each just from
// those before it: state.js, format.js, messages.js, session.js, pagemap.js,
// hexview.js, find.js (Go to, Find), mapping.js (the open map), files.js (Files
// panel). The two calls back up (a page map click; the file list after a map
// changes) are handed down here, when the panels are wired.
// Imports any module; none imports this.
import init, { FileStore } from "../pkg/vmmap.js";
import { $, DB, S, SEEDED, SESSION, ui } from "./state.js";
import { fail, say, updateBanner } from "./messages.js";
import { wirePageMap } from "./pagemap.js";
import { select, setTop, wireHexView } from "./hexview.js";
import { wireFind } from "./find.js";
import { openMap, wireMapping } from "./mapping.js";
import { refreshFiles, seedWelcome, wireFiles } from "./files.js";

/** Reopens the map of the last session as it was left, else welcome.txt if it is there. */
async function reopenSession() {
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
  wireFiles();
  wireMapping({ refreshFiles });
  wireFind();
  wireHexView();
  wirePageMap({ select, setTop });
  navigator.storage?.persist?.().catch(() => {}); // ask the browser not to evict the files
  await refreshFiles();
  if (!S.files.size && !localStorage.getItem(SEEDED)) {
    await seedWelcome();
    await refreshFiles();
  }
  localStorage.setItem(SEEDED, "1");
  await reopenSession();
  document.body.dataset.ready = "1";
}

main();
