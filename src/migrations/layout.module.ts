/**
 * Brings Redis to the current key layout before anything else touches it: the first process of a release runs the
 * migration under a lock, every other one waits for the version it writes. Workers start only after this
 * (Nest runs every module's init before any bootstrap hook, and workers start at bootstrap).
 */
import { Inject, Injectable, Module, OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import { sleep } from '../common/sleep';
import { LOGGER } from '../logging/logger';
import { RedisService } from '../redis/redis.service';
import { CURRENT_LAYOUT, KeyLayoutMigration } from './key-layout.migration';

const LOCK_MS = 60_000;
const WAIT_STEP_MS = 250;

@Injectable()
export class LayoutMigrator implements OnModuleInit {
  constructor(
    private readonly redis: RedisService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async onModuleInit(): Promise<void> {
    const migration = new KeyLayoutMigration(this.redis, this.logger);
    const lock = this.redis.globalKey('layout', 'migrating');
    const token = `${process.pid}-${Math.random().toString(36).slice(2)}`;
    for (;;) {
      const version = await migration.version();
      if (version >= CURRENT_LAYOUT) return;
      if (await this.redis.client.set(lock, token, 'PX', LOCK_MS, 'NX')) break;
      await sleep(WAIT_STEP_MS);
    }
    // Keep the lock while a large ledger is copied.
    const renew = setInterval(() => void this.redis.client.pexpire(lock, LOCK_MS).catch(() => undefined), LOCK_MS / 3);
    try {
      if ((await migration.version()) >= CURRENT_LAYOUT) return;
      const started = Date.now();
      const report = await migration.run();
      await this.redis.client.set(migration.versionKey(), String(CURRENT_LAYOUT));
      if (report.apps.length > 0) this.logger.info({ ...report, ms: Date.now() - started }, `Redis key layout upgraded to ${CURRENT_LAYOUT}`);
    } finally {
      clearInterval(renew);
      await this.redis.client.del(lock);
    }
  }
}

@Module({ providers: [LayoutMigrator] })
export class LayoutModule {}
