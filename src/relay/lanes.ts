/**
 * Ordered lanes on top of BullMQ for the live relay.
 *
 * BullMQ jobs of one queue run in parallel across workers, but a chat's messages must reach ChatWoot (and a
 * conversation's replies reach WhatsApp) in order. Each chat/conversation gets a lane: a Redis list of its events.
 * Every event also adds a small "drain" job; the drain job that claims the lane's owner key works the list head
 * first until it is empty, the others end at once. The owner releases the lane atomically only when the list is
 * empty, so an event pushed meanwhile is never stranded; the head is removed only after it was handled, so an
 * owner that dies leaves it for the next one (handlers are idempotent through the ledger).
 *
 * Pausing the queue (wa/queue stop, --pause) stops new drain jobs; a running owner notices and hands the lane back.
 * A sweeper re-adds drain jobs for lanes that have events but no owner (after a crash).
 */
import type { Logger } from 'pino';
import { DELETE_IF_EQUAL, RedisService, Script } from '../redis/redis.service';
import { jobId, JobName, QueueName } from '../queue/queue.constants';
import { Queues } from '../queue/queues';

const PUSH = new Script(`
if ARGV[3] ~= '' then
  if redis.call('SET', KEYS[4], '1', 'NX', 'EX', 172800) == false then return 0 end
end
redis.call('RPUSH', KEYS[1], ARGV[1])
redis.call('SADD', KEYS[2], ARGV[2])
redis.call('INCR', KEYS[3])
return 1
`);

const RELEASE_IF_EMPTY = new Script(`
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 1 end
if redis.call('LLEN', KEYS[1]) == 0 then redis.call('DEL', KEYS[2]) return 1 end
return 0
`);

const FORGET_IF_EMPTY = new Script("if redis.call('LLEN', KEYS[1]) == 0 then redis.call('SREM', KEYS[2], ARGV[1]) end return 0");


export type LaneVerdict = 'done' | 'wait';

export interface LaneHandler<E> {
  /** Handle the head event. Return 'wait' to leave it at the head and retry the lane later (e.g. fenced chat). */
  handle(event: E): Promise<LaneVerdict>;
}

const OWNER_TTL_MS = 30_000;

export class Lanes {
  constructor(
    private readonly redis: RedisService,
    private readonly queues: Queues,
    private readonly logger: Logger,
  ) {}

  laneId(appId: string, key: string): string {
    return `${appId}|${key}`;
  }

  private listKey(queue: QueueName, lane: string): string {
    return this.redis.key('lane', queue, lane);
  }

  private ownerKey(queue: QueueName, lane: string): string {
    return this.redis.key('lane-owner', queue, lane);
  }

  private indexKey(queue: QueueName): string {
    return this.redis.key('lanes', queue);
  }

  private pendingKey(queue: QueueName): string {
    return this.redis.key('lane-pending', queue);
  }

  private drainJobName(queue: QueueName): JobName.InboxDrain | JobName.WhatsAppDrain {
    return queue === QueueName.Inbox ? JobName.InboxDrain : JobName.WhatsAppDrain;
  }

  /** Appends an event to its lane; `dedupeKey` drops a second delivery of the same event. False when a duplicate. */
  async push(queue: QueueName, appId: string, key: string, event: unknown, dedupeKey?: string): Promise<boolean> {
    const lane = this.laneId(appId, key);
    const pushed = await this.redis.run(
      PUSH,
      [this.listKey(queue, lane), this.indexKey(queue), this.pendingKey(queue), dedupeKey ? this.redis.key('seen', appId, dedupeKey) : this.redis.key('seen', '-')],
      [JSON.stringify(event), lane, dedupeKey ?? ''],
    );
    if (pushed !== 1) return false;
    await this.kick(queue, appId, lane);
    return true;
  }

  private async kick(queue: QueueName, appId: string, lane: string, delay = 0): Promise<void> {
    const seq = await this.redis.client.incr(this.redis.key('lane-seq'));
    await this.queues.add(queue, this.drainJobName(queue), { appId, lane }, { jobId: jobId('drain', lane, seq), delay, removeOnComplete: true, removeOnFail: 1000, attempts: 20, backoff: { type: 'exponential', delay: 1000 } });
  }

  async drain<E>(queue: QueueName, appId: string, lane: string, handler: LaneHandler<E>): Promise<void> {
    const owner = this.ownerKey(queue, lane);
    const list = this.listKey(queue, lane);
    const token = `${process.pid}-${Math.random().toString(36).slice(2)}`;
    if (!(await this.redis.client.set(owner, token, 'PX', OWNER_TTL_MS, 'NX'))) return;
    const q = this.queues.byName(queue);
    try {
      for (;;) {
        if (await q.isPaused()) {
          await this.redis.run(DELETE_IF_EQUAL, [owner], [token]);
          await this.kick(queue, appId, lane);
          return;
        }
        const head = await this.redis.client.lindex(list, 0);
        if (head === null) {
          if ((await this.redis.run(RELEASE_IF_EMPTY, [list, owner], [token])) === 1) return;
          continue;
        }
        const verdict = await handler.handle(JSON.parse(head) as E);
        if (verdict === 'wait') {
          await this.redis.run(DELETE_IF_EQUAL, [owner], [token]);
          await this.kick(queue, appId, lane, 2_000);
          return;
        }
        await this.redis.client.multi().lpop(list).decr(this.pendingKey(queue)).pexpire(owner, OWNER_TTL_MS).exec();
      }
    } catch (error) {
      await this.redis.run(DELETE_IF_EQUAL, [owner], [token]).catch(() => undefined);
      throw error;
    }
  }

  /** Re-adds drain jobs for lanes with events and no owner; forgets empty lanes. */
  async sweep(queue: QueueName): Promise<number> {
    let kicked = 0;
    const lanes = await this.redis.client.smembers(this.indexKey(queue));
    for (const lane of lanes) {
      const list = this.listKey(queue, lane);
      const [length, owner] = await Promise.all([this.redis.client.llen(list), this.redis.client.exists(this.ownerKey(queue, lane))]);
      if (length === 0) {
        await this.redis.run(FORGET_IF_EMPTY, [list, this.indexKey(queue)], [lane]);
      } else if (!owner) {
        const appId = lane.split('|')[0];
        await this.kick(queue, appId, lane);
        kicked++;
      }
    }
    if (kicked > 0) this.logger.info({ queue, kicked }, 'stranded lanes resumed');
    return kicked;
  }
}
