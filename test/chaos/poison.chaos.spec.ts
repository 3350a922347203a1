/**
 * Poison events: one that fails for good in the middle of a chat goes to the dead letters, the agent gets a note
 * (what, why, how to retry), the chat goes on, and the event can be sent again (`wa/queue retry`, or Retry on the
 * failed message in ChatWoot), once.
 */
import { Harness, eventually } from '../support/harness';
import { chatIdOfConversation, dmChats, imported } from '../support/pull-helpers';
import { customerConversation, sentTo, waitNote, waitSent } from '../support/relay-helpers';
import { sleep } from '../support/wait';

/** What the ChatWoot dashboard calls when an agent presses Retry on a failed message. */
async function pressRetry(h: Harness, conversationId: number, messageId: number): Promise<void> {
  const response = await fetch(`${h.cw.url}/api/v1/accounts/${h.cw.accountId}/conversations/${conversationId}/messages/${messageId}/retry`, {
    method: 'POST',
    headers: { api_access_token: h.cw.token },
  });
  expect(response.status).toBe(200);
}

describe('poison events', () => {
  let h: Harness | undefined;

  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('a WhatsApp message ChatWoot keeps refusing: dead letter, note, the chat goes on, wa/queue retry brings it once', async () => {
    h = await Harness.start();
    const chatId = dmChats(h)[0];
    const first = String((await h.waha.receive(chatId, { body: 'before the poison' })).id);
    await eventually(() => (imported(h!).get(chatId) ?? []).includes(first), { what: 'first message' });
    const conversationId = h.cw.conversations().find((c) => chatIdOfConversation(h!, c.id) === chatId)!.id;

    // ChatWoot refuses the next post to this conversation six times (a permanent 4xx, as many as a live message is tried).
    h.cw.addFault({ method: 'POST', path: new RegExp(`/conversations/${conversationId}/messages$`), status: 422, body: { message: 'Content is not valid' }, times: 6 });
    const poison = String((await h.waha.receive(chatId, { body: 'the poison pill' })).id);
    const after = String((await h.waha.receive(chatId, { body: 'after the poison' })).id);
    await eventually(() => (imported(h!).get(chatId) ?? []).includes(after), { what: 'the chat going on', timeoutMs: 60_000 });
    expect(imported(h).get(chatId)).toEqual([first, after]);
    const note = await waitNote(h, conversationId, /could not be copied to ChatWoot/);
    expect(note).toContain('the poison pill');
    expect(note).toContain('Content is not valid');
    expect(note).toContain('`wa/queue retry whatsapp`');

    const status = await h.type('wa/queue status');
    expect(await h.waitReply(status, (c) => /Queues/.test(c))).toMatch(/\*\*whatsapp\*\*.*🔴 1 failed for good/);
    const retry = await h.type('wa/queue retry whatsapp');
    expect(await h.waitReply(retry, (c) => /Sending again/.test(c))).toMatch(/after the messages that arrived meanwhile/);
    await eventually(() => (imported(h!).get(chatId) ?? []).includes(poison), { what: 'the poison retried', timeoutMs: 60_000 });
    await sleep(2000);
    expect(imported(h).get(chatId)).toEqual([first, after, poison]);
    const again = await h.type('wa/queue status');
    expect(await h.waitReply(again, (c) => /Queues/.test(c))).not.toMatch(/failed for good/);
  });

  it('an agent reply WAHA refuses for good: marked failed with a note, the next reply goes out, Retry in ChatWoot sends it once', async () => {
    h = await Harness.start();
    const chatId = dmChats(h)[0];
    const conversationId = customerConversation(h, chatId, 'Dee');
    h.waha.addFault({ method: 'POST', path: /\/api\/sendText$/, status: 400, body: { statusCode: 400, message: 'Invalid message' } });
    const poison = await h.cw.agentMessage(conversationId, 'the refused reply');
    await h.cw.agentMessage(conversationId, 'the next reply');
    await waitSent(h, chatId, 1);
    const note = await waitNote(h, conversationId, /Not delivered to WhatsApp/);
    expect(note).toContain('the refused reply');
    expect(note).toMatch(/press \*\*Retry\*\* on the message/);
    const failed = await eventually(() => h!.cw.messages(conversationId).find((m) => m.id === poison.id && m.status === 'failed'), { what: 'the reply marked failed' });
    expect(String((failed.content_attributes as { external_error?: string }).external_error)).toContain('Invalid message');

    // The agent presses Retry: ChatWoot sends two message_updated webhooks; the reply goes out once.
    await pressRetry(h, conversationId, poison.id);
    await waitSent(h, chatId, 2);
    await sleep(3000);
    expect(sentTo(h, chatId)).toEqual(['the next reply', 'the refused reply']);
    // No longer waiting as a dead letter, and a later `queue retry` sends nothing again.
    const retry = await h.type('wa/queue retry inbox');
    await h.waitReply(retry, (c) => /Sending again|Nothing/.test(c));
    await sleep(2000);
    expect(sentTo(h, chatId)).toEqual(['the next reply', 'the refused reply']);
  });
});
