/**
 * The bridge on replicated Redis set-ups a hosting company runs (npm run test:cluster):
 * - a Redis Cluster of three masters with a replica each (REDIS_CLUSTER_NODES), started here from Debian's
 *   redis-server and redis-cli: a pull and the live relay both ways; a worker killed mid-pull; the master holding
 *   the app's keys killed mid-pull, and the master holding BullMQ's queues killed mid-pull (each time the replica
 *   takes over and the pull completes with nothing lost, nothing doubled, every chat in WhatsApp order);
 * - a master with a replica and a sentinel (REDIS_SENTINELS): a pull through a failover, and live traffic after it.
 */
import { Harness, eventually } from '../support/harness';
import { account, BIG_HISTORY, createdCount } from '../support/chaos-helpers';
import { chatIdOfConversation, dmChats, imported, typedAt } from '../support/pull-helpers';
import { sentTo, waitSent } from '../support/relay-helpers';
import { LocalRedisCluster, LocalRedisSentinel } from '../support/redis-topologies';
import { scanKeys } from '../../src/redis/redis-connection';

const HISTORY = { ...BIG_HISTORY, dmChats: 8, messagesPerChat: 150 };

async function pullCompletes(h: Harness, messageId: number, timeoutMs = 180_000): Promise<void> {
  const report = await h.waitReply(messageId, (c) => /Pull finished/.test(c), h.integrationConversationId, timeoutMs);
  expect(report).toMatch(/🔴 0 failed/);
  expect(account(h, typedAt(h, messageId), 30)).toMatchObject({ expected: h.waha.totalMessages(), lost: 0, duplicated: 0, outOfOrder: 0, missing: [], doubled: [] });
}

/** A new WhatsApp message reaches ChatWoot and an agent's reply in that conversation reaches WhatsApp. */
async function relaysBothWays(h: Harness, label: string): Promise<void> {
  const chatId = dmChats(h)[0];
  const message = await h.waha.receive(chatId, { body: `live ${label}` });
  await eventually(() => (imported(h).get(chatId) ?? []).includes(String(message.id)), { what: `the live message ${label} in ChatWoot` });
  const conversation = h.cw.conversations().find((c) => chatIdOfConversation(h, c.id) === chatId)!;
  const before = sentTo(h, chatId).length;
  await h.type(`reply ${label}`, conversation.id);
  expect((await waitSent(h, chatId, before + 1)).slice(before)).toEqual([`reply ${label}`]);
}

describe('on a Redis Cluster (3 masters, 3 replicas)', () => {
  let cluster: LocalRedisCluster;
  let h: Harness | undefined;

  beforeAll(async () => {
    cluster = await LocalRedisCluster.start();
  }, 120_000);

  afterAll(async () => {
    await cluster?.stop();
  });

  afterEach(async () => {
    await h?.stop();
    h = undefined;
  });

  const start = (history = HISTORY): Promise<Harness> =>
    Harness.start({
      chatwoot: { latencyMs: 3 },
      waha: { history },
      replicated: { env: { REDIS_CLUSTER_NODES: cluster.nodes }, connect: () => cluster.client() },
    });

  it('pulls and relays both ways; an app keeps its keys in its own slot and BullMQ its queues under a hash tag', async () => {
    h = await start({ ...HISTORY, dmChats: 4, messagesPerChat: 60 });
    const { messageId } = await pullMessage(h);
    await pullCompletes(h, messageId, 60_000);
    await relaysBothWays(h, 'cluster');
    const [appKeys, bullKeys, untagged] = await h.redis(async (r) => {
      const found: string[][] = [[], [], []];
      for await (const keys of scanKeys(r, `${h!.prefix}:*`)) for (const key of keys) found[key.startsWith(`${h!.prefix}:{${h!.appId}}:`) ? 0 : 2].push(key);
      for await (const keys of scanKeys(r, `{${h!.prefix}}:*`)) found[1].push(...keys);
      return found;
    });
    expect(appKeys.length).toBeGreaterThan(10);
    expect(bullKeys.some((key) => key.startsWith(`{${h!.prefix}}:pull:`))).toBe(true);
    // Outside the two tags: only the deployment's own single keys (the key layout version) and keys shared by apps,
    // each under a tag of its own.
    expect(untagged.filter((key) => !/^[^:]+:(layout|\{[^}]+\}:.*)$/.test(key))).toEqual([]);
  });

  it('a worker killed mid-pull: a second one finishes, exactly once', async () => {
    h = await start();
    const second = await h.spawn({ ROLE: 'worker' });
    const { messageId } = await pullMessage(h);
    await eventually(() => createdCount(h!) > 300, { what: 'import under way', timeoutMs: 60_000 });
    await h.kill(second, 'SIGKILL');
    await pullCompletes(h, messageId);
  });

  it("the master holding the app's keys is killed mid-pull: its replica takes over and the pull completes exactly once", async () => {
    h = await start();
    await h.spawn({ ROLE: 'worker' });
    const { messageId } = await pullMessage(h);
    await eventually(() => createdCount(h!) > 300, { what: 'import under way', timeoutMs: 60_000 });
    let atKill = 0;
    const { killed, promoted } = await cluster.failOver(h.key('pull', 'active'), () => (atKill = createdCount(h!)));
    expect(promoted).not.toBe(killed);
    // The master died while the pull was under way.
    expect(atKill).toBeLessThan(h.waha.totalMessages());
    await pullCompletes(h, messageId);
    await relaysBothWays(h, 'after-app-failover');
  });

  it("the master holding BullMQ's queues is killed mid-pull: the pull completes exactly once", async () => {
    h = await start();
    const { messageId } = await pullMessage(h);
    await eventually(() => createdCount(h!) > 300, { what: 'import under way', timeoutMs: 60_000 });
    let atKill = 0;
    await cluster.failOver(`{${h.prefix}}:pull:meta`, () => (atKill = createdCount(h!)));
    expect(atKill).toBeLessThan(h.waha.totalMessages());
    await pullCompletes(h, messageId);
  });
});

describe('on Sentinel (a master, a replica, a sentinel)', () => {
  let sentinel: LocalRedisSentinel;
  let h: Harness | undefined;

  beforeAll(async () => {
    sentinel = await LocalRedisSentinel.start();
  }, 60_000);

  afterAll(async () => {
    await h?.stop();
    await sentinel?.stop();
  });

  it('the master is killed mid-pull: the sentinel promotes the replica, the pull completes exactly once and live traffic goes on', async () => {
    h = await Harness.start({
      chatwoot: { latencyMs: 3 },
      waha: { history: HISTORY },
      replicated: { env: { REDIS_SENTINELS: sentinel.sentinels, REDIS_SENTINEL_NAME: sentinel.name }, connect: () => sentinel.client() },
    });
    const { messageId } = await pullMessage(h);
    await eventually(() => createdCount(h!) > 300, { what: 'import under way', timeoutMs: 60_000 });
    let atKill = 0;
    await sentinel.failOver(() => (atKill = createdCount(h!)));
    expect(atKill).toBeLessThan(h.waha.totalMessages());
    await pullCompletes(h, messageId);
    await relaysBothWays(h, 'after-sentinel-failover');
  });
});

async function pullMessage(h: Harness): Promise<{ messageId: number }> {
  return { messageId: await h.type('wa/messages pull 30d --progress 0') };
}
