// `examples/flush_crash.rs` for Node: the same protocol (crash-rounds.mjs)
// over the npm package's directory store (pkg/, built by
// scripts/build-pkg.sh), which node-crash.mjs SIGKILLs mid-flush.
//
// `node node-flush-crash.mjs run DIR` maps DIR/data and, for ever, writes
// generation G + 1 over every page p with p % 17 != 0 (each 8 bytes: G + 1
// and p, as little-endian u32s; half through `setSlice`, half through the
// zero-copy `view()`), prints `flushing G+1`, flushes, prints `flushed
// G+1`. G is what page 1 holds when it starts. `check DIR` opens the store,
// asks the file's size and maps it for reading (each of which recovers a
// journal a kill left) and prints `recovered LEN`.
import init, { FileStore, PAGESIZE } from "../../../pkg/node.js";

const UNTOUCHED_EVERY = 17;

/** Page `p` of generation `g`. */
function pageOf(g, p) {
  const bytes = new Uint8Array(PAGESIZE);
  const words = new DataView(bytes.buffer);
  for (let i = 0; i < PAGESIZE; i += 8) {
    words.setUint32(i, g, true);
    words.setUint32(i + 4, p, true);
  }
  return bytes;
}

async function run(dir) {
  const store = await FileStore.open(dir);
  const m = await store.map("data");
  const names = await store.list();
  if (names.join() !== "data") throw new Error(`the store lists ${names}, not only the file`);
  const pages = m.length / PAGESIZE;
  let g = new DataView(m.slice(PAGESIZE, PAGESIZE + 4).buffer).getUint32(0, true);
  for (;;) {
    g += 1;
    for (let p = 0; p < pages; p++) {
      if (p % UNTOUCHED_EVERY === 0) continue;
      if (p % 2 === 0) m.setSlice(p * PAGESIZE, pageOf(g, p));
      else m.view().set(pageOf(g, p), p * PAGESIZE);
    }
    console.log(`flushing ${g}`);
    await m.flush();
    console.log(`flushed ${g}`);
  }
}

async function check(dir) {
  const store = await FileStore.open(dir);
  const len = await store.size("data");
  const m = await store.map("data", { access: "read" });
  console.log(`recovered ${len} ${m.length}`);
  m.close();
}

const [mode, dir] = process.argv.slice(2);
await init();
if (mode === "run") await run(dir);
else if (mode === "check") await check(dir);
else {
  console.error("usage: node node-flush-crash.mjs run|check DIR");
  process.exitCode = 2;
}
