// The Files panel: lists the files in IndexedDB, and creates, imports (picker or drop), exports and deletes them.
// Imports state, format, messages and mapping.js; only app.js imports this (and hands refreshFiles to mapping.js).
import { PAGESIZE } from "../pkg/vmmap.js";
import { $, S, encoder, ui } from "./state.js";
import { fmtBytes, friendly, ms, parseSize, plural } from "./format.js";
import { fail, guard, refreshStorage, say } from "./messages.js";
import { adopt, closeMap, openMap } from "./mapping.js";

/** Lists the files in IndexedDB in the panel and in the Map panel's choice of file. */
export async function refreshFiles() {
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
  // readFileBlob, not readFile: the file comes out of IndexedDB 512 KiB at a
  // time straight into a Blob, never whole in wasm memory or the page's heap,
  // and the page stays responsive whatever its size.
  const blob = await S.store.readFileBlob(name);
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 30000);
  const pending = name === S.name && S.access === "write" && S.dirty.size
    ? ` It leaves out the ${plural(S.dirty.size, "page")} not yet flushed.` : "";
  say("ok", `Exported “${name}” (${fmtBytes(blob.size)}) as stored in IndexedDB.${pending}`);
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

/** Writes welcome.txt, a few pages that say how to use the demo. */
export async function seedWelcome() {
  const lines = [WELCOME];
  for (let i = 1; lines.join("").length < 3 * PAGESIZE - 80; i++) lines.push(`line ${String(i).padStart(3)}: filler so the file spans a few pages of ${PAGESIZE} bytes.\n`);
  await S.store.writeFile("welcome.txt", encoder.encode(lines.join("").slice(0, 3 * PAGESIZE)));
}

/** Wires Create, Import… and dropping files anywhere on the page. */
export function wireFiles() {
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
}
