import { WahaMessage } from '../clients/waha/waha.types';
import { Texts } from '../texts/texts';
import { RenderContext, renderMessage } from './message-renderer';

const texts = Texts.load();
const ctx: RenderContext = { chatKind: 'dm', outgoingMode: 'private-note', media: 'none', withDate: true, timeZone: 'UTC', sourceId: 'sid' };
const msg = (over: Partial<WahaMessage> = {}): WahaMessage => ({ id: 'false_1@c.us_AAA', timestamp: 1_763_000_000, fromMe: false, body: 'Hello', ...over });

describe('renderMessage', () => {
  it('renders an incoming message as a public incoming one with the original date and source id', () => {
    const out = renderMessage(msg(), ctx, texts);
    expect(out.message_type).toBe('incoming');
    expect(out.private).toBe(false);
    expect(out.source_id).toBe('sid');
    expect(out.content.split('\n')[0]).toBe('Hello');
    expect(out.content).toContain('📥🗓️');
    expect(out.content).toContain('2025');
    expect(out.external_created_at).toBe(1_763_000_000);
    expect(out.content_attributes).toBeUndefined();
  });

  it('escapes a display name that tries to take over the formatting', () => {
    const out = renderMessage(msg(), { ...ctx, chatKind: 'group', participant: '**Support team**\n\n# Official' }, texts);
    expect(out.content.split('\n')[0]).toBe('👥 **\\*\\*Support team\\*\\* # Official**');
  });

  it('turns a file over MEDIA_MAX_SIZE into a notice with its size, the limit, its escaped name and the caption', () => {
    const out = renderMessage(msg({ hasMedia: true, body: 'the *backup*' }), { ...ctx, media: 'too-large', tooLarge: { size: 2 * 1024 ** 3, limit: 40 * 1024 ** 2, filename: 'db_dump.zip' } }, texts);
    expect(out.content).toContain('the \\*backup\\*');
    expect(out.content).toContain('(db\\_dump.zip): 2 GB, over the 40 MB limit');
    expect(out.content).toContain('Open WhatsApp to see it');
    const unknownSize = renderMessage(msg({ hasMedia: true, body: '' }), { ...ctx, media: 'too-large', tooLarge: { limit: 40 * 1024 ** 2 } }, texts);
    expect(unknownSize.content).toContain('too large to import**: over the 40 MB limit');
  });

  it('makes own messages outgoing private notes by default and public messages when configured', () => {
    expect(renderMessage(msg({ fromMe: true }), ctx, texts)).toMatchObject({ message_type: 'outgoing', private: true });
    expect(renderMessage(msg({ fromMe: true }), { ...ctx, outgoingMode: 'message' }, texts)).toMatchObject({ message_type: 'outgoing', private: false });
  });

  it('names the group participant and links replies', () => {
    const out = renderMessage(msg(), { ...ctx, chatKind: 'group', participant: 'Ana (+12025550101)', inReplyTo: 42 }, texts);
    expect(out.content).toMatch(/^👥 \*\*Ana \(\+12025550101\)\*\*\n\nHello/);
    expect(out.content_attributes).toMatchObject({ in_reply_to: 42 });
  });

  it('keeps the caption and adds a notice for media that was not requested or could not be had', () => {
    const notRequested = renderMessage(msg({ hasMedia: true, body: 'Invoice' }), { ...ctx, media: 'not-requested' }, texts);
    expect(notRequested.content).toContain('Invoice');
    expect(notRequested.content).toContain('--media');
    const unavailable = renderMessage(msg({ hasMedia: true, body: '' }), { ...ctx, media: 'unavailable' }, texts);
    expect(unavailable.content).not.toBe(notRequested.content);
    const attached = renderMessage(msg({ hasMedia: true, body: 'Photo' }), { ...ctx, media: 'attached', withDate: false }, texts);
    expect(attached.content).toBe('Photo');
  });

  it('turns unsupported messages into a short private notice instead of an error', () => {
    const out = renderMessage(msg({ body: null, _data: { type: 'poll_creation' } }), ctx, texts);
    expect(out.private).toBe(true);
    expect(out.content).toContain('poll_creation');
  });

  it('renders locations and contact cards as text', () => {
    expect(renderMessage(msg({ body: null, location: { latitude: 1.5, longitude: 2.5, name: 'Shop' } }), { ...ctx, withDate: false }, texts).content).toBe(
      '📍 Shop\nhttps://maps.google.com/?q=1.5,2.5',
    );
    expect(renderMessage(msg({ body: null, vCards: ['BEGIN:VCARD\nFN:Ana Lima\nEND:VCARD'] }), { ...ctx, withDate: false }, texts).content).toBe('👤 Ana Lima');
  });
});
