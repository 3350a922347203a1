import { WhatsAppUpdate } from '../clients/waha/waha-updates';
import { Texts } from '../texts/texts';
import { renderDeletedNote, renderUpdate, UpdateRenderContext } from './update-renderer';

const texts = Texts.load();
const ctx: UpdateRenderContext = { chatKind: 'dm', outgoingMode: 'private-note', withDate: false, timeZone: 'UTC', sourceId: 'sid', inReplyTo: 41 };
const base = { chatId: '111@c.us', key: 'k', fromMe: false, timestamp: 1_763_000_000 };

describe('renderUpdate', () => {
  it("shows the customer's reaction as their incoming answer to the message", () => {
    const out = renderUpdate({ ...base, kind: 'reaction', targetWaId: 'A', emoji: '👍' }, ctx, texts);
    expect(out).toMatchObject({ content: '👍 **Reacted** to this message', message_type: 'incoming', private: false, source_id: 'sid', content_attributes: { in_reply_to: 41 } });
  });

  it('says so when the message reacted to is not in ChatWoot (nothing to quote)', () => {
    const out = renderUpdate({ ...base, kind: 'reaction', targetWaId: 'A', emoji: '👍' }, { ...ctx, inReplyTo: undefined }, texts);
    expect(out.content).toBe('👍 **Reacted** to a message not copied here');
    expect(out.content_attributes).toBeUndefined();
  });

  it('shows our own reaction as CHATWOOT_OUTGOING says (a private note by default)', () => {
    const update: WhatsAppUpdate = { ...base, fromMe: true, kind: 'reaction', targetWaId: 'A', emoji: '' };
    expect(renderUpdate(update, ctx, texts)).toMatchObject({ content: '**Removed a reaction** from this message', message_type: 'outgoing', private: true });
    expect(renderUpdate(update, { ...ctx, outgoingMode: 'message' }, texts)).toMatchObject({ message_type: 'outgoing', private: false });
  });

  it('names the group member above an edit, and dates it when it arrives late', () => {
    const out = renderUpdate({ ...base, chatId: '1203@g.us', sender: '222@c.us', kind: 'edit', targetWaId: 'A', body: 'new text' }, { ...ctx, chatKind: 'group', participant: 'Ana (+222)', withDate: true }, texts);
    const lines = out.content.split('\n');
    expect(lines[0]).toBe('👥 **Ana (+222)**');
    expect(out.content).toContain('new text\n\n`✏️ Edited in WhatsApp`');
    expect(lines[lines.length - 1]).toContain('📥🗓️');
  });

  it('escapes poll options, and says when a vote was withdrawn or could not be read', () => {
    const vote = { ...base, kind: 'poll-vote' as const, targetWaId: 'P', failed: false };
    expect(renderUpdate({ ...vote, options: ['*Yes*', 'No'] }, ctx, texts).content).toBe('🗳️ **Voted**: \\*Yes\\*, No');
    expect(renderUpdate({ ...vote, options: [] }, ctx, texts).content).toBe('🗳️ **Withdrew their vote**');
    expect(renderUpdate({ ...vote, options: [], failed: true }, ctx, texts)).toMatchObject({ private: true, message_type: 'outgoing' });
  });

  it('leaves calls as private notes with their kind and time, never with a date line', () => {
    const call = { ...base, kind: 'call' as const, callId: 'C', video: false, group: false };
    const received = renderUpdate({ ...call, status: 'received' }, { ...ctx, withDate: true }, texts);
    expect(received).toMatchObject({ private: true, message_type: 'outgoing' });
    expect(received.content).toContain('Incoming voice call');
    expect(received.content).toContain('2025');
    expect(received.content).not.toContain('📥🗓️');
    expect(renderUpdate({ ...call, status: 'accepted' }, ctx, texts).content).toContain('Call answered');
    expect(renderUpdate({ ...call, status: 'rejected', video: true }, ctx, texts).content).toContain('Call declined or ended');
  });

  it('answers a message that could not be deleted with a private note', () => {
    const out = renderDeletedNote({ ...base, kind: 'revoke', targetWaId: 'A' }, ctx, texts);
    expect(out).toMatchObject({ private: true, message_type: 'outgoing', content_attributes: { in_reply_to: 41 } });
    expect(out.content).toContain('Deleted in WhatsApp');
  });
});
