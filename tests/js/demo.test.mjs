// The demo page (www/) end to end, served the way the README's main command
// serves it (`scripts/demo.sh --serve-only` on a free port), in every engine
// of VMMAP_ENGINES over WebDriver (webdriver.mjs): create, edit, flush,
// reload; a 50 MiB import scrolled to its end; find; a refused write; a page
// map click; drop, export, delete, resize; no console errors. Each test's
// name ends in its engine.
// Screenshots go to target/screenshots/demo-<engine>-*.png.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, open, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { after, before, describe, test as nodeTest } from "node:test";
import { ENGINES, KEY, here, launch } from "./harness.mjs";

const repo = resolve(here, "../..");
const shots = join(repo, "target/screenshots");
const MiB = 1024 * 1024;

/** The engine whose tests are being registered (test names carry it). */
let named;
let engine, demo, br, page, scratch;
const test = (name, ...rest) => nodeTest(`${name} [${named}]`, ...rest);

/** Starts scripts/demo.sh --serve-only on a free port; resolves with its URL. */
function startDemo() {
  const child = spawn(join(repo, "scripts/demo.sh"), ["--serve-only"], {
    env: { ...process.env, PORT: "0" },
    stdio: ["ignore", "pipe", "inherit"],
    detached: true,
  });
  const url = new Promise((ok, fail) => {
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      const m = /vmmap demo: (\S+)/.exec(out);
      if (m) ok(m[1]);
    });
    child.on("exit", (code) => fail(new Error(`scripts/demo.sh --serve-only exited (${code}) before serving`)));
    setTimeout(() => fail(new Error("scripts/demo.sh printed no URL in 30 s")), 30000);
  });
  return { url, stop: () => { try { process.kill(-child.pid); } catch { /* gone */ } } };
}

/**
 * Installed in the page after each load: what it logs as an error, throws
 * or rejects without a handler (WebDriver classic reports none of these),
 * and the downloads it starts. A download is a click on an <a download>;
 * it is kept, not started: the test reads its bytes through its blob: URL,
 * since classic WebDriver has no download event.
 */
function watch() {
  if (window.watched) return;
  window.watched = true;
  window.consoleErrors = [];
  const error = console.error;
  console.error = (...a) => {
    window.consoleErrors.push(a.map(String).join(" "));
    error.apply(console, a);
  };
  addEventListener("error", (e) => window.consoleErrors.push(String(e.error?.stack ?? e.message)));
  addEventListener("unhandledrejection", (e) => window.consoleErrors.push(String(e.reason?.stack ?? e.reason)));
  window.downloads = [];
  HTMLAnchorElement.prototype.click = function () {
    if (this.hasAttribute("download")) {
      const href = this.href;
      window.downloads.push({
        name: this.download,
        bytes: fetch(href).then((r) => r.arrayBuffer()).then((b) => new Uint8Array(b)),
      });
    }
  };
}

const consoleErrors = [];
/** Keeps what the page logged so far (a reload starts a new log). */
async function collectErrors() {
  consoleErrors.push(...((await page.evaluate(() => window.consoleErrors)) ?? []));
}

const shot = (name) => page.screenshot(join(shots, `demo-${engine}-${name}.png`));
const textOf = (css) => page.evaluate((css) => document.querySelector(css)?.textContent ?? null, css);
const msg = () => textOf("#msg");
const banner = () => textOf("#banner");
const hexCell = (i) => `#hex-rows .x b[data-i="${i}"]`;
const textCell = (i) => `#hex-rows .a b[data-i="${i}"]`;
const count = (css) => page.evaluate((css) => document.querySelectorAll(css).length, css);
const allText = (css) => page.evaluate((css) => [...document.querySelectorAll(css)].map((e) => e.textContent), css);
/** Replaces an input's text, typing as a user would (WebDriver Element Clear, Send Keys). */
async function fill(css, value) {
  await page.clear(css);
  if (value) await page.sendKeys(css, value);
}
const press = (css, key) => page.sendKeys(css, key);
/** Picks an option of a <select> as a user would: its value, then input and change events. */
const selectOption = (css, value) => page.evaluate(([css, value]) => {
  const s = document.querySelector(css);
  s.value = value;
  s.dispatchEvent(new Event("input", { bubbles: true }));
  s.dispatchEvent(new Event("change", { bubbles: true }));
}, [css, value]);
async function waitMsg(re) {
  await page.waitFor((src) => new RegExp(src).test(document.getElementById("msg").textContent), re.source, 120000);
  return msg();
}
async function ready() {
  await page.waitFor(() => document.body?.hasAttribute("data-ready"), null, 30000);
  await page.evaluate(watch);
}
async function reload() {
  await collectErrors();
  await page.reload();
  await ready();
}
/** The bytes of `name` as stored in IndexedDB, read with the package itself, not the page's code. */
const stored = (name, start, end) => page.evaluate(async ([name, start, end]) => {
  const { FileStore } = await import("/pkg/vmmap.js");
  const s = await FileStore.open("vmmap-demo");
  const b = await s.readFile(name);
  s.close();
  return [...b.slice(start, end)];
}, [name, start, end]);
/**
 * A wheel turn of `dy` pixels at (x, y) of the viewport: WebDriver's wheel
 * input where the driver has it, else (said in the output) a WheelEvent
 * dispatched at that point.
 */
