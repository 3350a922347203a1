/**
 * The ChatWoot simulator as a client meets the real server: Rails routing (a dot ends a path segment unless sent as
 * %2E), GET /api with the version, what message create keeps per release, source_id generation, and message status
 * updates for API inboxes.
 */
import { ChatwootSimOptions, ChatwootSimulator, startChatwootSimulator } from '../../../simulators/chatwoot';
import { HookReceiver, chatwoot, request } from './sim-test-kit';

const started: ChatwootSimulator[] = [];

async function sim(options: ChatwootSimOptions = {}): Promise<ChatwootSimulator> {
  const simulator = await startChatwootSimulator(options);
  started.push(simulator);
  return simulator;
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.close()));
});

/** A contact with a contact inbox under `sourceId` and a conversation; returns the conversation's display id. */
async function conversationFor(
  s: ChatwootSimulator,
  sourceId: string,
): Promise<{ contactId: number; conversationId: number }> {
  const contact = await chatwoot(s.url, '/contacts', {
    method: 'POST',
    body: { name: 'Ana', inbox_id: 1, source_id: sourceId },
  });
  expect(contact.status).toBe(200);
  const contactId = contact.body.payload.contact.id as number;
  const conversation = await chatwoot(s.url, '/conversations', {
    method: 'POST',
    body: { inbox_id: 1, contact_id: contactId, source_id: sourceId },
  });
  expect(conversation.status).toBe(200);
  return { contactId, conversationId: conversation.body.id as number };
}

const lastSeen = (s: ChatwootSimulator, source: string, id: number, accept = 'application/json') =>
  request(`${s.url}/public/api/v1/inboxes/inbox-ident-1/contacts/${source}/conversations/${id}/update_last_seen`, {
    method: 'POST',
    body: {},
    headers: { Accept: accept },
  });

describe('ChatWoot simulator as Rails routes', () => {
  it('finds no route for a contact source id with a raw dot, and reaches the handler with %2E', async () => {
    const s = await sim();
    const { conversationId } = await conversationFor(s, '49151@c.us');
    const raw = await lastSeen(s, '49151@c.us', conversationId);
    expect([raw.status, raw.body]).toEqual([404, { status: 404, error: 'Not Found' }]);
    expect(s.conversation(conversationId)?.contact_last_seen_at).toBe(0);
    const encoded = await lastSeen(s, encodeURIComponent('49151@c.us').replace(/\./g, '%2E'), conversationId);
    expect([encoded.status, encoded.body]).toEqual([200, '']);
    expect(s.conversation(conversationId)?.contact_last_seen_at).toBeGreaterThan(0);
  });

  it('answers Rails’ HTML 404 page when JSON is not asked for', async () => {
    const s = await sim();
    const { conversationId } = await conversationFor(s, '49151@c.us');
    const res = await lastSeen(s, '49151@c.us', conversationId, 'text/html');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toContain('text/html');
  });

  it('takes a dot at the end of a path as the format', async () => {
    const s = await sim();
    const { contactId } = await conversationFor(s, 'abc');
    const res = await chatwoot(s.url, `/contacts/${contactId}.json`);
    expect([res.status, res.body.payload.id]).toEqual([200, contactId]);
  });

  it('answers Rails’ 404 for an unknown inbox, contact inbox or conversation on the Client API', async () => {
    const s = await sim();
    const { conversationId } = await conversationFor(s, 'src-1');
    const other = await conversationFor(s, 'src-2');
    for (const res of [
      await request(
        `${s.url}/public/api/v1/inboxes/nope/contacts/src-1/conversations/${conversationId}/update_last_seen`,
        {
          method: 'POST',
          body: {},
          headers: { Accept: 'application/json' },
        },
      ),
      await lastSeen(s, 'nobody', conversationId),
      await lastSeen(s, 'src-1', other.conversationId),
    ]) {
      expect([res.status, res.body]).toEqual([404, { status: 404, error: 'Not Found' }]);
    }
  });
});

describe('ChatWoot simulator GET /api', () => {
  it('tells the version without a token', async () => {
    const s = await sim();
    const res = await request(`${s.url}/api`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      version: '4.15.1',
      timestamp: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/),
      queue_services: 'ok',
      data_services: 'ok',
    });
    const old = await sim({ version: '4.8.0' });
    expect((await request(`${old.url}/api`)).body.version).toBe('4.8.0');
  });
});

