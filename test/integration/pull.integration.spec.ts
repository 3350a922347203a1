/**
 * `wa/messages pull` as the product page shows it, over webhooks against both simulators and real Redis. Every
 * test compares what landed in each ChatWoot conversation with the fake WAHA's history for the same window:
 * the exact set, WhatsApp's order, nothing twice.
 */
import { Harness } from '../support/harness';
import { DAY, dmChats, expected, imported, pull, windowSec } from '../support/pull-helpers';

function counts(report: string): { created: number; exists: number; failed: number } {
  const created = Number(/🆕 (\d+) created/.exec(report)?.[1]);
  const exists = Number(/🟢 (\d+) already there/.exec(report)?.[1]);
  const failed = Number(/🔴 (\d+) failed/.exec(report)?.[1]);
  return { created, exists, failed };
}

function expectExactly(h: Harness, chats: string[], window: { gte: number; lte: number }): number {
  const got = imported(h);
  let total = 0;
  for (const chatId of chats) {
    const want = expected(h, chatId, window);
    total += want.length;
    expect({ chatId, ids: got.get(chatId) ?? [] }).toEqual({ chatId, ids: want });
  }
  for (const chatId of got.keys()) expect(chats).toContain(chatId);
  return total;
}

describe('wa/messages pull', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await Harness.start();
  });

  afterEach(async () => {
    await h?.stop();
  });

  it('default window: the last day of every direct chat, in order, once; a second pull finds them all there', async () => {
    const first = await pull(h, 'wa/messages pull');
    const total = expectExactly(h, dmChats(h), windowSec(first.at, DAY));
    expect(total).toBeGreaterThan(0);
    expect(counts(first.report)).toEqual({ created: total, exists: 0, failed: 0 });

    const again = await pull(h, 'wa/messages pull 1d 0d');
    expect(counts(again.report).created).toBe(0);
    expect(counts(again.report).exists).toBeGreaterThanOrEqual(total);
    expectExactly(h, dmChats(h), windowSec(first.at, DAY));
  });

  it('10d, then the 30d 20d / 20d 10d / 10d batches fill older history before newer in each chat', async () => {
    const batch1 = await pull(h, 'wa/messages pull 30d 20d');
    expectExactly(h, dmChats(h), windowSec(batch1.at, 30 * DAY, 20 * DAY));
    await pull(h, 'wa/messages pull 20d 10d');
    const batch3 = await pull(h, 'wa/messages pull 10d # You can omit the last 0d');
    // The three slices together are the whole 30 days, oldest first (windows are anchored to each command).
    const got = imported(h);
    for (const chatId of dmChats(h)) {
      const ids = got.get(chatId) ?? [];
      expect(new Set(ids).size).toBe(ids.length);
      const all = expected(h, chatId, windowSec(batch3.at, 30 * DAY));
      expect(ids.filter((id) => all.includes(id))).toEqual(all.filter((id) => ids.includes(id)));
      expect(all.every((id) => ids.includes(id) || Number(h.waha.message(id)?.timestamp) < windowSec(batch1.at, 30 * DAY).gte)).toBe(true);
    }
  });

  it('--force imports the window again as new messages', async () => {
    const first = await pull(h, 'wa/messages pull 1d');
    const total = counts(first.report).created;
    const forced = await pull(h, 'wa/messages pull 1d --force');
    expect(counts(forced.report).created).toBe(total);
    const got = imported(h);
    for (const chatId of dmChats(h)) {
      const want = expected(h, chatId, windowSec(first.at, DAY));
      expect(got.get(chatId) ?? []).toEqual([...want, ...want]);
    }
  });

  it('--media uploads the files with their names; without it the caption stays and a notice says why', async () => {
    const plain = await pull(h, 'wa/messages pull 21d --chat all');
    const withMedia = h.waha
      .chats()
      .map((c) => c.id)
      .filter((id) => dmChats(h).includes(id))
      .flatMap((id) => (h.waha.messagesInWindow(id, windowSec(plain.at, 21 * DAY).gte, windowSec(plain.at, 21 * DAY).lte) as unknown as Array<{ id: string; hasMedia?: boolean }>).filter((m) => m.hasMedia));
    expect(withMedia.length).toBeGreaterThan(0);
    const notices = h.cw.conversations().flatMap((c) => h.cw.messages(c.id)).filter((m) => withMedia.some((w) => w.id === m.source_id));
    expect(notices.every((m) => m.attachments.length === 0 && /--media/.test(m.content ?? ''))).toBe(true);

    await pull(h, 'wa/messages pull 21d --force --media');
    const uploaded = h.cw
      .conversations()
      .flatMap((c) => h.cw.messages(c.id))
      .filter((m) => m.source_id?.includes('#') && withMedia.some((w) => m.source_id?.startsWith(w.id)));
    expect(uploaded.length).toBe(withMedia.length);
    expect(uploaded.every((m) => m.attachments.length === 1 && m.attachments[0].file_name.length > 0)).toBe(true);
  });

  it('type flags: --groups --channels --status --broadcast bring those chats with their names; --no-dm --groups only groups', async () => {
    const all = await pull(h, 'wa/messages pull 21d --groups --channels --status --broadcast');
    const chats = h.waha.chats().map((c) => c.id).filter((id) => !id.startsWith('0@'));
    const window = windowSec(all.at, 21 * DAY);
    expectExactly(h, chats.filter((id) => expected(h, id, window).length > 0), window);
    const names = h.cw.contacts().map((c) => c.name);
    expect(names.some((n) => n.endsWith('(Group)'))).toBe(true);
    expect(names.some((n) => n.endsWith('(Channel)'))).toBe(true);
    expect(names).toContain('🟢 Status');
    expect(names.some((n) => n.startsWith('Broadcast List ('))).toBe(true);
  });

  it('--no-dm --groups imports groups only, naming each participant', async () => {
    const run = await pull(h, 'wa/messages pull 21d --no-dm --groups');
    const groups = h.waha.chats().map((c) => c.id).filter((id) => id.endsWith('@g.us'));
    expectExactly(h, groups, windowSec(run.at, 21 * DAY));
    const groupMessages = h.cw.conversations().flatMap((c) => h.cw.messages(c.id)).filter((m) => m.message_type === 0);
    expect(groupMessages.length).toBeGreaterThan(0);
    expect(groupMessages.every((m) => (m.content ?? '').startsWith('👥 '))).toBe(true);
  });

  it('--chat imports that one chat only', async () => {
    const chatId = dmChats(h)[0];
    const run = await pull(h, `wa/messages pull 21d --chat ${chatId}`);
    expectExactly(h, [chatId], windowSec(run.at, 21 * DAY));
  });

  it('from a customer conversation: that contact only, replies as private notes', async () => {
    const chatId = dmChats(h).find((id) => id.endsWith('@c.us'))!;
    const digits = chatId.split('@')[0];
    const { conversation } = h.cw.seedContact({ name: 'Customer', phone_number: `+${digits}`, identifier: chatId, custom_attributes: { waha_whatsapp_chat_id: chatId }, withConversation: true, source_id: chatId });
    const run = await pull(h, 'wa/messages pull 21d', conversation!.id);
    expectExactly(h, [chatId], windowSec(run.at, 21 * DAY));
    expect(h.cw.conversations().filter((c) => c.meta.sender && (c.meta.sender as { id: number }).id !== undefined).length).toBe(2);
    const status = await h.type('wa/messages status', conversation!.id);
    await h.waitReply(status, (c) => c.includes('Pull'), conversation!.id);
    const reply = h.repliesAfter(status, conversation!.id).find((m) => m.content.includes('Pull'))!;
    expect(reply).toMatchObject({ private: true, message_type: 1 });
  });

  it('1y --rc --pause: resolves every touched conversation and leaves the live queues running again', async () => {
    const run = await pull(h, 'wa/messages pull 1y --rc --pause');
    expectExactly(h, dmChats(h), windowSec(run.at, 365 * DAY));
    const touched = h.cw.conversations().filter((c) => c.id !== h.integrationConversationId);
    expect(touched.length).toBe(dmChats(h).length);
    expect(touched.every((c) => c.status === 'resolved')).toBe(true);
    const texts = h.repliesAfter(run.messageId).map((m) => m.content);
    expect(texts.some((t) => /paused/i.test(t))).toBe(true);
    const status = await h.type('wa/queue status');
    const reply = await h.waitReply(status, (c) => c.includes('inbox'));
    expect(reply).not.toMatch(/Paused/);
  });
});
