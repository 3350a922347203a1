/**
 * Outages as long as real ones, during a pull and live traffic: ChatWoot answering 503 for two minutes (a deploy),
 * WAHA down for two minutes (its container restarting). Each test ends with lost 0 and duplicated 0 in ChatWoot and
 * in what WAHA sent, each chat and conversation in order, and checks what the agent was told.
 */
import { Harness, eventually } from '../support/harness';
import { account, BIG_HISTORY, createdCount } from '../support/chaos-helpers';
import { dmChats, imported, typedAt } from '../support/pull-helpers';
import { customerConversation, sentTo, waitNote, waitSent } from '../support/relay-helpers';
import { sleep } from '../support/wait';

const OUTAGE_MS = 120_000;
const HISTORY = { ...BIG_HISTORY, dmChats: 6, messagesPerChat: 120 };

/** Live WhatsApp messages into a chat: their ids, in order. */
async function receiveLive(h: Harness, chatId: string, count: number, label: string): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 1; i <= count; i++) ids.push(String((await h.waha.receive(chatId, { body: `${label} #${i}` })).id));
  return ids;
}

/** The chat's imported ids once all of `ids` are among them; checks each is there once, after the history. */
async function expectLiveOnce(h: Harness, chatId: string, ids: string[]): Promise<void> {
  const got = await eventually(() => {
    const all = imported(h).get(chatId) ?? [];
    return ids.every((id) => all.includes(id)) ? all : undefined;
  }, { what: `live messages in ${chatId}`, timeoutMs: 90_000 });
  expect(got.length).toBe(new Set(got).size);
  expect(got.slice(-ids.length)).toEqual(ids);
}

describe('long outages', () => {
  let h: Harness | undefined;

  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('ChatWoot answering 503 for 2 minutes mid-pull, with live traffic both ways: nothing lost or doubled, in order', async () => {
    h = await Harness.start({ chatwoot: { latencyMs: 5 }, waha: { history: HISTORY } });
    const [replyChat, liveChat] = dmChats(h);
    const conversationId = customerConversation(h, replyChat, 'Ann');
    const messageId = await h.type('wa/messages pull 30d');
    await eventually(() => createdCount(h!) > 150, { what: 'import under way', timeoutMs: 60_000 });

    h.cw.outage(OUTAGE_MS, { status: 503, text: '<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>\n' });
    const replies = ['Your order shipped', 'Tracking number follows', 'Anything else?'];
    for (const reply of replies) await h.cw.agentMessage(conversationId, reply);
    const live = await receiveLive(h, liveChat, 5, 'during the outage');
    await sleep(OUTAGE_MS);

    const report = await h.waitReply(messageId, (c) => /Pull finished/.test(c), h.integrationConversationId, 180_000);
    expect(report).toMatch(/🔴 0 failed/);
    // While ChatWoot is down nothing can be posted there: the final report says what was waited out.
    expect(report).toMatch(/waited out an outage on the way \(last: ChatWoot: /);
    expect(account(h, typedAt(h, messageId), 30)).toMatchObject({ lost: 0, duplicated: 0, outOfOrder: 0, missing: [], doubled: [] });
    await expectLiveOnce(h, liveChat, live);
    await waitSent(h, replyChat, replies.length);
    await sleep(3000);
    expect(sentTo(h, replyChat)).toEqual(replies);
  }, 420_000);

  it('WAHA down for 2 minutes mid-pull while agents reply: the agent is told, then everything arrives once, in order', async () => {
    h = await Harness.start({ chatwoot: { latencyMs: 5 }, waha: { history: HISTORY } });
    const [replyChat] = dmChats(h);
    const conversationId = customerConversation(h, replyChat, 'Bea');
    const messageId = await h.type('wa/messages pull 30d');
    await eventually(() => createdCount(h!) > 150, { what: 'import under way', timeoutMs: 60_000 });

    const down = h.waha.down(OUTAGE_MS);
    const replies = ['First answer', 'Second answer', 'Third answer'];
    for (const reply of replies) await h.cw.agentMessage(conversationId, reply);
    // Told in the conversation that the reply waits, and in the pull's conversation that the import waits.
    expect(await waitNote(h, conversationId, /WhatsApp \(WAHA\) is not answering/, 100_000)).toMatch(/goes out by itself/);
    expect(await h.waitReply(messageId, (c) => /WhatsApp \(WAHA\) is not answering/.test(c), h.integrationConversationId, 100_000)).toMatch(/nothing is skipped/);
    expect(sentTo(h, replyChat)).toEqual([]);
    await down;

    const report = await h.waitReply(messageId, (c) => /Pull finished/.test(c), h.integrationConversationId, 180_000);
    expect(report).toMatch(/🔴 0 failed/);
    expect(report).toMatch(/waited out an outage on the way \(last: WhatsApp \(WAHA\): /);
    expect(account(h, typedAt(h, messageId), 30)).toMatchObject({ lost: 0, duplicated: 0, outOfOrder: 0 });
    await waitSent(h, replyChat, replies.length, 90_000);
    await sleep(3000);
    expect(sentTo(h, replyChat)).toEqual(replies);
  }, 420_000);
});
