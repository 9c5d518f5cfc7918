// Go to and Find in the toolbar: jump to a file offset; search the map for text or hex bytes.
// Imports state, format, messages and hexview.js; only app.js imports this.
import { $, S, encoder } from "./state.js";
import { fmtBytes, fmtOff, friendly, hex, ms, parseSize } from "./format.js";
import { guard, say } from "./messages.js";
import { render, reveal, scheduleRender, select } from "./hexview.js";

function goTo(text) {
  if (!S.m) throw friendly("Go to: no map is open");
  const off = parseSize(text, "Go to");
  if (off < S.base || off >= S.base + S.len) {
    throw friendly(`Go to: offset ${off.toLocaleString("en")} (0x${off.toString(16)}) is out of range: the map holds file bytes ${fmtOff(S.base)} to ${fmtOff(S.base + S.len - 1)}`);
  }
  reveal(off - S.base);
  select(off - S.base, "hex");
  say("info", `At offset ${fmtOff(off)}.`);
}

function needle() {
  const text = $("find").value;
  if (!text) throw friendly("Find: type text, or hex bytes such as “de ad be ef”");
  if ($("find-mode").value === "text") return encoder.encode(text);
  const digits = text.replace(/0x|[\s,]/gi, "");
  if (!/^([0-9a-f]{2})+$/i.test(digits)) {
    throw friendly(`Find: “${text}” is not hex bytes (pairs of hex digits, such as “de ad be ef”)`);
  }
  return Uint8Array.from(digits.match(/../g), (h) => parseInt(h, 16));
}

function find(backwards) {
  if (!S.m) throw friendly("Find: no map is open");
  const sub = needle();
  const t0 = performance.now();
  let at, wrapped = false;
  if (!backwards) {
    const from = S.match ? S.match.at + 1 : Math.max(0, S.sel);
    at = from < S.len ? S.m.find(sub, from) : -1;
    if (at < 0 && from > 0) { at = S.m.find(sub, 0); wrapped = true; }
  } else {
    const before = S.match ? S.match.at : S.sel >= 0 ? S.sel : S.len;
    // rfind(sub, start, end) finds sub inside [start, end): ends at most before - 1 + len.
    at = before > 0 ? S.m.rfind(sub, 0, Math.min(S.len, before - 1 + sub.length)) : -1;
    if (at < 0) { at = S.m.rfind(sub, 0); wrapped = true; }
  }
  const t = performance.now() - t0;
  const what = $("find-mode").value === "text" ? `“${$("find").value}”` : `bytes ${[...sub].map((v) => hex(v, 2)).join(" ")}`;
  if (at < 0) {
    S.match = null;
    render();
    return say("info", `${what} not found in the map (searched ${fmtBytes(S.len)} in ${ms(t)} ms).`);
  }
  S.match = { at, n: sub.length };
  reveal(at);
  select(at);
  say("info", `${what} found at offset ${fmtOff(S.base + at)}${wrapped ? ", wrapped around" : ""} (${ms(t)} ms). Enter: next, Shift+Enter: previous.`);
}

/** Wires the Go and Find forms (Enter: next match, Shift+Enter or ◀: previous). */
export function wireFind() {
  $("goto-form").onsubmit = guard("Go to", async (e) => { e.preventDefault(); goTo($("goto").value); });
  $("find-form").onsubmit = guard("Find", async (e) => { e.preventDefault(); find(false); });
  $("find-prev").onclick = guard("Find", async () => find(true));
  $("find").addEventListener("keydown", (e) => {
    if (e.key === "Enter" && e.shiftKey) { e.preventDefault(); guard("Find", async () => find(true))(); }
  });
  $("find").addEventListener("input", () => { S.match = null; scheduleRender(); });
}
