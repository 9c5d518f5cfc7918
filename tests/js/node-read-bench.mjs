// Reading a 256 MiB file out of the npm package's directory store in Node:
// `readFileStream` read to the end, `readFileBlob` and `readFile`, each in a
// fresh Node process (wasm memory never shrinks, so a read after another
// would hide its growth), next to `fs.createReadStream` (its default 64 KiB
// chunks, and vmmap's 512 KiB) and `fs.readFileSync` of the same file. Reports the time, the growth of wasm
// memory (`memory.buffer.byteLength`) and of the process's RSS. Needs pkg/
// built (scripts/build-pkg.sh); VMMAP_PKG=/path/to/pkg measures another
// build (an older one: the before of BENCHMARKS.md). Never asserts.
//   node tests/js/node-read-bench.mjs            # ROUNDS=5 MIB=256
import { fork } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const MiB = 1 << 20;
const size = Number(process.env.MIB ?? 256) * MiB;
const rounds = Number(process.env.ROUNDS ?? 5);
const pkg = path.resolve(process.env.VMMAP_PKG || fileURLToPath(new URL("../../pkg", import.meta.url)));

/** In a child process: one read of `file` in `dir` by `how`, measured. */
async function child(how, dir) {
  const memoryOf = { buffer: { byteLength: 0 } };
  let memory = memoryOf;
  let store;
  if (how.startsWith("vmmap")) {
    const { default: init, FileStore } = await import(pathToFileURL(path.join(pkg, "node.js")));
    memory = (await init()).memory;
    store = await FileStore.open(dir);
    // The store's first call compiles what it calls: not part of the read.
    await store.size("f");
  }
  const wasm0 = memory.buffer.byteLength;
  const rss0 = process.memoryUsage().rss;
  const t0 = performance.now();
  let bytes = 0;
  if (how === "vmmap readFileStream") {
    const reader = store.readFileStream("f").getReader();
    for (let r = await reader.read(); !r.done; r = await reader.read()) bytes += r.value.length;
  } else if (how === "vmmap readFileBlob") {
    bytes = (await store.readFileBlob("f")).size;
  } else if (how === "vmmap readFile") {
    bytes = (await store.readFile("f")).length;
  } else if (how.startsWith("fs.createReadStream")) {
    const highWaterMark = how.includes("512 KiB") ? 512 * 1024 : undefined;
    for await (const chunk of fs.createReadStream(path.join(dir, "f"), { highWaterMark })) bytes += chunk.length;
  } else {
    bytes = fs.readFileSync(path.join(dir, "f")).length;
  }
  const ms = performance.now() - t0;
  return {
    ms, bytes,
    wasm: (memory.buffer.byteLength - wasm0) / MiB,
    rss: (process.memoryUsage().rss - rss0) / MiB,
  };
}

if (process.argv[2] === "--child") {
  process.send(await child(process.argv[3], process.argv[4]));
  process.exit(0);
}

const run = (how, dir) =>
  new Promise((ok, fail) => {
    const p = fork(fileURLToPath(import.meta.url), ["--child", how, dir]);
    p.on("message", ok);
    p.on("exit", (code) => code && fail(new Error(`${how}: the child exited with ${code}`)));
  });
const median = (xs) => xs.toSorted((a, b) => a - b)[xs.length >> 1];
const range = (xs) => `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}`;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vmmap-read-bench-"));
try {
  const piece = Buffer.alloc(MiB);
  const fd = fs.openSync(path.join(dir, "f"), "w");
  for (let i = 0; i < size / MiB; i++) fs.writeSync(fd, piece.fill(i % 251));
  fs.closeSync(fd);
  const hows = ["vmmap readFileStream", "vmmap readFileBlob", "vmmap readFile", "fs.createReadStream", "fs.createReadStream, 512 KiB chunks", "fs.readFileSync"];
  const seen = Object.fromEntries(hows.map((h) => [h, []]));
  // Taken in turns, round by round: the disk and the cores are shared.
  for (let r = 0; r < rounds; r++) for (const how of hows) seen[how].push(await run(how, dir));
  console.log(`Node ${process.version}, ${os.cpus().length} cores, ${size / MiB} MiB file in ${os.tmpdir()}, pkg ${pkg}, ${rounds} rounds (median, range)\n`);
  console.log("| read | time | wasm memory growth | RSS growth |\n|---|---|---|---|");
  for (const how of hows) {
    const xs = seen[how];
    if (xs.some((x) => x.bytes !== size)) throw new Error(`${how} read ${xs.map((x) => x.bytes)} bytes`);
    const ms = xs.map((x) => x.ms);
    const wasm = how.startsWith("vmmap") ? `${median(xs.map((x) => x.wasm)).toFixed(0)} MiB` : "—";
    console.log(`| ${how} | ${median(ms).toFixed(0)} ms (${range(ms)}) | ${wasm} | ${median(xs.map((x) => x.rss)).toFixed(0)} MiB (${range(xs.map((x) => x.rss))}) |`);
  }
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
