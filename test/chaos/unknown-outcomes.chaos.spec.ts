/**
 * Requests whose outcome is unknown are settled, never repeated blind: a WAHA send that takes a minute (longer than
 * our timeout and twice the lane lease), with and without its echo webhook; ChatWoot posts whose answer is lost,
 * each followed by a failing lookup. Lost 0 and duplicated 0 in ChatWoot and in what WAHA sent, in order.
 */
import { Harness, eventually } from '../support/harness';
import { account, BIG_HISTORY } from '../support/chaos-helpers';
import { dmChats, imported, typedAt } from '../support/pull-helpers';
import { customerConversation, notes, sentTo, waitSent } from '../support/relay-helpers';
import { sleep } from '../support/wait';

const SEND_MS = 60_000;

describe('unknown outcomes', () => {
  let h: Harness | undefined;

  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('a WAHA send that takes 60 s is sent once: settled by its echo, or by listing the chat after the grace', async () => {
    // The defaults a deployment runs with: 30 s lease, 90 s send grace; our HTTP timeout 30 s.
    h = await Harness.start({ env: { HTTP_TIMEOUT: '30s', WAHA_SEND_GRACE: '90s', LANE_LEASE: '30s' } });
    const [chatId] = dmChats(h);
    const conversationId = customerConversation(h, chatId, 'Cal');
    const sends = /\/api\/sendText$/;

    // 1: WAHA answers after a minute; its message.any echo arrives then and settles the send.
    h.waha.addFault({ method: 'POST', path: sends, delayMs: SEND_MS });
    await h.cw.agentMessage(conversationId, 'slow with echo');
    await waitSent(h, chatId, 1, SEND_MS + 30_000);

    // 2: the same, but the echo is lost: after WAHA_SEND_GRACE the chat's own messages are listed and it is found.
    h.waha.configure({ webhookEvents: ['message.ack', 'session.status'] });
    h.waha.addFault({ method: 'POST', path: sends, delayMs: SEND_MS });
    await h.cw.agentMessage(conversationId, 'slow without echo');
    await waitSent(h, chatId, 2, 2 * SEND_MS + 30_000);
    h.waha.configure({ webhookEvents: ['message.any', 'message.ack', 'session.status'] });

    // 3: a normal reply behind them goes out after both, once.
    await h.cw.agentMessage(conversationId, 'fast');
    await waitSent(h, chatId, 3, 120_000);
    await sleep(5000);
    expect(sentTo(h, chatId)).toEqual(['slow with echo', 'slow without echo', 'fast']);
    expect(notes(h, conversationId)).toEqual([]);
    const listed = h.waha.requests('GET', new RegExp(`/chats/${chatId.replace('.', '\\.')}/messages$`));
    expect(listed.length).toBeGreaterThanOrEqual(1);
  }, 360_000);

  it('every ChatWoot lookup fails once right after a dropped post, in a pull and live: nothing doubled', async () => {
    h = await Harness.start({ chatwoot: { latencyMs: 2 }, waha: { history: { ...BIG_HISTORY, dmChats: 4, messagesPerChat: 60 } } });
    const posts = /\/conversations\/\d+\/messages$/;
    // Twelve posts land in ChatWoot but their answers are lost; the next twelve lookups (GET of the messages)
    // answer 500 once each.
    h.cw.dropAfterWrite({ method: 'POST', path: posts, times: 12 });
    h.cw.addFault({ method: 'GET', path: posts, status: 500, body: { error: 'Internal Server Error' }, times: 12 });
    const messageId = await h.type('wa/messages pull 30d --progress 0');
    const report = await h.waitReply(messageId, (c) => /Pull finished/.test(c), h.integrationConversationId, 200_000);
    expect(report).toMatch(/🔴 0 failed/);
    expect(account(h, typedAt(h, messageId), 30)).toMatchObject({ lost: 0, duplicated: 0, outOfOrder: 0 });

    const [chatId] = dmChats(h);
    h.cw.dropAfterWrite({ method: 'POST', path: posts, times: 2 });
    h.cw.addFault({ method: 'GET', path: posts, status: 500, body: { error: 'Internal Server Error' }, times: 2 });
    const live: string[] = [];
    for (let i = 1; i <= 3; i++) live.push(String((await h.waha.receive(chatId, { body: `live #${i}` })).id));
    const ids = await eventually(() => {
      const all = imported(h!).get(chatId) ?? [];
      return live.every((id) => all.includes(id)) ? all : undefined;
    }, { what: 'live messages', timeoutMs: 90_000 });
    expect(ids.length).toBe(new Set(ids).size);
    expect(ids.slice(-3)).toEqual(live);
  }, 300_000);
});
