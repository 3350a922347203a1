/**
 * Redis restarted mid-pull, with AOF persistence on as docker-compose.yml configures it: the service reconnects,
 * /health reports the outage while it lasts, and the pull completes with nothing lost or doubled.
 */
import { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Harness, eventually, freePort } from '../support/harness';
import { account, BIG_HISTORY, createdCount } from '../support/chaos-helpers';
import { typedAt } from '../support/pull-helpers';
import { startRedis, stopRedis } from '../support/redis-server';

const AOF = ['--appendonly', 'yes', '--appendfsync', 'always'];

describe('Redis restart', () => {
  let h: Harness | undefined;
  let redis: ChildProcess | undefined;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chaos-redis-'));

  afterAll(async () => {
    await h?.stop();
    redis?.kill('SIGKILL');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reconnects after a Redis restart mid-pull; /health says so meanwhile; nothing lost or doubled', async () => {
    const port = await freePort();
    redis = await startRedis(port, dir, AOF);
    h = await Harness.start({ redisUrl: `redis://127.0.0.1:${port}`, chatwoot: { latencyMs: 5 }, waha: { history: { ...BIG_HISTORY, dmChats: 8, messagesPerChat: 150 } } });
    const messageId = await h.type('wa/messages pull 30d');
    await eventually(() => createdCount(h!) > 200, { what: 'import under way' });
    await stopRedis(port, redis);
    const during = await fetch(`${h.url}/health`);
    expect(during.status).toBe(503);
    expect(await during.json()).toEqual({ status: 'down' });
    expect((await fetch(`${h.url}/health/ready`)).status).toBe(503);
    expect((await fetch(`${h.url}/health/live`)).status).toBe(200);
    const details = await h.healthDetails<{ redis: string }>();
    expect(details).toMatchObject({ status: 503, body: { redis: 'down' } });
    await new Promise((r) => setTimeout(r, 2000));
    redis = await startRedis(port, dir, AOF);
    await eventually(async () => (await fetch(`${h!.url}/health`)).status === 200, { what: 'health back' });
    await h.waitReply(messageId, (c) => /Pull finished/.test(c), h.integrationConversationId, 180_000);
    expect(account(h, typedAt(h, messageId), 30)).toMatchObject({ lost: 0, duplicated: 0, outOfOrder: 0 });
  });
});
