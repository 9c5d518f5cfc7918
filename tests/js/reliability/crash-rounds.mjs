// Crash atomicity of a journaled flush, for any program that speaks the
// protocol of `examples/flush_crash.rs` (`run DIR` flushes 8 MiB — 2048
// pages of 4 KiB in 128 runs, of a file of 2176 pages — generation after
// generation, printing `flushing G` and `flushed G`; `check DIR` recovers
// the file's journal, as any open does): the program is SIGKILLed at
// random moments in the first four fifths of its 1st, 2nd or 3rd flush (of
// the median duration of flushes so far: most kills land inside one), and
// every fifth time just after a flush returned. After each kill it is
// started in `check` mode and this module reads the file itself: every
// written page must hold one generation, the same for all of them (the
// last flushed one, or the one whose flush was cut; after a flush
// returned, that one), and every page no flush writes must be as it was.
// No journal may be left. Needs no npm packages. wasi-crash.mjs runs it
// over the WASI build of flush_crash.rs, node-crash.mjs over the npm
// package's directory store in Node (node-flush-crash.mjs).
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository's root. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const KILLS = Number(process.env.VMMAP_CRASH_KILLS ?? 20);
const PAGE = 4096;
const PAGES = 2176; // 8.5 MiB; the 2048 pages with p % 17 != 0 are written
const UNTOUCHED = 0xdeadbeef; // the generation word of pages no flush writes

const written = (p) => p % 17 !== 0;

/** The initial file: generation 0 on written pages, UNTOUCHED on the others. */
function initial() {
  const bytes = Buffer.alloc(PAGES * PAGE);
  for (let p = 0; p < PAGES; p++) {
    const g = written(p) ? 0 : UNTOUCHED;
    for (let i = 0; i < PAGE; i += 8) {
      bytes.writeUInt32LE(g, p * PAGE + i);
      bytes.writeUInt32LE(p, p * PAGE + i + 4);
    }
  }
  return bytes;
}

/** The one generation every written page holds, or a description of the mix. */
function classify(bytes) {
  assert.equal(bytes.length, PAGES * PAGE, "the file's length changed");
  let generation;
  for (let p = 0; p < PAGES; p++) {
    const g = bytes.readUInt32LE(p * PAGE);
    for (let i = 0; i < PAGE; i += 8) {
      const [wg, wp] = [bytes.readUInt32LE(p * PAGE + i), bytes.readUInt32LE(p * PAGE + i + 4)];
      if (wg !== g || wp !== p) return { mix: `page ${p} is torn at byte ${i} (${wg}/${wp})` };
    }
    if (!written(p)) {
      if (g !== UNTOUCHED) return { mix: `page ${p}, which no flush writes, holds generation ${g}` };
      continue;
    }
    generation ??= g;
    if (g !== generation) return { mix: `page ${p} holds generation ${g}, page 1 ${generation}` };
  }
  return { generation };
}

/**
 * Runs the program in `dir` with `mode` (`command(mode)` gives its
 * `[file, ...args]`, run with `.` as its directory argument); `onLine` sees
 * each line of its stdout as it comes.
 */
