/**
 * Ordered lanes on top of BullMQ for the live relay.
 *
 * BullMQ jobs of one queue run in parallel across workers, but a chat's messages must reach ChatWoot (and a
 * conversation's replies reach WhatsApp) in order. Each chat/conversation gets a lane: a Redis list of its events.
 * A lane with new events gets a small "drain" job, unless one of its own is still waiting to start (a burst of
 * events costs one job); the drain job that claims the lane's owner key works the list head first until it is
 * empty, the others end at once. Jobs are added by a kicker in the workers, so the webhook only writes the event.
 *
 * Ownership is real: the owner renews its lease while it handles an event (a handler may wait minutes on a slow
 * upstream), so a second owner is started only when the first is dead. The head is removed only by the owner whose
 * token holds the lease and only if it still is the event that owner handled (both checked in one script); an owner
 * that lost its lease gets an aborted signal and stops before any further side effect. The owner releases the lane
 * atomically only when the list is empty, so an event pushed meanwhile is never stranded.
 *
 * Failures: a transient error (429, 5xx, timeouts, refused connections) leaves the event at the head and the lane is
 * tried again later, with capped backoff, for RETRY_WINDOW from its first failure; a permanent error, or a transient
 * one past the window, moves the event to the app's dead letters (the handler is told first, to say so in the
 * conversation) and the lane goes on. `wa/queue retry` puts dead letters back at the end of their lanes.
 *
 * Pausing the queue (wa/queue stop, --pause) stops new drain jobs; a running owner notices and hands the lane back.
 * A sweeper re-adds drain jobs for lanes that have events but no owner (after a crash).
 *
 * Keys (see relay.keys.ts): a lane's list, owner, kicked flag, failure record and the dead letters are the app's
 * (one hash slot per app); the lane index and the ready list of a queue are shared by every app.
 */
import { createHash } from 'node:crypto';
import type { Logger } from 'pino';
import { isUpstreamError } from '../clients/http/http-error';
import { backoffDelay } from '../common/backoff';
import { sleep } from '../common/sleep';
import { Inject, Injectable } from '@nestjs/common';
import { SERVICE_CONFIG, ServiceConfig, ReliabilityConfig } from '../config/config';
import { LOGGER } from '../logging/logger';
import { jobIds } from '../queue/job-options';
import { JobName, QueueName } from '../queue/queue.constants';
import { Queues } from '../queue/queues';
import { DELETE_IF_EQUAL } from '../redis/redis.scripts';
import { defineScript } from '../redis/redis-script';
import { RedisService } from '../redis/redis.service';
import { LaneId, laneId, parseLaneId, RelayKeys } from './relay.keys';

/**
 * How long a dedupe key is remembered: two days, more than ChatWoot offers Retry (one) or WAHA retries webhooks. A
 * delivery repeated within it is dropped; a WAHA envelope older than it is refused at intake (webhooks controller).
 */
export const SEEN_TTL_S = 2 * 24 * 3600;

/**
 * Appends an event: 0 for a duplicate (its dedupe key was seen in the last two days), 1 when pushed, 2 when pushed
 * and the lane has no drain job on its way (the caller lists the lane and puts it on the queue's ready list).
 */
