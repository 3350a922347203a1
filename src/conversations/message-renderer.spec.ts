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

  it('turns a kind it cannot show into a short private notice naming its type', () => {
    const out = renderMessage(msg({ body: null, _data: { type: 'order' } }), ctx, texts);
    expect(out.private).toBe(true);
    expect(out.content).toContain('(order)');
    const noweb = renderMessage(msg({ body: null, _data: { message: { paymentInviteMessage: { serviceType: 1 } } } }), ctx, texts);
    expect(noweb.content).toContain('(paymentInviteMessage)');
  });

  it('renders locations and contact cards as text, never a WEBJS location body (its thumbnail)', () => {
    const plain = { ...ctx, withDate: false };
    expect(renderMessage(msg({ body: '/9j/4AAQSkZJRg==', location: { latitude: 1.5, longitude: 2.5, name: 'Shop' }, _data: { type: 'location' } }), plain, texts).content).toBe(
      '📍 **Location**: Shop\nhttps://maps.google.com/?q=1.5,2.5',
    );
    expect(renderMessage(msg({ body: null, vCards: ['BEGIN:VCARD\nFN:Ana Lima\nTEL;type=CELL;waid=4915112345678:+49 151 12345678\nEND:VCARD', 'BEGIN:VCARD\nN:Souza;Rui;;;\nTEL:+351 912 345 678\nEND:VCARD'], _data: { type: 'multi_vcard' } }), plain, texts).content).toBe(
      '👤 **Shared contact**\n- Ana Lima: +4915112345678\n- Rui Souza: +351 912 345 678',
    );
  });

  it('renders a poll with its question and options on every engine', () => {
    const plain = { ...ctx, withDate: false };
    const expected = '📊 **Poll**: Lunch?\n- Pizza\n- Sushi\n_Several answers allowed._';
    const webjs = msg({ body: '', _data: { type: 'poll_creation', pollName: 'Lunch?', pollOptions: [{ name: 'Pizza', localId: 0 }, { name: 'Sushi', localId: 1 }], pollSelectableOptionsCount: 0 } });
    const noweb = msg({ body: null, _data: { message: { pollCreationMessageV3: { name: 'Lunch?', options: [{ optionName: 'Pizza' }, { optionName: 'Sushi' }], selectableOptionsCount: 0 } } } });
    const gows = msg({ body: null, _data: { Message: { pollCreationMessage: { name: 'Lunch?', options: [{ optionName: 'Pizza' }, { optionName: 'Sushi' }] } } } });
    for (const m of [webjs, noweb, gows]) expect(renderMessage(m, plain, texts).content).toBe(expected);
    const single = msg({ body: null, _data: { message: { pollCreationMessage: { name: 'Yes?', options: [{ optionName: 'Yes' }], selectableOptionsCount: 1 } } } });
    expect(renderMessage(single, plain, texts).content).not.toContain('Several');
  });

  it('renders events, albums and live locations, and never the content of a view-once message', () => {
    const plain = { ...ctx, withDate: false };
    const event = renderMessage(msg({ body: null, _data: { message: { eventMessage: { name: 'Launch', description: 'Doors at 6', startTime: '1767225600', location: { name: 'Hall B' }, isCanceled: true } } } }), plain, texts).content;
    expect(event).toBe('📅 **Event**: Launch (**canceled**)\nDoors at 6\n🕒 Thu, Jan 1, 2026, 12:00 AM UTC\n📍 Hall B');
    expect(renderMessage(msg({ body: null, _data: { Message: { albumMessage: { expectedImageCount: 3, expectedVideoCount: 1 } } } }), plain, texts).content).toContain('3 photo(s), 1 video(s)');
    expect(renderMessage(msg({ body: null, location: { latitude: 1, longitude: 2 }, _data: { message: { liveLocationMessage: { degreesLatitude: 1 } } } }), plain, texts).content).toContain('**Live location**');
    const viewOnce = renderMessage(msg({ body: 'secret caption', hasMedia: true, _data: { message: { viewOnceMessageV2: { message: { imageMessage: { caption: 'secret caption', viewOnce: true } } } } } }), { ...plain, media: 'not-requested' }, texts);
    expect(viewOnce.content).toContain('View-once message');
    expect(viewOnce.content).not.toContain('secret');
    expect(renderMessage(msg({ body: 'x', hasMedia: true, _data: { type: 'image', isViewOnce: true } }), { ...plain, media: 'attached' }, texts).content).toContain('View-once');
  });

  it('marks forwarded messages and status replies, adds a link preview, and names mentioned members', () => {
    const plain = { ...ctx, withDate: false };
    const forwarded = renderMessage(msg({ body: 'look', _data: { message: { extendedTextMessage: { text: 'look', contextInfo: { isForwarded: true, forwardingScore: 1 } } } } }), plain, texts).content;
    expect(forwarded).toBe('↪️ _Forwarded_\nlook');
    expect(renderMessage(msg({ body: 'nice!', _data: { type: 'chat', quotedRemoteJid: 'status@broadcast' } }), plain, texts).content).toBe('💬 _Replied to a status_\nnice!');
    const preview = renderMessage(msg({ body: 'see https://example.com', _data: { message: { extendedTextMessage: { text: 'see https://example.com', matchedText: 'https://example.com', title: 'Example Domain', description: 'For use in examples' } } } }), plain, texts).content;
    expect(preview).toBe('see https://example.com\n\n> 🔗 **Example Domain**\n> For use in examples');
    const mention = renderMessage(msg({ body: 'hi @4915112345678 and @999', _data: { Message: { extendedTextMessage: { text: 'hi', contextInfo: { mentionedJID: ['4915112345678@s.whatsapp.net'] } } } } }), { ...plain, mentionNames: { '4915112345678': 'Ana (+4915112345678)' } }, texts).content;
    expect(mention).toBe('hi @Ana (+4915112345678) and @999');
  });
});