async function wheel(x, y, dy) {
  try {
    await page.actions([{ type: "wheel", id: "wheel", actions: [{ type: "scroll", x, y, deltaX: 0, deltaY: dy, origin: "viewport" }] }]);
  } catch (e) {
    console.log(`# ${engine}: no WebDriver wheel input (${e.message.split("\n")[0]}): a WheelEvent dispatched at (${x}, ${y}) instead`);
    await page.evaluate(([x, y, dy]) => {
      document.elementFromPoint(x, y).dispatchEvent(new WheelEvent("wheel", { deltaY: dy, clientX: x, clientY: y, bubbles: true, cancelable: true }));
    }, [x, y, dy]);
  }
}
async function mapFile(name, access, offset = "", length = "") {
  await selectOption("#map-name", name);
  await selectOption("#map-access", access);
  await fill("#map-offset", offset);
  await fill("#map-length", length);
  await page.click("#map-open");
  await waitMsg(new RegExp(`Mapped “${name}”`));
}

for (const e of ENGINES) {
  describe(e, () => {
    named = e;
    before(async () => {
      engine = e;
      await mkdir(shots, { recursive: true });
      scratch = await mkdtemp(join(tmpdir(), "vmmap-demo-"));
      demo = startDemo();
      const url = await demo.url;
      br = await launch(e);
      page = await br.openPage();
      await page.setWindowSize(1280, 800);
      await page.goto(url);
      await ready();
    });
    after(async () => {
      await br?.close();
      demo?.stop();
      if (scratch) await rm(scratch, { recursive: true, force: true });
    });
    suite();
  });
}

