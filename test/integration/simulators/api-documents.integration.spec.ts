/**
 * Requests checked against WAHA's and ChatWoot's own OpenAPI documents (shared/specs): what a client notices when
 * it sends what the real server would refuse, and that what the real server takes still goes through where the
 * document is stricter (the overrides files).
 */
import { ApiDocument } from '../../../simulators/common/openapi-document';
import { CHATWOOT_API_DOCUMENT } from '../../../simulators/chatwoot/openapi-overrides';
import { ChatwootSimulator, startChatwootSimulator } from '../../../simulators/chatwoot';
import { WAHA_API_DOCUMENT } from '../../../simulators/waha/openapi-overrides';
import { WahaSimulator, startWahaSimulator } from '../../../simulators/waha';
import { NOW, chatwoot, messagesPath, request, waha, WAHA_KEY } from './sim-test-kit';

describe('requests checked against the API documents', () => {
  let wahaSim: WahaSimulator;
  let cwSim: ChatwootSimulator;

  beforeAll(async () => {
    wahaSim = await startWahaSimulator({ apiKey: WAHA_KEY, history: { seed: 7, now: NOW } });
    cwSim = await startChatwootSimulator();
  });

  afterAll(async () => {
    await Promise.all([wahaSim.close(), cwSim.close()]);
  });

  beforeEach(() => {
    wahaSim.reset();
    cwSim.reset();
  });

  it('finds every route either simulator serves in its server’s document or overrides', async () => {
    const documents: [WahaSimulator | ChatwootSimulator, ApiDocument | undefined][] = [
      [wahaSim, await ApiDocument.load(WAHA_API_DOCUMENT)],
      [cwSim, await ApiDocument.load(CHATWOOT_API_DOCUMENT)],
    ];
    for (const [simulator, document] of documents) {
      expect(document).toBeDefined();
      const missing = simulator
        .routeTemplates()
        .filter((r) => !r.template.startsWith('/_sim/'))
        .filter((r) => document!.operation(r.method, r.template) === undefined)
        .map((r) => `${r.method} ${r.template}`);
      expect(missing).toEqual([]);
    }
  });

  describe('WAHA', () => {
    const chat = () => wahaSim.chats().find((c) => c.kind === 'dm')!.id;

    it('refuses a send without chatId with 400 naming the field, and sends nothing', async () => {
      const res = await waha(wahaSim.url, '/api/sendText', {
        method: 'POST',
        body: { session: 'default', text: 'hi' },
      });
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ error: 'Bad Request', statusCode: 400 });
      expect(res.body.message).toContain('chatId should not be null or undefined');
      expect(res.body.details).toContain('body.chatId is required');
      expect(wahaSim.sent()).toEqual([]);
    });

    it('refuses a page size that is not a number and an ack name it does not know', async () => {
      const res = await waha(wahaSim.url, messagesPath(chat(), { limit: 'ten', 'filter.ack': 'SEEN' }));
      expect(res.status).toBe(400);
      expect(res.body.details).toEqual(
        expect.arrayContaining([
          'query.limit must be of type number',
          'query.filter.ack must be one of: ERROR, PENDING, SERVER, DEVICE, READ, PLAYED',
        ]),
      );
      expect(res.body.message).toContain('limit must be a number conforming to the specified constraints');
    });

    it('refuses an image whose file has neither url nor data', async () => {
      const res = await waha(wahaSim.url, '/api/sendImage', {
        method: 'POST',
        body: { session: 'default', chatId: chat(), file: { mimetype: 'image/jpeg' } },
      });
      expect([res.status, res.body.details]).toEqual([400, ['body.file matches none of the documented shapes']]);
    });

    it('takes what WAHA takes where the document is stricter', async () => {
      const chatId = chat();
      const cases: Record<string, string | number>[] = [
        {},
        { limit: 5, sortOrder: 'ASC' },
        { limit: 5, downloadMedia: 'False', merge: '1' },
        { limit: 5, downloadMediaMimetypes: 'image' },
      ];
      for (const params of cases) {
        const res = await waha(wahaSim.url, messagesPath(chatId, params));
        expect([JSON.stringify(params), res.status]).toEqual([JSON.stringify(params), 200]);
      }
      const voice = await waha(wahaSim.url, '/api/sendVoice', {
        method: 'POST',
        body: { session: 'default', chatId, file: { url: 'https://example.com/v.opus' } },
      });
      expect(voice.status).toBe(201);
      const files = await waha(wahaSim.url, `/api/files/default/missing.jpeg`);
      expect(files.status).toBe(404);
    });

    it('does not check what a release does not know yet: sortBy before 2025.10.5', async () => {
      wahaSim.configure({ version: '2025.9.5' });
      try {
        expect((await waha(wahaSim.url, messagesPath(chat(), { sortBy: 'id' }))).status).toBe(200);
      } finally {
        wahaSim.configure({ version: '2026.7.1' });
      }
      expect((await waha(wahaSim.url, messagesPath(chat(), { sortBy: 'id' }))).status).toBe(400);
    });

    it('checks nothing under /_sim', async () => {
      const res = await waha(wahaSim.url, '/_sim/receive', {
        method: 'POST',
        key: null,
        body: { chatId: chat(), body: 5 },
      });
      expect(res.status).toBe(200);
    });
  });

  describe('ChatWoot', () => {
    it('refuses a contact whose name is not a string, naming body.name, and stores nothing', async () => {
      const res = await chatwoot(cwSim.url, '/contacts', { method: 'POST', body: { name: 5 } });
      expect([res.status, res.body]).toEqual([
        400,
        { error: 'request does not match the API document', details: ['body.name must be of type string'] },
      ]);
      expect(cwSim.contacts()).toEqual([]);
    });

    it('refuses a status outside the model’s enum and a content_type ChatWoot does not have', async () => {
      const contact = await chatwoot(cwSim.url, '/contacts', { method: 'POST', body: { name: 'A', inbox_id: 1 } });
      const contactId = contact.body.payload.contact.id;
      const closed = await chatwoot(cwSim.url, '/conversations', {
        method: 'POST',
        body: { inbox_id: 1, contact_id: contactId, status: 'closed' },
      });
      expect(closed.body.details).toEqual(['body.status must be one of: open, resolved, pending, snoozed']);
      const created = await chatwoot(cwSim.url, '/conversations', {
        method: 'POST',
        body: { inbox_id: 1, contact_id: contactId },
      });
      const bogus = await chatwoot(cwSim.url, `/conversations/${created.body.id}/messages`, {
        method: 'POST',
        body: { content: 'x', content_type: 'bogus' },
      });
      expect(bogus.status).toBe(400);
      expect(bogus.body.details[0]).toMatch(/^body\.content_type must be one of: text, /);
      expect(cwSim.messages(created.body.id)).toEqual([]);
    });

    it('checks the fields of a form like a JSON body', async () => {
      const contact = await chatwoot(cwSim.url, '/contacts', { method: 'POST', body: { name: 'A', inbox_id: 1 } });
      const created = await chatwoot(cwSim.url, '/conversations', {
        method: 'POST',
        body: { inbox_id: 1, contact_id: contact.body.payload.contact.id },
      });
      const form = new FormData();
      form.append('content', 'x');
      form.append('content_type', 'bogus');
      const res = await chatwoot(cwSim.url, `/conversations/${created.body.id}/messages`, {
        method: 'POST',
        body: form,
      });
      expect(res.status).toBe(400);
    });

    it('takes what ChatWoot takes where the document is stricter', async () => {
      const contact = await chatwoot(cwSim.url, '/contacts', { method: 'POST', body: { name: 'A' } });
      expect(contact.status).toBe(200);
      const contactId = contact.body.payload.contact.id;
      expect(
        (await chatwoot(cwSim.url, `/contacts/${contactId}`, { method: 'PATCH', body: { name: 'B' } })).status,
      ).toBe(200);
      const inbox = await chatwoot(cwSim.url, `/contacts/${contactId}/contact_inboxes`, {
        method: 'POST',
        body: { inbox_id: 1, source_id: 'src-1' },
      });
      expect(inbox.status).toBe(200);
      const bySource = await chatwoot(cwSim.url, '/conversations', { method: 'POST', body: { source_id: 'src-1' } });
      expect(bySource.status).toBe(200);
      const id = bySource.body.id;
      expect(
        (await chatwoot(cwSim.url, `/conversations/${id}/toggle_status`, { method: 'POST', body: {} })).status,
      ).toBe(200);
      const definition = await chatwoot(cwSim.url, '/custom_attribute_definitions', {
        method: 'POST',
        body: {
          attribute_display_name: 'Chat',
          attribute_key: 'chat',
          attribute_display_type: 'text',
          attribute_model: 'contact_attribute',
        },
      });
      expect(definition.status).toBe(200);
      const filter = await chatwoot(cwSim.url, '/contacts/filter', {
        method: 'POST',
        body: {
          payload: [{ attribute_key: 'name', filter_operator: 'equal_to', values: ['B'], query_operator: null }],
        },
      });
      expect(filter.status).toBe(200);
      const message = await chatwoot(cwSim.url, `/conversations/${id}/messages`, {
        method: 'POST',
        body: { content: 'note', message_type: 'activity', private: 'true', content_attributes: '{"a":1}', echo_id: 3 },
      });
      expect(message.status).toBe(200);
      const page = await chatwoot(cwSim.url, `/conversations/${id}/messages?before=999&sort=whatever`);
      expect(page.status).toBe(200);
      expect(
        (await request(`${cwSim.url}/api/v1/accounts/1/inboxes/1/`, { headers: { api_access_token: 'cw-token' } }))
          .status,
      ).toBe(200);
    });

    it('answers a refused request 400 in its stats too', async () => {
      await chatwoot(cwSim.url, '/contacts', { method: 'POST', body: { name: 5 } });
      expect(cwSim.statsSnapshot().byStatus).toEqual({ 400: 1 });
    });
  });
});
