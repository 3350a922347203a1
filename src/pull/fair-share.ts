/**
 * Fair sharing of the pull queue between apps. Every app's chats go through one `pull` queue; in arrival order, a
 * customer's ten-year import of 200 chats would hold every worker until its last chat started, and the next app's
 * pull would wait behind it. Instead each chat job carries a BullMQ priority that works as a virtual clock:
 *
 * - the clock (`{queues}:pull-clock`) is the rank of the latest chat job started, whichever app it belongs to;
 * - a pull planned now ranks its chats clock, clock+1, … in its own order (least recently active first): its first
 *   chat starts where the clock is (start-time fair queueing: a new flow starts at the current virtual time);
 * - workers take the lowest rank first (FIFO among equal ranks), so the chats of every app importing at the same
 *   time alternate: with A's chat 40 the latest started when B plans 10 chats, the next jobs are B40, A41, B41,
 *   A42, B42, …
 *
 * Plan and finish jobs carry no priority, and BullMQ serves those before any prioritized job (its moveToActive
 * script pops the wait list first and the prioritized set only when that is empty), so a new pull is
 * planned as soon as a worker is free. A chat job is the unit of sharing: a worker busy with one chat finishes it
 * (or hands it over at --timeout) before it takes the next. BullMQ's ranks end at 2^21 - 1; the clock starts again
 * from 0 when a pull is planned while no ranked chat waits.
 */
import { Injectable } from '@nestjs/common';
import { QueueName } from '../queue/queue.constants';
import { Queues } from '../queue/queues';
import { defineScript } from '../redis/redis-script';
import { RedisService } from '../redis/redis.service';

/** BullMQ's lowest priority (its ranks are 1 … 2^21 - 1: PRIORITY_LIMIT in BullMQ's job class). */
export const MAX_RANK = 2 ** 21 - 1;

/** Moves the clock forward to a started job's rank (never back). */
const ADVANCE = defineScript({
  name: 'pull-clock-advance',
  keys: ['clock'],
  args: ['rank'],
  lua: `
if tonumber(redis.call('GET', K.clock) or '0') < tonumber(A.rank) then redis.call('SET', K.clock, A.rank) end
return 1`,
});

@Injectable()
export class FairShare {
  constructor(
    private readonly redis: RedisService,
    private readonly queues: Queues,
  ) {}

  private clock(): string {
    return this.redis.sharedKey('queues', 'pull-clock');
  }

  /** The ranks of `count` chats planned now, in their order. */
  async ranks(count: number): Promise<number[]> {
    let base = Number((await this.redis.client.get(this.clock())) ?? 0);
    if (base + count >= MAX_RANK && (await this.queues.byName(QueueName.Pull).getPrioritizedCount()) === 0) {
      await this.redis.client.set(this.clock(), '0');
      base = 0;
    }
    return Array.from({ length: count }, (_, i) => Math.min(MAX_RANK, Math.max(1, base + i)));
  }

  /** A chat job of this rank started. */
  async started(rank: number | undefined): Promise<void> {
    if (rank) await this.redis.run(ADVANCE, { clock: this.clock() }, { rank });
  }
}
