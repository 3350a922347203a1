/**
 * Redis connections and key naming. `client` serves the service's own keys (pull records, ledger, lanes); it fails
 * fast when Redis is down instead of queueing commands in memory. BullMQ workers get their own connections with
 * `maxRetriesPerRequest: null`, as BullMQ requires.
 *
 * Key names: `<prefix>:{<appId>}:<family>:…` for everything of one app, so Redis Cluster keeps an app's keys in one
 * slot and every script touches one slot; `<prefix>:{<tag>}:…` for keys several apps share (tagged by what they
 * are shared for: a ChatWoot host, a queue's lane index). Each family is built by one function in the module that
 * owns it; the README's "Redis keys" table lists them all.
 */
import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import Redis, { RedisOptions } from 'ioredis';
import { SERVICE_CONFIG, ServiceConfig } from '../config/config';
import { RedisScript, scriptCall } from './redis-script';

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

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}

@Injectable()
export class RedisService implements OnApplicationShutdown {
  readonly client: Redis;
  readonly prefix: string;

  constructor(@Inject(SERVICE_CONFIG) config: ServiceConfig) {
    this.prefix = config.queuePrefix;
    this.client = new Redis(redisOptions(config.redisUrl, { maxRetriesPerRequest: 2, enableOfflineQueue: true, enableAutoPipelining: true }));
    this.client.on('error', () => undefined);
  }

  /** A key of one app: `<prefix>:{<appId>}:<parts…>`. */
  appKey(appId: string, ...parts: Array<string | number>): string {
    return [`${this.prefix}:{${appId}}`, ...parts].join(':');
  }

  /** A key several apps share, placed by `tag`: `<prefix>:{<tag>}:<parts…>`. */
  sharedKey(tag: string, ...parts: Array<string | number>): string {
    return [`${this.prefix}:{${tag}}`, ...parts].join(':');
  }

  /** A key of the deployment itself (the key layout version): `<prefix>:<parts…>`. */
  globalKey(...parts: Array<string | number>): string {
    return [this.prefix, ...parts].join(':');
  }

  /** Runs a script by its SHA, sending the Lua once when Redis does not know it yet. */
  async run<K extends string, A extends string>(script: RedisScript<K, A>, keys: Record<K, string>, args: Record<A, string | number>): Promise<unknown> {
    const call = scriptCall(script, keys, args);
    try {
      return await this.client.evalsha(script.sha, call.keys.length, ...call.keys, ...call.args);
    } catch (error) {
      if (!isNoScript(error)) throw error;
      return this.client.eval(script.lua, call.keys.length, ...call.keys, ...call.args);
    }
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
