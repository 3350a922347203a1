/**
 * Whether Redis keeps what the bridge writes: the ledger ("imported once, forever"), checkpoints, lanes and dead
 * letters live only there. Read from `INFO persistence` and `INFO memory` (CONFIG may be disabled on managed
 * Redis; INFO is not):
 * - `aof_enabled:0` loses every write since the last RDB snapshot on a restart (minutes of accepted webhooks, or
 *   everything when `save` is off too), and the next pull duplicates what the ledger forgot;
 * - a `maxmemory_policy` other than `noeviction` lets Redis drop keys when full (BullMQ asks for noeviction too).
 */
import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import type { Logger } from 'pino';
import { LOGGER } from '../logging/logger';
import { RedisService } from './redis.service';

export interface RedisDurability {
  aof: boolean;
  /** RDB snapshots are configured (`save` is set): a restart keeps the last snapshot. Null when CONFIG is refused. */
  rdb: boolean | null;
  maxmemoryPolicy: string;
  /** The Redis settings to change, as `name value` lines (empty when durable). */
  fixes: string[];
}

/** `INFO` text → field map (sections and comments skipped). */
export function parseInfo(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split(/\r?\n/)) {
    if (!line || line.startsWith('#')) continue;
    const at = line.indexOf(':');
    if (at > 0) fields.set(line.slice(0, at), line.slice(at + 1).trim());
  }
  return fields;
}

/** `save` is the RDB schedule (`CONFIG GET save`); undefined when CONFIG is not allowed (managed Redis). */
export function durabilityOf(info: Map<string, string>, save?: string): RedisDurability {
  const aof = info.get('aof_enabled') === '1';
  const rdb = save === undefined ? null : save.trim() !== '';
  const maxmemoryPolicy = info.get('maxmemory_policy') ?? 'unknown';
  const fixes: string[] = [];
  if (!aof) fixes.push('appendonly yes');
  if (maxmemoryPolicy !== 'noeviction') fixes.push('maxmemory-policy noeviction');
  return { aof, rdb, maxmemoryPolicy, fixes };
}

@Injectable()
export class RedisDurabilityCheck implements OnApplicationBootstrap {
  private last?: Promise<RedisDurability>;

  constructor(
    private readonly redis: RedisService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** Checked at start-up: a warning in the log when Redis can lose the bridge's keys. */
  onApplicationBootstrap(): void {
    this.check().then(
      (found) => {
        if (found.fixes.length === 0) return;
        this.logger.warn(
          { aof: found.aof, rdb: found.rdb, maxmemoryPolicy: found.maxmemoryPolicy, fix: found.fixes },
          `Redis can lose the bridge's ledger and queues: set ${found.fixes.join(' and ')} in redis.conf (history would be imported twice after a Redis restart)`,
        );
      },
      (error: unknown) => this.logger.warn({ err: error }, 'cannot read the Redis persistence settings'),
    );
  }

  /** The settings as last read (read again at most once a minute). */
  check(): Promise<RedisDurability> {
    if (!this.last) {
      this.last = this.read();
      const reset = (): void => void setTimeout(() => (this.last = undefined), 60_000).unref();
      this.last.then(reset, () => (this.last = undefined));
    }
    return this.last;
  }

  private async read(): Promise<RedisDurability> {
    const [persistence, memory, save] = await Promise.all([
      this.redis.client.info('persistence'),
      this.redis.client.info('memory'),
      (this.redis.client.config('GET', 'save') as Promise<string[]>).then((pair) => pair[1], () => undefined),
    ]);
    return durabilityOf(parseInfo(`${persistence}\n${memory}`), save);
  }
}
