// test/notes.test.js: `npx vitest run`, in Node with the real package
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, onTestFinished, test } from "vitest";
import { openNotes } from "../src/notes.js";

/** A fresh directory, removed when the test ends. */
function scratch() {
  const dir = mkdtempSync(join(tmpdir(), "notes-"));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test("notes survive reopening, and the file on disk is plain text", async () => {
  const dir = join(scratch(), "store"); // FileStore.open makes it
  const first = await openNotes(dir);
  await first.add("one");
  first.close();
  const again = await openNotes(dir);
  await again.add("two");
  expect(again.all()).toEqual(["one", "two"]);
  again.close();
  expect(readFileSync(join(dir, "notes.log"), "latin1").slice(0, 9)).toBe("one\ntwo\n\0");
});

test("notes are kept in order and found by a word", async () => {
  const notes = await openNotes(join(scratch(), "store"));
  await notes.add("buy milk");
  await notes.add("call Ada\nabout milk");
  await notes.add("water the plants");
  expect(notes.all()).toEqual(["buy milk", "call Ada about milk", "water the plants"]);
  expect(notes.search("milk")).toEqual(["buy milk", "call Ada about milk"]);
  notes.close();
});

test("a full log rejects a note with a RangeError and keeps the others", async () => {
  const notes = await openNotes(join(scratch(), "store"));
  const long = "x".repeat(40 * 1024);
  await notes.add(long);
  await expect(notes.add(long)).rejects.toThrow(RangeError);
  expect(notes.all()).toEqual([long]);
  notes.close();
});