function start(command, dir, mode, onLine = () => {}) {
  const [file, ...args] = command(mode);
  const child = spawn(file, [...args, mode, "."], {
    cwd: dir,
    // A scratch /tmp (WASI's runner makes one, which a kill leaves behind) goes in here.
    env: { ...process.env, TMPDIR: join(dir, "scratch") },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines = [];
  let rest = "";
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (chunk) => {
    const parts = (rest + chunk).split("\n");
    rest = parts.pop();
    for (const line of parts) {
      lines.push({ line, at: performance.now() });
      onLine(line, child);
    }
  });
  const exited = new Promise((done) => child.on("close", (code, signal) => done({ code, signal, lines })));
  return { child, exited };
}

const sleep = (ms) => new Promise((done) => setTimeout(done, ms));

/** How many kills a run makes: `VMMAP_CRASH_KILLS`, 20 by default. */
export const kills = KILLS;

/**
 * SIGKILLs the program that `command(mode)` starts (see the header)
 * `VMMAP_CRASH_KILLS` times and checks the file after each kill; `label`
 * names the run in what it prints.
 */
export async function crashRounds(label, command) {
  const dir = await mkdtemp(join(tmpdir(), `vmmap-${label}-`));
  await mkdir(join(dir, "scratch"));
  const data = join(dir, "data");
  await writeFile(data, initial());
  let known = 0; // the generation the file holds, checked
  const durations = []; // of the flushes seen so far, in ms
  const flushMs = () => durations.length === 0 ? 50 : durations.toSorted((a, b) => a - b)[durations.length >> 1];
  // Kills while a flush ran end `old` or `new`; kills between flushes
  // (most just after one returned) find the last flushed one: `present`.
  // `journals`: kills that left a journal; `replayed`: flushes it completed.
  const counts = {
    kills: 0, inFlush: 0, afterFlushed: 0, old: 0, new: 0, present: 0, mixed: 0, journals: 0, replayed: 0,
  };
  try {
    for (let round = 1; round <= KILLS; round++) {
      // Every fifth round: the moment a flush returned. The others: at a
      // random moment in the first four fifths of the 1st, 2nd or 3rd flush.
      const justAfter = round % 5 === 0;
      let flushes = 1 + Math.floor(Math.random() * 3);
      const run = start(command, dir, "run", (line, child) => {
        if (justAfter && line.startsWith("flushed ")) child.kill("SIGKILL");
        else if (!justAfter && line.startsWith("flushing ") && --flushes === 0) {
          sleep(Math.random() * 0.8 * flushMs()).then(() => child.kill("SIGKILL"));
        }
      });
      const { code, signal, lines } = await run.exited;
      assert.equal(signal, "SIGKILL", `the program ended by itself (exit ${code})`);
      counts.kills++;
      // What the program said before it died: the last flush that returned,
      // and whether one had started after it.
      let flushed = known;
      let flushing;
      for (const { line } of lines) {
        const [word, g] = line.split(" ");
        if (word === "flushed") (flushed = Number(g)), (flushing = undefined);
        else if (word === "flushing") flushing = Number(g);
      }
      for (let i = 1; i < lines.length; i++) {
        const [a, b] = [lines[i - 1], lines[i]];
        if (a.line.startsWith("flushing") && b.line.startsWith("flushed")) {
          durations.push(b.at - a.at);
        }
      }
      if (flushing !== undefined) counts.inFlush++;
      else if (justAfter) counts.afterFlushed++;

      // A kill after the journal was written and before its header was
      // cleared (zeroed) leaves it for the next open: replayed if whole.
      const journal = `${data}.vmmap-journal`;
      const header = existsSync(journal) ? (await readFile(journal)).subarray(0, 56) : Buffer.alloc(0);
      const leftJournal = header.some((byte) => byte !== 0);
      if (leftJournal) counts.journals++;
      const check = await start(command, dir, "check").exited;
      assert.equal(check.code, 0, "the check run failed");
      assert.ok(!existsSync(journal), "a journal was left after recovery");
      const { generation, mix } = classify(await readFile(data));
      if (mix !== undefined) {
        counts.mixed++;
        assert.fail(`round ${round}: ${mix} (last flushed ${flushed}, flushing ${flushing})`);
      }
      if (flushing !== undefined && generation === flushed) counts.old++;
      else if (flushing !== undefined && generation === flushing) {
        counts.new++;
        if (leftJournal) counts.replayed++;
      }
      else if (flushing === undefined && generation === flushed) counts.present++;
      else {
        assert.fail(
          `round ${round}: the file holds generation ${generation}; ` +
            `the last flush that returned wrote ${flushed}` +
            (flushing === undefined ? "" : `, the cut one ${flushing}`),
        );
      }
      known = generation;
    }
    console.log(
      `${label}: ${counts.kills} kills; ${counts.inFlush} while a flush ran: ${counts.old} old, ` +
        `${counts.new} new; ${counts.kills - counts.inFlush} between flushes ` +
        `(${counts.afterFlushed} just after one returned): ${counts.present} with the last flush present; ` +
        `${counts.mixed} mixed. ${counts.journals} kills left a journal; replaying it completed ` +
        `${counts.replayed} of the new ones. An 8 MiB flush takes about ${flushMs().toFixed(0)} ms here (median)`,
    );
    assert.ok(counts.inFlush >= Math.floor(KILLS / 3), "too few kills landed inside a flush");
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
