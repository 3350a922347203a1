/**
 * Apps at runtime: the admin API (/api/apps) adds, changes and removes apps in the registry in Redis, and every
 * process serves the change within seconds, without a restart. The second app has a WAHA and a ChatWoot of its own
 * (two more simulators), as a hosting company's next customer would.
 */
import { Harness, eventually } from '../support/harness';
import { SecondApp } from '../support/second-app';

describe('apps admin API (/api/apps)', () => {
  let h: Harness;
  let b: SecondApp;

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers, read by the assertions
  const call = async (method: string, path: string, body?: unknown, token: string | null = h.secrets.adminToken, base = h.url): Promise<{ status: number; body: any }> => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (token !== null) headers.authorization = `Bearer ${token}`;
    const response = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };

  const appB = (): Record<string, unknown> => b.entry();
  const integrationOfB = (): Promise<number> => b.integration();

  beforeEach(async () => {
    h = await Harness.start({ waha: { history: { dmChats: 3, messagesPerChat: 6, days: 5, groups: 0, channels: 0 } } });
    b = await SecondApp.start(h, 'app_b', { waha: { history: { dmChats: 4, messagesPerChat: 5, days: 5, groups: 0, channels: 0, includeStatus: false, broadcastLists: 0, includeNullChat: false, hiddenRatio: 0 } } });
  });

  afterEach(async () => {
    await h?.stop();
    await b?.close();
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
    expect(JSON.stringify(created.body)).not.toContain(b.cw.token);
    // The other process picks it up from Redis: its webhook route for app B answers (not 404) within seconds.
    const started = Date.now();
    await eventually(async () => (await fetch(`${other.url}/webhooks/waha/app_b`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status !== 404, {
      what: 'the second process to serve app B',
      timeoutMs: 10_000,
    });
    expect(Date.now() - started).toBeLessThan(6_000);

    const conversationId = await integrationOfB();
    const command = await b.cw.agentMessage(conversationId, 'wa/messages pull 30d');
    await eventually(() => b.cw.messages(conversationId).find((m) => m.id > command.id && /Pull finished/.test(m.content ?? '')), { what: "app B's pull to finish", timeoutMs: 30_000 });
    expect(b.imported()).toBe(b.waha.totalMessages());
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
      const typed = await b.cw.agentMessage(conversationId, 'bot/messages help');
      // The service answers in the integration conversation as the integration contact (incoming).
      return eventually(() => b.cw.messages(conversationId).find((m) => m.id > typed.id && m.message_type === 0 && /import WhatsApp history/.test(m.content ?? '')), { timeoutMs: 2_000 });
    }, { what: 'a reply to the new prefix', timeoutMs: 15_000 });
  });

  it('DELETE mid-pull stops the pull cleanly first: its report reaches the app, nothing is imported after', async () => {
    b.cw.configure({ latencyMs: 40 });
    expect((await call('POST', '/api/apps', appB())).status).toBe(201);
    const conversationId = await integrationOfB();
    const command = await b.cw.agentMessage(conversationId, 'wa/messages pull 30d');
    const imported = (): number => b.imported();
    await eventually(() => imported() >= 3, { what: "app B's pull under way" });
    const removed = await call('DELETE', '/api/apps/app_b');
    expect(removed.body).toMatchObject({ removed: 'app_b', pullStopped: true });
    expect(b.cw.messages(conversationId).find((m) => m.id > command.id && /Pull stopped/.test(m.content ?? ''))).toBeDefined();
    const after = imported();
    expect(after).toBeLessThan(b.waha.totalMessages());
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(imported()).toBe(after);
  });

  it('DELETE stops serving the app and keeps its ledger; a restart does not bring a deleted seed back; ?purge=true deletes its keys', async () => {
    expect((await call('POST', '/api/apps', appB())).status).toBe(201);
    const conversationId = await integrationOfB();
    const command = await b.cw.agentMessage(conversationId, 'wa/messages pull 30d');
    await eventually(() => b.cw.messages(conversationId).find((m) => m.id > command.id && /Pull finished/.test(m.content ?? '')), { what: "app B's pull", timeoutMs: 30_000 });

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
