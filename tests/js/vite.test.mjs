// The package in a bundler: a tiny app (vite-app/) that imports "vmmap" by
// name is built with Vite and run in headless Chromium.
import assert from "node:assert/strict";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { build } from "vite";
import { browser, here, serve } from "./harness.mjs";

test("a Vite build of an app that imports vmmap runs in Chromium", async () => {
  const out = await mkdtemp(join(tmpdir(), "vmmap-vite-"));
  const server = await serve({ "/app/": out });
  const chrome = await browser();
  try {
    await build({
      root: join(here, "vite-app"),
      base: "/app/",
      logLevel: "warn",
      build: { outDir: out, emptyOutDir: true },
    });
    const assets = await readdir(join(out, "assets"));
    assert.ok(assets.some((f) => f.endsWith(".wasm")), `the .wasm is an asset: ${assets}`);
    const page = await chrome.context.newPage();
    await page.goto(`${server.url}/app/`);
    await page.waitForFunction(() => window.result !== undefined, null, { timeout: 30000 });
    assert.equal(await page.evaluate(() => window.result), "bundled");
  } finally {
    await chrome.close();
    await server.close();
    await rm(out, { recursive: true, force: true });
  }
});
