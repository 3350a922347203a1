#!/usr/bin/env node
/*
 * `npm run demo`: the whole bridge on the built-in simulators, on this machine.
 *
 *   npm run demo                                  interactive: type commands as a ChatWoot agent would
 *   npm run demo -- "wa/messages pull 2d"         non-interactive: run the commands given, print the result, exit
 *
 * Uses the local Redis (REDIS_URL, default 127.0.0.1:6379) or starts redis-server when none answers. Builds the
 * service when dist/ is missing or older than src/. Starts the fake WAHA (a seeded WhatsApp history) and the fake
 * ChatWoot in this process, the service as a child process, and prints ChatWoot's conversations as text.
 */
'use strict';
const { spawn, spawnSync, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const readline = require('node:readline');

const root = path.join(__dirname, '..');
const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';

function log(line) {
  process.stdout.write(`${line}\n`);
}

function newestMtime(dir) {
  let newest = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : fs.statSync(full).mtimeMs);
  }
  return newest;
}

function ensureBuilt() {
  if (!fs.existsSync(path.join(root, 'node_modules', '@nestjs', 'core'))) {
    log('• installing dependencies (npm ci)…');
    execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: root, stdio: 'inherit' });
  }
  const main = path.join(root, 'dist', 'main.js');
  if (!fs.existsSync(main) || fs.statSync(main).mtimeMs < newestMtime(path.join(root, 'src'))) {
    log('• building (npm run build)…');
    execFileSync('npm', ['run', 'build', '--silent'], { cwd: root, stdio: 'inherit' });
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

async function ensureRedis() {
  if (await redisAnswers(REDIS_URL)) return;
  const { port } = new URL(REDIS_URL);
  const probe = spawnSync('redis-server', ['--version']);
  if (probe.error) {
    log('✖ No Redis answers at ' + REDIS_URL + " and redis-server is not installed. Install Debian's package: sudo apt-get install redis-server");
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

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function freePort() {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function main() {
  const commands = process.argv.slice(2);
  ensureBuilt();
  await ensureRedis();
  const { startChatwootSimulator } = require(path.join(root, 'dist', 'simulators', 'chatwoot', 'chatwoot-simulator'));
  const { startWahaSimulator } = require(path.join(root, 'dist', 'simulators', 'waha', 'waha-simulator'));
  const port = await freePort();
  const appId = 'app_demo';
  const cw = await startChatwootSimulator({ latencyMs: 5, messagesPerMinute: 0, webhookUrl: `http://127.0.0.1:${port}/webhooks/chatwoot/default/${appId}` });
  const waha = await startWahaSimulator({ webhookUrl: `http://127.0.0.1:${port}/webhooks/waha` });
  const prefix = `demo${Date.now().toString(36)}`;
  const service = spawn(process.execPath, [path.join(root, 'dist', 'main.js')], {
    env: {
      ...process.env,
      PORT: String(port),
      REDIS_URL,
      QUEUE_PREFIX: prefix,
      APP_ID: appId,
      WAHA_URL: waha.url,
      WAHA_API_KEY: waha.apiKey,
      WAHA_SESSION: 'default',
      CHATWOOT_URL: cw.url,
      CHATWOOT_ACCOUNT_ID: String(cw.accountId),
      CHATWOOT_ACCOUNT_TOKEN: cw.token,
      CHATWOOT_INBOX_ID: String(cw.inboxId),
      CHATWOOT_INBOX_IDENTIFIER: 'inbox-ident-1',
      LOG_LEVEL: process.env.LOG_LEVEL || 'warn',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  let shuttingDown = false;
  service.on('exit', (code) => {
    if (!shuttingDown) {
      log(`✖ the service exited (${code})`);
      process.exit(1);
    }
  });
  const shutdown = async (code) => {
    shuttingDown = true;
    service.kill('SIGTERM');
    await new Promise((resolve) => service.once('exit', resolve));
    await cw.close();
    await waha.close();
    await cleanRedis(prefix);
    process.exit(code);
  };

  log(`• simulators up: WAHA ${waha.url} (${waha.totalMessages()} WhatsApp messages in ${waha.chats().length} chats), ChatWoot ${cw.url}`);
  let integration;
  for (let i = 0; i < 200 && !integration; i++) {
    const contact = cw.findContact((c) => c.identifier === 'whatsapp.integration');
    integration = contact && cw.conversations().find((c) => c.meta.sender && c.meta.sender.id === contact.id);
    if (!integration) await sleep(100);
  }
  if (!integration) {
    log('✖ the service did not create the WhatsApp Integration conversation');
    return shutdown(1);
  }
  log(`• service up on http://127.0.0.1:${port}; "WhatsApp Integration" is conversation #${integration.id} in ChatWoot\n`);

  const seen = new Map();
  const printNew = () => {
    for (const conversation of cw.conversations()) {
      const messages = cw.messages(conversation.id);
      const from = seen.get(conversation.id) || 0;
      const fresh = messages.filter((m) => m.id > from);
      if (fresh.length === 0) continue;
      seen.set(conversation.id, messages[messages.length - 1].id);
      const sender = conversation.meta.sender || {};
      log(`── ChatWoot conversation #${conversation.id} · ${sender.name || '?'} · ${conversation.status} ──`);
      for (const m of fresh) {
        const kind = m.message_type === 2 ? 'activity' : m.private ? 'note' : m.message_type === 0 ? 'in' : 'out';
        const files = (m.attachments || []).map((a) => ` [📎 ${a.file_name}]`).join('');
        const text = (m.content || '').split('\n').join('\n           ');
        log(`  ${kind.padEnd(8)} ${text}${files}`);
      }
    }
  };
  printNew();

  const settle = async (maxMs) => {
    // Wait until ChatWoot stops changing for a while (the pull and its reports are done).
    let last = -1;
    let quietSince = Date.now();
    const started = Date.now();
    while (Date.now() - started < maxMs) {
      const count = cw.conversations().reduce((n, c) => n + cw.messages(c.id).length, 0);
      if (count !== last) {
        last = count;
        quietSince = Date.now();
      } else if (Date.now() - quietSince > 2500) {
        return;
      }
      await sleep(200);
    }
  };

  const type = async (text) => {
    const match = /^:chat\s+(\d+)\s+([\s\S]+)$/.exec(text);
    if (match) {
      await cw.agentMessage(Number(match[1]), match[2]);
    } else if (/^:receive\s+/.test(text)) {
      const [, chatId, ...words] = text.split(/\s+/);
      await waha.receive(chatId, { body: words.join(' ') });
    } else {
      await cw.agentMessage(integration.id, text);
    }
    await settle(180_000);
    printNew();
  };

  if (commands.length > 0) {
    for (const command of commands) {
      log(`agent> ${command}`);
      await type(command);
    }
    return shutdown(0);
  }

  log('Type commands as an agent in the WhatsApp Integration conversation, e.g. "wa/messages pull 2d --groups".');
  log('Also: ":chat <conversation> <text>" types in a customer conversation, ":receive <chatId> <text>" delivers a');
  log('WhatsApp message, ":show" prints everything again, ":quit" stops.\n');
  const rl = readline.createInterface({ input: process.stdin, output: process.stdout, prompt: 'agent> ' });
  rl.prompt();
  for await (const line of rl) {
    const text = line.trim();
    if (text === ':quit' || text === ':q') break;
    if (text === ':show') {
      seen.clear();
      printNew();
    } else if (text) {
      await type(text);
    }
    rl.prompt();
  }
  return shutdown(0);
}

async function cleanRedis(prefix) {
  try {
    const Redis = require('ioredis');
    const redis = new Redis(REDIS_URL);
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
    redis.disconnect();
  } catch {
    // Best effort: demo keys are namespaced and harmless.
  }
}

main().catch((error) => {
  process.stderr.write(`${error && error.stack ? error.stack : error}\n`);
  process.exit(1);
});
