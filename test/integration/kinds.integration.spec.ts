/**
 * Every message kind of the README's table, as each WAHA engine delivers it (the simulator's waha-format.ts models
 * each engine's raw record), live and in a pull: what the agent sees in ChatWoot.
 */
import type { WahaIncomingMessage } from '../../simulators/waha';
import { Harness, eventually } from '../support/harness';
import { dmChats } from '../support/pull-helpers';

type Engine = 'NOWEB' | 'GOWS' | 'WEBJS' | 'WPP';

interface Row {
  name: string;
  message: WahaIncomingMessage;
  /** What the ChatWoot message says (every line given must be in it), per engine where it differs. */
  shows: string[] | ((engine: Engine) => string[]);
  /** An attachment is uploaded (its file name). */
  file?: string;
  /** A private note rather than the customer's message. */
  note?: boolean;
  /** Never in the ChatWoot message. */
  never?: string[];
}

const ANA = 'BEGIN:VCARD\nVERSION:3.0\nFN:Ana Lima\nTEL;type=CELL;waid=4915112345678:+49 151 12345678\nEND:VCARD';
const RUI = 'BEGIN:VCARD\nVERSION:3.0\nN:Souza;Rui;;;\nFN:Rui Souza\nTEL;type=CELL:+351 912 345 678\nEND:VCARD';
const browser = (engine: Engine): boolean => engine === 'WEBJS' || engine === 'WPP';

const ROWS: Row[] = [
  { name: 'text', message: { body: 'plain words' }, shows: ['plain words'] },
  { name: 'image with caption', message: { type: 'image', body: 'the receipt', media: { mimetype: 'image/jpeg', data: Buffer.from([0xff, 0xd8, 0xff, 0xe0]) } }, shows: ['the receipt'], file: '.jpeg' },
  { name: 'video', message: { type: 'video', body: 'a clip', media: { mimetype: 'video/mp4', data: Buffer.from('mp4data') } }, shows: ['a clip'], file: '.mp4' },
  { name: 'GIF', message: { type: 'video', media: { mimetype: 'video/mp4', data: Buffer.from('gif') }, extra: { gif: true } }, shows: [], file: '.mp4' },
  { name: 'voice note', message: { type: 'voice', media: { mimetype: 'audio/ogg; codecs=opus', data: Buffer.from('OggS') } }, shows: [], file: '.ogg' },
  { name: 'audio file', message: { type: 'audio', media: { mimetype: 'audio/mpeg', data: Buffer.from('ID3') } }, shows: [], file: '.mp3' },
  { name: 'document, original name', message: { type: 'document', media: { mimetype: 'application/pdf', filename: 'contract-2026.pdf', data: Buffer.from('%PDF-1.4') } }, shows: [], file: 'contract-2026.pdf' },
  { name: 'sticker', message: { type: 'sticker', media: { mimetype: 'image/webp', data: Buffer.from('RIFF') } }, shows: [], file: '.webp' },
  { name: 'location', message: { type: 'location', body: 'Eiffel Tower' }, shows: ['📍 **Location**: Eiffel Tower', 'https://maps.google.com/?q=48.8584,2.2945'], never: ['/9j/'] },
  { name: 'live location', message: { type: 'live-location', body: 'Me' }, shows: ['**Live location**', 'open WhatsApp to follow it'] },
  { name: 'contact card', message: { type: 'contacts', extra: { cards: [ANA] } }, shows: ['👤 **Shared contact**', '- Ana Lima: +4915112345678'] },
  { name: 'several contact cards', message: { type: 'contacts', extra: { cards: [ANA, RUI] } }, shows: ['- Ana Lima: +4915112345678', '- Rui Souza: +351 912 345 678'] },
  { name: 'poll', message: { type: 'poll', body: 'Lunch at noon?' }, shows: ['📊 **Poll**: Lunch at noon?', '- Yes', '- No'] },
  {
    name: 'event',
    message: { type: 'event', extra: { event: { name: 'Launch party', description: 'Doors at 6', startTime: 1_798_761_600, place: 'Hall B' } } },
    // WhatsApp Web's event record was not found in the sources: there it is a kind the bridge names and does not show.
    shows: (engine) => (browser(engine) ? ['(event_creation)'] : ['📅 **Event**: Launch party', 'Doors at 6', '📍 Hall B']),
    note: false,
  },
  { name: 'album', message: { type: 'album', extra: { album: { images: 3, videos: 1 } } }, shows: (engine) => (browser(engine) ? ['(album)'] : ['🖼️ **Album**: 3 photo(s), 1 video(s)']) },
  { name: 'view-once photo', message: { type: 'image', body: 'secret', media: { mimetype: 'image/jpeg', data: Buffer.from([0xff, 0xd8]) }, extra: { viewOnce: true } }, shows: ['👁️ **View-once message**'], never: ['secret'] },
  { name: 'forwarded', message: { body: 'passing this on', extra: { forwarded: true } }, shows: ['↪️ _Forwarded_', 'passing this on'] },
  { name: 'a kind the bridge does not know', message: { body: null, extra: { other: { protoKey: 'orderMessage', webjsType: 'order' } } }, shows: (engine) => [browser(engine) ? '(order)' : '(orderMessage)', 'Open WhatsApp to see it'] },
  { name: 'reply to a status', message: { body: 'love this photo', extra: { statusReply: true } }, shows: ['💬 _Replied to a status_', 'love this photo'] },
  { name: 'link preview', message: { body: 'see https://example.com', extra: { preview: { url: 'https://example.com', title: 'Example Domain', description: 'For use in examples' } } }, shows: ['see https://example.com', '> 🔗 **Example Domain**', '> For use in examples'] },
];

