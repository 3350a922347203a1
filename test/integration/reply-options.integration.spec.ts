/**
 * The options WAHA's ChatWoot app has for agent replies (AGENT_NAME_PREFIX, LINK_PREVIEW, MARK_READ_ON_REPLY,
 * TYPING_INDICATOR) and mentions in groups: what the customer gets on WhatsApp, with the defaults and with each on.
 */
import { Harness, eventually } from '../support/harness';
import { dmChats } from '../support/pull-helpers';

async function conversationFor(h: Harness, chatId: string, body: string): Promise<number> {
  const incoming = await h.waha.receive(chatId, { body });
  return eventually(() => h.cw.conversations().find((c) => h.cw.messages(c.id).some((m) => m.source_id === incoming.id))?.id, { what: `the conversation of ${chatId}` });
}

describe('agent reply options', () => {
  describe('by default', () => {
    let h: Harness;

    beforeAll(async () => {
      h = await Harness.start({ waha: { history: { dmChats: 2, groups: 1, channels: 0, broadcastLists: 0, messagesPerChat: 2 } } });
    });

    afterAll(async () => {
      await h?.stop();
    });

    it('sends the text as written, without a link preview or typing, and marks the chat read', async () => {
      const chatId = dmChats(h)[0];
      const conversationId = await conversationFor(h, chatId, 'hi there');
      await h.cw.agentMessage(conversationId, 'see https://example.com');
      const sent = await eventually(() => h.waha.sent().find((s) => s.text === 'see https://example.com'), { what: 'the reply' });
      expect(sent).toMatchObject({ linkPreview: false });
      expect(sent.linkPreviewHighQuality).toBeUndefined();
      expect(sent.mentions).toBeUndefined();
      await eventually(() => h.waha.seen().find((s) => s.chatId === chatId), { what: 'the chat marked read' });
      expect(h.waha.typing()).toEqual([]);
    });

    it('mentions everyone for @all and members by number in a group', async () => {
      const group = h.waha.chats().find((c) => c.id.endsWith('@g.us'))!;
      const conversationId = await conversationFor(h, group.id, 'group hello');
      const member = group.participants!.find((p) => p.endsWith('@c.us'))!;
      const digits = member.split('@')[0];
      await h.cw.agentMessage(conversationId, `@all meeting at 5, @${digits} brings the slides`);
      const sent = await eventually(() => h.waha.sent().find((s) => s.chatId === group.id && s.text?.includes('meeting at 5')), { what: 'the group reply' });
      expect(sent.text).toBe(`meeting at 5, @${digits} brings the slides`);
      expect(sent.mentions).toEqual(['all', `${digits}@c.us`]);
    });
  });

  describe('each option on', () => {
    let h: Harness;

    beforeAll(async () => {
      h = await Harness.start({
        waha: { history: { dmChats: 2, groups: 0, channels: 0, broadcastLists: 0, messagesPerChat: 2 } },
        env: { AGENT_NAME_PREFIX: 'true', LINK_PREVIEW: 'hg', MARK_READ_ON_REPLY: 'false', TYPING_INDICATOR: 'true' },
      });
    });

    afterAll(async () => {
      await h?.stop();
    });

    it("puts the agent's name first, asks for a high-quality preview, types first and leaves the chat unread", async () => {
      const chatId = dmChats(h)[1];
      const conversationId = await conversationFor(h, chatId, 'hello');
      await h.cw.agentMessage(conversationId, 'see https://example.com');
      const sent = await eventually(() => h.waha.sent().find((s) => s.text?.endsWith('see https://example.com')), { what: 'the reply' });
      expect(sent.text).toMatch(/^\*[^*\n]+\*:\nsee https:\/\/example\.com$/);
      expect(sent).toMatchObject({ linkPreview: true, linkPreviewHighQuality: true });
      const typing = h.waha.typing().filter((t) => t.chatId === chatId);
      expect(typing.map((t) => t.action)).toEqual(['startTyping', 'stopTyping']);
      expect(typing[1].at).toBeLessThanOrEqual(sent.at);
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(h.waha.seen().filter((s) => s.chatId === chatId)).toEqual([]);
    });
  });
});
