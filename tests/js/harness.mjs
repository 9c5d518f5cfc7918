// Shared by the tests and the benchmark: a static file server on loopback;
// the browsers of the page-level suites, one per engine, over WebDriver
// (webdriver.mjs); and headless Chromium driven by Playwright for the
// Chromium-only checks (streaming memory, the Vite build, the benchmark).
import { createServer } from "node:http";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { extname, join, normalize, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { CHROMIUM, CHROMIUM_FLAGS } from "./webdriver.mjs";

export { CHROMIUM, CHROMIUM_FLAGS, ENGINES, KEY, launch } from "./webdriver.mjs";

export const here = fileURLToPath(new URL(".", import.meta.url));
export const pkgDir = resolve(here, "../../pkg");

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".wasm": "application/wasm",
  ".json": "application/json",
  ".css": "text/css",
};

/**
 * Serves `roots` (URL prefix -> directory) on 127.0.0.1 at a free port.
 * `/pkg/` is the built package, as a user would copy it next to a page.
 * `hook(path, res)` sees each request first; true if it answered it.
 */
export async function serve(roots = {}, hook = () => false) {
  // The first prefix that matches wins: "/" (the test pages) comes last.
  const mounts = { "/pkg/": pkgDir, ...roots };
  mounts["/"] ??= join(here, "pages");
  const server = createServer(async (req, res) => {
    try {
      const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
      if (hook(path, res)) return;
      const prefix = Object.keys(mounts).find((p) => path.startsWith(p));
      let file = normalize(join(mounts[prefix], path.slice(prefix.length)));
      if (!file.startsWith(mounts[prefix])) throw new Error("outside the root");
      if ((await stat(file)).isDirectory()) file = join(file, "index.html");
      const body = await readFile(file);
      res.writeHead(200, {
        "content-type": TYPES[extname(file)] ?? "application/octet-stream",
        "cache-control": "no-store",
      });
      res.end(body);
    } catch {
      res.writeHead(404).end("not found");
    }
  });
  await new Promise((ok) => server.listen(0, "127.0.0.1", ok));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise((ok) => server.close(ok)),
  };
}

/** Headless Chromium with a fresh profile; `close()` removes the profile. */
export async function browser() {
  const { chromium } = await import("playwright-core");
  const profile = await mkdtemp(join(tmpdir(), "vmmap-chromium-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_FLAGS.filter((f) => f !== "--headless"), "--enable-precise-memory-info", "--js-flags=--expose-gc"],
  });
  return {
    context,
    async close() {
      await context.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}

/** A page of `url` with the package loaded as `window.vmmap` (see pages/index.html). */
export async function openPage(context, url) {
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e));
  await page.goto(url);
  await page.waitForFunction(() => window.ready === true || window.loadError, null, { timeout: 30000 });
  const loadError = await page.evaluate(() => window.loadError && String(window.loadError));
  if (loadError) throw new Error(`the package did not load: ${loadError}`);
  page.pageErrors = errors;
  return page;
}

