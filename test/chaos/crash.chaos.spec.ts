/**
 * Workers dying mid-pull. Every test ends with the pull completed and, in the ChatWoot simulator, messages lost = 0,
 * duplicated = 0, and each conversation in WhatsApp order.
 */
import { Queue } from 'bullmq';
import { Harness, eventually } from '../support/harness';
import { account, BIG_HISTORY, createdCount, prng } from '../support/chaos-helpers';
import { typedAt } from '../support/pull-helpers';

describe('crashes and restarts', () => {
  let h: Harness | undefined;

  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  it('SIGKILL at five random points of a 5,000-message pull, restarted each time: completes, nothing lost or doubled', async () => {
    h = await Harness.start({ chatwoot: { latencyMs: 2 }, waha: { history: BIG_HISTORY } });
    const total = h.waha.totalMessages();
    expect(total).toBeGreaterThanOrEqual(5000);
    const random = prng(7);
    const points = Array.from({ length: 5 }, (_, i) => Math.floor(total * (0.1 + 0.15 * i + random() * 0.1))).sort((a, b) => a - b);
    const messageId = await h.type('wa/messages pull 30d --progress 0');
    for (const point of points) {
      await eventually(() => createdCount(h!) >= point, { timeoutMs: 120_000, what: `${point} messages imported` });
      await h.kill(h.services[0], 'SIGKILL');
      await h.spawn({});
    }
    const report = await h.waitReply(messageId, (c) => /Pull finished/.test(c), h.integrationConversationId, 180_000);
    expect(report).toMatch(/🔴 0 failed/);
    expect(account(h, typedAt(h, messageId), 30)).toMatchObject({ expected: total, lost: 0, duplicated: 0, outOfOrder: 0, missing: [], doubled: [] });
  });

  it('two workers on one Redis, one killed mid-pull: the other finishes the work', async () => {
    h = await Harness.start({ chatwoot: { latencyMs: 5 }, waha: { history: { ...BIG_HISTORY, dmChats: 8, messagesPerChat: 150 } } });
    const worker = await h.spawn({ ROLE: 'worker' });
    const messageId = await h.type('wa/messages pull 30d');
    await eventually(() => createdCount(h!) > 300, { what: 'import under way' });
    await h.kill(worker, 'SIGKILL');
    await h.waitReply(messageId, (c) => /Pull finished/.test(c), h.integrationConversationId, 120_000);
    expect(account(h, typedAt(h, messageId), 30)).toMatchObject({ lost: 0, duplicated: 0, outOfOrder: 0 });
  });

  it('SIGTERM mid-pull: the process exits cleanly, hands its chats back, and a new one finishes without loss', async () => {
    h = await Harness.start({ chatwoot: { latencyMs: 5 }, waha: { history: { ...BIG_HISTORY, dmChats: 6, messagesPerChat: 150 } } });
    const messageId = await h.type('wa/messages pull 30d');
    await eventually(() => createdCount(h!) > 200, { what: 'import under way' });
    const service = h.services[0];
    const started = Date.now();
    service.child.kill('SIGTERM');
    const code = await service.exited;
    expect(code).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
    h.services.splice(h.services.indexOf(service), 1);
    await h.spawn({});
    await h.waitReply(messageId, (c) => /Pull finished/.test(c), h.integrationConversationId, 120_000);
    expect(account(h, typedAt(h, messageId), 30)).toMatchObject({ lost: 0, duplicated: 0, outOfOrder: 0 });
  });

  it('--pause whose worker dies: the live queues run again within the lease time', async () => {
    h = await Harness.start({ chatwoot: { latencyMs: 10 }, waha: { history: { ...BIG_HISTORY, dmChats: 4, messagesPerChat: 200 } }, env: { ROLE: 'api' } });
    const worker = await h.spawn({ ROLE: 'worker' });
    const inbox = new Queue('inbox', { connection: { host: '127.0.0.1', port: 6379 }, prefix: h.prefix });
    try {
      await h.type('wa/messages pull 30d --pause');
      await eventually(() => inbox.isPaused(), { what: 'queues paused' });
      await eventually(() => createdCount(h!) > 20, { what: 'import under way' });
      await h.kill(worker, 'SIGKILL');
      const died = Date.now();
      await eventually(async () => !(await inbox.isPaused()), { timeoutMs: 45_000, what: 'queues resumed' });
      expect(Date.now() - died).toBeLessThan(40_000);
    } finally {
      await inbox.close();
    }
  });
});
