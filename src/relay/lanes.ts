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
 *
 * Keys (see relay.keys.ts): a lane's list, owner and kicked flag are the app's (one hash slot per app); the lane
 * index and the ready list of a queue are shared by every app and written right after the app's own script.
 */
import type { Logger } from 'pino';
import { sleep } from '../common/sleep';
import { jobIds } from '../queue/job-options';
import { JobName, QueueName } from '../queue/queue.constants';
import { Queues } from '../queue/queues';
import { DELETE_IF_EQUAL } from '../redis/redis.scripts';
import { defineScript } from '../redis/redis-script';
import { RedisService } from '../redis/redis.service';
import { LaneId, laneId, parseLaneId, RelayKeys } from './relay.keys';

/**
 * Appends an event: 0 for a duplicate (its dedupe key was seen in the last two days), 1 when pushed, 2 when pushed
 * and the lane has no drain job on its way (the caller puts it on the queue's ready list).
 */
const PUSH = defineScript({
  name: 'lane-push',
  keys: ['list', 'seen', 'kicked'],
  args: ['event', 'dedupe'],
  lua: `
if A.dedupe ~= '' then
  if redis.call('SET', K.seen, '1', 'NX', 'EX', 172800) == false then return 0 end
end
redis.call('RPUSH', K.list, A.event)
if redis.call('SET', K.kicked, '1', 'NX', 'EX', 600) then return 2 end
return 1`,
});

/** The owner lets go of an empty lane (1), or learns that events arrived meanwhile (0). */
const RELEASE_IF_EMPTY = defineScript({
  name: 'lane-release-if-empty',
  keys: ['list', 'owner'],
  args: ['token'],
  lua: `
if redis.call('GET', K.owner) ~= A.token then return 1 end
if redis.call('LLEN', K.list) == 0 then redis.call('DEL', K.owner) return 1 end
return 0`,
});

export type LaneVerdict = 'done' | 'wait';

export interface LaneHandler<E> {
  /** Handle the head event. Return 'wait' to leave it at the head and retry the lane later (e.g. fenced chat). */
  handle(event: E): Promise<LaneVerdict>;
}

const OWNER_TTL_MS = 30_000;
const WAIT_RETRY_MS = 2_000;

export class Lanes {
  private readonly keys: RelayKeys;

  constructor(
    private readonly redis: RedisService,
    private readonly queues: Queues,
    private readonly logger: Logger,
  ) {
    this.keys = new RelayKeys(redis);
  }

  /** Appends an event to its lane; `dedupeKey` drops a second delivery of the same event. False when a duplicate. */
  async push(queue: QueueName, appId: string, key: string, event: unknown, dedupeKey?: string): Promise<boolean> {
    const lane = laneId(appId, key);
    const pushed = await this.redis.run(
      PUSH,
      {
        list: this.keys.laneList(queue, lane),
        seen: this.keys.seen(appId, dedupeKey ?? '-'),
        kicked: this.keys.laneKicked(queue, lane),
      },
      { event: JSON.stringify(event), dedupe: dedupeKey ?? '' },
    );
    // A lane whose drain job is on its way is listed already (the sweeper keeps kicked lanes listed).
    if (pushed === 2) await Promise.all([this.redis.client.sadd(this.keys.laneIndex(queue), lane), this.redis.client.rpush(this.keys.readyLanes(queue), lane)]);
    return pushed !== 0;
  }

  /** Events waiting in the queue's lanes (what `wa/queue status` shows as waiting). */
  async waiting(queue: QueueName): Promise<number> {
    const lanes = (await this.redis.client.smembers(this.keys.laneIndex(queue))) as LaneId[];
    const lengths = await Promise.all(lanes.map((lane) => this.redis.client.llen(this.keys.laneList(queue, lane))));
    return lengths.reduce((sum, n) => sum + n, 0);
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
          const popped = await conn.blpop(this.keys.readyLanes(queue), 1);
          if (!popped) continue;
          await this.kick(queue, popped[1] as LaneId);
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

  private async kick(queue: QueueName, lane: LaneId, delay = 0): Promise<void> {
    const [seq] = await Promise.all([
      this.redis.client.incr(this.keys.laneSeq(queue)),
      this.redis.client.set(this.keys.laneKicked(queue, lane), '1', 'EX', 600),
    ]);
    const name = queue === QueueName.Inbox ? JobName.InboxDrain : JobName.WhatsAppDrain;
    await this.queues.add(name, { appId: parseLaneId(lane).appId, lane }, jobIds.laneDrain(lane, seq), { delay });
  }

  async drain<E>(queue: QueueName, lane: LaneId, handler: LaneHandler<E>): Promise<void> {
    const owner = this.keys.laneOwner(queue, lane);
    const list = this.keys.laneList(queue, lane);
    const token = `${process.pid}-${Math.random().toString(36).slice(2)}`;
    // From here on an event pushed needs a job of its own, unless the owner (this job or another) still sees it.
    await this.redis.client.del(this.keys.laneKicked(queue, lane));
    if (!(await this.redis.client.set(owner, token, 'PX', OWNER_TTL_MS, 'NX'))) return;
    const q = this.queues.byName(queue);
    try {
      for (;;) {
        if (await q.isPaused()) {
          await this.redis.run(DELETE_IF_EQUAL, { key: owner }, { token });
          await this.kick(queue, lane);
          return;
        }
        const head = await this.redis.client.lindex(list, 0);
        if (head === null) {
          if ((await this.redis.run(RELEASE_IF_EMPTY, { list, owner }, { token })) === 1) return;
          continue;
        }
        const verdict = await handler.handle(JSON.parse(head) as E);
        if (verdict === 'wait') {
          await this.redis.run(DELETE_IF_EQUAL, { key: owner }, { token });
          await this.kick(queue, lane, WAIT_RETRY_MS);
          return;
        }
        await this.redis.client.multi().lpop(list).pexpire(owner, OWNER_TTL_MS).exec();
      }
    } catch (error) {
      await this.redis.run(DELETE_IF_EQUAL, { key: owner }, { token }).catch(() => undefined);
      throw error;
    }
  }

  /** Re-adds drain jobs for lanes with events and no owner; forgets empty lanes. */
  async sweep(queue: QueueName): Promise<number> {
    // A paused queue holds the drain jobs it has; kicking its lanes would only pile up more of them.
    if (await this.queues.byName(queue).isPaused()) return 0;
    let kicked = 0;
    const index = this.keys.laneIndex(queue);
    const lanes = (await this.redis.client.smembers(index)) as LaneId[];
    for (const lane of lanes) {
      const list = this.keys.laneList(queue, lane);
      const [length, owner, drainWaiting] = await Promise.all([
        this.redis.client.llen(list),
        this.redis.client.exists(this.keys.laneOwner(queue, lane)),
        this.redis.client.exists(this.keys.laneKicked(queue, lane)),
      ]);
      if (length === 0) {
        // Forget it unless a drain job is on its way (a push then skips listing it again). The index is shared by
        // every app (another slot than the lane): take the lane out, then look again, so an event pushed in
        // between keeps it listed.
        if (drainWaiting) continue;
        await this.redis.client.srem(index, lane);
        if ((await this.redis.client.llen(list)) > 0) await this.redis.client.sadd(index, lane);
      } else if (!owner) {
        await this.kick(queue, lane);
        kicked++;
      }
    }
    if (kicked > 0) this.logger.info({ queue, kicked }, 'stranded lanes resumed');
    return kicked;
  }
}
