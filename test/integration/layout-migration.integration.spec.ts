/**
 * Upgrading from key layout 1: a Redis left mid-flight by release 1aec3c3 (a finished pull, a pull with --pause
 * killed mid-way, events waiting in paused live lanes; see fixtures/legacy-layout/generate.ts) is loaded with the
 * ChatWoot records of that moment, and this release starts on it. The migration runs once, the interrupted pull
 * finishes, the waiting events are delivered, and nothing is imported or sent twice.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import pino from 'pino';
import type { StoreSnapshot } from '../../simulators/chatwoot/chatwoot-store';
import type { ServiceConfig } from '../../src/config/config';
import { KeyLayoutMigration } from '../../src/migrations/key-layout.migration';
import { RedisService } from '../../src/redis/redis.service';
import { Harness, eventually } from '../support/harness';
import { activitiesAfter } from '../support/command-helpers';
import { pull } from '../support/pull-helpers';
import { DumpedKey, loadNamespace } from '../support/redis-dump';

interface LegacyFixture {
  appId: string;
  waha: { now: number; seed: number };
  integrationConversationId: number;
  interruptedPullId: string;
  liveBefore: { chatId: string; id: string; body: string; timestamp: number };
  livePaused: { chatId: string; id: string; body: string; timestamp: number };
  agentBefore: { conversationId: number; content: string };
  agentPaused: { conversationId: number; content: string; messageId: number };
  chatwoot: StoreSnapshot;
  redis: DumpedKey[];
}

const fixture = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'legacy-layout', 'release-1.json'), 'utf8')) as LegacyFixture;

/** ChatWoot messages per bare WhatsApp id (from their source_id `<fromMe>_<chat>_<id>`), over every conversation. */
function postedCount(h: Harness): Map<string, number> {
  const counts = new Map<string, number>();
  for (const conversation of h.cw.conversations()) {
    for (const message of h.cw.messages(conversation.id)) {
      if (!message.source_id) continue;
      const id = message.source_id.split('#')[0].split('_')[2];
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
  }
  return counts;
}

describe('upgrading a Redis written by key layout 1', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await Harness.start({
      appId: fixture.appId,
      waha: { history: { now: fixture.waha.now, seed: fixture.waha.seed } },
      skipReady: true,
      beforeService: async (harness) => {
        harness.cw.restore(fixture.chatwoot);
        await harness.redis((r) => loadNamespace(r, harness.prefix, fixture.redis));
      },
    });
    h.integrationConversationId = fixture.integrationConversationId;
  });

  afterAll(async () => {
    await h?.stop();
  });

  it('moves every key to the new layout once and leaves no layout-1 key behind', async () => {
    const leftovers = await h.redis(async (r) => {
      const patterns = ['ledger:*', 'ledger-rev:*', 'convmap:*', 'conv-source:*', 'read-marked:*', 'integration:*', 'pull:active:*', 'pull:last:*', 'pull:live-*', 'lane:*', 'lanes:*', 'lane-*', 'seen:*', 'sent:*', 'queues:*'];
      const found: string[] = [];
      for (const pattern of patterns) found.push(...(await r.keys(`${h.prefix}:${pattern}`)));
      const records = (await r.keys(`${h.prefix}:pull:*`)).filter((key) => /^[0-9a-z]+-[0-9a-f]{6}/.test(key.slice(`${h.prefix}:pull:`.length)));
      return [...found, ...records];
    });
    expect(leftovers).toEqual([]);
    expect(await h.redis((r) => r.get(`${h.prefix}:layout`))).toBe('2');
    const ledgerKeys = await h.redis((r) => r.keys(h.key('ledger', '*')));
    expect(ledgerKeys.length).toBeGreaterThanOrEqual(6);
    expect(ledgerKeys).not.toContain(h.key('ledger', '~unplaced'));
  });

  it('running it again finds nothing to move (it is idempotent)', async () => {
    const redis = new RedisService({ queuePrefix: h.prefix, redis: { kind: 'single', url: h.redisUrl } } as ServiceConfig);
    try {
      const report = await new KeyLayoutMigration(redis, pino({ level: 'silent' })).run();
      expect(report).toEqual({ apps: [], ledgerEntries: 0, unplaced: 0, pulls: 0, lanes: 0, keysMoved: 0 });
    } finally {
      await redis.onApplicationShutdown();
    }
  });

  it('finishes the interrupted pull, resumes the queues it paused, and delivers what waited, once', async () => {
    const report = await eventually(
      () => h.repliesAfter(0).find((m) => /Pull finished/.test(m.content) && h.cw.messages(h.integrationConversationId).some((x) => x.content === m.content)),
      { what: 'the interrupted pull to finish', timeoutMs: 60_000 },
    );
    expect(report.content).toContain('🔴 0 failed');
    await eventually(() => activitiesAfter(h, 0).some((c) => /Live queues resumed after the pull/.test(c)), { what: 'the queues resumed' });
    await eventually(() => postedCount(h).get(fixture.livePaused.id) === 1, { what: 'the WhatsApp message that waited' });
    await eventually(() => h.waha.sent().some((s) => JSON.stringify(s).includes(fixture.agentPaused.content)), { what: 'the agent reply that waited' });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(h.waha.sent().filter((s) => JSON.stringify(s).includes(fixture.agentPaused.content))).toHaveLength(1);
    expect(h.waha.sent().filter((s) => JSON.stringify(s).includes(fixture.agentBefore.content))).toHaveLength(0);
    const duplicates = [...postedCount(h).entries()].filter(([, n]) => n > 1);
    expect(duplicates).toEqual([]);
  });

  it('imports each message of every chat exactly once, in order, counting the earlier imports as there', async () => {
    const before = postedCount(h);
    const run = await pull(h, 'wa/messages pull 50y --groups');
    expect(run.report).toMatch(/🆕 0 created/);
    expect(postedCount(h)).toEqual(before);
    for (const chat of h.waha.chats().filter((c) => /@(c\.us|lid|g\.us)$/.test(c.id) && !c.id.startsWith('0@'))) {
      // What the bridge itself sent for an agent is the agent's own ChatWoot message, not an import.
      const sentByBridge = new Set(h.waha.sent().map((s) => s.id));
      const expected = (h.waha.messagesInWindow(chat.id, 0, Math.floor(Date.now() / 1000)) as Array<{ id: string }>).map((m) => m.id).filter((id) => !sentByBridge.has(id));
      const posted = h.cw
        .conversations()
        .flatMap((c) => h.cw.messages(c.id))
        .filter((m) => m.source_id && expected.includes(m.source_id.split('#')[0]))
        .sort((a, b) => a.id - b.id)
        .map((m) => m.source_id!.split('#')[0]);
      expect({ chat: chat.id, posted }).toEqual({ chat: chat.id, posted: expected });
    }
  });

  it('re-delivered webhooks of messages relayed before the upgrade create nothing', async () => {
    const before = postedCount(h);
    await h.waha.receive(fixture.liveBefore.chatId, fixture.liveBefore);
    await h.waha.receive(fixture.livePaused.chatId, fixture.livePaused);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(postedCount(h)).toEqual(before);
    expect(before.get(fixture.liveBefore.id)).toBe(1);
  });

  it('a pull of an @lid chat finds its earlier imports under the person', async () => {
    const lid = h.waha.chats().find((c) => c.id.endsWith('@lid'))!.id;
    const run = await pull(h, `wa/messages pull 50y --chat ${lid}`);
    expect(run.report).toMatch(/🆕 0 created/);
  });
});
