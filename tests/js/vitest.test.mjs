// The README's vitest example (vitest-app/): browser code that uses
// FileStore and Mmap (src/notes.js), tested by vitest in Node with the real
// package, no mocks. vitest runs as a user runs it, `vitest run`, in a
// process of its own; its JSON report must list every test as passed.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { promisify } from "node:util";
import { here } from "./harness.mjs";

test("the README's vitest example is vitest-app's code, as it is", async () => {
  const readme = await readFile(join(here, "../../README.md"), "utf8");
  const notes = await readFile(join(here, "vitest-app/src/notes.js"), "utf8");
  const tests = await readFile(join(here, "vitest-app/test/notes.test.js"), "utf8");
  assert.ok(readme.includes(`\`\`\`js\n${notes}\`\`\`\n`), "README.md shows src/notes.js whole");
  const shown = readme.match(/```js\n(\/\/ test\/notes\.test\.js[^]*?)```\n/)?.[1];
  assert.ok(shown, "README.md shows test/notes.test.js");
  assert.ok(tests.startsWith(shown), "README.md shows the start of test/notes.test.js as it is");
});

test("vitest in Node runs the notes example's tests against the real package", async () => {
  const out = await mkdtemp(join(tmpdir(), "vmmap-vitest-"));
  try {
    const report = join(out, "report.json");
    const cli = join(here, "node_modules/vitest/vitest.mjs");
    await promisify(execFile)(process.execPath, [cli, "run", "--reporter=json", `--outputFile=${report}`], {
      cwd: join(here, "vitest-app"),
      env: { ...process.env, CI: "1", NO_COLOR: "1" },
    }).catch((e) => assert.fail(`vitest failed:\n${e.stdout}\n${e.stderr}`));
    const r = JSON.parse(await readFile(report, "utf8"));
    const results = r.testResults.flatMap((f) => f.assertionResults.map((a) => [a.title, a.status]));
    assert.deepEqual(results, [
      ["notes survive reopening, and the file on disk is plain text", "passed"],
      ["notes are kept in order and found by a word", "passed"],
      ["a full log rejects a note with a RangeError and keeps the others", "passed"],
    ]);
    assert.deepEqual([r.numPassedTests, r.numFailedTests, r.numPendingTests], [3, 0, 0]);
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});
