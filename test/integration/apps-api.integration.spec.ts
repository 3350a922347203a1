/**
 * Apps at runtime: the admin API (/api/apps) adds, changes and removes apps in the registry in Redis, and every
 * process serves the change within seconds, without a restart. The second app has a WAHA and a ChatWoot of its own
 * (two more simulators), as a hosting company's next customer would.
 */
import { ChatwootSimulator, startChatwootSimulator } from '../../simulators/chatwoot/chatwoot-simulator';
import { startWahaSimulator, WahaSimulator } from '../../simulators/waha/waha-simulator';
import { WANTED_EVENTS } from '../../src/clients/waha/waha-capabilities';
import { Harness, eventually } from '../support/harness';

const CW_SECRET = 'cw-secret-of-app-b';
const WAHA_KEY = 'waha-hmac-of-app-b';

describe('apps admin API (/api/apps)', () => {
  let h: Harness;
  let cwB: ChatwootSimulator;
  let wahaB: WahaSimulator;

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers, read by the assertions
  const call = async (method: string, path: string, body?: unknown, token: string | null = h.secrets.adminToken, base = h.url): Promise<{ status: number; body: any }> => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (token !== null) headers.authorization = `Bearer ${token}`;
    const response = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };

  const appB = (): Record<string, unknown> => ({
    APP_ID: 'app_b',
    WAHA_URL: wahaB.url,
    WAHA_API_KEY: wahaB.apiKey,
    WAHA_SESSION: wahaB.session,
    WAHA_WEBHOOK_HMAC_KEY: WAHA_KEY,
    CHATWOOT_URL: cwB.url,
    CHATWOOT_ACCOUNT_ID: cwB.accountId,
    CHATWOOT_ACCOUNT_TOKEN: cwB.token,
    CHATWOOT_INBOX_ID: cwB.inboxId,
    CHATWOOT_INBOX_IDENTIFIER: 'inbox-ident-1',
    CHATWOOT_WEBHOOK_SECRET: CW_SECRET,
  });

  /** B's WhatsApp Integration conversation, once the service created it in B's ChatWoot. */
  const integrationOfB = (): Promise<number> =>
    eventually(
      () => {
        const contact = cwB.findContact((c) => c.identifier === 'whatsapp.integration');
        return contact && cwB.conversations().find((c) => (c.meta.sender as { id?: number } | null)?.id === contact.id)?.id;
      },
      { what: "app B's integration conversation", timeoutMs: 15_000 },
    );

  beforeEach(async () => {
    h = await Harness.start({ waha: { history: { dmChats: 3, messagesPerChat: 6, days: 5, groups: 0, channels: 0 } } });
    cwB = await startChatwootSimulator({ latencyMs: 0, messagesPerMinute: 0, webhookSecret: CW_SECRET });
    wahaB = await startWahaSimulator({ webhookEvents: [...WANTED_EVENTS], webhookHmacKey: WAHA_KEY, history: { dmChats: 4, messagesPerChat: 5, days: 5, groups: 0, channels: 0, includeStatus: false, broadcastLists: 0, includeNullChat: false, hiddenRatio: 0 } });
    cwB.configure({ webhookUrl: `${h.url}/webhooks/chatwoot/${wahaB.session}/app_b` });
    wahaB.configure({ webhookUrl: `${h.url}/webhooks/waha/app_b` });
  });

  afterEach(async () => {
    await h?.stop();
    await cwB?.close();
    await wahaB?.close();
  });

  it('refuses callers without the admin token, and lists the seeded app without its secrets', async () => {
    expect((await call('GET', '/api/apps', undefined, null)).status).toBe(401);
    expect((await call('GET', '/api/apps', undefined, 'wrong')).status).toBe(401);
    const listed = await call('GET', '/api/apps');
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual([
      expect.objectContaining({ APP_ID: h.appId, source: 'seed', served: true, webhooks: { waha: `/webhooks/waha/${h.appId}`, chatwoot: `/webhooks/chatwoot/${h.waha.session}/${h.appId}` } }),
    ]);
    expect(listed.body[0].secretsSet).toMatchObject({ WAHA_API_KEY: true, CHATWOOT_ACCOUNT_TOKEN: true, CHATWOOT_WEBHOOK_SECRET: true, WAHA_WEBHOOK_HMAC_KEY: true });
    expect(JSON.stringify(listed.body)).not.toContain(h.cw.token);
  });

  it('an app added through the API is served by every process within seconds and imports its history without a restart', async () => {
    const other = await h.spawn({ ROLE: 'all' });
    const created = await call('POST', '/api/apps', appB());
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ APP_ID: 'app_b', source: 'api', served: true, secretsSet: { CHATWOOT_ACCOUNT_TOKEN: true } });
    expect(JSON.stringify(created.body)).not.toContain(cwB.token);
    // The other process picks it up from Redis: its webhook route for app B answers (not 404) within seconds.
    const started = Date.now();
    await eventually(async () => (await fetch(`${other.url}/webhooks/waha/app_b`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status !== 404, {
      what: 'the second process to serve app B',
      timeoutMs: 10_000,
    });
    expect(Date.now() - started).toBeLessThan(6_000);

    const conversationId = await integrationOfB();
    const command = await cwB.agentMessage(conversationId, 'wa/messages pull 30d');
    await eventually(() => cwB.messages(conversationId).find((m) => m.id > command.id && /Pull finished/.test(m.content ?? '')), { what: "app B's pull to finish", timeoutMs: 30_000 });
    const imported = cwB.conversations().reduce((n, c) => n + cwB.messages(c.id).filter((m) => m.source_id).length, 0);
    expect(imported).toBe(wahaB.totalMessages());
    // App A's ChatWoot got none of B's messages.
    expect(h.cw.conversations().flatMap((c) => h.cw.messages(c.id)).filter((m) => m.source_id)).toEqual([]);
  });

  it('answers bad input with what is wrong: 400 for invalid fields, 409 for a taken id or WAHA session', async () => {
    const badUrl = await call('POST', '/api/apps', { ...appB(), CHATWOOT_URL: 'not a url' });
    expect(badUrl.status).toBe(400);
    expect(badUrl.body.message).toMatch(/CHATWOOT_URL is malformed/);
    const unknown = await call('POST', '/api/apps', { ...appB(), CHATWOOT_TOKEN: 'x' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.message).toMatch(/unknown fields "CHATWOOT_TOKEN"/);
    // An empty field overrides the environment's value (which an entry otherwise falls back to).
    const unsigned = await call('POST', '/api/apps', { ...appB(), WAHA_WEBHOOK_HMAC_KEY: '' });
    expect(unsigned.status).toBe(400);
    expect(unsigned.body.message).toMatch(/WAHA_WEBHOOK_HMAC_KEY is missing/);
    const sameSession = await call('POST', '/api/apps', { ...appB(), WAHA_URL: h.waha.url, WAHA_SESSION: h.waha.session });
    expect(sameSession.status).toBe(409);
    expect(sameSession.body.message).toContain(`App "${h.appId}" already uses WAHA session "${h.waha.session}"`);
    expect((await call('POST', '/api/apps', appB())).status).toBe(201);
    const again = await call('POST', '/api/apps', appB());
    expect(again.status).toBe(409);
    expect(again.body.message).toContain('App "app_b" exists already');
    expect((await call('PUT', '/api/apps/nope', appB())).status).toBe(404);
  });

  it('PUT changes an app in place and keeps the secrets it leaves out', async () => {
    expect((await call('POST', '/api/apps', appB())).status).toBe(201);
    const conversationId = await integrationOfB();
    const secrets = ['CHATWOOT_ACCOUNT_TOKEN', 'WAHA_API_KEY', 'CHATWOOT_WEBHOOK_SECRET', 'WAHA_WEBHOOK_HMAC_KEY'];
    const rest = Object.fromEntries(Object.entries(appB()).filter(([field]) => !secrets.includes(field)));
    const changed = await call('PUT', '/api/apps/app_b', { ...rest, COMMAND_PREFIX: 'bot/' });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({ COMMAND_PREFIX: 'bot/', secretsSet: { CHATWOOT_ACCOUNT_TOKEN: true, WAHA_API_KEY: true } });
    // The new prefix works (so the kept token still reaches ChatWoot).
    await eventually(async () => {
      const typed = await cwB.agentMessage(conversationId, 'bot/messages help');
      // The service answers in the integration conversation as the integration contact (incoming).
      return eventually(() => cwB.messages(conversationId).find((m) => m.id > typed.id && m.message_type === 0 && /import WhatsApp history/.test(m.content ?? '')), { timeoutMs: 2_000 });
    }, { what: 'a reply to the new prefix', timeoutMs: 15_000 });
  });

  it('DELETE mid-pull stops the pull cleanly first: its report reaches the app, nothing is imported after', async () => {
    cwB.configure({ latencyMs: 40 });
    expect((await call('POST', '/api/apps', appB())).status).toBe(201);
    const conversationId = await integrationOfB();
    const command = await cwB.agentMessage(conversationId, 'wa/messages pull 30d');
    const imported = (): number => cwB.conversations().reduce((n, c) => n + cwB.messages(c.id).filter((m) => m.source_id).length, 0);
    await eventually(() => imported() >= 3, { what: "app B's pull under way" });
    const removed = await call('DELETE', '/api/apps/app_b');
    expect(removed.body).toMatchObject({ removed: 'app_b', pullStopped: true });
    expect(cwB.messages(conversationId).find((m) => m.id > command.id && /Pull stopped/.test(m.content ?? ''))).toBeDefined();
    const after = imported();
    expect(after).toBeLessThan(wahaB.totalMessages());
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(imported()).toBe(after);
  });

  it('DELETE stops serving the app and keeps its ledger; a restart does not bring a deleted seed back; ?purge=true deletes its keys', async () => {
    expect((await call('POST', '/api/apps', appB())).status).toBe(201);
    const conversationId = await integrationOfB();
    const command = await cwB.agentMessage(conversationId, 'wa/messages pull 30d');
    await eventually(() => cwB.messages(conversationId).find((m) => m.id > command.id && /Pull finished/.test(m.content ?? '')), { what: "app B's pull", timeoutMs: 30_000 });

    const removed = await call('DELETE', '/api/apps/app_b');
    expect(removed).toEqual({ status: 200, body: { removed: 'app_b', pullStopped: true, ledgerKept: true } });
    expect((await fetch(`${h.url}/webhooks/waha/app_b`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(404);
    expect(await h.redis((r) => r.exists(`${h.prefix}:{app_b}:pull:last`))).toBe(1);

    // The seeded app, deleted through the API, stays deleted when the service restarts with the same environment.
    expect((await call('DELETE', `/api/apps/${h.appId}?purge=true`)).body).toMatchObject({ removed: h.appId, purgedKeys: expect.any(Number) });
    expect(await h.redis((r) => r.exists(h.key('integration')))).toBe(0);
    await h.kill(h.services[0], 'SIGTERM');
    await h.spawn({});
    expect((await call('GET', `/api/apps/${h.appId}`)).status).toBe(404);
    expect((await call('GET', '/api/apps')).body).toEqual([]);
  });
});
