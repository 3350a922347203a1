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
const { spawn } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const net = require('node:net');
const path = require('node:path');
const readline = require('node:readline');
const { root, REDIS_URL, sleep, ensureService, ensureRedis } = require('./lib/local-setup');

function log(line) {
  process.stdout.write(`${line}\n`);
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
  ensureService(log);
  await ensureRedis(log);
  const { startChatwootSimulator } = require(path.join(root, 'dist-sim', 'chatwoot', 'chatwoot-simulator'));
  const { startWahaSimulator } = require(path.join(root, 'dist-sim', 'waha', 'waha-simulator'));
  const port = await freePort();
  const appId = 'app_demo';
  // Secure by default, as a deployment: both webhooks signed, /health details behind the admin token.
  const secrets = { chatwoot: randomBytes(16).toString('hex'), waha: randomBytes(16).toString('hex'), admin: randomBytes(16).toString('hex') };
  const cw = await startChatwootSimulator({ latencyMs: 5, messagesPerMinute: 0, webhookSecret: secrets.chatwoot, webhookUrl: `http://127.0.0.1:${port}/webhooks/chatwoot/default/${appId}` });
  // Subscribed to every event the README's set-up lists.
  const { WANTED_EVENTS } = require(path.join(root, 'dist', 'clients', 'waha', 'waha-capabilities'));
  const waha = await startWahaSimulator({ webhookHmacKey: secrets.waha, webhookUrl: `http://127.0.0.1:${port}/webhooks/waha/${appId}`, webhookEvents: [...WANTED_EVENTS] });
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
      CHATWOOT_WEBHOOK_SECRET: secrets.chatwoot,
      WAHA_WEBHOOK_HMAC_KEY: secrets.waha,
      ADMIN_TOKEN: secrets.admin,
      PUBLIC_URL: `http://127.0.0.1:${port}`,
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
  log(`• service up on http://127.0.0.1:${port}; "WhatsApp Integration" is conversation #${integration.id} in ChatWoot`);
  log(`• queue board: http://127.0.0.1:${port}/admin/queues (any user name, password ${secrets.admin}); metrics: curl -H "Authorization: Bearer ${secrets.admin}" http://127.0.0.1:${port}/metrics\n`);

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
