#!/usr/bin/env node
/*
 * `npm run bench`: the benchmark of issue #7 (see bench/ and the README's Benchmark section).
 *
 *   npm run bench              every scenario (about 10 minutes on 2 cores)
 *   npm run bench -- 1 4       a subset
 *
 * Builds the service when dist/ is missing or older than src/, compiles bench/ to dist-bench/, uses the local
 * Redis (REDIS_URL, default 127.0.0.1:6379) or starts redis-server when none answers, then runs
 * dist-bench/bench/main.js. BENCH_CPU_PROF=<dir> writes V8 CPU profiles of the service in scenario 4.
 */
'use strict';
const { spawn, spawnSync, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');

const root = path.join(__dirname, '..');
const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

function log(line) {
  process.stderr.write(`${line}\n`);
}

/** Newest modification time of the TypeScript sources (and tsconfig files) under `dir`. */
function newestMtime(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = entry.name === 'results' ? newest : Math.max(newest, newestMtime(full));
    else if (/\.(ts|json)$/.test(entry.name)) newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

function ensureBuilt() {
  if (!fs.existsSync(path.join(root, 'node_modules', '@nestjs', 'core'))) {
    log('• installing dependencies (npm ci)…');
    execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: ['ignore', 2, 2] });
  }
  const main = path.join(root, 'dist', 'main.js');
  if (!fs.existsSync(main) || fs.statSync(main).mtimeMs < newestMtime(path.join(root, 'src'))) {
    log('• building the service (npm run build)…');
    execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: ['ignore', 2, 2] });
  }
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

function redisAnswers(url) {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect(Number(port || 6379), hostname);
    socket.setTimeout(1000);
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith('+PONG'));
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function ensureRedis() {
  if (await redisAnswers(REDIS_URL)) return;
  const { port } = new URL(REDIS_URL);
  const probe = spawnSync('redis-server', ['--version']);
  if (probe.error) {
    log(`✖ No Redis answers at ${REDIS_URL} and redis-server is not installed. Install Debian's package: sudo apt-get install redis-server`);
    process.exit(1);
  }
  log('• starting redis-server…');
  spawnSync('redis-server', ['--daemonize', 'yes', '--port', String(port || 6379), '--save', '', '--appendonly', 'no']);
  for (let i = 0; i < 50 && !(await redisAnswers(REDIS_URL)); i++) await sleep(100);
  if (!(await redisAnswers(REDIS_URL))) {
    log('✖ redis-server did not start');
    process.exit(1);
  }
}

async function main() {
  const benchMain = ensureBuilt();
  await ensureRedis();
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
