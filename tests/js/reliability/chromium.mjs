// Chromium on a profile that outlives it, for the OPFS crash test (the other
// reliability tests drive every engine over WebDriver: ../webdriver.mjs):
// launched as a process of its own (its own process group), driven over
// CDP by Playwright, and killed with SIGKILL like a crash or a power cut.
import { spawn } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import { chromium } from "playwright-core";
import { CHROMIUM, CHROMIUM_FLAGS, openPage } from "../harness.mjs";
import { alive, descendants } from "../webdriver.mjs";

const FLAGS = ["--headless", ...CHROMIUM_FLAGS, "--remote-debugging-port=0"];

/** Chromium on `profile`, with a page of `url` loaded (see harness.openPage). */
export async function launch(profile, url) {
  const child = spawn(CHROMIUM, [...FLAGS, `--user-data-dir=${profile}`, "about:blank"], {
    detached: true, // a process group of its own: kill() reaches every process
    stdio: ["ignore", "ignore", "pipe"],
  });
  const exited = new Promise((ok) => child.once("exit", ok));
  const endpoint = await new Promise((ok, fail) => {
    let err = "";
    const timer = setTimeout(() => fail(new Error(`chromium did not start: ${err}`)), 30000);
    child.stderr.on("data", (d) => {
      err += d;
      const m = /DevTools listening on (ws:\/\/\S+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        ok(m[1]);
      }
    });
    child.once("exit", (code) => fail(new Error(`chromium exited (${code}): ${err}`)));
  });
  child.stderr.resume();
  const browser = await chromium.connectOverCDP(endpoint);
  const context = browser.contexts()[0];
  const page = await openPage(context, url);
  return {
    page,
    context,
    /** SIGKILL to the process group and to every process on the profile. */
    async kill() {
      // Every process of this Chromium: its process group, its descendants
      // (a zygote may start groups of its own) and whatever names the profile.
      const victims = new Set([...(await descendants(child.pid)), ...(await onProfile(profile))]);
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {}
      for (const pid of victims) {
        try {
          process.kill(pid, "SIGKILL");
        } catch {}
      }
      await exited;
      // The next Chromium must not meet a process of this one still holding the database.
      for (let i = 0; i < 200 && (await alive([...victims, ...(await onProfile(profile))])).length > 0; i++) {
        await new Promise((ok) => setTimeout(ok, 25));
      }
      browser.close().catch(() => {});
    },
    /** A clean shutdown: CDP's Browser.close, as the window's close button (SIGKILL after 20 s). */
    async close() {
      try {
        const cdp = await browser.newBrowserCDPSession();
        await cdp.send("Browser.close");
      } catch {}
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid, "SIGKILL");
        } catch {}
      }, 20000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** The pids of processes whose command line names `profile`. */
async function onProfile(profile) {
  const pids = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmd = await readFile(`/proc/${entry}/cmdline`, "utf8");
      if (cmd.includes(`--user-data-dir=${profile}`)) pids.push(Number(entry));
    } catch {}
  }
  return pids;
}
