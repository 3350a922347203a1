/**
 * The bridge against every WAHA engine and the versions users still run (the simulator's profiles model each from
 * WAHA's source and changelog): a pull imports each person's history oldest first, exactly once, into one
 * conversation, whatever order the server answers in; live messages, agent replies and read receipts go through.
 *
 * Profiles: NOWEB and GOWS before 2025.10.5 (newest first, no sortOrder) and now (sorted, @lid and phone histories
 * merged from 2026.3.1), WEBJS (always newest first), WPP (sorts only within the newest offset+limit). Each history
 * has a person with both an @lid and a phone chat.
 */
import { Harness, eventually } from '../support/harness';
import { DAY, imported, pull, windowSec } from '../support/pull-helpers';

type Engine = 'WEBJS' | 'NOWEB' | 'GOWS' | 'WPP';

const PROFILES: Array<{ name: string; engine: Engine; version: string }> = [
  { name: 'NOWEB 2026.7.1 (sorts oldest first, merges @lid histories)', engine: 'NOWEB', version: '2026.7.1' },
  { name: 'NOWEB 2025.9.1 (newest first, @lid and phone chats apart)', engine: 'NOWEB', version: '2025.9.1' },
  { name: 'GOWS 2026.7.1 (sorts oldest first, merges @lid histories)', engine: 'GOWS', version: '2026.7.1' },
  { name: 'GOWS 2025.9.1 (newest first)', engine: 'GOWS', version: '2025.9.1' },
  { name: 'WEBJS 2026.7.1 (always newest first)', engine: 'WEBJS', version: '2026.7.1' },
  { name: 'WPP 2026.3.1 (sorts within the newest window only)', engine: 'WPP', version: '2026.3.1' },
];

interface Lite {
  id: string;
  timestamp: number;
}

/** Every chat of the history grouped by person (an @lid with a known phone joins the phone's chat). */
function persons(h: Harness): Map<string, string[]> {
  const pnOf = new Map(h.waha.lids().map(({ lid, pn }) => [lid, pn.replace('@s.whatsapp.net', '@c.us')]));
  const groups = new Map<string, string[]>();
  for (const chat of h.waha.chats()) {
    if (!/@(c\.us|lid)$/.test(chat.id) || chat.id.startsWith('0@')) continue;
    const person = pnOf.get(chat.id) ?? chat.id;
    groups.set(person, [...(groups.get(person) ?? []), chat.id]);
  }
  return groups;
}

/** What each person's conversation must hold, oldest first: every message of all its chats in the window. */
function expectedByPerson(h: Harness, window: { gte: number; lte: number }): Map<string, Lite[]> {
  const result = new Map<string, Lite[]>();
  for (const [person, chats] of persons(h)) {
    const messages = chats.flatMap((chat) => h.waha.messagesInWindow(chat, window.gte, window.lte) as unknown as Lite[]);
    result.set(person, messages);
  }
  return result;
}

function expectOncePerPersonInOrder(h: Harness, window: { gte: number; lte: number }): number {
  const got = imported(h);
  const timestampOf = new Map<string, number>();
  let total = 0;
  for (const [person, want] of expectedByPerson(h, window)) {
    for (const m of want) timestampOf.set(m.id, m.timestamp);
    const chats = persons(h).get(person)!;
    const conversations = chats.filter((chat) => got.has(chat));
    // One conversation for the person, whichever of its chats named the contact.
    expect({ person, conversations: conversations.length }).toEqual({ person, conversations: want.length > 0 ? 1 : 0 });
    const ids = conversations.flatMap((chat) => got.get(chat) ?? []);
    total += want.length;
    expect({ person, ids: [...ids].sort() }).toEqual({ person, ids: want.map((m) => m.id).sort() });
    // Oldest first; within one chat, exactly WhatsApp's order (equal timestamps included).
    const times = ids.map((id) => timestampOf.get(id)!);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    for (const chat of chats) {
      const own = new Set((h.waha.messagesInWindow(chat, window.gte, window.lte) as unknown as Lite[]).map((m) => m.id));
      expect({ chat, order: ids.filter((id) => own.has(id)) }).toEqual({ chat, order: [...own] });
    }
  }
  return total;
}

describe.each(PROFILES)('WAHA $name', ({ engine, version }) => {
  let h: Harness;

  beforeAll(async () => {
    h = await Harness.start({ waha: { engine, version, history: { splitPersons: 1 } } });
  });

  afterAll(async () => {
    await h?.stop();
  });

  it('imports each person oldest first, exactly once, into one conversation; the same pull again creates nothing', async () => {
    // Three messages sent within one second (equal timestamps), which only the pull brings in: WhatsApp's order holds.
    const tied = [...persons(h).keys()].find((id) => id.endsWith('@c.us'))!;
    const second = Math.floor(Date.now() / 1000) - 3600;
    h.waha.configure({ webhookEvents: [] });
    for (const n of [1, 2, 3]) await h.waha.receive(tied, { body: `same second #${n}`, timestamp: second });
    h.waha.configure({ webhookEvents: ['message.any', 'message.ack', 'session.status'] });
    const first = await pull(h, 'wa/messages pull 30d --progress 0');
    const total = expectOncePerPersonInOrder(h, windowSec(first.at, 30 * DAY));
    expect(total).toBeGreaterThan(0);
    expect(first.report).toContain(`🆕 ${total} created`);
    const again = await pull(h, 'wa/messages pull 30d --progress 0');
    expect(again.report).toContain('🆕 0 created');
    expectOncePerPersonInOrder(h, windowSec(first.at, 30 * DAY));
  });

  it('relays a new WhatsApp message in, an agent reply out, and the read receipt back', async () => {
    const chatId = [...persons(h).keys()].find((id) => id.endsWith('@c.us'))!;
    const incoming = await h.waha.receive(chatId, { body: `live on ${engine}` });
    const message = await eventually(
      () => h.cw.conversations().flatMap((c) => h.cw.messages(c.id)).find((m) => m.source_id === incoming.id),
      { what: 'the live message in ChatWoot' },
    );
    const conversationId = h.cw.conversations().find((c) => h.cw.messages(c.id).some((m) => m.id === message.id))!.id;
    await h.cw.agentMessage(conversationId, `reply on ${engine}`);
    await eventually(() => h.waha.sent().find((s) => s.text === `reply on ${engine}`), { what: 'the reply on WhatsApp' });
    await h.waha.read(chatId);
    await eventually(() => (h.cw.conversation(conversationId)?.contact_last_seen_at ?? 0) > 0, { what: 'the conversation marked read' });
  });
});
