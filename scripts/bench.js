#!/usr/bin/env node
/*
 * `npm run bench`: the benchmark of issue #7 (see bench/ and the README's Benchmark section).
 *
 *   npm run bench              every scenario (about 30 minutes on 2 cores)
 *   npm run bench -- 1 4       a subset
 *
 * Builds the service when dist/ is missing or older than src/, compiles bench/ to dist-bench/, uses the local
 * Redis (REDIS_URL, default 127.0.0.1:6379) or starts redis-server when none answers, then runs
 * dist-bench/bench/main.js. BENCH_CPU_PROF=<dir> writes V8 CPU profiles of the service in scenario 4.
 */
'use strict';
const { execFileSync, spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { root, REDIS_URL, newestMtime, ensureService, ensureRedis } = require('./lib/local-setup');

function log(line) {
  process.stderr.write(`${line}\n`);
}

/** The service built, and bench/ compiled to dist-bench/ when its sources changed. */
function ensureBuilt() {
  ensureService(log);
  const benchMain = path.join(root, 'dist-bench', 'bench', 'main.js');
  if (!fs.existsSync(benchMain) || fs.statSync(benchMain).mtimeMs < newestMtime(path.join(root, 'bench'))) {
    log('• compiling the benchmark (bench/ → dist-bench/)…');
    execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', path.join(root, 'bench', 'tsconfig.json')], {
      cwd: root,
      stdio: ['ignore', 2, 2],
    });
  }
  return benchMain;
}

async function main() {
  const benchMain = ensureBuilt();
  await ensureRedis(log);
  const child = spawn(process.execPath, [benchMain, ...process.argv.slice(2)], {
    cwd: root,
    env: { ...process.env, REDIS_URL },
    stdio: 'inherit',
  });
  const forward = (signal) => child.kill(signal);
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

main().catch((error) => {
  process.stderr.write(`${error && error.stack ? error.stack : error}\n`);
  process.exit(1);
});
