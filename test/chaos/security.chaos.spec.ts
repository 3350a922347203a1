/**
 * The security suite: every probe an attacker on the same network made against the old defaults, replayed against
 * the README's set-up (both webhook secrets on). Each is refused (401/403/404/413/422) or ignored with nothing
 * queued, nothing sent to WhatsApp and nothing written to ChatWoot; two tenants on two WAHA servers with the same
 * session name stay apart; a 2 GB file becomes a notice without the process growing; secrets never reach the logs.
 * Start-up refuses to run without the secrets, in one line, unless the operator opts out.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import { ChatwootSimulator, startChatwootSimulator } from '../../simulators/chatwoot/chatwoot-simulator';
import { startWahaSimulator, WahaSimulator } from '../../simulators/waha/waha-simulator';
import { activePullId, withQueue } from '../support/command-helpers';
import { Harness, eventually } from '../support/harness';
import { dmChats, pull } from '../support/pull-helpers';
import { customerConversation, sentTo, waitNote, waitSent } from '../support/relay-helpers';

const MAIN = path.join(__dirname, '..', '..', 'dist', 'main.js');

async function queued(h: Harness): Promise<number> {
  return h.redis(async (r) => (await r.keys(`${h.prefix}:commands:cmd~*`)).length + (await r.keys(h.key('lane', '*'))).length);
}

async function paused(h: Harness): Promise<boolean[]> {
  return Promise.all(['inbox', 'whatsapp'].map((name) => withQueue(h, name, (q) => q.isPaused())));
}

function messageCount(cw: ChatwootSimulator): number {
  return cw.conversations().reduce((n, c) => n + cw.messages(c.id).length, 0);
}

/** The service's resident memory, in bytes (Linux). */
function rss(pid: number): number {
  const line = fs.readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
  return Number(/(\d+)/.exec(line ?? '')?.[1] ?? 0) * 1024;
}

