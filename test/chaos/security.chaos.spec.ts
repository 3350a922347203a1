/**
 * Hostile and bad webhooks are refused with the right status and nothing queued; secrets never reach logs or
 * ChatWoot.
 */
import { createHmac } from 'node:crypto';
import { Harness } from '../support/harness';
import { pull } from '../support/pull-helpers';

const SECRETS = {
  CHATWOOT_WEBHOOK_SECRET: 'cw-secret-3f9a1c77',
  WAHA_WEBHOOK_HMAC_KEY: 'waha-hmac-8d2e4b11',
};

async function queued(h: Harness): Promise<number> {
  return h.redis(async (r) => (await r.keys(`${h.prefix}:commands:cmd~*`)).length + (await r.keys(h.key('lane', '*'))).length);
}

function cwHeaders(body: string, ts = Math.floor(Date.now() / 1000), secret = SECRETS.CHATWOOT_WEBHOOK_SECRET): Record<string, string> {
  return {
    'content-type': 'application/json',
    'x-chatwoot-timestamp': String(ts),
    'x-chatwoot-signature': 'sha256=' + createHmac('sha256', secret).update(`${ts}.${body}`).digest('hex'),
  };
}

describe('hostile input and secrets', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await Harness.start({
      chatwoot: { webhookSecret: SECRETS.CHATWOOT_WEBHOOK_SECRET, token: 'cw-token-5e7f0a99' },
      waha: { webhookHmacKey: SECRETS.WAHA_WEBHOOK_HMAC_KEY, apiKey: 'waha-key-1b6c2d44' },
      env: { ...SECRETS, LOG_LEVEL: 'trace' },
    });
  });

  afterAll(async () => {
    await h?.stop();
  });

  it('refuses bad, missing and replayed stale signatures, unknown apps, malformed, oversized and non-JSON bodies', async () => {
    const before = await queued(h);
    const cwUrl = `${h.url}/webhooks/chatwoot/default/${h.appId}`;
    const body = JSON.stringify({ event: 'message_created', id: 424242, message_type: 'outgoing', content: 'wa/messages pull 1y', conversation: { id: h.integrationConversationId, meta: { sender: { identifier: 'whatsapp.integration' } } } });
    const stale = cwHeaders(body, Math.floor(Date.now() / 1000) - 600);
    const cases: Array<[string, string, Record<string, string>, string | Buffer, number]> = [
      ['bad signature', cwUrl, cwHeaders(body, undefined, 'guess'), body, 401],
      ['missing signature', cwUrl, { 'content-type': 'application/json' }, body, 401],
      ['replayed stale signature', cwUrl, stale, body, 401],
      ['unknown app', `${h.url}/webhooks/chatwoot/default/other`, cwHeaders(body), body, 404],
      ['unknown session', `${h.url}/webhooks/chatwoot/other/${h.appId}`, cwHeaders(body), body, 404],
      ['malformed JSON', cwUrl, cwHeaders('{"event":'), '{"event":', 400],
      ['oversized JSON', cwUrl, { 'content-type': 'application/json' }, JSON.stringify({ content: 'x'.repeat(5_000_000) }), 413],
      ['wrong content type', cwUrl, { ...cwHeaders(body), 'content-type': 'text/plain' }, body, 415],
      ['WAHA bad HMAC', `${h.url}/webhooks/waha`, { 'content-type': 'application/json', 'x-webhook-hmac': 'ab'.repeat(64) }, '{"event":"message.any","session":"default","payload":{"id":"x"}}', 401],
      ['WAHA wrong content type', `${h.url}/webhooks/waha`, { 'content-type': 'application/x-www-form-urlencoded' }, 'event=message.any', 415],
    ];
    for (const [name, url, headers, payload, status] of cases) {
      const response = await fetch(url, { method: 'POST', headers, body: payload });
      expect({ name, status: response.status }).toEqual({ name, status });
    }
    expect(await queued(h)).toBe(before);
    expect((await fetch(`${h.url}/health`)).status).toBe(200);
  });

  it('never writes tokens, API keys or HMAC keys to its logs or into ChatWoot', async () => {
    // Exercise the paths that log: a pull, failing upstream calls, a rejected webhook.
    h.cw.failNext({ method: 'POST', path: /\/messages$/, status: 500, body: { error: 'boom' }, times: 3 });
    h.waha.failNext({ method: 'GET', path: /\/messages$/, status: 401, body: { message: 'Unauthorized', statusCode: 401 }, times: 2 });
    await pull(h, 'wa/messages pull 2d');
    const logs = h.services.flatMap((s) => s.output).join('');
    expect(logs.length).toBeGreaterThan(1000);
    const everything = logs + JSON.stringify(h.cw.conversations().map((c) => h.cw.messages(c.id)));
    for (const secret of [SECRETS.CHATWOOT_WEBHOOK_SECRET, SECRETS.WAHA_WEBHOOK_HMAC_KEY, 'cw-token-5e7f0a99', 'waha-key-1b6c2d44']) {
      expect(everything.includes(secret)).toBe(false);
    }
  });
});
