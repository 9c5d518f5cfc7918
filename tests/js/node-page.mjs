// What a browser page is to the API tests, in Node: the package imported as
// "vmmap" (the node entry), after init(), as `window.vmmap` and
// `window.wasm`, with the helpers of pages/helpers.js as globals. Imported,
// `load()` sets this up in the importing process; run as a program
// (`openNodePage`), it is a page of its own: a child process that evaluates
// the functions it is sent, as WebDriver's execute/async does in a page.
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { install } from "./pages/helpers.js";

/** Loads the package into this process as index.html does into a page. */
export async function load() {
  const vmmap = await import("vmmap");
  const wasm = await vmmap.default();
  globalThis.window = { vmmap, wasm };
  install(globalThis);
}

/**
 * Runs `fn(arg)` here as a page runs what WebDriver sends it: compiled from
 * its source by a global eval, so it sees only globals (never the test
 * module's variables), and its result JSON-cloned (`undefined` is null).
 */
export async function evaluate(fn, arg) {
  const f = (0, eval)(`(${fn})`);
  const value = await f(arg === undefined ? null : arg);
  return value === undefined ? null : JSON.parse(JSON.stringify(value));
}

/**
 * A child Node process in `cwd` with the package loaded: `evaluate(fn,
 * arg)`, `pid` and `close()`.
 */
export async function openNodePage(cwd) {
  const child = fork(fileURLToPath(import.meta.url), ["--page"], { cwd, stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const pending = new Map();
  let next = 0;
  let exited = null;
  child.on("message", ({ id, ok, value, error, name }) => {
    const p = pending.get(id);
    pending.delete(id);
    if (ok) p.ok(value);
    else p.fail(Object.assign(new Error(`in the Node page: ${error}`), { pageName: name }));
  });
  child.on("exit", (code, signal) => {
    exited = `the Node page exited (${signal ?? code})`;
    for (const p of pending.values()) p.fail(new Error(exited));
    pending.clear();
  });
  const call = (msg) =>
    new Promise((ok, fail) => {
      if (exited) return fail(new Error(exited));
      const id = next++;
      pending.set(id, { ok, fail });
      child.send({ id, ...msg });
    });
  await call({ ready: true });
  return {
    pid: child.pid,
    evaluate: (fn, arg) => call({ fn: String(fn), arg: arg === undefined ? null : arg }),
    close: () =>
      new Promise((ok) => {
        if (exited) return ok();
        child.once("exit", () => ok());
        child.disconnect();
      }),
  };
}

if (process.argv[2] === "--page" && process.send) {
  const loading = load();
  process.on("message", async ({ id, ready, fn, arg }) => {
    try {
      await loading;
      const value = ready ? null : await evaluate(fn, arg);
      process.send({ id, ok: true, value });
    } catch (e) {
      process.send({ id, ok: false, error: String(e?.stack ?? e), name: e?.name });
    }
  });
  // Ends when the parent disconnects.
  process.on("disconnect", () => process.exit(0));
}
