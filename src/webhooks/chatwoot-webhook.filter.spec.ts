import { contactChatIds, decideChatwootWebhook } from './chatwoot-webhook.filter';

const integration = { conversation: { id: 1, meta: { sender: { identifier: 'whatsapp.integration' } } } };
const customer = { conversation: { id: 2, meta: { sender: { identifier: '12025550101@c.us', custom_attributes: { waha_whatsapp_chat_id: '12025550101@c.us' } } } } };
const agent = { event: 'message_created', id: 10, message_type: 'outgoing', private: false, sender: { id: 7, email: 'ana@example.com', type: 'user' } };

describe('decideChatwootWebhook', () => {
  it.each([
    [{}, 'drop'],
    [{ ...agent, ...integration, event: 'conversation_typing_on' }, 'drop'],
    [{ ...agent, ...integration, message_type: 'incoming' }, 'drop'],
    [{ ...agent, ...integration, message_type: 0 }, 'drop'],
    [{ ...agent, ...integration, message_type: 'activity' }, 'drop'],
    [{ ...agent, ...integration, private: true, content: 'wa/messages help' }, 'drop'],
    [{ ...agent, ...customer, private: true, content: 'wa/messages pull' }, 'drop'],
    [{ ...agent, ...customer, source_id: 'true_1@c.us_ABC', content: 'hi' }, 'drop'],
    [{ ...agent, ...customer, content_attributes: { external_echo: true }, content: 'hi' }, 'drop'],
    [{ ...agent, ...integration, content: 'messages help' }, 'command'],
    [{ ...agent, ...customer, content: 'wa/messages pull' }, 'command'],
    [{ ...agent, ...customer, content: '**wa/messages pull**' }, 'command'],
    [{ ...agent, ...customer, content: 'Hello, your order shipped' }, 'relay'],
  ])('%j → %s', (body, action) => {
    expect(decideChatwootWebhook(body, 'wa/').action).toBe(action);
  });

  describe('who may command', () => {
    const bot = { id: 3, name: 'Helper', type: 'agent_bot' };
    const captain = { id: 4, name: 'Captain', type: 'captain_assistant' };
    it.each([
      ['an agent bot', bot],
      ['Captain', captain],
      ['an automation (no sender)', null],
    ])('%s: a command-like message is not run, an ordinary reply is relayed', (_name, sender) => {
      const command = decideChatwootWebhook({ ...agent, ...customer, sender, content: 'wa/queue stop all' }, 'wa/');
      expect(command).toEqual({ action: 'drop', reason: expect.stringContaining('not run'), notice: true });
      expect(decideChatwootWebhook({ ...agent, ...integration, sender, content: 'queue stop all' }, 'wa/').action).toBe('drop');
      expect(decideChatwootWebhook({ ...agent, ...customer, sender, content: 'Your order shipped' }, 'wa/').action).toBe('relay');
    });

    it('with COMMAND_AGENTS, marks commands of agents not listed (by id or email)', () => {
      const body = { ...agent, ...customer, content: 'wa/messages pull 1d' };
      expect(decideChatwootWebhook(body, 'wa/', Date.now(), ['7'])).toEqual({ action: 'command', commandsChat: false });
      expect(decideChatwootWebhook(body, 'wa/', Date.now(), ['ana@example.com'])).toEqual({ action: 'command', commandsChat: false });
      expect(decideChatwootWebhook(body, 'wa/', Date.now(), ['8', 'bo@example.com'])).toEqual({ action: 'command', commandsChat: false, notListed: true });
    });
  });

  describe("an agent's Retry (message_updated)", () => {
    const now = Date.parse('2026-12-02T12:00:00Z');
    const update = { ...agent, ...customer, event: 'message_updated', content: 'Hello', created_at: '2026-12-02T11:00:00.000Z' };

    it('is relayed again when the failure mark is gone', () => {
      expect(decideChatwootWebhook({ ...update, content_attributes: { external_error: null } }, 'wa/', now)).toEqual({ action: 'relay', retry: true });
      expect(decideChatwootWebhook({ ...update, content_attributes: {} }, 'wa/', now)).toEqual({ action: 'relay', retry: true });
    });

    it("is an agent's delete (revoked on WhatsApp) when an agent message is marked deleted, even a day later", () => {
      const deleted = { ...update, content: 'This message was deleted', content_attributes: { deleted: true } };
      expect(decideChatwootWebhook(deleted, 'wa/', now)).toEqual({ action: 'delete' });
      expect(decideChatwootWebhook({ ...deleted, created_at: '2026-11-20T11:00:00.000Z' }, 'wa/', now)).toEqual({ action: 'delete' });
      expect(decideChatwootWebhook({ ...deleted, ...integration }, 'wa/', now).action).toBe('drop');
    });

    it('runs a command again', () => {
      expect(decideChatwootWebhook({ ...update, content: 'wa/messages pull' }, 'wa/', now)).toEqual({ action: 'command', commandsChat: false, retry: true });
      expect(decideChatwootWebhook({ ...update, ...integration, content: 'help' }, 'wa/', now)).toEqual({ action: 'command', commandsChat: true, retry: true });
    });

    it.each([
      ['the failure mark itself (Retry not pressed yet)', { content_attributes: { external_error: '503 Service Unavailable' } }],
      ['a deleted message of the bridge', { content_attributes: { deleted: true }, content: 'This message was deleted', source_id: 'WAID:ABC' }],
      ['a deleted private note', { content_attributes: { deleted: true }, content: 'This message was deleted', private: true }],
      ['a message older than a day (ChatWoot offers no Retry)', { created_at: '2026-11-30T11:00:00.000Z' }],
      ['a message older than a day, created_at in seconds', { created_at: Math.floor(now / 1000) - 2 * 86400 }],
      ['a customer message', { message_type: 'incoming' }],
      ['a private note', { private: true }],
      ['a message the bridge created', { source_id: 'WAID:ABC' }],
    ])('drops %s', (_, change) => {
      expect(decideChatwootWebhook({ ...update, ...change }, 'wa/', now).action).toBe('drop');
    });
  });

  it('recognises the commands chat by the custom attribute too', () => {
    const body = { ...agent, content: 'help', conversation: { id: 1, meta: { sender: { identifier: null, custom_attributes: { waha_whatsapp_chat_id: 'whatsapp.integration' } } } } };
    expect(decideChatwootWebhook(body, 'wa/')).toEqual({ action: 'command', commandsChat: true });
  });

  it('reads chat ids from the contact attributes without device suffixes, unique', () => {
    expect(contactChatIds({ custom_attributes: { waha_whatsapp_chat_id: '123:4@s.whatsapp.net', waha_whatsapp_jid: '123@s.whatsapp.net', waha_whatsapp_lid: '99@lid' } })).toEqual(['123@s.whatsapp.net', '99@lid']);
    expect(contactChatIds({ identifier: '12025550101@c.us' })).toEqual(['12025550101@c.us']);
    expect(contactChatIds({ identifier: 'crm-42' })).toEqual([]);
  });
});
