/**
 * `--pause`: a pull that paused the live queues holds a lease that the workers running it renew; when the lease
 * runs out (the pull ended, failed, or every worker running it died) the supervisor resumes the queues and says
 * so in the pull's conversation, so the queues are never left paused.
 */
import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { TEXTS } from '../config/texts.provider';
import { ReplyService } from '../integration-chat/reply.service';
import { LOGGER } from '../logging/logger';
import { QueueControlService } from '../queue/queue-control.service';
import { RedisService } from '../redis/redis.service';
import { Texts } from '../texts/texts';
import { PullKeys, PullRef } from './pull.keys';
import { PullRecordRepository } from './pull-record.repository';

export const LEASE_MS = 30_000;
const SUPERVISE_EVERY_MS = 5_000;

@Injectable()
export class PullPauseService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly keys: PullKeys;
  /** Pulls this process works on (with how many jobs); their leases are renewed while it lives. */
  private readonly working = new Map<string, { pull: PullRef; jobs: number }>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly redis: RedisService,
    private readonly control: QueueControlService,
    private readonly records: PullRecordRepository,
    private readonly replies: ReplyService,
    @Inject(TEXTS) private readonly texts: Texts,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.keys = new PullKeys(redis);
  }

  /** Marks a job of the pull as running in this process until the returned function is called. */
  track(pull: PullRef): () => void {
    const key = `${pull.appId}/${pull.id}`;
    const entry = this.working.get(key) ?? { pull, jobs: 0 };
    entry.jobs++;
    this.working.set(key, entry);
    return () => {
      entry.jobs--;
      if (entry.jobs <= 0) this.working.delete(key);
    };
  }

  async pause(pull: PullRef): Promise<void> {
    await this.redis.client.set(this.keys.lease(pull), '1', 'PX', LEASE_MS);
    await this.redis.client.set(this.keys.pausedBy(), `${pull.appId}/${pull.id}`);
    await this.control.pause('all');
  }

  /** Resumes the queues if this pull paused them; true when it did. */
  async resume(pull: PullRef): Promise<boolean> {
    const owner = await this.redis.client.get(this.keys.pausedBy());
    await this.redis.client.del(this.keys.lease(pull));
    if (owner !== `${pull.appId}/${pull.id}`) return false;
    await this.control.resume('all');
    await this.redis.client.del(this.keys.pausedBy());
    return true;
  }

  /** An agent resumed every queue by hand: no pull holds them any more, so none resumes them at its end. */
  async releaseHold(): Promise<void> {
    await this.redis.client.del(this.keys.pausedBy());
  }

  async supervise(): Promise<void> {
    for (const { pull } of this.working.values()) await this.redis.client.pexpire(this.keys.lease(pull), LEASE_MS);
    const owner = await this.redis.client.get(this.keys.pausedBy());
    if (!owner) return;
    const [appId, id] = owner.split('/');
    if (await this.redis.client.exists(this.keys.lease({ appId, id }))) return;
    this.logger.warn({ appId, pullId: id }, 'pause lease expired: resuming the live queues');
    await this.control.resume('all');
    await this.redis.client.del(this.keys.pausedBy());
    const record = await this.records.get({ appId, id });
    if (record) await this.replies.activitySafe(record.origin, this.texts.render('queues.resumedAfterPull'));
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      this.supervise().catch((error: unknown) => this.logger.warn({ err: error }, 'queue supervisor failed'));
    }, SUPERVISE_EVERY_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
