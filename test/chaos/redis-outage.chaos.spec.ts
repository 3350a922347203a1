/**
 * Redis away while agents reply, and a Redis that would lose the bridge's keys. While Redis is stopped, intake
 * answers non-2xx, so ChatWoot marks each reply failed and offers Retry; the agent presses it once Redis is back and
 * each reply goes out once, in the order retried. A Redis without AOF, or with an eviction policy, is named at
 * start-up in the log, in /health and once in the WhatsApp Integration conversation.
 */
import { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Harness, eventually, freePort } from '../support/harness';
import { dmChats } from '../support/pull-helpers';
import { startRedis, stopRedis } from '../support/redis-server';
import { customerConversation, sentTo, waitSent } from '../support/relay-helpers';
import { sleep } from '../support/wait';

describe('Redis', () => {
  let h: Harness | undefined;
  let redis: ChildProcess | undefined;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chaos-redis-outage-'));

  afterEach(async () => {
    await h?.stop();
    h = undefined;
    redis?.kill('SIGKILL');
    redis = undefined;
  });

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('stopped for 20 s while agents reply: their messages are marked failed, and Retry sends each once', async () => {
    const port = await freePort();
    redis = await startRedis(port, dir, ['--appendonly', 'yes', '--appendfsync', 'always']);
    h = await Harness.start({ redisUrl: `redis://127.0.0.1:${port}` });
    const [chatId] = dmChats(h);
    const conversationId = customerConversation(h, chatId, 'Eve');
    await h.cw.agentMessage(conversationId, 'before the outage');
    await waitSent(h, chatId, 1);

    const stopped = Date.now();
    await stopRedis(port, redis);
    const during: Array<{ id: number }> = [];
    for (let i = 1; i <= 3; i++) during.push(await h.cw.agentMessage(conversationId, `during the outage #${i}`));
    // What the agent sees: each reply failed, with ChatWoot's error text and its Retry button.
    await eventually(() => during.every((m) => h!.cw.messages(conversationId).find((x) => x.id === m.id)?.status === 'failed'), { what: 'replies marked failed', timeoutMs: 30_000 });
    expect((await fetch(`${h.url}/health`)).status).toBe(503);
    await sleep(Math.max(0, 20_000 - (Date.now() - stopped)));
    redis = await startRedis(port, dir, ['--appendonly', 'yes', '--appendfsync', 'always']);
    await eventually(async () => (await fetch(`${h!.url}/health`)).status === 200, { what: 'health back' });
    expect(sentTo(h, chatId)).toEqual(['before the outage']);

    for (const message of during) {
      const response = await fetch(`${h.cw.url}/api/v1/accounts/${h.cw.accountId}/conversations/${conversationId}/messages/${message.id}/retry`, { method: 'POST', headers: { api_access_token: h.cw.token } });
      expect(response.status).toBe(200);
    }
    await waitSent(h, chatId, 4);
    await sleep(3000);
    expect(sentTo(h, chatId)).toEqual(['before the outage', 'during the outage #1', 'during the outage #2', 'during the outage #3']);
    // A read receipt later fires message_updated for every reply again: none is sent twice.
    await h.waha.read(chatId);
    await eventually(() => h!.cw.conversation(conversationId)!.contact_last_seen_at > 0 || undefined, { what: 'read receipt' });
    await sleep(2000);
    expect(sentTo(h, chatId)).toHaveLength(4);
  }, 180_000);

  it('without AOF and with an eviction policy: named in the log, in /health, and once in the integration conversation', async () => {
    const port = await freePort();
    redis = await startRedis(port, dir, ['--appendonly', 'no', '--maxmemory', '512mb', '--maxmemory-policy', 'allkeys-lru']);
    h = await Harness.start({ redisUrl: `redis://127.0.0.1:${port}` });
    const health = (await h.healthDetails<{ redisDurability?: { aof: boolean; maxmemoryPolicy: string; fix: string[] } }>()).body;
    expect(health.redisDurability).toEqual({ aof: false, maxmemoryPolicy: 'allkeys-lru', fix: ['appendonly yes', 'maxmemory-policy noeviction'] });
    const warned = (): string => h!.services.flatMap((s) => s.output).join('');
    await eventually(() => /appendonly yes and maxmemory-policy noeviction/.test(warned()), { what: 'the log warning' });
    const told = (): string[] => h!.cw.messages(h!.integrationConversationId).map((m) => m.content ?? '').filter((c) => c.includes('append-only file'));
    const notice = await eventually(() => told()[0], { what: 'the notice in the integration conversation' });
    expect(notice).toContain('`maxmemory-policy allkeys-lru`');
    expect(notice).toContain('Set `appendonly yes`');

    // Another worker, and a restart: still told once (remembered in Redis).
    await h.spawn({ ROLE: 'worker' });
    await h.kill(h.services[0], 'SIGTERM');
    await h.spawn({});
    await sleep(5000);
    expect(told()).toHaveLength(1);
  }, 120_000);
});
