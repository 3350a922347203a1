/**
 * The live bridge both ways, over WAHA and ChatWoot webhooks against the simulators and real Redis.
 */
import { createHmac } from 'node:crypto';
import { Harness, eventually } from '../support/harness';
import { withQueue } from '../support/command-helpers';
import { dmChats, imported } from '../support/pull-helpers';

const HMAC_KEY = 'waha-hmac-key';

function wahaHeaders(body: string, key = HMAC_KEY): Record<string, string> {
  return { 'content-type': 'application/json', 'x-webhook-hmac': createHmac('sha512', key).update(body).digest('hex'), 'x-webhook-hmac-algorithm': 'sha512' };
}

/** The READ ack WAHA delivered for one of our messages (it acked DEVICE for the same id before). */
function readReceipt(h: Harness, messageId: string) {
  const payloadOf = (w: { envelope: { payload?: unknown } }) => w.envelope.payload as { id: string; ack: number };
  return h.waha.webhooks().find((w) => w.envelope.event === 'message.ack' && payloadOf(w).id === messageId && payloadOf(w).ack === 3)!;
}

async function liveIds(h: Harness, chatId: string, count: number): Promise<string[]> {
  return eventually(() => {
    const ids = imported(h).get(chatId) ?? [];
    return ids.length >= count ? ids : undefined;
  }, { what: `${count} messages in ${chatId}`, timeoutMs: 30_000 });
}

