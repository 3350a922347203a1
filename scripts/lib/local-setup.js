/*
 * What `npm run demo` and `npm run bench` both need on a fresh machine: dependencies installed, the service built
 * when its sources are newer than dist/, and a Redis that answers (the local one, or redis-server started here).
 */
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');

const root = path.join(__dirname, '..', '..');
const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Newest modification time of the TypeScript sources (and json configs) under `dir`, results folders aside. */
function newestMtime(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = entry.name === 'results' ? newest : Math.max(newest, newestMtime(full));
    else if (/\.(ts|json)$/.test(entry.name)) newest = Math.max(newest, fs.statSync(full).mtimeMs);
  }
  return newest;
}

/** npm ci when dependencies are missing; the service and the simulators built when older than their sources. */
function ensureService(log) {
  const stdio = ['ignore', 2, 2];
  if (!fs.existsSync(path.join(root, 'node_modules', '@nestjs', 'core'))) {
    log('• installing dependencies (npm ci)…');
    execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio });
  }
  const main = path.join(root, 'dist', 'main.js');
  if (!fs.existsSync(main) || fs.statSync(main).mtimeMs < newestMtime(path.join(root, 'src'))) {
    log('• building the service (npm run build)…');
    execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio });
  }
  // The simulators are a program of their own (simulators/ → dist-sim/), never part of the service's build.
  const sim = path.join(root, 'dist-sim', 'main.js');
  if (!fs.existsSync(sim) || fs.statSync(sim).mtimeMs < newestMtime(path.join(root, 'simulators'))) {
    log('• building the simulators (npm run build:sim)…');
    execFileSync('npm', ['run', 'build:sim', '--silent'], { cwd: root, stdio });
  }
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

/** Uses the Redis at REDIS_URL, or starts Debian's redis-server there; exits with a clear line when it cannot. */
async function ensureRedis(log) {
  if (await redisAnswers(REDIS_URL)) return;
  const { port } = new URL(REDIS_URL);
  if (spawnSync('redis-server', ['--version']).error) {
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

module.exports = { root, REDIS_URL, sleep, newestMtime, ensureService, ensureRedis };