const PUSH = defineScript({
  name: 'lane-push',
  keys: ['list', 'seen', 'kicked'],
  args: ['event', 'dedupe', 'seenTtl'],
  lua: `
if A.dedupe ~= '' then
  if redis.call('SET', K.seen, '1', 'NX', 'EX', A.seenTtl) == false then return 0 end
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

/** Extends the owner's lease while the token still holds it: 1, else 0 (the lease was lost). */
const RENEW = defineScript({
  name: 'lane-renew',
  keys: ['owner'],
  args: ['token', 'leaseMs'],
  lua: `
if redis.call('GET', K.owner) ~= A.token then return 0 end
redis.call('PEXPIRE', K.owner, A.leaseMs)
return 1`,
});

/**
 * Removes the handled head: only by the token holding the lease and only if the head is still the event it
 * handled; forgets the head's failure record; with `dead` set, files the event under the dead letters (score = now).
 * 1 when removed, 0 when the lease was lost, -1 when the head is another event.
 */
const POP = defineScript({
  name: 'lane-pop',
  keys: ['list', 'owner', 'failing', 'dead'],
  args: ['token', 'head', 'leaseMs', 'deadLetter', 'now', 'deadTtlMs'],
  lua: `
if redis.call('GET', K.owner) ~= A.token then return 0 end
if redis.call('LINDEX', K.list, 0) ~= A.head then return -1 end
redis.call('LPOP', K.list)
redis.call('DEL', K.failing)
redis.call('PEXPIRE', K.owner, A.leaseMs)
if A.deadLetter ~= '' then
  redis.call('ZADD', K.dead, A.now, A.deadLetter)
  redis.call('ZREMRANGEBYSCORE', K.dead, '-inf', tonumber(A.now) - tonumber(A.deadTtlMs))
  redis.call('PEXPIRE', K.dead, A.deadTtlMs)
end
return 1`,
});

/**
 * Records one more failure of the head: {since (ms), attempts}. A record of another head (it was handled since)
 * starts over.
 */
const FAILED = defineScript({
  name: 'lane-failed',
  keys: ['failing'],
  args: ['digest', 'now'],
  lua: `
if redis.call('HGET', K.failing, 'digest') ~= A.digest then
  redis.call('DEL', K.failing)
  redis.call('HSET', K.failing, 'digest', A.digest, 'since', A.now, 'attempts', 0)
end
local attempts = redis.call('HINCRBY', K.failing, 'attempts', 1)
redis.call('PEXPIRE', K.failing, 604800000)
return {tonumber(redis.call('HGET', K.failing, 'since')), attempts}`,
});

export type LaneVerdict = 'done' | 'wait';

export interface LaneContext {
  /** Aborted when this owner lost the lane: stop before any further side effect. */
  signal: AbortSignal;
  /** Earlier failed tries of this very event (0 the first time). */
  failures: number;
  /** When this event first failed (ms since epoch), if it did. */
  failingSince?: number;
  /** True once per failing event: whoever gets it tells the agent that the event waits. */
  claimNotice(): Promise<boolean>;
}

export interface LaneHandler<E> {
  /** Handle the head event. Return 'wait' to leave it at the head and retry the lane later (e.g. fenced chat). */
  handle(event: E, lane: LaneContext): Promise<LaneVerdict>;
  /** The event failed for good (a permanent error, or transient ones past RETRY_WINDOW): say so before it is filed. */
  deadLettered(event: E, error: unknown): Promise<void>;
}

/** An event moved out of its lane after failing for good, kept for `wa/queue retry`. */
export interface DeadLetter {
  lane: LaneId;
  event: unknown;
  error: string;
  at: number;
}

/** The owner lost its lease (it was presumed dead): whatever it was doing is another owner's now. */
export class LaneLostError extends Error {
  constructor(lane: string) {
    super(`lane ${lane}: ownership lost`);
  }
}

/** A handler's way to say "not now, try this event again later" (within RETRY_WINDOW). */
export class RetryLaterError extends Error {}

/** Errors worth trying again later: the upstream or Redis was unavailable, or the outcome is not known yet. */
export function isTransientFailure(error: unknown): boolean {
  if (error instanceof RetryLaterError) return true;
  if (isUpstreamError(error)) return error.transient;
  return error instanceof Error && /ECONNREFUSED|ETIMEDOUT|Connection is closed|max retries|ECONNRESET/i.test(error.message);
}

const WAIT_RETRY_MS = 2_000;
/** Between tries of a failing event: 2 s doubling up to a minute. */
const FAILURE_BACKOFF = { baseMs: 2_000, maxMs: 60_000, jitterMs: 500 };

@Injectable()
export class Lanes {
  private readonly keys: RelayKeys;
  private readonly reliability: ReliabilityConfig;

  constructor(
    private readonly redis: RedisService,
    private readonly queues: Queues,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(SERVICE_CONFIG) config: ServiceConfig,
  ) {
    this.keys = new RelayKeys(redis);
    this.reliability = config.reliability;
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
      { event: JSON.stringify(event), dedupe: dedupeKey ?? '', seenTtl: SEEN_TTL_S },
    );
    // A lane whose drain job is on its way is listed already (the sweeper keeps kicked lanes listed).
    if (pushed === 2) await Promise.all([this.redis.client.sadd(this.keys.laneIndex(queue), lane), this.redis.client.rpush(this.keys.readyLanes(queue), lane)]);
    return pushed !== 0;
  }

  /** Whether an event with this dedupe key was accepted in the last two days. */
  async seen(appId: string, dedupeKey: string): Promise<boolean> {
    return (await this.redis.client.exists(this.keys.seen(appId, dedupeKey))) === 1;
  }

  async markSeen(appId: string, dedupeKey: string): Promise<void> {
    await this.redis.client.set(this.keys.seen(appId, dedupeKey), '1', 'EX', SEEN_TTL_S);
  }

  /** The next event with this dedupe key is accepted again. */
  async forget(appId: string, dedupeKey: string): Promise<void> {
    await this.redis.client.del(this.keys.seen(appId, dedupeKey));
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
    const conn = this.redis.connect({ enableAutoPipelining: false, maxRetriesPerRequest: null, enableOfflineQueue: true });
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

  /** Renews the owner's lease every third of it; aborts the signal when the lease is lost (or cannot be renewed). */
  private hold(owner: string, token: string, lane: string): { signal: AbortSignal; stop: () => void } {
    const controller = new AbortController();
    const leaseMs = this.reliability.laneLeaseMs;
    let renewing = false;
    const timer = setInterval(() => {
      if (renewing || controller.signal.aborted) return;
      renewing = true;
      this.redis
        .run(RENEW, { owner }, { token, leaseMs })
        .then((held) => {
          if (held !== 1) controller.abort(new LaneLostError(lane));
        })
        .catch((error: unknown) => {
          // Redis is away: the lease may run out meanwhile; keep trying until then.
          this.logger.warn({ err: error, lane }, 'lane lease not renewed');
        })
        .finally(() => {
          renewing = false;
        });
    }, Math.max(50, Math.floor(leaseMs / 3)));
    timer.unref();
    return { signal: controller.signal, stop: () => clearInterval(timer) };
  }

  async drain<E>(queue: QueueName, lane: LaneId, handler: LaneHandler<E>): Promise<void> {
    const { appId } = parseLaneId(lane);
    const owner = this.keys.laneOwner(queue, lane);
    const list = this.keys.laneList(queue, lane);
    const failing = this.keys.laneFailing(queue, lane);
    const dead = this.keys.deadLetters(appId, queue);
    const token = `${process.pid}-${Math.random().toString(36).slice(2)}`;
    const leaseMs = this.reliability.laneLeaseMs;
    // From here on an event pushed needs a job of its own, unless the owner (this job or another) still sees it.
    await this.redis.client.del(this.keys.laneKicked(queue, lane));
    if (!(await this.redis.client.set(owner, token, 'PX', leaseMs, 'NX'))) return;
    const lease = this.hold(owner, token, lane);
    const release = (): Promise<unknown> => this.redis.run(DELETE_IF_EQUAL, { key: owner }, { token });
    const q = this.queues.byName(queue);
    try {
      for (;;) {
        if (lease.signal.aborted) return;
        if (await q.isPaused()) {
          await release();
          await this.kick(queue, lane);
          return;
        }
        const head = await this.redis.client.lindex(list, 0);
        if (head === null) {
          if ((await this.redis.run(RELEASE_IF_EMPTY, { list, owner }, { token })) === 1) return;
          continue;
        }
        const event = JSON.parse(head) as E;
        const [failedDigest, failedSince, failedAttempts] = await this.redis.client.hmget(failing, 'digest', 'since', 'attempts');
        const failingHead = failedDigest === digest(head);
        const context: LaneContext = {
          signal: lease.signal,
          failures: failingHead ? Number(failedAttempts ?? 0) : 0,
          failingSince: failingHead && failedSince ? Number(failedSince) : undefined,
          claimNotice: async () => failingHead && (await this.redis.client.hsetnx(failing, 'noticed', '1')) === 1,
        };
        let verdict: LaneVerdict;
        let deadLetter = '';
        try {
          verdict = await handler.handle(event, context);
        } catch (error) {
          if (lease.signal.aborted) return;
          const [since, attempts] = (await this.redis.run(FAILED, { failing }, { digest: digest(head), now: Date.now() })) as [number, number];
          const expired = Date.now() - since > this.reliability.retryWindowMs;
          if (isTransientFailure(error) && !expired) {
            const delay = backoffDelay(attempts - 1, FAILURE_BACKOFF);
            this.logger.warn({ err: error, lane, attempts, retryInMs: Math.round(delay) }, 'live event failed: trying again later');
            await release();
            await this.kick(queue, lane, delay);
            return;
          }
          this.logger.error({ err: error, lane, attempts, expired }, 'live event failed for good: moved to the dead letters');
          await handler.deadLettered(event, error).catch((noteError: unknown) => this.logger.error({ err: noteError, lane }, 'could not say that an event failed'));
          deadLetter = JSON.stringify({ lane, event, error: error instanceof Error ? error.message : String(error), at: Date.now() } satisfies DeadLetter);
          verdict = 'done';
        }
        if (lease.signal.aborted) return;
        if (verdict === 'wait') {
          await release();
          await this.kick(queue, lane, WAIT_RETRY_MS);
          return;
        }
        const popped = await this.redis.run(POP, { list, owner, failing, dead }, { token, head, leaseMs, deadLetter, now: Date.now(), deadTtlMs: this.reliability.deadLetterTtlMs });
        if (popped !== 1) {
          this.logger.warn({ lane, popped }, 'lane taken over while an event was handled: leaving it to its new owner');
          return;
        }
      }
    } catch (error) {
      await release().catch(() => undefined);
      throw error;
    } finally {
      lease.stop();
    }
  }

  /** The app's dead letters of a queue, oldest first. */
  async deadLetters(appId: string, queue: QueueName): Promise<DeadLetter[]> {
    const key = this.keys.deadLetters(appId, queue);
    await this.redis.client.zremrangebyscore(key, '-inf', Date.now() - this.reliability.deadLetterTtlMs);
    return (await this.redis.client.zrange(key, 0, -1)).map((raw) => JSON.parse(raw) as DeadLetter);
  }

  /** Takes out the dead letters `matches` picks (an event sent again another way); returns how many. */
  async dropDeadLetters(appId: string, queue: QueueName, matches: (letter: DeadLetter) => boolean): Promise<number> {
    const key = this.keys.deadLetters(appId, queue);
    let dropped = 0;
    for (const raw of await this.redis.client.zrange(key, 0, -1)) {
      if (matches(JSON.parse(raw) as DeadLetter)) dropped += await this.redis.client.zrem(key, raw);
    }
    return dropped;
  }

  async deadLetterCount(appId: string, queue: QueueName): Promise<number> {
    const key = this.keys.deadLetters(appId, queue);
    return this.redis.client.zcount(key, Date.now() - this.reliability.deadLetterTtlMs, '+inf');
  }

  /**
   * Puts the app's dead letters of a queue back at the end of their lanes, oldest first (after what arrived
   * meanwhile). Returns how many.
   */
  async retryDeadLetters(appId: string, queue: QueueName): Promise<number> {
    const key = this.keys.deadLetters(appId, queue);
    let retried = 0;
    for (const letter of await this.deadLetters(appId, queue)) {
      const raw = JSON.stringify(letter);
      const { key: laneKey } = parseLaneId(letter.lane);
      // Taken out first, so two agents retrying at once do not put it back twice.
      if ((await this.redis.client.zrem(key, raw)) !== 1) continue;
      await this.push(queue, appId, laneKey, letter.event);
      retried++;
    }
    return retried;
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
      } else if (!owner && !drainWaiting) {
        await this.kick(queue, lane);
        kicked++;
      }
    }
    if (kicked > 0) this.logger.info({ queue, kicked }, 'stranded lanes resumed');
    return kicked;
  }
}

function digest(head: string): string {
  return createHash('sha1').update(head).digest('hex');
}
