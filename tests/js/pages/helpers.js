// The helpers the API tests' functions call as globals (`caught`,
// `caughtAsync`, `bytes`, `text`, `unique`): one module, loaded by the test
// page (index.html, in every browser) and by the Node harness
// (api-node.test.mjs), so both run the same test bodies with the same tools.

/** What an error looks like to the test process: plain data that crosses WebDriver. */
function describe(e) {
  return {
    name: e?.name,
    message: e?.message,
    isError: e instanceof Error,
    trap: e instanceof WebAssembly.RuntimeError,
  };
}

/** Puts the helpers on `target` (the window, or Node's globalThis). */
export function install(target) {
  // What a call threw, in a form the test process can compare.
  target.caught = (fn) => {
    try {
      fn();
      return null;
    } catch (e) {
      return describe(e);
    }
  };
  target.caughtAsync = async (fn) => {
    try {
      await fn();
      return null;
    } catch (e) {
      return describe(e);
    }
  };
  target.bytes = (s) => new TextEncoder().encode(s);
  target.text = (b) => new TextDecoder().decode(b);
  target.unique = (what) => `${what}-${Date.now()}-${Math.random().toString(16).slice(2)}`;
}
