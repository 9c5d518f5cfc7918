// Formatting and parsing for the demo: byte counts, offsets, times, sizes typed by the user, HTML text.
// Imports only state.js.
import { S } from "./state.js";

export function fmtBytes(n) {
  if (n < 1024) return `${n} B`;
  const units = ["KiB", "MiB", "GiB", "TiB"];
  let v = n / 1024, u = 0;
  while (v >= 1024 && u < units.length - 1) { v /= 1024; u++; }
  return `${v >= 100 || Number.isInteger(v) ? Math.round(v) : v.toFixed(1)} ${units[u]}`;
}
export const hex = (n, w) => n.toString(16).padStart(w, "0");
export const offDigits = () => Math.max(8, (S.base + S.len).toString(16).length);
export const fmtOff = (n) => `0x${hex(n, offDigits())}`;
export const plural = (n, word) => `${n.toLocaleString("en")} ${word}${n === 1 ? "" : "s"}`;
export const ms = (t) => (t < 10 ? t.toFixed(2) : t < 100 ? t.toFixed(1) : Math.round(t).toLocaleString("en"));

/** "4096", "0x1000", "64k", "1.5 MiB", "1_000" -> a non-negative integer. */
export function parseSize(text, what) {
  const s = text.trim().toLowerCase().replace(/[_,]/g, "");
  const m = /^(0x[0-9a-f]+|\d+(?:\.\d+)?)\s*(b|k|kb|kib|m|mb|mib|g|gb|gib)?$/.exec(s);
  if (!m) throw friendly(`${what}: “${text}” is not a number (try 4096, 0x1000 or 64 KiB)`);
  const mult = { k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[m[2]?.[0]] ?? 1;
  const v = (m[1].startsWith("0x") ? parseInt(m[1], 16) : parseFloat(m[1])) * mult;
  if (!Number.isSafeInteger(v)) throw friendly(`${what}: “${text}” is not a whole number of bytes`);
  return v;
}
/** An error of the user's input: shown as its message alone (see fail in messages.js). */
export function friendly(message) {
  const e = new Error(message);
  e.friendly = true;
  return e;
}

/** What stands for each character that HTML text cannot hold as it is. */
export const HTML_ESCAPES = { "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;" };
export const escapeHtml = (s) => s.replace(/[<>&"]/g, (c) => HTML_ESCAPES[c]);
