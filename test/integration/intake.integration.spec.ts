/**
 * Webhook intake and start-up, over HTTP against the simulators and real Redis: the service creates the
 * WhatsApp Integration conversation, refuses unknown apps, bad signatures and malformed bodies with nothing queued,
 * and answers a command typed in ChatWoot.
 */
import { createHmac } from 'node:crypto';
import { Harness } from '../support/harness';

const SECRET = 'cw-webhook-secret';

async function queuedCommands(h: Harness): Promise<number> {
  // Command jobs are stored under their id, built from the app and the ChatWoot message id.
  return h.redis(async (r) => (await r.keys(`${h.prefix}:commands:cmd~*`)).length);
}

function sign(body: string, timestamp = Math.floor(Date.now() / 1000)): Record<string, string> {
  const signature = 'sha256=' + createHmac('sha256', SECRET).update(`${timestamp}.${body}`).digest('hex');
  return { 'content-type': 'application/json', 'x-chatwoot-timestamp': String(timestamp), 'x-chatwoot-signature': signature };
}

describe('webhook intake', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await Harness.start({ chatwoot: { webhookSecret: SECRET }, env: { CHATWOOT_WEBHOOK_SECRET: SECRET } });
  });

  afterAll(async () => {
    await h?.stop();
  });

  it('creates the WhatsApp Integration contact, its custom attribute and a conversation at start-up', () => {
    const contact = h.cw.findContact((c) => c.identifier === 'whatsapp.integration');
    expect(contact).toBeDefined();
    expect(contact!.name).toBe('WhatsApp Integration');
    expect(contact!.custom_attributes.waha_whatsapp_chat_id).toBe('whatsapp.integration');
    expect(h.integrationConversationId).toBeGreaterThan(0);
  });

  it('answers help typed in the integration conversation (signed webhook → queue → worker → ChatWoot)', async () => {
    const id = await h.type('wa/messages help');
    const reply = await h.waitReply(id);
    expect(reply).toContain('pull');
    expect(reply).toContain('--resolve-conversations');
    const replyMessage = h.repliesAfter(id)[0];
    expect(replyMessage.message_type).toBe(0); // incoming, from the integration contact
    expect(replyMessage.private).toBe(false);
  });

  it('answers 404 for an unknown app or session', async () => {
    const body = JSON.stringify({ event: 'message_created' });
    const wrongApp = await fetch(`${h.url}/webhooks/chatwoot/default/nope`, { method: 'POST', headers: sign(body), body });
    const wrongSession = await fetch(`${h.url}/webhooks/chatwoot/other/${h.appId}`, { method: 'POST', headers: sign(body), body });
    expect(wrongApp.status).toBe(404);
    expect(wrongSession.status).toBe(404);
  });

  it('refuses missing, wrong and stale signatures with 401 and queues nothing', async () => {
    const before = await queuedCommands(h);
    const body = JSON.stringify({ event: 'message_created', id: 99999, message_type: 'outgoing', content: 'wa/messages help', conversation: { id: h.integrationConversationId, meta: { sender: { identifier: 'whatsapp.integration' } } } });
    const url = `${h.url}/webhooks/chatwoot/default/${h.appId}`;
    const missing = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const wrong = await fetch(url, { method: 'POST', headers: { ...sign(body), 'x-chatwoot-signature': 'sha256=' + '0'.repeat(64) }, body });
    const stale = await fetch(url, { method: 'POST', headers: sign(body, Math.floor(Date.now() / 1000) - 3600), body });
    expect([missing.status, wrong.status, stale.status]).toEqual([401, 401, 401]);
    expect(await queuedCommands(h)).toBe(before);
  });

  it('answers 400 to malformed JSON and queues nothing', async () => {
    const before = await queuedCommands(h);
    const body = '{"event": "message_created", ';
    const response = await fetch(`${h.url}/webhooks/chatwoot/default/${h.appId}`, { method: 'POST', headers: sign(body), body });
    expect(response.status).toBe(400);
    expect(await queuedCommands(h)).toBe(before);
  });

  it('refuses a body above the size limit', async () => {
    const body = JSON.stringify({ event: 'message_created', content: 'x'.repeat(5 * 1024 * 1024) });
    const response = await fetch(`${h.url}/webhooks/chatwoot/default/${h.appId}`, { method: 'POST', headers: sign(body), body });
    expect(response.status).toBe(413);
  });

  it('acknowledges and ignores customer messages, private notes and its own echoes', async () => {
    const url = `${h.url}/webhooks/chatwoot/default/${h.appId}`;
    const base = { event: 'message_created', id: 1, content: 'wa/messages help', inbox: { id: h.cw.inboxId }, sender: { id: 1, type: 'user' }, conversation: { id: h.integrationConversationId, meta: { sender: { identifier: 'whatsapp.integration' } } } };
    for (const variant of [{ message_type: 'incoming' }, { message_type: 'outgoing', private: true }, { message_type: 'outgoing', source_id: 'false_1@c.us_AAA' }]) {
      const body = JSON.stringify({ ...base, ...variant });
      const response = await fetch(url, { method: 'POST', headers: sign(body), body });
      expect(response.status).toBe(200);
      expect(((await response.json()) as { action: string }).action).toBe('ignored');
    }
  });

  // Echoes are answered before Express and Nest (webhook-fast-path.ts); what that path does not take goes the usual way.
  it('answers an echo the same whether it comes with a charset, chunked, or as a command that goes on to the controller', async () => {
    const url = `${h.url}/webhooks/chatwoot/default/${h.appId}`;
    const echo = JSON.stringify({ event: 'message_created', id: 7, message_type: 'incoming', content: 'hello', source_id: 'false_1@c.us_ECHO', inbox: { id: h.cw.inboxId } });
    const charset = await fetch(url, { method: 'POST', headers: { ...sign(echo), 'content-type': 'application/json; charset=utf-8' }, body: echo });
    expect([charset.status, await charset.json()]).toEqual([200, { success: true, action: 'ignored' }]);
    // A streamed body has no Content-Length: Express reads it.
    const stream = new Blob([echo]).stream();
    const chunked = await fetch(url, { method: 'POST', headers: sign(echo), body: stream, duplex: 'half' });
    expect([chunked.status, await chunked.json()]).toEqual([200, { success: true, action: 'ignored' }]);
    // Refusals are still Nest's: the same bodies as before.
    const unsigned = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: echo });
    expect(unsigned.status).toBe(401);
    expect(await unsigned.json()).toMatchObject({ statusCode: 401, message: expect.stringMatching(/^Webhook rejected: missing/) });
    const otherType = await fetch(url, { method: 'POST', headers: { ...sign(echo), 'content-type': 'text/plain' }, body: echo });
    expect(otherType.status).toBe(415);
    const bare = await fetch(url, { method: 'POST', headers: sign('42'), body: '42' });
    expect(bare.status).toBe(400);
    // A command passes the fast path with its admission and is run.
    const before = await queuedCommands(h);
    const command = JSON.stringify({ event: 'message_created', id: 424242, message_type: 'outgoing', content: 'wa/messages help', inbox: { id: h.cw.inboxId }, sender: { id: 1, type: 'user' }, conversation: { id: h.integrationConversationId, meta: { sender: { identifier: 'whatsapp.integration' } } } });
    const queued = await fetch(url, { method: 'POST', headers: sign(command), body: command });
    expect([queued.status, await queued.json()]).toEqual([200, { success: true, action: 'command' }]);
    expect(await queuedCommands(h)).toBe(before + 1);
  });

  it('reports health: a bare status to anyone, Redis, WAHA and ChatWoot details only to the admin token', async () => {
    const anonymous = await fetch(`${h.url}/health`);
    expect(anonymous.status).toBe(200);
    expect(await anonymous.json()).toEqual({ status: 'ok' });
    expect(await (await fetch(`${h.url}/health/live`)).json()).toEqual({ status: 'ok' });
    expect((await fetch(`${h.url}/health/ready`)).status).toBe(200);
    expect((await fetch(`${h.url}/health`, { headers: { authorization: 'Bearer guess' } })).status).toBe(401);
    const { status, body } = await h.healthDetails<{ status: string; redis: string; apps: Record<string, { waha: { reachable: boolean }; chatwoot: { reachable: boolean } }> }>();
    expect(status).toBe(200);
    expect(body.status).toBe('ok');
    expect(body.redis).toBe('up');
    expect(body.apps[h.appId].waha.reachable).toBe(true);
    expect(body.apps[h.appId].chatwoot.reachable).toBe(true);
  });
});
