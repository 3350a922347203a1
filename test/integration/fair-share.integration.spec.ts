/**
 * Fair sharing between apps: one customer's big import must not hold every worker until its last chat started.
 * App A imports 40 chats through two chat workers; app B (added through /api/apps, its own WAHA and ChatWoot) pulls
 * 4 chats a moment later. B's chats are ranked after the chats already started, not after all of A's, so B's pull
 * is done while most of A's is still to come; in arrival order it would wait for A's 40 chats.
 */
import { Harness, eventually } from '../support/harness';
import { createdCount } from '../support/chaos-helpers';
import { SecondApp } from '../support/second-app';

const CLEAN = { groups: 0, channels: 0, includeStatus: false, broadcastLists: 0, includeNullChat: false, hiddenRatio: 0, days: 10 };

describe('fair sharing of the pull queue between apps', () => {
  let h: Harness | undefined;
  let b: SecondApp | undefined;

  afterEach(async () => {
    await h?.stop();
    await b?.close();
    h = b = undefined;
  });

  it("a second app's pull runs beside a big import instead of behind it, and both complete exactly once", async () => {
    h = await Harness.start({ chatwoot: { latencyMs: 15 }, waha: { history: { ...CLEAN, dmChats: 40, messagesPerChat: 15 } }, env: { PULL_CHAT_CONCURRENCY: '2' } });
    b = await SecondApp.start(h, 'app_b', { chatwoot: { latencyMs: 15 }, waha: { history: { ...CLEAN, dmChats: 4, messagesPerChat: 5 } } });
    expect((await b.add()).status).toBe(201);
    await b.integration();
    const totalA = h.waha.totalMessages();
    const commandA = await h.type('wa/messages pull 30d --progress 0');
    await eventually(() => createdCount(h!) >= 30, { what: "A's import under way", timeoutMs: 30_000 });

    const startedB = Date.now();
    await b.command('wa/messages pull 30d --progress 0', /Pull finished/, 60_000);
    const doneA = createdCount(h);
    expect(b.imported()).toBe(b.waha.totalMessages());
    // B finished while most of A was still to import (in arrival order B would have waited for all of A's chats).
    expect(doneA).toBeLessThan(totalA * 0.6);
    expect(Date.now() - startedB).toBeLessThan(20_000);

    await h.waitReply(commandA, (c) => /Pull finished/.test(c), h.integrationConversationId, 120_000);
    expect(createdCount(h)).toBe(totalA);
  });
});
