#!/usr/bin/env node
/*
 * `npm run lint` runs this after eslint: imports in src/ must point down the layers, and no file may import itself
 * back through others (a cycle). Exits 1 naming each offending import.
 *
 * Layers, top to bottom (a module may import its own files and any module of a lower layer, never one of its own
 * layer or above):
 *
 *   main.ts, app.module.ts                    the composition root
 *   migrations                                the key-layout upgrade (it knows every module's keys)
 *   webhooks, health
 *   commands
 *   pull, relay, contacts
 *   integration-chat, conversations
 *   queue, apps
 *   clients
 *   redis
 *   config
 *   texts
 *   logging, metrics
 *   common
 *
 *   node scripts/check-layers.js [src-dir]
 */
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const ts = require('typescript');

const LAYERS = [
  ['<root>'],
  ['migrations'],
  ['webhooks', 'health'],
  ['commands'],
  ['pull', 'relay', 'contacts'],
  ['integration-chat', 'conversations'],
  ['queue', 'apps'],
  ['clients'],
  ['redis'],
  ['config'],
  ['texts'],
  ['logging', 'metrics'],
  ['common'],
];
const RANK = new Map(LAYERS.flatMap((modules, rank) => modules.map((m) => [m, rank])));

function sourceFiles(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') ? [full] : [];
  });
}

/** The module a file belongs to: its first folder under src/, or <root> for files directly in src/. */
function moduleOf(src, file) {
  const rel = path.relative(src, file).split(path.sep);
  return rel.length === 1 ? '<root>' : rel[0];
}

function resolveImport(from, specifier) {
  if (!specifier.startsWith('.')) return undefined;
  const base = path.resolve(path.dirname(from), specifier);
  for (const candidate of [`${base}.ts`, path.join(base, 'index.ts')]) if (fs.existsSync(candidate)) return candidate;
  return undefined;
}

function check(src) {
  const files = sourceFiles(src);
  const problems = [];
  const graph = new Map();
  for (const file of files) {
    const info = ts.preProcessFile(fs.readFileSync(file, 'utf8'), true, true);
    const targets = [];
    for (const ref of info.importedFiles) {
      const target = resolveImport(file, ref.fileName);
      if (!target || !target.startsWith(src)) continue;
      targets.push(target);
      const from = moduleOf(src, file);
      const to = moduleOf(src, target);
      if (from === to) continue;
      const fromRank = RANK.get(from);
      const toRank = RANK.get(to);
      const where = `${path.relative(process.cwd(), file)} imports ${ref.fileName}`;
      if (fromRank === undefined) problems.push(`${where}: module "${from}" has no layer (add it to scripts/check-layers.js)`);
      else if (toRank === undefined) problems.push(`${where}: module "${to}" has no layer (add it to scripts/check-layers.js)`);
      else if (toRank < fromRank) problems.push(`${where}: "${from}" may not import "${to}", a layer above it`);
      else if (toRank === fromRank) problems.push(`${where}: "${from}" may not import "${to}", a module of its own layer (go through an interface below both)`);
    }
    graph.set(file, targets);
  }
  for (const cycle of cycles(graph)) {
    problems.push(`import cycle: ${cycle.map((f) => path.relative(process.cwd(), f)).join(' → ')}`);
  }
  return problems;
}

/** Every strongly connected group of files that import each other, as one path through it. */
function cycles(graph) {
  const index = new Map();
  const low = new Map();
  const stack = [];
  const onStack = new Set();
  const found = [];
  let counter = 0;
  const visit = (node) => {
    index.set(node, counter);
    low.set(node, counter);
    counter++;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node), low.get(next)));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node), index.get(next)));
      }
    }
    if (low.get(node) === index.get(node)) {
      const group = [];
      let member;
      do {
        member = stack.pop();
        onStack.delete(member);
        group.push(member);
      } while (member !== node);
      const selfLoop = (graph.get(node) ?? []).includes(node);
      if (group.length > 1 || selfLoop) found.push([...group.reverse(), group[0]]);
    }
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return found;
}

if (require.main === module) {
  const src = path.resolve(process.argv[2] ?? path.join(__dirname, '..', 'src'));
  const problems = check(src);
  if (problems.length > 0) {
    process.stderr.write(`Layering: ${problems.length} problem(s)\n${problems.map((p) => `  ${p}`).join('\n')}\n`);
    process.exit(1);
  }
  process.stdout.write(`Layering: ${sourceFiles(src).length} files, imports point down, no cycles\n`);
}

module.exports = { check, LAYERS };
