// The demo's entry module (index.html loads it): loads the package, wires the panels, reopens the last map.
// The vmmap demo is a hex editor over a memory-mapped file kept in IndexedDB.
// It uses only the npm package's public API (../pkg/vmmap.js), as a page that
// installed the package would. Its modules: state.js, format.js, messages.js,
// files.js (Files panel), mapping.js (the open map), hexview.js, pagemap.js,
// find.js (Go to, Find) and session.js.
import init, { FileStore } from "../pkg/vmmap.js";
import { $, DB, S, SEEDED, ui } from "./state.js";
import { refreshFiles, seedWelcome, wireFiles } from "./files.js";
import { wireMapping } from "./mapping.js";
import { wireHexView } from "./hexview.js";
import { wirePageMap } from "./pagemap.js";
import { wireFind } from "./find.js";
import { reopenSession } from "./session.js";

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
  wireMapping();
  wireFind();
  wireHexView();
  wirePageMap();
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
