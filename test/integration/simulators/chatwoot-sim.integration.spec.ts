/**
 * The fake ChatWoot over real HTTP: the error bodies, validations, ids, paging, throttles and webhooks the
 * service depends on, as shared/reference/chatwoot-api.md describes them.
 */
import { createHash, createHmac } from 'node:crypto';
import * as http from 'node:http';
import { AddressInfo } from 'node:net';
import axios, { AxiosInstance } from 'axios';
import { ChatwootSimulator, startChatwootSimulator } from '../../../simulators/chatwoot';

interface ReceivedWebhook {
  headers: http.IncomingHttpHeaders;
  raw: string;
  body: Record<string, unknown>;
}

async function startReceiver(answer: () => number = () => 200) {
  const received: ReceivedWebhook[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      received.push({ headers: req.headers, raw, body: JSON.parse(raw) });
      res.writeHead(answer()).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/chatwoot`;
  return { url, received, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('ChatWoot simulator', () => {
  let sim: ChatwootSimulator;
  let api: AxiosInstance;

  beforeAll(async () => {
    sim = await startChatwootSimulator();
    api = axios.create({
      baseURL: `${sim.url}/api/v1/accounts/1`,
      headers: { api_access_token: 'cw-token' },
      validateStatus: () => true,
    });
  });

  afterAll(async () => {
    await sim.close();
  });

  beforeEach(() => {
    sim.reset();
    sim.configure({
      latencyMs: 0,
      capacity: 32,
      rateLimit: null,
      messagesPerMinute: 200,
      webhookUrl: '',
      webhookSecret: '',
    });
  });

  async function newConversation(name = 'João', phone = '+5511999990000') {
    const created = await api.post('/contacts', { name, phone_number: phone, identifier: `${phone.slice(1)}@c.us` });
    const contactId = created.data.payload.contact.id;
    const conversation = await api.post('/conversations', {
      inbox_id: 1,
      contact_id: contactId,
      source_id: phone.slice(1),
    });
    return { contactId, conversationId: conversation.data.id as number };
  }

  describe('when authentication is wrong', () => {
    it('answers the devise body when the header is missing', async () => {
      const res = await axios.get(`${sim.url}/api/v1/accounts/1/contacts/1`, { validateStatus: () => true });
      expect(res.status).toBe(401);
      expect(res.data).toEqual({ errors: ['You need to sign in or sign up before continuing.'] });
    });

    it('answers Invalid Access Token for an unknown token, also when sent as Bearer', async () => {
      const res = await api.get('/contacts/1', { headers: { api_access_token: 'nope' } });
      expect(res.status).toBe(401);
      expect(res.data).toEqual({ error: 'Invalid Access Token' });
      const bearer = await axios.get(`${sim.url}/api/v1/accounts/1/contacts/1`, {
        headers: { Authorization: 'Bearer cw-token' },
        validateStatus: () => true,
      });
      expect(bearer.data).toEqual({ errors: ['You need to sign in or sign up before continuing.'] });
    });

    it('refuses another account id', async () => {
      const res = await api.get(`${sim.url}/api/v1/accounts/2/contacts/1`);
      expect(res.status).toBe(401);
      expect(res.data).toEqual({ error: 'You are not authorized to access this account' });
    });

    it('answers the not-found body for unknown records and 501 for unsimulated routes', async () => {
      const missing = await api.get('/contacts/999');
      expect(missing.status).toBe(404);
      expect(missing.data).toEqual({ error: 'Resource could not be found' });
      const unsimulated = await api.get('/agents');
      expect(unsimulated.status).toBe(501);
      expect(unsimulated.data.error).toContain('GET /api/v1/accounts/1/agents');
    });
  });

  describe('contacts', () => {
    it('creates a contact with a contact_inbox and answers 200 in the documented shape', async () => {
      const res = await api.post('/contacts', {
        name: 'Ana',
        phone_number: '+5511988887777',
        identifier: '5511988887777@c.us',
        inbox_id: 1,
        source_id: '5511988887777',
        custom_attributes: { waha_chat: '5511988887777@c.us' },
      });
      expect(res.status).toBe(200);
      expect(res.data.payload.contact).toMatchObject({
        id: 1,
        name: 'Ana',
        phone_number: '+5511988887777',
        identifier: '5511988887777@c.us',
        contact_inboxes: [{ source_id: '5511988887777', inbox: { id: 1, channel_type: 'Channel::Api' } }],
      });
      expect(res.data.payload.contact_inbox).toMatchObject({ source_id: '5511988887777', inbox: { id: 1 } });
      const fetched = await api.get('/contacts/1');
      expect(fetched.data.payload.custom_attributes).toEqual({ waha_chat: '5511988887777@c.us' });
    });

    it('rejects a phone number without + and duplicates of phone and identifier', async () => {
      const noPlus = await api.post('/contacts', { name: 'A', phone_number: '5511988887777' });
      expect(noPlus.status).toBe(422);
      expect(noPlus.data).toEqual({ message: 'Phone number should be in e164 format', attributes: ['phone_number'] });

      await api.post('/contacts', { name: 'A', phone_number: '+5511988887777', identifier: 'a@c.us' });
      const duplicate = await api.post('/contacts', {
        name: 'B',
        phone_number: '+5511988887777',
        identifier: 'a@c.us',
      });
      expect(duplicate.status).toBe(422);
      expect(duplicate.data).toEqual({
        message: 'Identifier has already been taken, Phone number has already been taken',
        attributes: ['identifier', 'phone_number'],
      });
      expect(sim.contacts()).toHaveLength(1);
    });

    it('merges custom attributes on update', async () => {
      await api.post('/contacts', { name: 'A', custom_attributes: { a: 1 } });
      const res = await api.put('/contacts/1', { custom_attributes: { b: 2 } });
      expect(res.status).toBe(200);
      expect(res.data.payload.custom_attributes).toEqual({ a: 1, b: 2 });
    });

    it('searches by substring and requires q', async () => {
      await api.post('/contacts', { name: 'Maria Silva', phone_number: '+5511911112222' });
      const found = await api.get('/contacts/search', { params: { q: '1111' } });
      expect(found.data.payload.map((c: { name: string }) => c.name)).toEqual(['Maria Silva']);
      const blank = await api.get('/contacts/search');
      expect(blank.status).toBe(422);
      expect(blank.data).toEqual({ error: 'Specify search string with parameter q' });
    });
  });

  describe('contact filter', () => {
    const condition = (attribute_key: string, values: string[], query_operator: string | null = null) => ({
      attribute_key,
      filter_operator: 'equal_to',
      values,
      query_operator,
    });

    beforeEach(async () => {
      await api.post('/contacts', {
        name: 'Ana',
        phone_number: '+5511900000001',
        identifier: '5511900000001@c.us',
        custom_attributes: { waha_chat: '5511900000001@c.us' },
      });
      await api.post('/contacts', { name: 'Bia', phone_number: '+5511900000002', identifier: 'BIA@c.us' });
    });

    it('rejects a custom attribute that is not defined for contacts', async () => {
      const res = await api.post('/contacts/filter', { payload: [condition('waha_chat', ['5511900000001@c.us'])] });
      expect(res.status).toBe(422);
      expect(res.data.error).toMatch(/^Invalid attribute key - \[waha_chat\]/);
    });

    it('finds by a defined custom attribute, case-insensitively', async () => {
      const definition = await api.post('/custom_attribute_definitions', {
        attribute_display_name: 'WAHA chat',
        attribute_key: 'waha_chat',
        attribute_display_type: 0,
        attribute_model: 1,
      });
      expect(definition.status).toBe(200);
      expect(definition.data).toMatchObject({ attribute_model: 'contact_attribute', attribute_display_type: 'text' });
      const res = await api.post('/contacts/filter', { payload: [condition('waha_chat', ['5511900000001@C.US'])] });
      expect(res.status).toBe(200);
      expect(res.data.meta.count).toBe(1);
      expect(res.data.payload[0]).toMatchObject({ name: 'Ana', contact_inboxes: [] });
    });

    it('prefixes + to phone values itself and compares only the first value', async () => {
      const digits = await api.post('/contacts/filter', { payload: [condition('phone_number', ['5511900000001'])] });
      expect(digits.data.payload.map((c: { name: string }) => c.name)).toEqual(['Ana']);
      const withPlus = await api.post('/contacts/filter', { payload: [condition('phone_number', ['+5511900000001'])] });
      expect(withPlus.data.meta.count).toBe(0);
      const twoValues = await api.post('/contacts/filter', {
        payload: [condition('phone_number', ['5511900000009', '5511900000001'])],
      });
      expect(twoValues.data.meta.count).toBe(0);
    });

    it('chains conditions with OR', async () => {
      const res = await api.post('/contacts/filter', {
        payload: [condition('identifier', ['bia@c.us'], 'OR'), condition('phone_number', ['5511900000001'])],
      });
      expect(res.data.payload.map((c: { name: string }) => c.name)).toEqual(['Ana', 'Bia']);
    });
  });

  describe('conversations', () => {
    it('numbers conversations by display_id and finds them by contact_inbox source_id', async () => {
      const first = await newConversation('Ana', '+5511900000001');
      const second = await newConversation('Bia', '+5511900000002');
      expect([first.conversationId, second.conversationId]).toEqual([1, 2]);
      const legacy = await api.post('/conversations', { source_id: '5511900000001' });
      expect(legacy.status).toBe(200);
      expect(legacy.data).toMatchObject({ id: 3, status: 'open', meta: { sender: { name: 'Ana' } } });
      const unknown = await api.post('/conversations', { source_id: 'nobody' });
      expect(unknown.status).toBe(404);
      const clash = await api.post('/conversations', {
        inbox_id: 1,
        contact_id: second.contactId,
        source_id: '5511900000001',
      });
      expect(clash.status).toBe(422);
      expect(clash.data).toEqual({ error: 'source_id should be unique' });
      const list = await api.get('/conversations', { params: { status: 'all' } });
      expect(list.data.data.meta.all_count).toBe(3);
    });

    it('toggles status, records an activity message, and reopens on an incoming message', async () => {
      const { conversationId } = await newConversation();
      const toggled = await api.post(`/conversations/${conversationId}/toggle_status`, { status: 'resolved' });
      expect(toggled.data).toEqual({
        meta: {},
        payload: { success: true, conversation_id: conversationId, current_status: 'resolved', snoozed_until: null },
      });
      expect(sim.messages(conversationId).map((m) => m.message_type)).toEqual([2]);
      await api.post(`/conversations/${conversationId}/messages`, { content: 'hi again', message_type: 'incoming' });
      expect(sim.conversation(conversationId)?.status).toBe('open');
    });

    it('update_last_seen (Client API, no token) marks the agent messages read for the contact inbox that owns the conversation', async () => {
      const { conversationId } = await newConversation('Ana', '+5511900000001');
      const other = await newConversation('Bia', '+5511900000002');
      await api.post(`/conversations/${conversationId}/messages`, { content: 'question', message_type: 'incoming' });
      const reply = await api.post(`/conversations/${conversationId}/messages`, {
        content: 'answer',
        message_type: 'outgoing',
      });
      const seen = (identifier: string, source: string, id: number) =>
        axios.post(
          `${sim.url}/public/api/v1/inboxes/${identifier}/contacts/${source}/conversations/${id}/update_last_seen`,
          {},
          { validateStatus: () => true },
        );
      for (const refused of [
        await seen('wrong-inbox', '5511900000001', conversationId),
        await seen('inbox-ident-1', 'nobody', conversationId),
        await seen('inbox-ident-1', '5511900000002', conversationId),
        await seen('inbox-ident-1', '5511900000001', other.conversationId),
      ]) {
        // The public controllers rescue nothing: Rails' own 404 (see chatwoot-profiles.integration.spec.ts).
        expect([refused.status, refused.data]).toEqual([404, { status: 404, error: 'Not Found' }]);
      }
      expect(sim.conversation(conversationId)?.contact_last_seen_at).toBe(0);
      const answer = await seen('inbox-ident-1', '5511900000001', conversationId);
      expect([answer.status, answer.data]).toEqual([200, '']);
      expect(sim.conversation(conversationId)?.contact_last_seen_at).toBeGreaterThan(0);
      expect(
        sim.messages(conversationId).map((m) => [m.id === reply.data.id ? 'reply' : 'question', m.status]),
      ).toEqual([
        ['question', 'sent'],
        ['reply', 'read'],
      ]);
    });
  });

  describe('messages', () => {
    it('stores a JSON message with server time and external_created_at in content_attributes', async () => {
      const { conversationId } = await newConversation();
      const res = await api.post(`/conversations/${conversationId}/messages`, {
        content: 'olá',
        message_type: 'incoming',
        source_id: 'wamid.1',
        external_created_at: 1700000000,
        content_attributes: { waha: true },
        created_at: 1,
        echo_id: 'e1',
      });
      expect(res.status).toBe(200);
      expect(res.data).toMatchObject({
        content: 'olá',
        message_type: 0,
        source_id: 'wamid.1',
        echo_id: 'e1',
        conversation_id: conversationId,
        content_attributes: { waha: true, external_created_at: 1700000000 },
        sender: { type: 'contact' },
      });
      expect(res.data.created_at).toBeGreaterThan(1_600_000_000);
      const bad = await api.post(`/conversations/${conversationId}/messages`, { content: 'x', message_type: 'weird' });
      expect(bad.status).toBe(422);
      expect(bad.data).toEqual({ error: "'weird' is not a valid message_type" });
    });

    it('accepts multipart attachments and serves them at data_url', async () => {
      const { conversationId } = await newConversation();
      const form = new FormData();
      form.append('content', 'a photo');
      form.append('message_type', 'incoming');
      form.append('private', 'false');
      form.append('content_attributes', JSON.stringify({ external_created_at: 5 }));
      const bytes = Buffer.from('fake-jpeg-bytes');
      form.append('attachments[]', new Blob([bytes], { type: 'image/jpeg' }), 'photo.jpg');
      const res = await fetch(`${sim.url}/api/v1/accounts/1/conversations/${conversationId}/messages`, {
        method: 'POST',
        headers: { api_access_token: 'cw-token' },
        body: form,
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { attachments: Array<{ data_url: string }> };
      expect(body.attachments).toEqual([expect.objectContaining({ file_type: 'image', file_size: bytes.length })]);
      const [stored] = sim.messages(conversationId);
      expect(stored.attachments[0]).toMatchObject({
        file_name: 'photo.jpg',
        content_type: 'image/jpeg',
        sha256: createHash('sha256').update(bytes).digest('hex'),
      });
      expect(stored.content_attributes).toEqual({ external_created_at: 5 });
      const download = await axios.get(body.attachments[0].data_url, { responseType: 'arraybuffer' });
      expect(Buffer.from(download.data).equals(bytes)).toBe(true);
    });

    it('lists the latest 20 and pages back with before', async () => {
      const { conversationId } = await newConversation();
      for (let i = 1; i <= 25; i++) {
        await api.post(`/conversations/${conversationId}/messages`, { content: `m${i}`, message_type: 'outgoing' });
      }
      const latest = await api.get(`/conversations/${conversationId}/messages`);
      expect(latest.data.payload).toHaveLength(20);
      expect(latest.data.payload[0].content).toBe('m6');
      expect(latest.data.payload[19].content).toBe('m25');
      const older = await api.get(`/conversations/${conversationId}/messages`, {
        params: { before: latest.data.payload[0].id },
      });
      expect(older.data.payload.map((m: { content: string }) => m.content)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5']);
      const newer = await api.get(`/conversations/${conversationId}/messages`, {
        params: { after: latest.data.payload[17].id },
      });
      expect(newer.data.payload.map((m: { content: string }) => m.content)).toEqual(['m24', 'm25']);
    });

    it('answers 422 Too many messages once the conversation had the limit in the last minute', async () => {
      sim.configure({ messagesPerMinute: 5 });
      const { conversationId } = await newConversation();
      for (let i = 0; i < 5; i++) {
        const ok = await api.post(`/conversations/${conversationId}/messages`, { content: `m${i}` });
        expect(ok.status).toBe(200);
      }
      const flooded = await api.post(`/conversations/${conversationId}/messages`, { content: 'one too many' });
      expect(flooded.status).toBe(422);
      expect(flooded.data).toEqual({ error: 'Validation failed: Too many messages' });
      expect(sim.messages(conversationId)).toHaveLength(5);
    });
  });

  describe('throttling and capacity', () => {
    it('answers 429 "Retry later" beyond the limit of a fixed window, and serves again in the next one', async () => {
      sim.configure({ rateLimit: { limit: 3, periodSec: 1 } });
      await sleep(1000 - (Date.now() % 1000) + 20);
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push(await api.get('/inboxes/1'));
      expect(statuses.map((r) => r.status)).toEqual([200, 200, 200, 429]);
      expect(statuses[3].data).toBe('Retry later\n');
      expect(statuses[3].headers['content-type']).toBe('text/plain');
      expect(statuses[3].headers['retry-after']).toBeUndefined();
      await sleep(1000 - (Date.now() % 1000) + 20);
      expect((await api.get('/inboxes/1')).status).toBe(200);
    });

    it('queues up to twice its capacity and answers 503 beyond', async () => {
      sim.configure({ capacity: 1, latencyMs: 150 });
      const started = Date.now();
      const results = await Promise.all(Array.from({ length: 5 }, () => api.get('/inboxes')));
      const statuses = results.map((r) => r.status).sort();
      expect(statuses).toEqual([200, 200, 200, 503, 503]);
      expect(results.find((r) => r.status === 503)?.data).toBe('Service Unavailable\n');
      // One slot, 150 ms each: the three admitted requests are served one after another.
      expect(Date.now() - started).toBeGreaterThanOrEqual(440);
    });
  });

  describe('webhooks', () => {
    it('sends a signed message_created for an agent reply and records the delivery', async () => {
      const receiver = await startReceiver();
      try {
        sim.configure({ webhookUrl: receiver.url, webhookSecret: 's3cret' });
        const { conversationId } = await newConversation();
        await sim.agentMessage(conversationId, 'Hello from the agent');
        await sim.waitForWebhookIdle();
        const events = receiver.received.map((r) => r.body.event);
        expect(events).toEqual(['conversation_created', 'message_created', 'conversation_updated']);
        const hook = receiver.received[1];
        const timestamp = String(hook.headers['x-chatwoot-timestamp']);
        const expected = `sha256=${createHmac('sha256', 's3cret').update(`${timestamp}.${hook.raw}`).digest('hex')}`;
        expect(hook.headers['x-chatwoot-signature']).toBe(expected);
        expect(hook.headers['x-chatwoot-delivery']).toEqual(expect.any(String));
        expect(hook.body).toMatchObject({
          event: 'message_created',
          message_type: 'outgoing',
          private: false,
          source_id: null,
          content: 'Hello from the agent',
          sender: { type: 'user' },
          conversation: {
            id: conversationId,
            contact_inbox: { source_id: '5511999990000' },
            meta: { sender: { identifier: '5511999990000@c.us', type: 'contact' } },
          },
        });
        expect(sim.webhookDeliveries.map((d) => d.status)).toEqual([200, 200, 200]);
      } finally {
        await receiver.close();
      }
    });

    it('marks the message failed when the receiver errors, without retrying', async () => {
      const receiver = await startReceiver(() => 500);
      try {
        sim.configure({ webhookUrl: receiver.url });
        const { conversationId } = await newConversation();
        await api.post(`/conversations/${conversationId}/messages`, { content: 'x', message_type: 'incoming' });
        await api.post(`/conversations/${conversationId}/messages`, { content: 'note', message_type: 'activity' });
        await sim.waitForWebhookIdle();
        const [incoming] = sim.messages(conversationId);
        expect(incoming.status).toBe('failed');
        expect(incoming.content_attributes.external_error).toMatch(/^500/);
        expect(receiver.received.filter((r) => r.body.event === 'message_created')).toHaveLength(1);
        expect(receiver.received.map((r) => r.body.event)).toContain('message_updated');
      } finally {
        await receiver.close();
      }
    });
  });

  describe('faults and control routes', () => {
    it('drops the connection after writing: the message exists, the client sees a hang up', async () => {
      const { conversationId } = await newConversation();
      sim.dropAfterWrite({ method: 'POST', path: /\/messages$/ });
      await expect(
        api.post(`/conversations/${conversationId}/messages`, { content: 'lost answer', message_type: 'incoming' }),
      ).rejects.toThrow(/socket hang up|ECONNRESET/);
      expect(sim.messages(conversationId).map((m) => m.content)).toEqual(['lost answer']);
    });

    it('is driven over /_sim: agent message, transcript, state, reset', async () => {
      const { conversationId } = await newConversation('Carla');
      await api.post(`/conversations/${conversationId}/messages`, { content: 'oi', message_type: 'incoming' });
      const agent = await axios.post(`${sim.url}/_sim/agent-message`, {
        conversation_id: conversationId,
        content: 'internal',
        private: true,
      });
      expect(agent.data).toMatchObject({ message_type: 1, private: true, source_id: null });
      const transcript = await axios.get(`${sim.url}/_sim/transcript`);
      expect(transcript.data).toContain('Carla');
      expect(transcript.data).toMatch(/incoming +\| oi/);
      expect(transcript.data).toMatch(/note +\| internal/);
      const state = await axios.get(`${sim.url}/_sim/state`);
      expect(state.data.conversations[0].messages).toHaveLength(2);
      await axios.post(`${sim.url}/_sim/configure`, { messagesPerMinute: 1 });
      expect(sim.currentOptions().messagesPerMinute).toBe(1);
      await axios.post(`${sim.url}/_sim/reset`);
      expect(sim.conversations()).toEqual([]);
      expect(sim.journal).toEqual([]);
    });

    it('counts requests by status, imported messages and the latest other messages at /_sim/stats', async () => {
      const { conversationId } = await newConversation('Dora');
      await axios.post(`${sim.url}/_sim/stats/reset`);
      await api.post(`/conversations/${conversationId}/messages`, { content: 'imported', source_id: 'wa-1' });
      await api.get('/conversations/999999');
      const agent = await axios.post(`${sim.url}/_sim/agent-message`, {
        conversation_id: conversationId,
        content: 'hi',
      });
      sim.configure({ rateLimit: { limit: 1, periodSec: 60 } });
      await api.get('/inboxes/1');
      await api.get('/inboxes/1');
      sim.configure({ rateLimit: null, capacity: 1, latencyMs: 100 });
      await Promise.all(Array.from({ length: 4 }, () => api.get('/inboxes')));
      const stats = (await axios.get(`${sim.url}/_sim/stats?since_event=${agent.data.id - 1}`)).data;
      expect(stats.requests).toBe(8);
      expect(stats.byStatus).toEqual({ 200: 5, 404: 1, 429: 1, 503: 1 });
      expect(stats.messages).toEqual({ created: 2, withSourceId: 1 });
      expect(stats.peak).toEqual({ active: 1, queued: 2 });
      expect(Object.values(stats.rateWindows)).toEqual([{ accepted: 1, limited: 1 }]);
      expect(stats.events).toEqual([
        expect.objectContaining({ id: agent.data.id, conversation_id: conversationId, content: 'hi' }),
      ]);
      expect(stats.events[0].at).toBeGreaterThan(Date.now() - 5_000);
    });
  });
});
