// The browsers of the JS suites, driven over classic W3C WebDriver (plain
// HTTP, no client library): Chromium through chromedriver, Firefox ESR
// through geckodriver, WebKitGTK through WebKitWebDriver. Each browser is
// started by its own driver process, which is put in a process group of its
// own: `kill()` SIGKILLs the whole group (driver, browser and its children),
// as a crash or a power cut would.
//
//   VMMAP_ENGINES="chromium firefox webkit"   which engines the suites run in
//                                             (the default: all three)
// WebKit's MiniBrowser has no headless mode: run the tests under `xvfb-run -a`.
import { execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** The engines named in VMMAP_ENGINES, in order; an unknown name throws. */
export const ENGINES = (process.env.VMMAP_ENGINES ?? "chromium firefox webkit").split(/\s+/).filter(Boolean);
for (const e of ENGINES) {
  if (!["chromium", "firefox", "webkit"].includes(e)) {
    throw new Error(`VMMAP_ENGINES: unknown engine "${e}" (chromium, firefox, webkit)`);
  }
}

/** Debian's Chromium, or the one `CHROMIUM` names. */
export const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";
const CHROMEDRIVER = process.env.CHROMEDRIVER ?? "/usr/bin/chromedriver";
const FIREFOX = process.env.FIREFOX ?? "/usr/bin/firefox-esr";
const WEBKITDRIVER = process.env.WEBKITDRIVER ?? "/usr/bin/WebKitWebDriver";
/** WebKitGTK's MiniBrowser, which WebKitWebDriver starts with --automation. */
export const MINIBROWSER = process.env.MINIBROWSER ?? "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser";

/** A WebKitGTK browser that keeps its data (see the file). */
export const WEBKIT_BROWSER = fileURLToPath(new URL("reliability/webkit-browser.py", import.meta.url));

/**
 * Flags every Chromium runs with: as root in a sandbox-less container, and
 * with none of the background traffic this closed network refuses.
 */
export const CHROMIUM_FLAGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--disable-dev-shm-usage",
  "--window-size=1280,800",
];

function geckodriver() {
  if (process.env.GECKODRIVER) return process.env.GECKODRIVER;
  try {
    return execFileSync("sh", ["-c", "command -v geckodriver"], { encoding: "utf8" }).trim();
  } catch {
    throw new Error("geckodriver is not on PATH (scripts/lib.sh need_firefox installs it)");
  }
}

async function freePort() {
  const s = createServer();
  await new Promise((ok) => s.listen(0, "127.0.0.1", ok));
  const { port } = s.address();
  await new Promise((ok) => s.close(ok));
  return port;
}

/**
 * The driver's command line and the new-session capabilities for `engine`.
 * `profile`: a directory the browser keeps its data in (made if missing);
 * `prefs`: Firefox preferences. Chromium and Firefox keep their data in
 * `profile`; WebKit's MiniBrowser keeps none in automation mode, so with
 * `keepData` WebKit runs in reliability/webkit-browser.py instead, which keeps
 * it in `profile` (and takes `originStorageRatio`, each origin's quota as a
 * fraction of the volume).
 */
function driverAndCapabilities(engine, port, { profile, prefs = {}, keepData = false, originStorageRatio }) {
  switch (engine) {
    case "chromium":
      return {
        cmd: CHROMEDRIVER,
        args: [`--port=${port}`],
        caps: {
          browserName: "chrome",
          "goog:chromeOptions": {
            binary: CHROMIUM,
            args: [...CHROMIUM_FLAGS, `--user-data-dir=${profile}`, "--enable-precise-memory-info", "--js-flags=--expose-gc"],
          },
        },
      };
    case "firefox":
      return {
        cmd: geckodriver(),
        args: ["--port", String(port), "--binary", FIREFOX],
        caps: {
          browserName: "firefox",
          "moz:firefoxOptions": {
            binary: FIREFOX,
            // -profile: this very directory, kept across restarts (a
            // `profile` capability would be copied to a fresh one).
            args: ["-headless", "-profile", profile, "--width=1280", "--height=800"],
            prefs: {
              // No traffic this closed network refuses.
              "app.update.enabled": false,
              "network.connectivity-service.enabled": false,
              "browser.safebrowsing.malware.enabled": false,
              "browser.safebrowsing.phishing.enabled": false,
              "datareporting.policy.dataSubmissionEnabled": false,
              // navigator.storage.persist() asks the user in Firefox; headless,
              // nobody answers and it never resolves. Firefox's own tests
              // answer it with these: granted, as a user clicking "Allow".
              "dom.storageManager.prompt.testing": true,
              "dom.storageManager.prompt.testing.allow": true,
              ...prefs,
            },
          },
        },
      };
    case "webkit":
      if (!process.env.DISPLAY) {
        throw new Error("WebKit: MiniBrowser has no headless mode and needs an X display: run the tests under `xvfb-run -a`");
      }
      return {
        cmd: WEBKITDRIVER,
        args: [`--port=${port}`],
        caps: {
          "webkitgtk:browserOptions": keepData || originStorageRatio !== undefined
            ? {
              binary: "/usr/bin/python3",
              args: [WEBKIT_BROWSER, "--automation", "--data-dir", profile,
                ...(originStorageRatio === undefined ? [] : ["--origin-storage-ratio", String(originStorageRatio)])],
            }
            : { binary: MINIBROWSER, args: ["--automation"] },
        },
      };
    default:
      throw new Error(`unknown engine ${engine}`);
  }
}