function suite() {
describe("the demo page", () => {
  test("the first visit makes welcome.txt and maps it for writing", async () => {
    assert.match(await textOf("#files"), /welcome\.txt/);
    assert.match(await banner(), /Everything in “welcome.txt” is persisted/);
    assert.equal(await textOf(textCell(0)), "W");
    assert.match(await textOf("#pages-info"), /3 pages × 4096 B · 0 dirty/);
    await shot("1-welcome");
  });

  test("create a file, edit bytes in hex and text, flush, reload: the bytes stay", async () => {
    await fill("#new-name", "notes.bin");
    await fill("#new-size", "16 KiB");
    await page.click("#create");
    assert.match(await waitMsg(/Created “notes.bin”/), /16,384 zero bytes/);
    await page.click(hexCell(16));
    await page.type("cafe");
    assert.equal(await textOf(hexCell(16)), "ca");
    assert.equal(await textOf(hexCell(17)), "fe");
    await fill("#goto", "0x1004");
    await press("#goto", KEY.Enter);
    await page.click(textCell(0x1004));
    await page.type("hi!");
    assert.equal(await textOf(hexCell(0x1005)), "69");
    assert.match(await banner(), /2 pages \(8 KiB\) of “notes.bin” not yet flushed: only in memory, a reload now loses them/);
    assert.match(await textOf("#pages-info"), /2 dirty/);
    assert.deepEqual(await stored("notes.bin", 16, 18), [0, 0], "nothing is in IndexedDB before the flush");
    await shot("2-edited");

    await page.click("#flush");
    const flushed = await waitMsg(/Flushed “notes.bin”/);
    assert.match(flushed, /2 pages \(8 KiB\) written to IndexedDB/);
    assert.match(await textOf("#flush-result"), /2 pages, 8,192 bytes, committed in [\d.]+ ms/);
    assert.match(await banner(), /Everything in “notes.bin” is persisted/);
    assert.deepEqual(await stored("notes.bin", 16, 18), [0xca, 0xfe]);
    await shot("3-flushed");

    // An edit not flushed is gone after a reload; the flushed ones stay.
    await page.click(hexCell(0x1010));
    await page.type("77");
    assert.match(await banner(), /1 page .* not yet flushed/);
    await reload();
    assert.match(await msg(), /Reopened “notes.bin”/);
    assert.match(await banner(), /Everything in “notes.bin” is persisted/);
    await fill("#goto", "0x10");
    await press("#goto", KEY.Enter);
    assert.equal(await textOf(hexCell(16)), "ca");
    assert.equal(await textOf(hexCell(17)), "fe");
    await fill("#goto", "0x1004");
    await press("#goto", KEY.Enter);
    assert.deepEqual(
      await Promise.all([0x1004, 0x1005, 0x1006].map((i) => textOf(textCell(i)))),
      ["h", "i", "!"],
    );
    assert.equal(await textOf(hexCell(0x1010)), "00", "the unflushed edit is gone");
  });

  test("a write to a read-only map shows the error and changes nothing", async () => {
    await mapFile("notes.bin", "read");
    assert.match(await banner(), /read-only/);
    await page.click(hexCell(16));
    await page.type("0");
    const m = await msg();
    assert.match(m, /TypeError/);
    assert.match(m, /read-only.*Nothing was changed: map the file with access “write”/);
    assert.equal(await textOf(hexCell(16)), "ca");
    assert.match(await textOf("#pages-info"), /0 dirty/);
    await shot("4-read-only");

    // More errors, each one a message and no change: resize of a read map,
    // an offset out of range, a misaligned window, a bad hex needle.
    await fill("#resize-size", "8192");
    await page.click("#resize");
    assert.match(await msg(), /TypeError.*cannot be resized: nothing was changed/);
    await fill("#goto", "99999");
    await press("#goto", KEY.Enter);
    assert.match(await msg(), /out of range: the map holds file bytes 0x00000000 to 0x00003fff/);
    await selectOption("#map-access", "write");
    await fill("#map-offset", "4096");
    await page.click("#map-open");
    assert.match(await msg(), /not a multiple of 65,536/);
    await fill("#map-offset", "0");
    await fill("#map-length", "1 MiB");
    await page.click("#map-open");
    assert.match(await waitMsg(/failed/), /RangeError/);
    await selectOption("#find-mode", "hex");
    await fill("#find", "ca f");
    await press("#find", KEY.Enter);
    assert.match(await msg(), /not hex bytes/);
    assert.match(await banner(), /“notes.bin” is mapped read-only/, "the read map is still open");

    // A copy map takes edits in memory; Flush explains that the file never changes.
    await mapFile("notes.bin", "copy");
    await page.click(hexCell(16));
    await page.type("00");
    assert.equal(await textOf(hexCell(16)), "00");
    assert.match(await banner(), /private copy: 1 page changed in memory only; the file in IndexedDB never changes/);
    await page.click("#flush");
    assert.match(await msg(), /A copy map never writes to the file/);
    assert.deepEqual(await stored("notes.bin", 16, 18), [0xca, 0xfe]);
  });

  test("a click on the page map scrolls to that page and selects its first byte", async () => {
    await mapFile("notes.bin", "read");
    // 4 pages: the page map draws them in one row of 28 px cells.
    await page.clickAt("#pagemap", 2 * 28 + 14, 14);
    assert.match(await textOf("#status"), /offset 0x0*2000 \(8,192\) .* page 2 /);
    assert.match(await textOf("#hex-rows .r .o"), /^0x0*2000$/, "page 2 is at the top");
  });

  test("find text and hex bytes: the match is highlighted; next and previous", async () => {
    await mapFile("welcome.txt", "write");
    await selectOption("#find-mode", "text");
    await fill("#find", "Reload");
    await press("#find", KEY.Enter);
    const first = await msg();
    assert.match(first, /“Reload” found at offset 0x([0-9a-f]+)/);
    assert.equal(await count("#hex-rows .x b.m"), 6);
    assert.deepEqual(await allText("#hex-rows .a b.m"), [..."Reload"]);
    await shot("5-find");
    // "Reload" appears once: next wraps around to the same match.
    await page.click("#find-next");
    assert.match(await msg(), /wrapped around/);
    await fill("#find", "page");
    await press("#find", KEY.Enter);
    const a = /offset (0x[0-9a-f]+)/.exec(await msg())[1];
    await page.click("#find-next");
    const b = /offset (0x[0-9a-f]+)/.exec(await msg())[1];
    assert.ok(parseInt(b, 16) > parseInt(a, 16));
    await page.click("#find-prev");
    assert.equal(/offset (0x[0-9a-f]+)/.exec(await msg())[1], a);
    await fill("#find", "no such text anywhere");
    await press("#find", KEY.Enter);
    assert.match(await msg(), /not found/);

    await mapFile("notes.bin", "write");
    await selectOption("#find-mode", "hex");
    await fill("#find", "ca fe");
    await press("#find", KEY.Enter);
    assert.match(await msg(), /bytes ca fe found at offset 0x00000010/);
  });

  test("import a 50 MiB file with the file picker, then scroll to its end", async () => {
    // Every 4-byte word holds its own offset (big-endian): any row can be checked.
    const path = join(scratch, "big.bin");
    const f = await open(path, "w");
    const part = Buffer.alloc(2 * MiB);
    for (let base = 0; base < 50 * MiB; base += part.length) {
      for (let o = 0; o < part.length; o += 4) part.writeUInt32BE(base + o, o);
      await f.write(part);
    }
    await f.close();

    const t0 = Date.now();
    await page.sendKeys("#import-input", path); // WebDriver: a file path typed into the file input
    await page.waitFor(() => document.getElementById("import-bar").value > 0, null, 60000);
    const imported = await waitMsg(/Imported “big.bin”/);
    const importMs = Date.now() - t0;
    assert.match(imported, /50 MiB/);
    assert.match(await textOf("#import-text"), /50 MiB imported/);
    assert.match(await textOf("#pages-info"), /12,800 pages/);

    // Drag the scrollbar to the bottom: the last row is the file's last 16 bytes.
    await page.evaluate(() => {
      const s = document.getElementById("hex-scroll");
      s.scrollTop = s.scrollHeight;
    });
    const last = 50 * MiB - 16;
    await page.waitFor((i) => document.querySelector(`#hex-rows .x b[data-i="${i}"]`), last);
    const row = await textOf(`#hex-rows .r:has(b[data-i="${last}"])`);
    assert.match(row, /^0x031ffff0/);
    assert.match(row, /031ffff0031ffff4031ffff8031ffffc/, "the hex column shows the last offsets");
    assert.deepEqual(
      await Promise.all([0, 1, 2, 3, 15].map((k) => textOf(hexCell(last + k)))),
      ["03", "1f", "ff", "f0", "fc"],
    );
    // Ctrl+End selects the last byte; a wheel turn scrolls back by rows.
    await page.evaluate(() => document.getElementById("hex").focus());
    await page.press([KEY.Control], KEY.End);
    assert.match(await textOf("#status"), /offset 0x031fffff \(52,428,799\)/);
    await wheel(600, 400, -200);
    await page.waitFor(() => !document.querySelector(`#hex-rows .x b[data-i="${50 * 1024 * 1024 - 1}"]`));
    await page.press([KEY.Control], KEY.End);
    await shot("6-big-end");

    // Scrolling cost: jump the scrollbar to 200 places, one frame each; the
    // page's own count of what drawing the visible rows took.
    const r = await page.evaluate(async () => {
      const s = document.getElementById("hex-scroll");
      const stats = window.vmmapDemoStats;
      const [n0, ms0] = [stats.renders, stats.totalMs];
      stats.maxMs = 0;
      const t0 = performance.now();
      for (let k = 0; k < 200; k++) {
        s.scrollTop = ((k * 7919) % 200) / 200 * (s.scrollHeight - s.clientHeight);
        await new Promise(requestAnimationFrame);
      }
      return {
        frameMs: (performance.now() - t0) / 200,
        renderMs: (stats.totalMs - ms0) / (stats.renders - n0),
        maxMs: stats.maxMs,
      };
    });
    console.log(`# ${engine}: 50 MiB: import + map ${importMs} ms; scrolling: ${r.frameMs.toFixed(1)} ms a frame, `
      + `drawing the rows ${r.renderMs.toFixed(2)} ms on average, ${r.maxMs.toFixed(2)} ms at most`);
    // Bounds loose enough for a loaded CI machine: within a frame's budget.
    assert.ok(r.renderMs < 16, `drawing the rows took ${r.renderMs} ms on average`);
    assert.ok(r.frameMs < 100, `a scrolled frame took ${r.frameMs} ms`);
  });

  test("drop a file on the page: it is imported and mapped", async () => {
    await page.evaluate(() => {
      const dt = new DataTransfer();
      dt.items.add(new File(["dropped on the page\n"], "dropped.txt"));
      const ev = (type) => new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true });
      document.body.dispatchEvent(ev("dragenter"));
      document.body.dispatchEvent(ev("dragover"));
      document.body.dispatchEvent(ev("drop"));
    });
    assert.match(await waitMsg(/Imported “dropped.txt”/), /20 B/);
    assert.equal(await page.evaluate(() => document.getElementById("drop").checkVisibility?.() ?? document.getElementById("drop").offsetParent !== null), false);
    assert.deepEqual(await stored("dropped.txt", 0, 7), [..."dropped"].map((c) => c.charCodeAt(0)));
  });

  test("export offers the stored bytes as a download (read through the link's blob: URL: WebDriver classic has no download event); resize; delete", async () => {
    await page.evaluate(() => (window.downloads.length = 0));
    await page.click('#files li[data-name="notes.bin"] .export');
    await waitMsg(/Exported “notes.bin”/);
    const download = await page.evaluate(async () => {
      const d = window.downloads[0];
      const b = d && (await d.bytes);
      return d && { count: window.downloads.length, name: d.name, size: b.length, head: [...b.subarray(0, 18)] };
    });
    assert.ok(download, "the export started a download");
    assert.equal(download.count, 1);
    assert.equal(download.name, "notes.bin");
    assert.equal(download.size, 16384);
    assert.deepEqual(download.head.slice(16), [0xca, 0xfe]);

    await mapFile("notes.bin", "write");
    await fill("#resize-size", "20000");
    await page.click("#resize");
    assert.match(await waitMsg(/Resized/), /from 16,384 to 20,000 bytes/);
    assert.match(await textOf("#pages-info"), /5 pages/);
    assert.match(await textOf('#files li[data-name="notes.bin"]'), /19\.5 KiB/);

    const del = '#files li[data-name="dropped.txt"] .delete';
    await page.click(del);
    assert.equal(await textOf(del), "sure?");
    await page.click(del);
    assert.match(await waitMsg(/Deleted “dropped.txt”/), /IndexedDB/);
    assert.equal(await count('#files li[data-name="dropped.txt"]'), 0);
    await shot("7-files");
  });

  test("the README's screenshot: a flushed page, a dirty page, a match", async () => {
    await mapFile("welcome.txt", "write");
    await fill("#goto", "0x1000");
    await press("#goto", KEY.Enter);
    await page.click(textCell(0x1000));
    await page.type("EDITED+FLUSHED");
    await page.click("#flush");
    await waitMsg(/Flushed “welcome.txt”: 1 page/);
    await fill("#goto", "0");
    await press("#goto", KEY.Enter);
    await page.click(textCell(0));
    await page.type("WELCOME");
    await selectOption("#find-mode", "text");
    await fill("#find", "IndexedDB");
    await press("#find", KEY.Enter);
    await waitMsg(/found at offset/);
    assert.match(await banner(), /1 page \(4 KiB\) of “welcome.txt” not yet flushed/);
    await shot("readme");
  });

  test("no console errors (console.error, uncaught errors and rejections, watched from each load on)", async () => {
    await collectErrors();
    assert.deepEqual(consoleErrors.splice(0), []);
  });
});
}
