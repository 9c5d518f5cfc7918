// The demo page's modules (www/*.js) import one another one way only: no import cycle.
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

const www = fileURLToPath(new URL("../../www", import.meta.url));

/** module -> the ./x.js modules it imports (`import ... from "./x.js"`). */
export function importGraph(dir = www) {
  const graph = {};
  for (const f of readdirSync(dir).filter((f) => f.endsWith(".js")).sort()) {
    const src = readFileSync(join(dir, f), "utf8");
    graph[f] = [...src.matchAll(/^import\s[^;]*?\sfrom\s+["']\.\/([\w.-]+\.js)["']/gm)].map((m) => m[1]);
  }
  return graph;
}

/** A cycle in `graph` as a path (a.js, b.js, a.js), or null if there is none. */
export function findCycle(graph) {
  const state = {}; // 1: on the current path, 2: done
  const path = [];
  const visit = (m) => {
    if (state[m] === 1) return [...path.slice(path.indexOf(m)), m];
    if (state[m] === 2) return null;
    state[m] = 1;
    path.push(m);
    for (const d of graph[m] ?? []) {
      const c = visit(d);
      if (c) return c;
    }
    path.pop();
    state[m] = 2;
    return null;
  };
  for (const m of Object.keys(graph)) {
    const c = visit(m);
    if (c) return c;
  }
  return null;
}

test("www/*.js import one another without a cycle", () => {
  const graph = importGraph();
  assert.ok(graph["app.js"].length >= 5, `app.js imports the panels: ${JSON.stringify(graph)}`);
  const cycle = findCycle(graph);
  assert.equal(cycle, null, `import cycle: ${cycle?.join(" -> ")}`);
});

test("the cycle check finds a cycle", () => {
  assert.deepEqual(findCycle({ "a.js": ["b.js"], "b.js": ["c.js"], "c.js": ["a.js"] }), ["a.js", "b.js", "c.js", "a.js"]);
});
