// The worker that reliability/opfs-crash.mjs SIGKILLs (with all of
// Chromium) in the middle of flushes of an OPFS store. Messages:
//   ["init", size]   writes data.bin: generation 0 on every page
//   ["run", g]       maps it and, for ever, writes generation g + 1 over the
//                    changed pages (half through setSlice, half through a
//                    view), posts "ready G", waits for ["go"], flushes,
//                    posts "flushed G", waits for ["go"]
//   ["check"]        opens the store (which replays or discards a journal a
//                    kill left), maps the file and posts which generation
//                    each page holds
// Page p of generation g: every byte (g * 31 + p * 7 + i) & 255 on changed
// pages (p % 4 === 1); unchanged pages hold (p * 13 + i * 3) & 255 always.
import init, { FileStore, PAGESIZE } from "/pkg/vmmap.js";

const changed = (p) => p % 4 === 1;
function page(g, p) {
  const b = new Uint8Array(PAGESIZE);
  for (let i = 0; i < PAGESIZE; i++) b[i] = changed(p) ? (g * 31 + p * 7 + i) & 255 : (p * 13 + i * 3) & 255;
  return b;
}

const open = async () => {
  await init();
  return FileStore.open("crash", { store: "opfs" });
};

const steps = {
  async init(size) {
    const store = await open();
    const file = new Uint8Array(size);
    for (let p = 0; p < size / PAGESIZE; p++) file.set(page(0, p), p * PAGESIZE);
    await store.writeFile("data.bin", file);
    postMessage("ready");
  },
  async run(g) {
    const m = await (await open()).map("data.bin");
    for (;;) {
      g += 1;
      const view = m.view();
      for (let p = 0; p < m.length / PAGESIZE; p++) {
        if (!changed(p)) continue;
        if (p % 8 === 1) m.setSlice(p * PAGESIZE, page(g, p));
        else view.set(page(g, p), p * PAGESIZE);
      }
      // The driver says when to flush and when to go on, so that it always
      // knows which flush may be running when it kills (messages in flight
      // die with Chromium).
      postMessage(`ready ${g}`);
      await go();
      await m.flush();
      postMessage(`flushed ${g}`);
      await go();
    }
  },
  async check() {
    // Whether a kill left a commit in the journal (a header not zeroed),
    // read with the File API before the store's open replays it.
    let journal = false;
    try {
      const dir = await (await navigator.storage.getDirectory()).getDirectoryHandle("crash");
      const file = await (await dir.getFileHandle("data.bin.vmmap-journal")).getFile();
      journal = new Uint8Array(await file.slice(0, 56).arrayBuffer()).some((x) => x !== 0);
    } catch {
      // no journal
    }
    const store = await open();
    const m = await store.map("data.bin", { access: "read" });
    const bytes = m.slice();
    const same = (a, b) => a.every((x, i) => x === b[i]);
    const generations = [];
    let untouchedBad = 0;
    for (let p = 0; p < bytes.length / PAGESIZE; p++) {
      const got = bytes.subarray(p * PAGESIZE, (p + 1) * PAGESIZE);
      if (!changed(p)) {
        if (!same(got, page(0, p))) untouchedBad++;
        continue;
      }
      // The generation is in byte 0: (g * 31 + p * 7) & 255 = got[0]; check the page is whole.
      let g = 0;
      while (g < 256 && (((g * 31 + p * 7) & 255) !== got[0])) g++;
      generations.push(same(got, page(g, p)) ? g : -1);
    }
    postMessage({ generations: [...new Set(generations)], untouchedBad, listed: await store.list(), journal });
  },
};

/** Resolves at the driver's next "go". */
let wake;
const go = () => new Promise((ok) => (wake = ok));

onmessage = ({ data: [step, arg] }) => {
  if (step === "go") return wake?.();
  steps[step](arg).catch((e) => postMessage({ error: `${e.name}: ${e.message}` }));
};
