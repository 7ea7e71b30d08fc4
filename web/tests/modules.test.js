// The web client's module graph (web/js): every import names a file that exists, and no
// module depends on itself through others (static or dynamic imports). A cycle is how page
// chrome once ended up in a page (main.js <-> meeting.js); ui.js and client.js exist so that
// pages import shared code, never one another.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import { REPO } from './lib.js';

const JS = path.join(REPO, 'web/js');

/** Every .js file below `dir`, as paths relative to web/js. */
function modules(dir = JS) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((d) => {
    const full = path.join(dir, d.name);
    if (d.isDirectory()) return modules(full);
    return d.name.endsWith('.js') ? [path.relative(JS, full)] : [];
  });
}

/** The modules a source imports (static `import ... from`, `export ... from`, dynamic
 *  `import('...')`), comments removed first so JSDoc's `import('./x.js').Type` is not one. */
export function importsOf(source) {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
  const found = [];
  for (const m of code.matchAll(/(?:^|[\s;])(?:import|export)\s[^'"`;]*?\sfrom\s*['"]([^'"]+)['"]/g)) found.push(m[1]);
  for (const m of code.matchAll(/(?:^|[\s;])import\s*['"]([^'"]+)['"]/g)) found.push(m[1]);
  for (const m of code.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) found.push(m[1]);
  return found;
}

/** The cycles of a graph (name -> names), each as a path that ends where it starts. */
export function cycles(graph) {
  const out = [];
  const state = new Map(); // name -> 'open' (on the current path) | 'done'
  const stack = [];
  const visit = (n) => {
    state.set(n, 'open');
    stack.push(n);
    for (const m of graph.get(n) || []) {
      if (state.get(m) === 'open') out.push([...stack.slice(stack.indexOf(m)), m]);
      else if (!state.has(m)) visit(m);
    }
    stack.pop();
    state.set(n, 'done');
  };
  for (const n of graph.keys()) if (!state.has(n)) visit(n);
  return out;
}

function graph() {
  const g = new Map();
  const missing = [];
  for (const file of modules()) {
    const deps = [];
    for (const spec of importsOf(readFileSync(path.join(JS, file), 'utf8'))) {
      if (!spec.startsWith('.')) { missing.push(`${file}: ${spec} (not a relative path)`); continue; }
      const target = path.normalize(path.join(path.dirname(file), spec));
      if (!existsSync(path.join(JS, target))) missing.push(`${file}: ${spec}`);
      deps.push(target);
    }
    g.set(file, deps);
  }
  return { g, missing };
}

test('the cycle finder and the import reader see what they must', () => {
  assert.deepEqual(cycles(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']]])), [['a', 'b', 'c', 'a']]);
  assert.deepEqual(cycles(new Map([['a', ['b', 'c']], ['b', ['c']], ['c', []]])), []);
  assert.deepEqual(importsOf("import { x } from './a.js';\nconst m = await import('./b.js');\n/** @type {import('./c.js').T} */\n// import { y } from './d.js';\nexport { z } from './e.js';"),
    ['./a.js', './e.js', './b.js']);
});

test('web/js: every import exists and no module imports itself through others', () => {
  const { g, missing } = graph();
  assert.ok(g.size > 10, `read ${g.size} modules`);
  assert.deepEqual(missing, [], 'imports that name no file');
  assert.deepEqual(cycles(g).map((c) => c.join(' -> ')), [], 'import cycles');
});
