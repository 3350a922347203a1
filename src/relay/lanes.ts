/**
 * Ordered lanes on top of BullMQ for the live relay.
 *
 * BullMQ jobs of one queue run in parallel across workers, but a chat's messages must reach ChatWoot (and a
 * conversation's replies reach WhatsApp) in order. Each chat/conversation gets a lane: a Redis list of its events.
 * A lane with new events gets a small "drain" job, unless one of its own is still waiting to start (a burst of
 * events costs one job); the drain job that claims the lane's owner key works the list head first until it is
 * empty, the others end at once. Jobs are added by a kicker in the workers, so the webhook only writes the event.
 * The owner releases the lane atomically only when the list is empty, so an event pushed meanwhile is never
 * stranded; the head is removed only after it was handled, so an owner that dies leaves it for the next one
 * (handlers are idempotent through the ledger).
 *
 * Pausing the queue (wa/queue stop, --pause) stops new drain jobs; a running owner notices and hands the lane back.
 * A sweeper re-adds drain jobs for lanes that have events but no owner (after a crash).
 */
import type { Logger } from 'pino';
import { DELETE_IF_EQUAL, RedisService, Script } from '../redis/redis.service';
import { jobId, JobName, QueueName } from '../queue/queue.constants';
import { Queues } from '../queue/queues';
import { sleep } from '../common/sleep';

/**
 * Appends an event (0 for a duplicate, else 1). Unless a drain job of the lane is already on its way, the lane is
 * also put on the queue's ready list, where a worker's kicker turns it into a drain job: the webhook's answer waits
 * for this one script only, and the event and its wake-up are written together.
 */
const PUSH = new Script(`
if ARGV[3] ~= '' then
  if redis.call('SET', KEYS[4], '1', 'NX', 'EX', 172800) == false then return 0 end
end
redis.call('RPUSH', KEYS[1], ARGV[1])
redis.call('SADD', KEYS[2], ARGV[2])
redis.call('INCR', KEYS[3])
if redis.call('SET', KEYS[5], '1', 'NX', 'EX', 600) then redis.call('RPUSH', KEYS[6], ARGV[2]) end
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

  /** Set while a drain job of the lane waits to start; a burst of events then adds one job, not one each. */
  private kickedKey(queue: QueueName, lane: string): string {
    return this.redis.key('lane-kicked', queue, lane);
  }

  private drainJobName(queue: QueueName): JobName.InboxDrain | JobName.WhatsAppDrain {
    return queue === QueueName.Inbox ? JobName.InboxDrain : JobName.WhatsAppDrain;
  }

  /** Lanes with fresh events and no drain job yet, for the kicker. */
  private readyKey(queue: QueueName): string {
    return this.redis.key('lanes-ready', queue);
  }

  /** Appends an event to its lane; `dedupeKey` drops a second delivery of the same event. False when a duplicate. */
  async push(queue: QueueName, appId: string, key: string, event: unknown, dedupeKey?: string): Promise<boolean> {
    const lane = this.laneId(appId, key);
    const pushed = await this.redis.run(
      PUSH,
      [
        this.listKey(queue, lane),
        this.indexKey(queue),
        this.pendingKey(queue),
        dedupeKey ? this.redis.key('seen', appId, dedupeKey) : this.redis.key('seen', '-'),
        this.kickedKey(queue, lane),
        this.readyKey(queue),
      ],
      [JSON.stringify(event), lane, dedupeKey ?? ''],
    );
    return pushed === 1;
  }

  /**
   * Turns the queue's ready lanes into drain jobs until stopped (workers only). A kicker that dies between taking a
   * lane and adding its job leaves the lane to the sweeper.
   */
  startKicker(queue: QueueName): () => Promise<void> {
    const conn = this.redis.client.duplicate({ enableAutoPipelining: false, maxRetriesPerRequest: null, enableOfflineQueue: true });
    conn.on('error', () => undefined);
    let stopped = false;
    const loop = (async () => {
      while (!stopped) {
        try {
          const popped = await conn.blpop(this.readyKey(queue), 1);
          if (!popped) continue;
          const lane = popped[1];
          await this.kick(queue, lane.split('|')[0], lane);
        } catch (error) {
          if (stopped) break;
          this.logger.warn({ err: error, queue }, 'lane kicker: Redis unavailable, retrying');
          await sleep(1000);
        }
      }
    })();
    return async () => {
      stopped = true;
      conn.disconnect();
      await loop;
    };
  }

  private async kick(queue: QueueName, appId: string, lane: string, delay = 0): Promise<void> {
    const [[, seq]] = (await this.redis.client
      .multi()
      .incr(this.redis.key('lane-seq'))
      .set(this.kickedKey(queue, lane), '1', 'EX', 600)
      .exec()) as [[Error | null, number]];
    await this.queues.add(queue, this.drainJobName(queue), { appId, lane }, { jobId: jobId('drain', lane, seq), delay, removeOnComplete: true, removeOnFail: 1000, attempts: 20, backoff: { type: 'exponential', delay: 1000 } });
  }

  async drain<E>(queue: QueueName, appId: string, lane: string, handler: LaneHandler<E>): Promise<void> {
    const owner = this.ownerKey(queue, lane);
    const list = this.listKey(queue, lane);
    const token = `${process.pid}-${Math.random().toString(36).slice(2)}`;
    // From here on an event pushed needs a job of its own, unless the owner (this job or another) still sees it.
    await this.redis.client.del(this.kickedKey(queue, lane));
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
    // A paused queue holds the drain jobs it has; kicking its lanes would only pile up more of them.
    if (await this.queues.byName(queue).isPaused()) return 0;
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
