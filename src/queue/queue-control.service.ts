/**
 * `wa/queue stop|start|status` and `--pause`. BullMQ pauses are global in Redis: every worker of every app on the
 * same Redis stops taking live-relay jobs.
 *
 * A pull that paused the queues holds a lease that the workers running it renew; when the lease runs out (the pull
 * ended, failed, or every worker died) the supervisor resumes the queues, so they are never left paused.
 */
import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { TEXTS } from '../config/texts.provider';
import { LOGGER } from '../logging/logger';
import { RedisService } from '../redis/redis.service';
import { PAUSABLE_QUEUES, QueueName } from './queue.constants';
import { Queues } from './queues';
import type { QueueTarget } from '../commands/grammar/command.types';
import { Texts } from '../texts/texts';

export interface QueueStatus {
  name: string;
  label: string;
  paused: boolean;
  waiting: number;
  active: number;
  delayed: number;
  failed: number;
  pendingEvents: number;
}

export const LEASE_MS = 30_000;

@Injectable()
export class QueueControlService implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer?: NodeJS.Timeout;
  /** Pull ids this process is working on; their pause lease is renewed while it lives. */
  readonly workingPulls = new Map<string, number>();
  onLeaseExpired?: (pullId: string) => Promise<void>;

  constructor(
    private readonly queues: Queues,
    private readonly redis: RedisService,
    @Inject(TEXTS) private readonly texts: Texts,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  targets(target: QueueTarget): QueueName[] {
    if (target === 'inbox') return [QueueName.Inbox];
    if (target === 'whatsapp') return [QueueName.WhatsApp];
    return [...PAUSABLE_QUEUES];
  }

  label(name: QueueName): string {
    return this.texts.render(name === QueueName.Inbox ? 'queue.label.inbox' : 'queue.label.whatsapp');
  }

  async pause(target: QueueTarget): Promise<QueueName[]> {
    const names = this.targets(target);
    await Promise.all(names.map((n) => this.queues.byName(n).pause()));
    return names;
  }

  async resume(target: QueueTarget): Promise<QueueName[]> {
    const names = this.targets(target);
    await Promise.all(names.map((n) => this.queues.byName(n).resume()));
    if (target === 'all') await this.redis.client.del(this.pausedByKey());
    return names;
  }

  async status(target: QueueTarget): Promise<QueueStatus[]> {
    return Promise.all(
      this.targets(target).map(async (name) => {
        const queue = this.queues.byName(name);
        const [paused, counts, pendingEvents] = await Promise.all([
          queue.isPaused(),
          queue.getJobCounts('waiting', 'wait', 'paused', 'active', 'delayed', 'failed', 'prioritized'),
          this.pendingEvents(name),
        ]);
        return {
          name,
          label: this.label(name),
          paused,
          // The live queues' jobs only drain lanes; what waits there are the events (messages) in the lanes.
          waiting: (PAUSABLE_QUEUES as readonly QueueName[]).includes(name) ? pendingEvents : (counts.waiting ?? 0) + (counts.wait ?? 0) + (counts.paused ?? 0) + (counts.prioritized ?? 0),
          active: counts.active ?? 0,
          delayed: counts.delayed ?? 0,
          failed: counts.failed ?? 0,
          pendingEvents,
        };
      }),
    );
  }

  /** Live events waiting in ordered lanes of a queue (see relay/lanes.ts). */
  async pendingEvents(name: QueueName): Promise<number> {
    const value = await this.redis.client.get(this.redis.key('lane-pending', name));
    return Math.max(0, Number(value ?? 0));
  }

  private pausedByKey(): string {
    return this.redis.key('queues', 'paused-by-pull');
  }

  private leaseKey(pullId: string): string {
    return this.redis.key('pull', pullId, 'lease');
  }

  async pauseForPull(pullId: string): Promise<void> {
    await this.redis.client.set(this.leaseKey(pullId), '1', 'PX', LEASE_MS);
    await this.redis.client.set(this.pausedByKey(), pullId);
    await this.pause('all');
  }

  /** Resumes the queues if this pull paused them; true when it did. */
  async resumeForPull(pullId: string): Promise<boolean> {
    const owner = await this.redis.client.get(this.pausedByKey());
    await this.redis.client.del(this.leaseKey(pullId));
    if (owner !== pullId) return false;
    await this.resume('all');
    return true;
  }

  async renewLeases(): Promise<void> {
    for (const pullId of this.workingPulls.keys()) {
      await this.redis.client.pexpire(this.leaseKey(pullId), LEASE_MS);
    }
  }

  async supervise(): Promise<void> {
    await this.renewLeases();
    const owner = await this.redis.client.get(this.pausedByKey());
    if (!owner) return;
    const lease = await this.redis.client.exists(this.leaseKey(owner));
    if (lease) return;
    this.logger.warn({ pullId: owner }, 'pause lease expired: resuming the live queues');
    await this.resume('all');
    await this.onLeaseExpired?.(owner);
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.supervise().catch((error: unknown) => this.logger.warn({ err: error }, 'queue supervisor failed'));
    }, 5_000);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
