import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { ChatwootWebhookIntake } from './chatwoot-webhook.intake';
import { WebhookFastPath } from './webhook-fast-path';

/** A server whose own handler answers 404 `express`, with the fast path in front using `intake`. */
async function serve(intake: Partial<ChatwootWebhookIntake>): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((_req, res) => res.writeHead(404).end('express'));
  new WebhookFastPath(intake as ChatwootWebhookIntake, 1024, pino({ level: 'silent' })).install(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { url, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

describe('WebhookFastPath', () => {
  it('answers 500 and keeps serving when deciding a webhook throws', async () => {
    const { url, close } = await serve({
      admit: () => {
        throw new Error('unexpected');
      },
    });
    try {
      const post = (): Promise<Response> => fetch(`${url}/webhooks/chatwoot/default/app`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"event":"message_created"}' });
      const first = await post();
      expect([first.status, await first.json()]).toEqual([500, { statusCode: 500, message: 'Internal server error' }]);
      expect((await post()).status).toBe(500);
    } finally {
      await close();
    }
  });

  it('leaves other routes, other media types and bodies over the limit to the server', async () => {
    const { url, close } = await serve({ admit: () => ({ kind: 'ignored' }) });
    try {
      const other = await fetch(`${url}/health`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      const text = await fetch(`${url}/webhooks/chatwoot/default/app`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{}' });
      const large = await fetch(`${url}/webhooks/chatwoot/default/app`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ x: 'y'.repeat(2048) }) });
      const ignored = await fetch(`${url}/webhooks/chatwoot/default/app`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(await Promise.all([other, text, large].map((r) => r.text()))).toEqual(['express', 'express', 'express']);
      expect(await ignored.json()).toEqual({ success: true, action: 'ignored' });
    } finally {
      await close();
    }
  });
});