describe('ChatWoot simulator message create', () => {
  const attributes = { in_reply_to: 7, waha_id: 'false_1@c.us_AAA', items: [{ title: 'x' }] };

  it('stores content_attributes as sent from 4.9.0, and external_created_at from the top level', async () => {
    const s = await sim();
    const { conversationId } = await conversationFor(s, 'src-1');
    const res = await chatwoot(s.url, `/conversations/${conversationId}/messages`, {
      method: 'POST',
      body: {
        content: 'hi',
        message_type: 'incoming',
        content_attributes: attributes,
        external_created_at: 1700000000,
      },
    });
    expect(res.status).toBe(200);
    expect(res.body.content_attributes).toEqual({ ...attributes, external_created_at: 1700000000 });
  });

  it('keeps only in_reply_to and items (and the top-level external_created_at) before 4.9.0', async () => {
    const s = await sim({ version: '4.8.0' });
    const { conversationId } = await conversationFor(s, 'src-1');
    const res = await chatwoot(s.url, `/conversations/${conversationId}/messages`, {
      method: 'POST',
      body: {
        content: 'hi',
        message_type: 'incoming',
        content_attributes: attributes,
        external_created_at: 1700000000,
      },
    });
    expect(res.body.content_attributes).toEqual({
      in_reply_to: 7,
      items: [{ title: 'x' }],
      external_created_at: 1700000000,
    });
  });

  it('reads content_attributes as a JSON string and external_created_at as a field in multipart', async () => {
    const s = await sim();
    const { conversationId } = await conversationFor(s, 'src-1');
    const form = new FormData();
    form.append('content', 'a file');
    form.append('message_type', 'incoming');
    form.append('private', 'false');
    form.append('external_created_at', '1700000000');
    form.append('content_attributes', JSON.stringify({ waha_id: 'x' }));
    form.append('attachments[]', new Blob([Buffer.from('pdf')], { type: 'application/pdf' }), 'a.pdf');
    const res = await chatwoot(s.url, `/conversations/${conversationId}/messages`, { method: 'POST', body: form });
    expect(res.status).toBe(200);
    expect(res.body.content_attributes).toEqual({ waha_id: 'x', external_created_at: '1700000000' });
  });
});

describe('ChatWoot simulator source ids', () => {
  it('gives a contact inbox without source_id a UUID, and builds none for an empty one', async () => {
    const s = await sim();
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
    const generated = await chatwoot(s.url, '/contacts', { method: 'POST', body: { name: 'A', inbox_id: 1 } });
    expect(generated.body.payload.contact_inbox.source_id).toMatch(uuid);
    const blank = await chatwoot(s.url, '/contacts', {
      method: 'POST',
      body: { name: 'B', inbox_id: 1, source_id: '' },
    });
    expect(blank.status).toBe(200);
    expect(blank.body.payload.contact_inbox).toEqual({ inbox: null, source_id: null });
    expect(blank.body.payload.contact.contact_inboxes).toEqual([]);
    const contactId = blank.body.payload.contact.id;
    const added = await chatwoot(s.url, `/contacts/${contactId}/contact_inboxes`, {
      method: 'POST',
      body: { inbox_id: 1 },
    });
    expect([added.status, added.body.source_id]).toEqual([200, expect.stringMatching(uuid)]);
    const empty = await chatwoot(s.url, `/contacts/${contactId}/contact_inboxes`, {
      method: 'POST',
      body: { inbox_id: 1, source_id: '' },
    });
    expect(empty.status).toBe(500);
  });
});

describe('ChatWoot simulator message status updates', () => {
  it('marks a message failed with its external_error, fires message_updated, and never goes from read to delivered', async () => {
    const receiver = await new HookReceiver().start();
    try {
      const s = await sim({ webhookUrl: receiver.url });
      const { conversationId } = await conversationFor(s, 'src-1');
      const created = await chatwoot(s.url, `/conversations/${conversationId}/messages`, {
        method: 'POST',
        body: { content: 'x' },
      });
      const path = `/conversations/${conversationId}/messages/${created.body.id}`;
      const failed = await chatwoot(s.url, path, {
        method: 'PATCH',
        body: { status: 'failed', external_error: 'no WhatsApp' },
      });
      expect(failed.status).toBe(200);
      expect(failed.body).toMatchObject({ status: 'failed', content_attributes: { external_error: 'no WhatsApp' } });
      await s.waitForWebhookIdle();
      const updated = receiver.events('message_updated').map((h) => h.json);
      expect(updated.at(-1)).toMatchObject({
        id: created.body.id,
        content_attributes: { external_error: 'no WhatsApp' },
      });
      await chatwoot(s.url, path, { method: 'PUT', body: { status: 'read' } });
      const back = await chatwoot(s.url, path, { method: 'PATCH', body: { status: 'delivered' } });
      expect(back.body).toMatchObject({ status: 'read', content_attributes: { external_error: null } });
      const unknown = await chatwoot(s.url, `/conversations/${conversationId}/messages/999999`, {
        method: 'PATCH',
        body: { status: 'read' },
      });
      expect(unknown.status).toBe(404);
    } finally {
      await receiver.stop();
    }
  });
});