describe('live relay', () => {
  let h: Harness;

  beforeEach(async () => {
    h = await Harness.start({ waha: { webhookHmacKey: HMAC_KEY }, env: { WAHA_WEBHOOK_HMAC_KEY: HMAC_KEY } });
  });

  afterEach(async () => {
    await h?.stop();
  });

  it('brings new WhatsApp messages of several chats into ChatWoot in order, with two workers', async () => {
    await h.spawn({ ROLE: 'worker' });
    const chats = dmChats(h).slice(0, 3);
    const sent = await Promise.all(
      chats.map(async (chatId) => {
        const ids: string[] = [];
        for (let i = 0; i < 8; i++) ids.push(String((await h.waha.receive(chatId, { body: `live ${chatId} #${i}` })).id));
        return ids;
      }),
    );
    for (const [i, chatId] of chats.entries()) {
      expect(await liveIds(h, chatId, 8)).toEqual(sent[i]);
    }
    const first = h.cw.conversations().flatMap((c) => h.cw.messages(c.id)).find((m) => m.source_id === sent[0][0])!;
    expect(first.content).toBe(`live ${chats[0]} #0`);
    expect(first.message_type).toBe(0);
  });

  it('a webhook delivered twice creates one message', async () => {
    const chatId = dmChats(h)[0];
    const message = await h.waha.receive(chatId, { body: 'only once' });
    const delivery = h.waha.webhooks().find((w) => (w.envelope.payload as { id?: string } | undefined)?.id === message.id)!;
    // WAHA retries with the very same body (and signature).
    const again = await fetch(`${h.url}/webhooks/waha`, { method: 'POST', headers: delivery.headers, body: delivery.body });
    expect(again.status).toBe(200);
    expect(((await again.json()) as { action: string }).action).toBe('duplicate');
    await liveIds(h, chatId, 1);
    await new Promise((r) => setTimeout(r, 500));
    expect((imported(h).get(chatId) ?? []).filter((id) => id === message.id)).toHaveLength(1);
  });

  it('refuses bad HMAC, unknown sessions and malformed bodies with nothing queued', async () => {
    const body = JSON.stringify({ event: 'message.any', session: 'default', payload: { id: 'false_1@c.us_X', timestamp: 1, fromMe: false, body: 'x' } });
    const bad = await fetch(`${h.url}/webhooks/waha`, { method: 'POST', headers: wahaHeaders(body, 'wrong'), body });
    const missing = await fetch(`${h.url}/webhooks/waha`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const unknownBody = JSON.stringify({ event: 'message.any', session: 'nope', payload: {} });
    const unknown = await fetch(`${h.url}/webhooks/waha`, { method: 'POST', headers: wahaHeaders(unknownBody), body: unknownBody });
    const malformed = await fetch(`${h.url}/webhooks/waha`, { method: 'POST', headers: wahaHeaders('{"event":'), body: '{"event":' });
    const noEnvelope = await fetch(`${h.url}/webhooks/waha`, { method: 'POST', headers: wahaHeaders('[]'), body: '[]' });
    expect([bad.status, missing.status, unknown.status, malformed.status, noEnvelope.status]).toEqual([401, 401, 404, 400, 400]);
    const lanes = await h.redis((r) => r.keys(h.key('lane', 'whatsapp', '*')));
    expect(lanes).toEqual([]);
  });

  it('sends agent replies to WhatsApp with WhatsApp formatting and files, and a later pull counts them as there', async () => {
    const chatId = dmChats(h).find((id) => id.endsWith('@c.us'))!;
    const { conversation } = h.cw.seedContact({ name: 'Ana', identifier: chatId, phone_number: `+${chatId.split('@')[0]}`, custom_attributes: { waha_whatsapp_chat_id: chatId }, withConversation: true, source_id: chatId });
    await h.cw.agentMessage(conversation!.id, '**Hello** *there*, see [the docs](https://example.com/a_b)');
    await h.cw.agentMessage(conversation!.id, 'Your invoice', { attachments: [{ file_name: 'invoice.pdf', content_type: 'application/pdf', data: Buffer.from('%PDF-1.4 test') }] });
    await h.cw.agentMessage(conversation!.id, '', { attachments: [{ file_name: 'photo.png', content_type: 'image/png', data: Buffer.from([0x89, 0x50, 0x4e, 0x47]) }] });
    const sent = await eventually(() => (h.waha.sent().length >= 3 ? h.waha.sent() : undefined), { what: 'three sends' });
    expect(sent[0]).toMatchObject({ method: 'sendText', chatId, text: '*Hello* _there_, see the docs (https://example.com/a_b)' });
    expect(sent[1]).toMatchObject({ method: 'sendFile', chatId, caption: 'Your invoice' });
    expect(sent[1].file?.filename).toBe('invoice.pdf');
    expect(sent[2]).toMatchObject({ method: 'sendImage', chatId });
    // WAHA echoes our sends as message.any (fromMe, source api): they must not come back into ChatWoot.
    await new Promise((r) => setTimeout(r, 4000));
    expect(h.cw.messages(conversation!.id).filter((m) => m.source_id)).toHaveLength(0);
    const pullId = await h.type('wa/messages pull 1d', conversation!.id);
    const report = await h.waitReply(pullId, (c) => /Pull finished/.test(c), conversation!.id);
    expect(Number(/🟢 (\d+) already there/.exec(report)?.[1])).toBeGreaterThanOrEqual(3);
    const importedIds = imported(h).get(chatId) ?? [];
    for (const s of sent) expect(importedIds.some((id) => id.endsWith(String(s.waId)))).toBe(false);
  });

  it('an agent reply to an imported message quotes it on WhatsApp, also for a message an earlier version imported', async () => {
    const chatId = dmChats(h)[0];
    const message = await h.waha.receive(chatId, { body: 'Where is my order?' });
    const [importedId] = await liveIds(h, chatId, 1);
    const cwMessage = h.cw.conversations().flatMap((c) => h.cw.messages(c.id)).find((m) => m.source_id === importedId)!;
    // Versions before 2026-12 kept the reverse ledger in one hash: its entries must still be quoted.
    const legacyCwId = 987_654;
    const legacyWaId = `true_${chatId}_LEGACYQUOTED`;
    await h.redis((r) => r.hset(h.key('ledger-rev'), String(legacyCwId), legacyWaId));
    await h.cw.agentMessage(cwMessage.conversation_id, 'It ships today', { content_attributes: { in_reply_to: cwMessage.id } });
    await h.cw.agentMessage(cwMessage.conversation_id, 'As promised', { content_attributes: { in_reply_to: legacyCwId } });
    const sent = await eventually(() => (h.waha.sent().length >= 2 ? h.waha.sent() : undefined), { what: 'two sends' });
    expect(sent.map((s) => [s.text, s.reply_to])).toEqual([
      ['It ships today', message.id],
      ['As promised', legacyWaId],
    ]);
  });

  it("marks the conversation read in ChatWoot when the contact reads the agent's reply on WhatsApp", async () => {
    const chatId = dmChats(h).find((id) => id.endsWith('@c.us'))!;
    const { conversation } = h.cw.seedContact({ name: 'Cy', identifier: chatId, custom_attributes: { waha_whatsapp_chat_id: chatId }, withConversation: true, source_id: chatId });
    const reply = await h.cw.agentMessage(conversation!.id, 'Your order shipped today');
    await eventually(() => h.waha.sent()[0], { what: 'the reply sent' });
    // WAHA acks DEVICE right after the send: delivered to the phone is not read.
    const device = await eventually(() => h.waha.webhooks().find((w) => w.envelope.event === 'message.ack' && w.delivered), { what: 'DEVICE ack' });
    expect((device.envelope.payload as { ack: number }).ack).toBe(2);
    expect(h.cw.conversation(conversation!.id)!.contact_last_seen_at).toBe(0);
    expect(h.cw.messages(conversation!.id).find((m) => m.id === reply.id)!.status).toBe('sent');

    const [readId] = await h.waha.read(chatId);
    await eventually(() => h.cw.conversation(conversation!.id)!.contact_last_seen_at > 0 || undefined, { what: 'conversation seen by the contact' });
    expect(h.cw.messages(conversation!.id).find((m) => m.id === reply.id)!.status).toBe('read');

    // WAHA retrying the receipt, or a receipt WhatsApp sends for someone else's message, changes nothing more.
    const receipt = readReceipt(h, readId);
    const again = await fetch(`${h.url}/webhooks/waha`, { method: 'POST', headers: receipt.headers, body: receipt.body });
    expect(((await again.json()) as { action: string }).action).toBe('duplicate');
    for (const payload of [
      { id: 'true_120363000000000001@g.us_ABC_5511@c.us', from: '120363000000000001@g.us', fromMe: true, ack: 3, ackName: 'READ' },
      { id: `false_${chatId}_DEF`, from: chatId, fromMe: false, ack: 3, ackName: 'READ' },
      { id: `true_${chatId}_GHI`, from: chatId, fromMe: true, ack: 2, ackName: 'DEVICE' },
    ]) {
      const body = JSON.stringify({ event: 'message.ack', session: 'default', payload });
      const answer = await fetch(`${h.url}/webhooks/waha`, { method: 'POST', headers: wahaHeaders(body), body });
      expect(((await answer.json()) as { action: string }).action).toBe('ignored');
    }
  });

  it('marks read a conversation the bridge created for a message sent from the phone', async () => {
    const chatId = dmChats(h).find((id) => id.endsWith('@c.us'))!;
    const phone = await h.waha.receive(chatId, { fromMe: true, body: 'sent from the phone' });
    const [id] = await liveIds(h, chatId, 1);
    expect(id).toBe(phone.id);
    const conversation = h.cw.conversations().find((c) => h.cw.messages(c.id).some((m) => m.source_id === phone.id))!;
    await h.waha.read(chatId);
    await eventually(() => h.cw.conversation(conversation.id)!.contact_last_seen_at > 0 || undefined, { what: 'conversation seen by the contact' });
  });

  it('retries a read receipt ChatWoot refuses for a while, and one that keeps failing does not hold up the chat', async () => {
    const chatId = dmChats(h).find((id) => id.endsWith('@c.us'))!;
    const { conversation } = h.cw.seedContact({ name: 'Ed', identifier: chatId, custom_attributes: { waha_whatsapp_chat_id: chatId }, withConversation: true, source_id: chatId });
    await h.cw.agentMessage(conversation!.id, 'first reply');
    await eventually(() => h.waha.sent()[0], { what: 'first reply sent' });
    h.cw.addFault({ path: /update_last_seen$/, status: 503, text: 'Service Unavailable\n', times: 2 });
    await h.waha.read(chatId);
    await eventually(() => h.cw.conversation(conversation!.id)!.contact_last_seen_at > 0 || undefined, { what: 'marked after two 503s' });

    const seenBefore = h.cw.conversation(conversation!.id)!.contact_last_seen_at;
    const second = await h.cw.agentMessage(conversation!.id, 'second reply');
    await eventually(() => h.waha.sent()[1], { what: 'second reply sent' });
    h.cw.addFault({ path: /update_last_seen$/, status: 500, body: { status: 500, error: 'Internal Server Error' }, times: 100 });
    await h.waha.read(chatId);
    const next = await h.waha.receive(chatId, { body: 'did you get my order?' });
    const ids = await eventually(() => ((imported(h).get(chatId) ?? []).includes(String(next.id)) ? true : undefined), { what: 'the next message', timeoutMs: 30_000 });
    expect(ids).toBe(true);
    expect(h.cw.conversation(conversation!.id)!.contact_last_seen_at).toBe(seenBefore);
    expect(h.cw.messages(conversation!.id).find((m) => m.id === second.id)!.status).toBe('sent');
  });

  it('leaves conversations unread when CHATWOOT_MARK_AS_READ is false', async () => {
    await h.stop();
    h = await Harness.start({ waha: { webhookHmacKey: HMAC_KEY }, env: { WAHA_WEBHOOK_HMAC_KEY: HMAC_KEY, CHATWOOT_MARK_AS_READ: 'false' } });
    const chatId = dmChats(h).find((id) => id.endsWith('@c.us'))!;
    const { conversation } = h.cw.seedContact({ name: 'Di', identifier: chatId, custom_attributes: { waha_whatsapp_chat_id: chatId }, withConversation: true, source_id: chatId });
    await h.cw.agentMessage(conversation!.id, 'Anything else?');
    await eventually(() => h.waha.sent()[0], { what: 'the reply sent' });
    const [readId] = await h.waha.read(chatId);
    const receipt = readReceipt(h, readId);
    expect(receipt.status).toBe(200);
    const again = await fetch(`${h.url}/webhooks/waha`, { method: 'POST', headers: receipt.headers, body: receipt.body });
    expect(((await again.json()) as { action: string }).action).toBe('ignored');
    expect(await h.redis((r) => r.llen(h.key('lane', 'whatsapp', `chat-${chatId}`)))).toBe(0);
    expect(h.cw.conversation(conversation!.id)!.contact_last_seen_at).toBe(0);
  });

  it('leaves a private note when a send fails for good (session not working)', async () => {
    const chatId = dmChats(h)[0];
    const { conversation } = h.cw.seedContact({ name: 'Bo', identifier: chatId, custom_attributes: { waha_whatsapp_chat_id: chatId }, withConversation: true, source_id: chatId });
    await h.waha.setSessionStatus('STOPPED');
    const message = await h.cw.agentMessage(conversation!.id, 'are you there?');
    const note = await eventually(() => h.cw.messages(conversation!.id).find((m) => m.id > message.id && m.private), { what: 'failure note', timeoutMs: 30_000 });
    expect(note.content).toContain('STOPPED');
    const notice = await eventually(() => h.cw.messages(h.integrationConversationId).find((m) => (m.content ?? '').includes('STOPPED')), { what: 'session notice' });
    expect(notice.message_type).toBe(0);
  });

  it('paused queues hold live messages and deliver them in order after wa/queue start', async () => {
    const chatId = dmChats(h)[1];
    const stop = await h.type('wa/queue stop');
    await h.waitReply(stop, (c) => /paused/i.test(c));
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(String((await h.waha.receive(chatId, { body: `held #${i}` })).id));
    await new Promise((r) => setTimeout(r, 1500));
    expect(imported(h).get(chatId) ?? []).toEqual([]);
    const status = await h.type('wa/queue status');
    expect(await h.waitReply(status, (c) => c.includes('whatsapp'))).toMatch(/⚪ Paused · \*\*whatsapp\*\* \(WhatsApp → ChatWoot\) · 5 waiting/);
    // A burst in one chat is held by one drain job, not one job per message.
    const jobs = await withQueue(h, 'whatsapp', (queue) => queue.getJobCounts('waiting', 'paused', 'delayed', 'prioritized'));
    expect(Object.values(jobs).reduce((a, b) => a + b, 0)).toBe(1);
    const start = await h.type('wa/queue start');
    await h.waitReply(start, (c) => /resumed/i.test(c));
    expect(await liveIds(h, chatId, 5)).toEqual(ids);
  });

  it("a live message during that chat's pull lands after its history", async () => {
    await h.stop();
    h = await Harness.start({ chatwoot: { latencyMs: 20 }, waha: { history: { dmChats: 2, messagesPerChat: 80, days: 21 }, webhookHmacKey: HMAC_KEY }, env: { WAHA_WEBHOOK_HMAC_KEY: HMAC_KEY } });
    const chatId = dmChats(h)[0];
    const pullId = await h.type('wa/messages pull 21d');
    await eventually(() => (imported(h).get(chatId) ?? []).length > 5, { what: 'pull under way' });
    const live = await h.waha.receive(chatId, { body: 'brand new' });
    await h.waitReply(pullId, (c) => /Pull finished/.test(c), h.integrationConversationId, 60_000);
    const ids = await eventually(() => {
      const got = imported(h).get(chatId) ?? [];
      return got.includes(String(live.id)) ? got : undefined;
    }, { what: 'live message' });
    expect(ids[ids.length - 1]).toBe(live.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