/** Runs the built service once with `env` and returns its exit code and what it wrote, killing it after `ms`. */
async function runOnce(env: Record<string, string>, ms = 15_000): Promise<{ code: number | null; stderr: string; stdout: string }> {
  const child = spawn(process.execPath, [MAIN], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGTERM'), ms);
  const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
  clearTimeout(timer);
  return { code, stderr, stdout };
}

describe('an attacker on the same network, against the README set-up', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await Harness.start({ chatwoot: { token: 'cw-token-5e7f0a99c3' }, waha: { apiKey: 'waha-key-1b6c2d44e8' }, env: { LOG_LEVEL: 'trace' } });
  });

  afterAll(async () => {
    await h?.stop();
  });

  it('cannot post unsigned, badly signed, replayed or foreign webhooks: nothing queued, sent or written', async () => {
    const chatId = dmChats(h)[0];
    const conversationId = customerConversation(h, chatId);
    const before = { queued: await queued(h), sent: h.waha.sent().length, written: messageCount(h.cw) };
    const cwUrl = `${h.url}/webhooks/chatwoot/default/${h.appId}`;
    const reply = (content: string, extra: Record<string, unknown> = {}) =>
      JSON.stringify({
        event: 'message_created',
        id: 424242,
        message_type: 'outgoing',
        private: false,
        content,
        created_at: new Date().toISOString(),
        inbox: { id: h.cw.inboxId },
        sender: { id: 1, type: 'user' },
        conversation: { id: conversationId, inbox_id: h.cw.inboxId, meta: { sender: { identifier: chatId, custom_attributes: { waha_whatsapp_chat_id: chatId } } } },
        ...extra,
      });
    // The old probes: an SSRF through an attachment, pausing every queue, a fake customer message.
    const ssrf = reply('invoice', { attachments: [{ id: 1, file_type: 'file', data_url: 'http://169.254.169.254/latest/meta-data/iam/security-credentials/' }] });
    const stopAll = reply('wa/queue stop all');
    const integration = JSON.stringify({ event: 'message_created', id: 424243, message_type: 'outgoing', content: 'queue stop all', inbox: { id: h.cw.inboxId }, sender: { id: 1, type: 'user' }, conversation: { id: h.integrationConversationId, meta: { sender: { identifier: 'whatsapp.integration' } } } });
    const fakeCustomer = JSON.stringify({ event: 'message', session: 'default', timestamp: Date.now(), payload: { id: `false_${chatId}_FAKEBANK1`, timestamp: Math.floor(Date.now() / 1000), from: chatId, fromMe: false, body: 'Your bank: confirm your card number here', hasMedia: false } });
    const staleEnvelope = JSON.stringify({ event: 'message', session: 'default', timestamp: Date.now() - 3 * 24 * 3600 * 1000, payload: { id: `false_${chatId}_REPLAYED1`, timestamp: Math.floor(Date.now() / 1000), from: chatId, fromMe: false, body: 'replayed', hasMedia: false } });
    const stale = h.chatwootHeaders(stopAll, Math.floor(Date.now() / 1000) - 600);
    const wahaApp = `${h.url}/webhooks/waha/${h.appId}`;
    const cases: Array<[string, string, Record<string, string>, string, number]> = [
      ['SSRF attachment, unsigned', cwUrl, { 'content-type': 'application/json' }, ssrf, 401],
      ['queue stop all, unsigned', cwUrl, { 'content-type': 'application/json' }, stopAll, 401],
      ['queue stop all in the integration chat, badly signed', cwUrl, { ...h.chatwootHeaders(integration), 'x-chatwoot-signature': `sha256=${'0'.repeat(64)}` }, integration, 401],
      ['queue stop all, a token instead of the signature', `${cwUrl}?token=${'a'.repeat(48)}`, { 'content-type': 'application/json' }, stopAll, 401],
      ['queue stop all, a replayed stale signature', cwUrl, stale, stopAll, 401],
      ['fake customer message, unsigned (per-app URL)', wahaApp, { 'content-type': 'application/json' }, fakeCustomer, 401],
      ['fake customer message, unsigned (old URL)', `${h.url}/webhooks/waha`, { 'content-type': 'application/json' }, fakeCustomer, 401],
      ['fake customer message, signed with another key', wahaApp, h.wahaHeaders(fakeCustomer, 'guessed-key'), fakeCustomer, 401],
      ['a signed envelope older than the dedupe window', wahaApp, h.wahaHeaders(staleEnvelope), staleEnvelope, 422],
      ['unknown app', `${h.url}/webhooks/chatwoot/default/other`, h.chatwootHeaders(stopAll), stopAll, 404],
      ['unknown app (WAHA)', `${h.url}/webhooks/waha/other`, h.wahaHeaders(fakeCustomer), fakeCustomer, 404],
      ['oversized body', cwUrl, { 'content-type': 'application/json' }, JSON.stringify({ content: 'x'.repeat(5_000_000) }), 413],
      ['wrong content type', cwUrl, { ...h.chatwootHeaders(stopAll), 'content-type': 'text/plain' }, stopAll, 415],
    ];
    for (const [name, url, headers, payload, status] of cases) {
      const response = await fetch(url, { method: 'POST', headers, body: payload });
      expect({ name, status: response.status }).toEqual({ name, status });
    }
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect({ queued: await queued(h), sent: h.waha.sent().length, written: messageCount(h.cw) }).toEqual(before);
    expect(await paused(h)).toEqual([false, false]);
    expect(h.cw.messages(conversationId).some((m) => /bank/i.test(m.content ?? ''))).toBe(false);
  });

  it('gives anonymous callers a status and nothing else; details only with the admin token', async () => {
    const health = await fetch(`${h.url}/health`);
    expect(health.status).toBe(200);
    const text = await health.text();
    expect(JSON.parse(text)).toEqual({ status: 'ok' });
    expect(text).not.toContain(h.appId);
    expect(text).not.toContain(h.waha.session);
    expect((await fetch(`${h.url}/health`, { headers: { authorization: 'Bearer nope' } })).status).toBe(401);
    // A proxy's own credentials are not an admin token: the caller is anonymous.
    const basic = await fetch(`${h.url}/health`, { headers: { authorization: 'Basic dXNlcjpwYXNz' } });
    expect({ status: basic.status, body: await basic.json() }).toEqual({ status: 200, body: { status: 'ok' } });
    const details = await h.healthDetails<{ apps: Record<string, unknown>; warnings: string[] }>();
    expect(Object.keys(details.body.apps)).toEqual([h.appId]);
    expect(details.body.warnings).toEqual([]);
  });

  it('runs commands only for people: bots, Captain and automations are ignored, their replies still reach WhatsApp', async () => {
    const chatId = dmChats(h)[1];
    const conversationId = customerConversation(h, chatId, 'Bot customer');
    for (const by of ['agent_bot', 'captain_assistant', 'automation'] as const) {
      await h.cw.agentMessage(conversationId, 'wa/queue stop all', { by });
      await h.cw.agentMessage(h.integrationConversationId, 'queue stop all', { by });
    }
    await h.cw.agentMessage(conversationId, 'Your order has shipped', { by: 'agent_bot' });
    expect(await waitSent(h, chatId, 1)).toEqual(['Your order has shipped']);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(sentTo(h, chatId)).toEqual(['Your order has shipped']);
    expect(await paused(h)).toEqual([false, false]);
    const logs = h.services.flatMap((s) => s.output).join('');
    expect(logs).toMatch(/command-like message from a sender of type agent_bot: not run/);
    expect(logs).toMatch(/command-like message from an automation \(no sender\): not run/);
  });

  it('ignores webhooks of another inbox (an account-level webhook) with 200, before anything else', async () => {
    const chatId = dmChats(h)[2];
    const conversationId = customerConversation(h, chatId, 'Other inbox');
    const before = { queued: await queued(h), sent: h.waha.sent().length };
    for (const content of ['wa/queue stop all', 'Hello from another inbox']) {
      const response = await h.postChatwootWebhook({ event: 'message_created', id: 777001, message_type: 'outgoing', private: false, content, inbox: { id: h.cw.inboxId + 100 }, conversation: { id: conversationId, inbox_id: h.cw.inboxId + 100, meta: { sender: { identifier: chatId } } } });
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ success: true, action: 'ignored' });
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect({ queued: await queued(h), sent: h.waha.sent().length }).toEqual(before);
    expect(await paused(h)).toEqual([false, false]);
  });

  it('sends agent attachments only from ChatWoot itself: another host is refused and the agent told', async () => {
    const chatId = dmChats(h)[3];
    const conversationId = customerConversation(h, chatId, 'Attachment customer');
    const response = await h.postChatwootWebhook({
      event: 'message_created',
      id: 777002,
      message_type: 'outgoing',
      private: false,
      content: 'Here is the file',
      created_at: new Date().toISOString(),
      attachments: [{ id: 9, file_type: 'file', data_url: 'http://169.254.169.254/latest/meta-data/secret.pdf' }],
      conversation: { id: conversationId, inbox_id: h.cw.inboxId, meta: { sender: { identifier: chatId, custom_attributes: { waha_whatsapp_chat_id: chatId } } } },
    });
    expect(response.status).toBe(200);
    const note = await waitNote(h, conversationId, /Not sent to WhatsApp/);
    expect(note).toContain('secret.pdf');
    expect(note).toContain('169.254.169.254');
    expect(await waitSent(h, chatId, 1)).toEqual(['Here is the file']);
    expect(h.waha.sent().some((s) => s.file?.url?.includes('169.254'))).toBe(false);
  });

  it('keeps a command job to 4,000 characters and answers a huge one with its real length', async () => {
    // ChatWoot's own limit is 150,000 characters (Message content validation).
    const content = `wa/messages help ${'x'.repeat(149_000)}`;
    const id = await h.type(content);
    const reply = await h.waitReply(id, (c) => /too long/.test(c));
    expect(reply).toContain(`The command is too long (${content.length} characters; the limit is 4000)`);
    const stored = await h.redis(async (r) => {
      const keys = await r.keys(`${h.prefix}:commands:cmd~*`);
      const data = await Promise.all(keys.map((k) => r.hget(k, 'data')));
      return data.filter(Boolean).map((d) => (JSON.parse(d!) as { content: string }).content.length);
    });
    expect(Math.max(...stored)).toBeLessThanOrEqual(4001);
  });

  it('refuses a --timeout past timer overflow and a --progress below 10 with the usual error', async () => {
    const timeout = await h.type('wa/messages pull 1d --timeout 30d');
    expect(await h.waitReply(timeout)).toContain('Invalid duration "30d" for --timeout: the longest allowed is 24d');
    const progress = await h.type('wa/messages pull 1d --progress 1');
    expect(await h.waitReply(progress)).toContain('Invalid value "1" for --progress: use 0 (no progress reports) or a whole number from 10 to 1000000.');
  });

  it('does not hold the live relay while a dry run counts', async () => {
    const chatId = dmChats(h)[4];
    // Every history page takes 1.5 s for 12 s: the dry run counts for a while.
    h.waha.outage(12_000, { method: 'GET', path: /\/chats\/[^/]+\/messages$/, delayMs: 1500 });
    const dry = await h.type('wa/messages pull 30d --dry-run');
    await eventually(async () => (await activePullId(h)) !== null, { what: 'the dry run to start' });
    const live = await h.waha.receive(chatId, { body: 'live during a dry run' });
    const landed = await eventually(() => h.cw.conversations().flatMap((c) => h.cw.messages(c.id)).find((m) => m.source_id === live.id), { what: 'the live message', timeoutMs: 30_000 });
    expect(landed).toBeDefined();
    const dryReply = h.repliesAfter(dry).find((r) => /Dry run/i.test(r.content));
    expect(dryReply).toBeUndefined();
    await h.waitReply(dry, (c) => /Dry run/i.test(c), h.integrationConversationId, 60_000);
  });

  it('imports a 2 GB file as a notice without growing, whether the engine reports the size or not', async () => {
    const chatId = dmChats(h)[5];
    const pid = h.services[0].child.pid!;
    const base = rss(pid);
    let peak = base;
    const sampler = setInterval(() => (peak = Math.max(peak, rss(pid))), 50);
    try {
      const gb2 = 2 * 1024 ** 3;
      const reported = await h.waha.receive(chatId, { type: 'document', hasMedia: true, body: 'the backup', media: { mimetype: 'application/zip', filename: 'backup.zip', size: gb2 } });
      const unreported = await h.waha.receive(chatId, { type: 'document', hasMedia: true, body: '', media: { mimetype: 'application/zip', filename: 'dump.zip', size: gb2, unreported: true } });
      const find = (id: unknown) => () => h.cw.conversations().flatMap((c) => h.cw.messages(c.id)).find((m) => m.source_id === id);
      const first = await eventually(find(reported.id), { what: 'the first notice', timeoutMs: 60_000 });
      const second = await eventually(find(unreported.id), { what: 'the second notice', timeoutMs: 60_000 });
      expect(first.content).toContain('the backup');
      expect(first.content).toContain('too large to import** (backup.zip): 2 GB, over the 40 MB limit');
      expect(second.content).toContain('too large to import** (dump.zip): over the 40 MB limit');
      expect(first.attachments ?? []).toEqual([]);
    } finally {
      clearInterval(sampler);
    }
    // The cap is 40 MB: at most one capped download in memory, never the 2 GB.
    expect(peak - base).toBeLessThan(150 * 1024 ** 2);
  });

  it('never writes tokens, API keys, webhook secrets or the admin token to its logs or into ChatWoot', async () => {
    h.cw.failNext({ method: 'POST', path: /\/messages$/, status: 500, body: { error: 'boom' }, times: 3 });
    h.waha.failNext({ method: 'GET', path: /\/messages$/, status: 401, body: { message: 'Unauthorized', statusCode: 401 }, times: 2 });
    await pull(h, 'wa/messages pull 2d');
    await fetch(`${h.url}/health`, { headers: { authorization: 'Bearer wrong' } });
    const logs = h.services.flatMap((s) => s.output).join('');
    expect(logs.length).toBeGreaterThan(1000);
    const everything = logs + JSON.stringify(h.cw.conversations().map((c) => h.cw.messages(c.id)));
    const { chatwootSecret, wahaHmacKey, adminToken } = h.secrets;
    for (const secret of [chatwootSecret!, wahaHmacKey!, adminToken, 'cw-token-5e7f0a99c3', 'waha-key-1b6c2d44e8']) {
      expect(everything.includes(secret)).toBe(false);
    }
  });
});