/** An error a WebDriver command answered with. */
class WebDriverError extends Error {
  constructor(command, value) {
    super(`WebDriver ${command}: ${value?.error}: ${value?.message}`);
    this.name = "WebDriverError";
    this.code = value?.error;
  }
}

/**
 * Starts `engine`'s driver and a browser session.
 * Options: `profile` (a directory kept after close(); default: a fresh one,
 * removed by close()), `prefs` (Firefox preferences), `keepData` and
 * `originStorageRatio` (WebKit; see driverAndCapabilities).
 */
export async function launch(engine, opts = {}) {
  checkInstalled(engine);
  const ownProfile = !opts.profile;
  const profile = opts.profile ?? (await mkdtemp(join(tmpdir(), `vmmap-${engine}-`)));
  const port = await freePort();
  const { cmd, args, caps } = driverAndCapabilities(engine, port, { ...opts, profile });
  const driver = spawn(cmd, args, {
    detached: true, // a process group of its own: kill() reaches the browser too
    stdio: ["ignore", "ignore", "pipe"],
    env: engine === "firefox" ? { ...process.env, MOZ_HEADLESS: "1" } : process.env,
  });
  let driverErr = "";
  driver.stderr.on("data", (d) => {
    driverErr = (driverErr + d).slice(-4000);
  });
  const exited = new Promise((ok) => driver.once("exit", ok));
  const base = `http://127.0.0.1:${port}`;
  // The driver answers /status once it listens.
  for (let i = 0; ; i++) {
    try {
      const r = await fetch(`${base}/status`);
      if (r.ok) break;
    } catch {}
    if (driver.exitCode !== null || i > 300) {
      throw new Error(`${engine}: ${cmd} did not start: ${driverErr}`);
    }
    await sleep(20);
  }
  const res = await post(base, "/session", { capabilities: { alwaysMatch: caps } }, "new session");
  const session = new Session(engine, base, res.sessionId, res.capabilities);
  await session.cmd("POST", "/timeouts", { script: 600000, pageLoad: 120000, implicit: 0 });
  let armed = null;
  const browser = {
    engine,
    profile,
    session,
    driverPid: driver.pid,
    /** A page of `url` with the package loaded as `window.vmmap` (pages/index.html). */
    async openPage(url) {
      return session.openPage(url);
    },
    /**
     * Lists the processes kill() is to end, ahead of time: reading /proc
     * takes longer than a commit, and a kill must land when it is meant to.
     */
    async armKill() {
      armed = await descendants(driver.pid);
    },
    /**
     * SIGKILL to the driver's process group and every process below it
     * (some, like Firefox's crash helper, make groups of their own), as
     * listed by armKill() or now.
     */
    async kill() {
      try {
        process.kill(-driver.pid, "SIGKILL");
      } catch {}
      const victims = armed ?? (await descendants(driver.pid));
      for (const pid of victims) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {}
      }
      await exited;
      // The next browser must not meet a process of this one still holding the profile.
      for (let i = 0; i < 400 && (await alive(victims)).length > 0; i++) await sleep(25);
    },
    /** A clean end: Delete Session (the browser quits), then the driver. */
    async close() {
      const timer = setTimeout(() => {
        try {
          process.kill(-driver.pid, "SIGKILL");
        } catch {}
      }, 30000);
      try {
        await session.cmd("DELETE", "");
      } catch {}
      try {
        process.kill(-driver.pid, "SIGTERM");
      } catch {}
      await exited;
      clearTimeout(timer);
      if (ownProfile) await rm(profile, { recursive: true, force: true });
    },
  };
  return browser;
}

