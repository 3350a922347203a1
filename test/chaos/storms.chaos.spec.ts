/**
 * Fault storms on both sides at once. Each test asserts messages lost = 0 and duplicated = 0 in ChatWoot.
 */
import { Harness } from '../support/harness';
import { account, BIG_HISTORY } from '../support/chaos-helpers';
import { pull } from '../support/pull-helpers';

describe('fault storms', () => {
  let h: Harness | undefined;

  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('ChatWoot: 429 storms, 422 Too many messages, 5xx and responses dropped after the message was created', async () => {
    h = await Harness.start({
      // Limits low enough to be hit even on a loaded 2-core machine (the test asserts the storm happened).
      chatwoot: { rateLimit: { limit: 30, periodSec: 1 }, messagesPerMinute: 5, messageWindowMs: 1000 },
      waha: { history: { ...BIG_HISTORY, dmChats: 10, messagesPerChat: 100 } },
      env: { CHATWOOT_RATE_LIMIT_WINDOW: '1s', CHATWOOT_MESSAGE_WINDOW: '1s' },
    });
    const posts = /\/conversations\/\d+\/messages$/;
    h.cw.failNext({ method: 'POST', path: posts, status: 500, body: { error: 'Internal Server Error' }, times: 25 });
    h.cw.failNext({ method: 'POST', path: posts, status: 502, text: 'Bad Gateway', times: 10 });
    h.cw.dropAfterWrite({ method: 'POST', path: posts, times: 25 });
    h.cw.failNext({ method: 'POST', path: posts, drop: 'before', times: 10 });
    const run = await pull(h, 'wa/messages pull 30d', h.integrationConversationId, 200_000);
    expect(run.report).toMatch(/🔴 0 failed/);
    const statuses = h.cw.journal.filter((e) => e.method === 'POST').map((e) => e.status);
    expect(statuses).toContain(429);
    expect(statuses).toContain(422);
    expect(account(h, run.at, 30)).toMatchObject({ lost: 0, duplicated: 0, outOfOrder: 0 });
  });

  it('WAHA: 5xx and slow pages, media downloads timing out', async () => {
    h = await Harness.start({ waha: { history: { ...BIG_HISTORY, dmChats: 6, messagesPerChat: 80, mediaRatio: 0.2 } } });
    h.waha.failNext({ method: 'GET', path: /\/messages$/, status: 500, body: { statusCode: 500, exception: { message: 'engine' } }, times: 6 });
    h.waha.addFault({ method: 'GET', path: /\/messages$/, delayMs: 1500, times: 4 });
    h.waha.addFault({ method: 'GET', path: '/api/files/', delayMs: 3000, times: 5 });
    const run = await pull(h, 'wa/messages pull 30d --media --tm 1s', h.integrationConversationId, 200_000);
    expect(run.report).toMatch(/🔴 0 failed/);
    expect(account(h, run.at, 30)).toMatchObject({ lost: 0, duplicated: 0, outOfOrder: 0 });
    const all = h.cw.conversations().flatMap((c) => h!.cw.messages(c.id));
    expect(all.some((m) => m.attachments.length > 0)).toBe(true);
    expect(all.some((m) => /couldn|could not|not be downloaded|unavailable/i.test(m.content ?? ''))).toBe(true);
  });
});
