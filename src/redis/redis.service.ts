/**
 * Redis connections. `client` serves the service's own keys (pull records, ledger, locks); it fails fast when
 * Redis is down instead of queueing commands in memory. BullMQ workers get their own connections with
 * `maxRetriesPerRequest: null`, as BullMQ requires.
 */
import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import Redis, { RedisOptions } from 'ioredis';
import { SERVICE_CONFIG, ServiceConfig } from '../config/config';

export function redisOptions(url: string, extra: RedisOptions = {}): RedisOptions {
  const parsed = new URL(url);
  const db = parsed.pathname && parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : 0;
  return {
    host: parsed.hostname,
    port: parsed.port ? Number(parsed.port) : 6379,
    username: parsed.username ? decodeURIComponent(parsed.username) : undefined,
    password: parsed.password ? decodeURIComponent(parsed.password) : undefined,
    db: Number.isFinite(db) ? db : 0,
    tls: parsed.protocol === 'rediss:' ? {} : undefined,
    ...extra,
  };
}

@Injectable()
export class RedisService implements OnApplicationShutdown {
  readonly client: Redis;
  readonly prefix: string;

  constructor(@Inject(SERVICE_CONFIG) config: ServiceConfig) {
    this.prefix = config.queuePrefix;
    this.client = new Redis(redisOptions(config.redisUrl, { maxRetriesPerRequest: 2, enableOfflineQueue: true }));
    this.client.on('error', () => undefined);
  }

  key(...parts: Array<string | number>): string {
    return [this.prefix, ...parts].join(':');
  }

  /** True when Redis answers within a second (health checks must not hang while Redis reconnects). */
  async ping(): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<string>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), 1000);
      });
      return (await Promise.race([this.client.ping(), timeout])) === 'PONG';
    } catch {
      return false;
    } finally {
      if (timer) clearTimeout(timer);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.client.quit().catch(() => this.client.disconnect());
  }
}