async function post(base, path, body, what) {
  return call(base, "POST", path, body, what);
}

async function call(base, method, path, body, what) {
  const r = await fetch(base + path, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json; charset=utf-8" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  let json;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`WebDriver ${what}: HTTP ${r.status}: ${text.slice(0, 500)}`);
  }
  if (!r.ok || json.value?.error) throw new WebDriverError(what, json.value);
  return json.value;
}

/** One WebDriver session: its windows (tabs), scripts, elements, input, screenshots. */
class Session {
  constructor(engine, base, id, capabilities) {
    this.engine = engine;
    this.base = base;
    this.id = id;
    this.capabilities = capabilities;
    this.current = null; // the window handle commands go to
  }

  cmd(method, path, body) {
    return call(this.base, method, `/session/${this.id}${path}`, method === "POST" ? body ?? {} : undefined, `${method} ${path || "/"}`);
  }

  /** Makes `handle` the window later commands go to. */
  async use(handle) {
    if (this.current === handle) return;
    await this.cmd("POST", "/window", { handle });
    this.current = handle;
  }

  /** The first window, or a new tab; as a Page. */
  async openPage(url) {
    let handle;
    if (!this.firstUsed) {
      this.firstUsed = true;
      handle = await this.cmd("GET", "/window");
    } else {
      // A window rather than a tab: no engine throttles it as a hidden tab.
      ({ handle } = await this.cmd("POST", "/window/new", { type: "window" }));
    }
    this.current = null;
    const page = new Page(this, handle);
    await page.goto(url);
    if (url) await page.waitReady();
    return page;
  }
}

const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

/**
 * One tab. `evaluate(fn, arg)` runs `fn(arg)` in the page and resolves with
 * what it returned (awaited if a promise), JSON-cloned as WebDriver does:
 * `undefined` comes back as null.
 */
export class Page {
  constructor(session, handle) {
    this.session = session;
    this.handle = handle;
    this.engine = session.engine;
  }

  async cmd(method, path, body) {
    await this.session.use(this.handle);
    return this.session.cmd(method, path, body);
  }

  async goto(url) {
    if (url) await this.cmd("POST", "/url", { url });
  }

  async reload() {
    await this.cmd("POST", "/refresh");
  }

  /** Waits until pages/index.html says the package loaded (or failed to). */
  async waitReady() {
    await this.waitFor(() => window.ready === true || !!window.loadError, null, 30000);
    const loadError = await this.evaluate(() => window.loadError && String(window.loadError));
    if (loadError) throw new Error(`the package did not load: ${loadError}`);
  }

  async evaluate(fn, arg) {
    // The function is compiled by the page's own eval: geckodriver runs
    // scripts in a sandbox whose Uint8Array and Promise are not the page's,
    // so objects made there would fail the page's instanceof checks.
    const script = `const done = arguments[arguments.length - 1];
      const arg = arguments[0];
      const fn = window.eval(${JSON.stringify(`(${fn})`)});
      Promise.resolve().then(() => fn(arg)).then(
        (v) => done({ ok: true, value: v === undefined ? null : v }),
        (e) => done({ ok: false, error: String(e && e.stack || e), name: e && e.name, message: e && e.message }));`;
    const r = await this.cmd("POST", "/execute/async", { script, args: [arg === undefined ? null : arg] });
    if (r && r.ok) return r.value;
    const e = new Error(`in the page (${this.engine}): ${r?.error ?? JSON.stringify(r)}`);
    e.pageName = r?.name;
    throw e;
  }

  /** Polls `fn(arg)` in the page every `every` ms until it is truthy; its value. */
  async waitFor(fn, arg, timeout = 30000, every = 10) {
    const t0 = Date.now();
    for (;;) {
      let v, err;
      try {
        v = await this.evaluate(fn, arg);
      } catch (e) {
        err = e;
      }
      if (v) return v;
      if (Date.now() - t0 > timeout) {
        throw new Error(`waited ${timeout} ms in ${this.engine} for ${String(fn).slice(0, 200)}${err ? `: ${err.message}` : ""}`);
      }
      await sleep(every);
    }
  }

