import { contactChatIds, decideChatwootWebhook } from './chatwoot-webhook.filter';

const integration = { conversation: { id: 1, meta: { sender: { identifier: 'whatsapp.integration' } } } };
const customer = { conversation: { id: 2, meta: { sender: { identifier: '12025550101@c.us', custom_attributes: { waha_whatsapp_chat_id: '12025550101@c.us' } } } } };
const agent = { event: 'message_created', id: 10, message_type: 'outgoing', private: false };

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