/** The content shown for a row, whether note, and the uploaded file names. */
interface Seen {
  content: string;
  private: boolean;
  files: string[];
}

function seen(h: Harness, sourceId: string): Seen | undefined {
  for (const c of h.cw.conversations()) {
    const m = h.cw.messages(c.id).find((x) => x.source_id === sourceId);
    if (m) return { content: m.content ?? '', private: m.private, files: (m.attachments ?? []).map((a) => decodeURIComponent(String(a.data_url ?? ''))) };
  }
  return undefined;
}

function check(row: Row, engine: Engine, shown: Seen): void {
  const shows = typeof row.shows === 'function' ? row.shows(engine) : row.shows;
  for (const line of shows) expect({ row: row.name, content: shown.content }).toEqual({ row: row.name, content: expect.stringContaining(line) });
  for (const hidden of row.never ?? []) expect({ row: row.name, content: shown.content }).not.toEqual({ row: row.name, content: expect.stringContaining(hidden) });
  if (row.file) expect({ row: row.name, files: shown.files }).toEqual({ row: row.name, files: [expect.stringContaining(row.file)] });
  else expect({ row: row.name, files: shown.files }).toEqual({ row: row.name, files: [] });
  const unknown = shows.some((line) => line.startsWith('('));
  expect({ row: row.name, private: shown.private }).toEqual({ row: row.name, private: unknown || row.note === true });
}

describe.each(['NOWEB', 'GOWS', 'WEBJS', 'WPP'] as Engine[])('message kinds from WAHA %s', (engine) => {
  let h: Harness;

  beforeAll(async () => {
    h = await Harness.start({ waha: { engine, version: engine === 'WPP' ? '2026.3.1' : '2026.7.1', history: { dmChats: 3, groups: 1, channels: 0, broadcastLists: 0, messagesPerChat: 2 } } });
  });

  afterAll(async () => {
    await h?.stop();
  });

  it('shows each kind live as the README table says', async () => {
    const chatId = dmChats(h)[0];
    const ids: string[] = [];
    for (const row of ROWS) ids.push(String((await h.waha.receive(chatId, row.message)).id));
    for (const [i, row] of ROWS.entries()) {
      const shown = await eventually(() => seen(h, ids[i]), { what: `the ${row.name} in ChatWoot` });
      check(row, engine, shown);
    }
  });

  it('links a reply to the message it quotes', async () => {
    const chatId = dmChats(h)[2];
    const first = await h.waha.receive(chatId, { body: 'which size?' });
    const quoted = await eventually(() => seen(h, String(first.id)), { what: 'the first message' });
    const reply = await h.waha.receive(chatId, { body: 'the large one', replyTo: String(first.id) });
    await eventually(() => seen(h, String(reply.id)), { what: 'the reply' });
    const shown = h.cw.conversations().flatMap((c) => h.cw.messages(c.id)).find((m) => m.source_id === reply.id)!;
    const target = h.cw.conversations().flatMap((c) => h.cw.messages(c.id)).find((m) => m.source_id === first.id)!;
    expect(quoted.content).toContain('which size?');
    expect((shown.content_attributes as { in_reply_to?: number }).in_reply_to).toBe(target.id);
  });

  it('names group members mentioned in a message', async () => {
    const group = h.waha.chats().find((c) => c.id.endsWith('@g.us'))!;
    const member = group.participants![1] ?? group.participants![0];
    const digits = member.split('@')[0];
    const message = await h.waha.receive(group.id, { body: `thanks @${digits}!`, participant: group.participants![0], extra: { mentions: [member] } });
    const shown = await eventually(() => seen(h, String(message.id)), { what: 'the mention in ChatWoot' });
    // "@Name (+number)", or "@Name" for a member known only by an @lid: never the bare number.
    expect(shown.content).toMatch(/thanks @[^\d\s][^\n]*!/);
    expect(shown.content).not.toContain(`thanks @${digits}!`);
  });

  it('shows the same kinds in a pull as live', async () => {
    const chatId = dmChats(h)[1];
    h.waha.configure({ webhookEvents: [] });
    const ids: string[] = [];
    try {
      for (const row of ROWS) ids.push(String((await h.waha.receive(chatId, row.message)).id));
    } finally {
      h.waha.configure({ webhookEvents: ['*'] });
    }
    const id = await h.type('wa/messages pull 1d --media');
    await h.waitReply(id, (c) => /Pull finished/.test(c));
    for (const [i, row] of ROWS.entries()) {
      const shown = seen(h, ids[i]);
      expect({ row: row.name, imported: Boolean(shown) }).toEqual({ row: row.name, imported: true });
      check(row, engine, shown!);
    }
  });
});