  /** A PNG of the viewport. */
  async screenshot(path) {
    const b64 = await this.cmd("GET", "/screenshot");
    await writeFile(path, Buffer.from(b64, "base64"));
  }

  async setWindowSize(width, height) {
    await this.cmd("POST", "/window/rect", { width, height });
  }

  /** The element `css` matches (the first one); throws if none. */
  async find(css) {
    const r = await this.cmd("POST", "/element", { using: "css selector", value: css });
    return Object.values(r)[0];
  }

  /**
   * `command` on the element `css` matches; found again if the page
   * replaced it in between (a view that redraws its rows does).
   */
  async onElement(css, command, body) {
    for (let i = 0; ; i++) {
      try {
        return await this.cmd("POST", `/element/${await this.find(css)}/${command}`, body);
      } catch (e) {
        if (e.code !== "stale element reference" || i >= 5) throw e;
      }
    }
  }

  async click(css) {
    await this.onElement(css, "click");
  }

  /** Types `text` into the element (WebDriver Element Send Keys). */
  async sendKeys(css, text) {
    await this.onElement(css, "value", { text });
  }

  async clear(css) {
    await this.onElement(css, "clear");
  }

  /** WebDriver Perform Actions, then Release Actions. */
  async actions(actions) {
    await this.cmd("POST", "/actions", { actions });
    await this.cmd("DELETE", "/actions");
  }

  /** Key presses to whatever has the focus: `keys` is a string, or WebDriver key codes. */
  async type(keys) {
    const seq = [];
    for (const k of keys) seq.push({ type: "keyDown", value: k }, { type: "keyUp", value: k });
    await this.actions([{ type: "key", id: "keyboard", actions: seq }]);
  }

  /** A key pressed with modifiers held: press(["\uE009"], "\uE010") is Control+End. */
  async press(modifiers, key) {
    const seq = [
      ...modifiers.map((m) => ({ type: "keyDown", value: m })),
      { type: "keyDown", value: key },
      { type: "keyUp", value: key },
      ...modifiers.map((m) => ({ type: "keyUp", value: m })),
    ];
    await this.actions([{ type: "key", id: "keyboard", actions: seq }]);
  }

  /** A mouse click at (x, y) CSS pixels from the top left of the element `css`. */
  async clickAt(css, x, y) {
    const at = await this.evaluate(([css, x, y]) => {
      const r = document.querySelector(css).getBoundingClientRect();
      return [Math.round(r.left + x), Math.round(r.top + y)];
    }, [css, x, y]);
    await this.actions([{
      type: "pointer", id: "mouse", parameters: { pointerType: "mouse" },
      actions: [
        { type: "pointerMove", duration: 0, origin: "viewport", x: at[0], y: at[1] },
        { type: "pointerDown", button: 0 },
        { type: "pointerUp", button: 0 },
      ],
    }]);
  }

  async close() {
    await this.cmd("DELETE", "/window");
    this.session.current = null;
  }
}

/** WebDriver key codes. */
export const KEY = { Enter: "\uE007", Control: "\uE009", End: "\uE010", Backspace: "\uE003" };

/** `pid` and every process below it (also for reliability/chromium.mjs). */
export async function descendants(pid) {
  const parent = new Map();
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = await readFile(`/proc/${entry}/stat`, "utf8");
      parent.set(Number(entry), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {}
  }
  const out = [pid];
  for (let i = 0; i < out.length; i++) {
    for (const [p, pp] of parent) if (pp === out[i]) out.push(p);
  }
  return out;
}

/** The pids of `pids` still running (not gone, not zombies). */
export async function alive(pids) {
  const out = [];
  for (const pid of pids) {
    try {
      const stat = await readFile(`/proc/${pid}/stat`, "utf8");
      if (stat.slice(stat.lastIndexOf(")") + 2)[0] !== "Z") out.push(pid);
    } catch {}
  }
  return out;
}

/** Throws, saying what is missing, if the engine's programs are not installed. */
function checkInstalled(engine) {
  const need = { chromium: [CHROMIUM, CHROMEDRIVER], firefox: [FIREFOX], webkit: [WEBKITDRIVER, MINIBROWSER] }[engine];
  for (const f of need) if (!existsSync(f)) throw new Error(`${engine}: ${f} is missing (scripts/lib.sh installs it)`);
}