describe('ChatWoot before 4.13 (cannot sign): the ?token= on the webhook URL', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await Harness.start({ chatwoot: { version: '4.12.1' } });
  });

  afterAll(async () => {
    await h?.stop();
  });

  it('accepts webhooks with the token, refuses them without it or with another', async () => {
    expect(h.secrets.chatwootToken).toBeDefined();
    const id = await h.type('wa/messages help');
    expect(await h.waitReply(id)).toContain('pull');
    const body = JSON.stringify({ event: 'message_created', id: 5, message_type: 'outgoing', content: 'queue stop all', inbox: { id: h.cw.inboxId }, sender: { id: 1, type: 'user' }, conversation: { id: h.integrationConversationId, meta: { sender: { identifier: 'whatsapp.integration' } } } });
    const base = `${h.url}/webhooks/chatwoot/default/${h.appId}`;
    for (const url of [base, `${base}?token=${h.secrets.chatwootToken!.slice(0, -1)}x`]) {
      expect((await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body })).status).toBe(401);
    }
  });
});

describe('two tenants, two WAHA servers, both with session "default"', () => {
  let h: Harness;
  let wahaB: WahaSimulator;
  let cwB: ChatwootSimulator;
  const secretB = randomBytes(16).toString('hex');
  const hmacB = randomBytes(16).toString('hex');

  beforeAll(async () => {
    wahaB = await startWahaSimulator({ webhookHmacKey: hmacB });
    cwB = await startChatwootSimulator({ latencyMs: 0, messagesPerMinute: 0, webhookSecret: secretB });
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'apps-')), 'apps.json');
    fs.writeFileSync(
      file,
      JSON.stringify([
        { APP_ID: 'app_test' },
        {
          APP_ID: 'tenant_b',
          WAHA_URL: wahaB.url,
          WAHA_API_KEY: wahaB.apiKey,
          WAHA_WEBHOOK_HMAC_KEY: hmacB,
          CHATWOOT_URL: cwB.url,
          CHATWOOT_ACCOUNT_ID: String(cwB.accountId),
          CHATWOOT_ACCOUNT_TOKEN: cwB.token,
          CHATWOOT_INBOX_ID: String(cwB.inboxId),
          CHATWOOT_INBOX_IDENTIFIER: 'inbox-ident-1',
          CHATWOOT_WEBHOOK_SECRET: secretB,
        },
      ]),
    );
    h = await Harness.start({ env: { APPS_FILE: file } });
    wahaB.configure({ webhookUrl: `${h.url}/webhooks/waha/tenant_b` });
    cwB.configure({ webhookUrl: `${h.url}/webhooks/chatwoot/default/tenant_b` });
  });

  afterAll(async () => {
    await h?.stop();
    await wahaB?.close();
    await cwB?.close();
  });

  it("keeps each tenant's messages in its own ChatWoot, and the old URL refuses the shared session", async () => {
    const chatId = dmChats(h)[0];
    const a = await h.waha.receive(chatId, { body: 'only for tenant A' });
    const b = await wahaB.receive(chatId, { body: 'only for tenant B' });
    const landed = (cw: ChatwootSimulator, id: unknown) => cw.conversations().flatMap((c) => cw.messages(c.id)).find((m) => m.source_id === id);
    await eventually(() => landed(h.cw, a.id) && landed(cwB, b.id), { what: 'both messages', timeoutMs: 30_000 });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const contents = (cw: ChatwootSimulator) => cw.conversations().flatMap((c) => cw.messages(c.id)).map((m) => m.content ?? '');
    expect(contents(h.cw).some((c) => c.includes('tenant B'))).toBe(false);
    expect(contents(cwB).some((c) => c.includes('tenant A'))).toBe(false);
    const body = JSON.stringify({ event: 'message', session: 'default', timestamp: Date.now(), payload: { id: 'false_1@c.us_X', timestamp: 1, fromMe: false, body: 'x' } });
    const old = await fetch(`${h.url}/webhooks/waha`, { method: 'POST', headers: h.wahaHeaders(body), body });
    expect(old.status).toBe(404);
    expect(await old.text()).toContain('app_test, tenant_b');
    // Tenant B's signature does not open tenant A's URL.
    const crossed = await fetch(`${h.url}/webhooks/waha/app_test`, { method: 'POST', headers: h.wahaHeaders(body, hmacB), body });
    expect(crossed.status).toBe(401);
  });
});

