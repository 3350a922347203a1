/**
 * A pull against a ChatWoot that rate-limits, floods, fails and drops connections, a WAHA that fails pages, and
 * workers that die: nothing lost, nothing twice, every message in order.
 */
import { Harness, eventually } from '../support/harness';
import { DAY, dmChats, expected, imported, pull, typedAt, windowSec } from '../support/pull-helpers';

function expectExactly(h: Harness, at: number, days: number): void {
  const got = imported(h);
  const window = windowSec(at, days * DAY);
  for (const chatId of dmChats(h)) {
    expect({ chatId, ids: got.get(chatId) ?? [] }).toEqual({ chatId, ids: expected(h, chatId, window) });
  }
}

describe('pull reliability', () => {
  let h: Harness | undefined;

  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('waits out 429 Retry later windows, paces itself, and says which ChatWoot setting to raise', async () => {
    h = await Harness.start({ chatwoot: { rateLimit: { limit: 40, periodSec: 1 } }, env: { CHATWOOT_RATE_LIMIT_WINDOW: '1s' } });
    const run = await pull(h, 'wa/messages pull 21d --progress 40');
    expectExactly(h, run.at, 21);
    expect(h.cw.requests('POST', /\/messages$/).some((r) => r.status === 429)).toBe(true);
    const reports = h.repliesAfter(run.messageId).map((m) => m.content);
    expect(reports.some((r) => r.includes('RACK_ATTACK_LIMIT'))).toBe(true);
  });

  it("waits for a conversation's flood window on 422 Too many messages and names CONVERSATION_MESSAGE_PER_MINUTE_LIMIT", async () => {
    h = await Harness.start({ chatwoot: { messagesPerMinute: 6, messageWindowMs: 1000 }, env: { CHATWOOT_MESSAGE_WINDOW: '1s' } });
    const run = await pull(h, 'wa/messages pull 21d --progress 30', h.integrationConversationId, 120_000);
    expectExactly(h, run.at, 21);
    expect(h.cw.requests('POST', /\/messages$/).some((r) => r.status === 422)).toBe(true);
    const reports = h.repliesAfter(run.messageId).map((m) => m.content);
    expect(reports.some((r) => r.includes('CONVERSATION_MESSAGE_PER_MINUTE_LIMIT'))).toBe(true);
  });

  it('survives 5xx, 503, connections dropped before and after the write, and failing WAHA pages', async () => {
    h = await Harness.start();
    const posts = /\/conversations\/\d+\/messages$/;
    h.cw.failNext({ method: 'POST', path: posts, status: 500, body: { error: 'boom' }, times: 4 });
    h.cw.failNext({ method: 'POST', path: posts, status: 503, text: 'Service Unavailable', times: 4 });
    h.cw.dropAfterWrite({ method: 'POST', path: posts, times: 6 });
    h.cw.failNext({ method: 'POST', path: posts, drop: 'before', times: 3 });
    h.waha.failNext({ method: 'GET', path: /\/messages$/, status: 500, body: { statusCode: 500 }, times: 3 });
    const run = await pull(h, 'wa/messages pull 21d');
    expectExactly(h, run.at, 21);
    expect(run.report).toMatch(/🔴 0 failed/);
    expect(h.cw.journal.filter((e) => e.fault === 'drop-after').length).toBe(6);
  });

  it('a worker killed mid-pull and a new one started: the pull finishes with nothing lost or doubled', async () => {
    h = await Harness.start({ chatwoot: { latencyMs: 15 }, waha: { history: { dmChats: 6, messagesPerChat: 50, days: 21 } } });
    const messageId = await h.type('wa/messages pull 21d');
    await eventually(() => h!.cw.conversations().reduce((n, c) => n + h!.cw.messages(c.id).filter((m) => m.source_id).length, 0) > 60, { what: 'import under way' });
    const first = h.services[0];
    await h.kill(first);
    await h.spawn({});
    const report = await h.waitReply(messageId, (c) => /Pull finished/.test(c), h.integrationConversationId, 90_000);
    expect(report).toMatch(/🔴 0 failed/);
    expectExactly(h, typedAt(h, messageId), 21);
  });

  it('two worker processes share the chats of one pull', async () => {
    h = await Harness.start({ chatwoot: { latencyMs: 10 }, waha: { history: { dmChats: 8, messagesPerChat: 30, days: 21 } }, env: { PULL_CHAT_CONCURRENCY: '2' } });
    await h.spawn({ ROLE: 'worker' });
    const run = await pull(h, 'wa/messages pull 21d', h.integrationConversationId, 90_000);
    expectExactly(h, run.at, 21);
    const workers = await h.redis(async (r) => {
      const keys = (await r.keys(`${h!.prefix}:pull:chat~*`)).filter((k) => !k.includes(':logs'));
      const names = await Promise.all(keys.map((k) => r.hget(k, 'pb')));
      return new Set(names.filter(Boolean));
    });
    expect(workers.size).toBe(2);
  });
});
