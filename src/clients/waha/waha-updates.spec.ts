import { updateOf, updateOfMessage, isProtocolOnly } from './waha-updates';
import { WahaMessage } from './waha.types';

// Payload shapes per engine, as devlikeapro/waha builds them (see the citations in waha-updates.ts).
describe('WAHA updates', () => {
  describe('message.reaction', () => {
    it('WEBJS: the chat is in `to`, the sender in `from`; the reacted message names the chat too', () => {
      const update = updateOf('message.reaction', {
        id: 'false_111@c.us_3EB0R1',
        from: '111@c.us',
        fromMe: false,
        source: 'app',
        participant: '111@c.us',
        to: '111@c.us',
        timestamp: 1710481111.853,
        reaction: { text: '🙏', messageId: 'true_111@c.us_AAAA' },
      });
      expect(update).toMatchObject({ kind: 'reaction', chatId: '111@c.us', targetWaId: 'AAAA', emoji: '🙏', fromMe: false, timestamp: 1710481111 });
      expect(update?.sender).toBeUndefined();
    });

    it('NOWEB in a group: `from` is the group, the member is the participant; removal is an empty text', () => {
      const update = updateOf('message.reaction', {
        id: 'false_120363@g.us_BAE5R2_222@c.us',
        from: '120363@g.us',
        fromMe: false,
        participant: '222@c.us',
        to: '120363@g.us',
        timestamp: 1710481200,
        reaction: { text: '', messageId: 'false_120363@g.us_XYZ_333@c.us' },
      });
      expect(update).toMatchObject({ kind: 'reaction', chatId: '120363@g.us', targetWaId: 'XYZ', emoji: '', sender: '222@c.us' });
    });

    it('gives a retried delivery the same key and a new reaction another', () => {
      const payload = { id: 'false_111@c.us_R1', from: '111@c.us', fromMe: false, to: 'me@c.us', timestamp: 100, reaction: { text: '👍', messageId: 'false_111@c.us_M' } };
      const again = updateOf('message.reaction', { ...payload });
      expect(updateOf('message.reaction', payload)?.key).toBe(again?.key);
      expect(updateOf('message.reaction', { ...payload, reaction: { ...payload.reaction, text: '' } })?.key).not.toBe(again?.key);
      expect(updateOf('message.reaction', { ...payload, timestamp: 200 })?.key).not.toBe(again?.key);
    });

    it('is null without the reacted message', () => {
      expect(updateOf('message.reaction', { id: 'x', from: '1@c.us', reaction: { text: '👍' } })).toBeNull();
      expect(updateOf('message.reaction', null)).toBeNull();
    });
  });

  describe('message.edited', () => {
    it('WEBJS: the id is the original message, editedMessageId names it too', () => {
      const update = updateOf('message.edited', { id: 'false_111@c.us_ORIG', from: '111@c.us', fromMe: false, to: 'me@c.us', timestamp: 300, body: 'new text', editedMessageId: 'ORIG', _data: { prevBody: 'old' } });
      expect(update).toMatchObject({ kind: 'edit', chatId: '111@c.us', targetWaId: 'ORIG', body: 'new text' });
    });

    it("NOWEB and GOWS: the edit's own id, the original in editedMessageId; two edits differ, a retry does not", () => {
      const first = updateOf('message.edited', { id: 'true_111@c.us_EDIT1', from: '111@c.us', fromMe: true, timestamp: 300, body: 'v2', editedMessageId: 'ORIG' });
      const second = updateOf('message.edited', { id: 'true_111@c.us_EDIT2', from: '111@c.us', fromMe: true, timestamp: 310, body: 'v3', editedMessageId: 'ORIG' });
      expect(first).toMatchObject({ kind: 'edit', chatId: '111@c.us', targetWaId: 'ORIG', body: 'v2', fromMe: true });
      expect(first?.key).not.toBe(second?.key);
      expect(updateOf('message.edited', { id: 'true_111@c.us_EDIT1', from: '111@c.us', fromMe: true, timestamp: 300, body: 'v2', editedMessageId: 'ORIG' })?.key).toBe(first?.key);
    });

    it('keeps an edit back to an earlier text apart (A → B → A), on WEBJS by the text it replaced', () => {
      const toB = updateOf('message.edited', { id: 'false_111@c.us_ORIG', from: '111@c.us', fromMe: false, timestamp: 300, body: 'B', editedMessageId: 'ORIG', _data: { prevBody: 'A' } });
      const backToA = updateOf('message.edited', { id: 'false_111@c.us_ORIG', from: '111@c.us', fromMe: false, timestamp: 300, body: 'A', editedMessageId: 'ORIG', _data: { prevBody: 'B' } });
      const toBAgain = updateOf('message.edited', { id: 'false_111@c.us_ORIG', from: '111@c.us', fromMe: false, timestamp: 300, body: 'B', editedMessageId: 'ORIG', _data: { prevBody: 'A' } });
      expect(new Set([toB?.key, backToA?.key]).size).toBe(2);
      // The same edit delivered again is the same key; B after A once more is a repeat WhatsApp cannot tell apart.
      expect(toBAgain?.key).toBe(toB?.key);
    });

    it('NOWEB before 2025.6.3: an edit protocol message inside message.any', () => {
      const message: WahaMessage = {
        id: 'false_111@c.us_PROTO',
        timestamp: 400,
        from: '111@c.us',
        fromMe: false,
        body: null,
        _data: { key: { remoteJid: '111@s.whatsapp.net', id: 'PROTO' }, message: { protocolMessage: { key: { id: 'ORIG' }, type: 'MESSAGE_EDIT', editedMessage: { conversation: 'fixed typo' } } } },
      };
      expect(updateOfMessage(message)).toMatchObject({ kind: 'edit', chatId: '111@c.us', targetWaId: 'ORIG', body: 'fixed typo' });
    });
  });

  describe('message.revoked', () => {
    it('since 2025.6.3: revokedMessageId, the chat from `after`', () => {
      const update = updateOf('message.revoked', { after: { id: 'false_111@c.us_PROTO2', from: '111@c.us', fromMe: false, timestamp: 500, body: null }, before: null, revokedMessageId: 'GONE' });
      expect(update).toMatchObject({ kind: 'revoke', chatId: '111@c.us', targetWaId: 'GONE', key: 'revoke:GONE' });
    });

    it("WEBJS before it: `after` is the revoked message, its protocolMessageKey names the original", () => {
      const update = updateOf('message.revoked', { after: { id: 'false_111@c.us_GONE', from: '111@c.us', fromMe: false, timestamp: 500, _data: { type: 'revoked', protocolMessageKey: { id: 'GONE' } } }, before: null });
      expect(update).toMatchObject({ kind: 'revoke', targetWaId: 'GONE' });
    });

    it('GOWS and NOWEB before it: the REVOKE protocol message (type 0) in after._data', () => {
      const gows = updateOf('message.revoked', { after: { id: 'false_120363@g.us_P_222@c.us', from: '120363@g.us', participant: '222@c.us', fromMe: false, timestamp: 500, _data: { Message: { protocolMessage: { type: 0, key: { ID: 'GONE' } } } } } });
      expect(gows).toMatchObject({ kind: 'revoke', chatId: '120363@g.us', targetWaId: 'GONE', sender: '222@c.us' });
      const inMessageAny: WahaMessage = { id: 'false_111@c.us_P', timestamp: 500, from: '111@c.us', fromMe: false, _data: { message: { protocolMessage: { type: 'REVOKE', key: { id: 'GONE' } } } } };
      expect(updateOfMessage(inMessageAny)).toMatchObject({ kind: 'revoke', chatId: '111@c.us', targetWaId: 'GONE' });
    });
  });

  describe('poll.vote', () => {
    it('names the options chosen and the poll voted on; poll.vote.failed has none', () => {
      const payload = { vote: { id: 'false_111@c.us_VOTE', selectedOptions: ['Yes'], timestamp: 1692861369000, to: 'me@c.us', from: '111@c.us', fromMe: false }, poll: { id: 'true_111@c.us_POLL', to: '111@c.us', from: 'me@c.us', fromMe: true } };
      expect(updateOf('poll.vote', payload)).toMatchObject({ kind: 'poll-vote', chatId: '111@c.us', targetWaId: 'POLL', options: ['Yes'], failed: false, timestamp: 1692861369 });
      expect(updateOf('poll.vote.failed', { ...payload, vote: { ...payload.vote, selectedOptions: [] } })).toMatchObject({ failed: true, options: [] });
    });
  });

  describe('calls', () => {
    it('reads caller, video and status; GOWS names a group call’s caller in _data.CallCreator', () => {
      expect(updateOf('call.received', { id: 'CALL1', from: '222@c.us', timestamp: 1721374000, isVideo: true, isGroup: false, _data: {} })).toMatchObject({
        kind: 'call',
        chatId: '222@c.us',
        callId: 'CALL1',
        status: 'received',
        video: true,
        key: 'call:CALL1:received',
      });
      expect(updateOf('call.rejected', { id: 'CALL2', from: '120363@g.us', timestamp: 1721374000, isVideo: false, isGroup: true, _data: { CallCreator: '333@s.whatsapp.net' } })).toMatchObject({ chatId: '333@c.us', status: 'rejected', group: true });
    });
  });

  it('leaves ordinary messages and unknown events alone', () => {
    const text: WahaMessage = { id: 'false_111@c.us_T', timestamp: 1, from: '111@c.us', fromMe: false, body: 'hi', _data: { message: { conversation: 'hi' } } };
    expect(updateOfMessage(text)).toBeNull();
    expect(isProtocolOnly(text)).toBe(false);
    expect(isProtocolOnly({ ...text, _data: { message: { protocolMessage: { type: 'HISTORY_SYNC_NOTIFICATION' } } } })).toBe(true);
    expect(updateOf('presence.update', { id: 'x' })).toBeNull();
  });
});