describe('start-up without the webhook secrets', () => {
  const base = {
    REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    QUEUE_PREFIX: `sec${Date.now().toString(36)}`,
    APP_ID: 'app_main',
    WAHA_URL: 'http://127.0.0.1:9',
    WAHA_API_KEY: 'k',
    CHATWOOT_URL: 'http://127.0.0.1:9',
    CHATWOOT_ACCOUNT_ID: '1',
    CHATWOOT_ACCOUNT_TOKEN: 't',
    CHATWOOT_INBOX_ID: '1',
    CHATWOOT_INBOX_IDENTIFIER: 'i',
    PORT: '0',
  };

  it('refuses to start, in one line naming the variable and the opt-out', async () => {
    const noChatwoot = await runOnce({ ...base, WAHA_WEBHOOK_HMAC_KEY: 'k' });
    expect(noChatwoot.code).toBe(1);
    expect(noChatwoot.stderr.trim().split('\n')).toHaveLength(1);
    expect(noChatwoot.stderr).toMatch(/^Configuration error: CHATWOOT_WEBHOOK_SECRET is missing: .*ALLOW_UNSIGNED_WEBHOOKS=true/);
    const noWaha = await runOnce({ ...base, CHATWOOT_WEBHOOK_SECRET: 's' });
    expect(noWaha.code).toBe(1);
    expect(noWaha.stderr).toMatch(/^Configuration error: WAHA_WEBHOOK_HMAC_KEY is missing: .*ALLOW_UNSIGNED_WEBHOOKS=true/);
    const badLimit = await runOnce({ ...base, CHATWOOT_WEBHOOK_SECRET: 's', WAHA_WEBHOOK_HMAC_KEY: 'k', WEBHOOK_BODY_LIMIT: '4m' });
    expect(badLimit.code).toBe(1);
    expect(badLimit.stderr.trim()).toMatch(/^Configuration error: WEBHOOK_BODY_LIMIT is malformed: expected a size with its unit like 4mb/);
  });

  it('starts with ALLOW_UNSIGNED_WEBHOOKS=true, warns at start and in /health details', async () => {
    const h = await Harness.start({ unsigned: true });
    try {
      expect(h.services[0].output.join('')).toMatch(/ALLOW_UNSIGNED_WEBHOOKS=true: webhooks without signatures are accepted/);
      expect(await (await fetch(`${h.url}/health`)).json()).toEqual({ status: 'degraded' });
      const details = await h.healthDetails<{ warnings: string[] }>();
      expect(details.body.warnings[0]).toMatch(/ALLOW_UNSIGNED_WEBHOOKS=true/);
      // Unsigned webhooks work, as the operator chose.
      const id = await h.type('wa/messages help');
      expect(await h.waitReply(id)).toContain('pull');
    } finally {
      await h.stop();
    }
  });
});
