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
import { SERVICE_CONFIG, ServiceConfig } from '../config/config';
import type { RedisOptions } from 'ioredis';
import { connectRedis, type RedisClient } from './redis-connection';
import { RedisScript, scriptCall } from './redis-script';

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}

/** A replica that missed a WAIT is not waited for again for this long (each wait would cost the whole timeout). */
const REPLICAS_MISSING_BACKOFF_MS = 5_000;
/** What `replicated` answers without waiting: no replica acknowledged. */
const NOT_WAITED: Promise<number> = Promise.resolve(0);

@Injectable()
export class RedisService implements OnApplicationShutdown {
  readonly client: RedisClient;
  readonly prefix: string;
  private replicasMissingUntil = 0;

  constructor(@Inject(SERVICE_CONFIG) private readonly config: ServiceConfig) {
    this.prefix = config.queuePrefix;
    this.client = connectRedis(config.redis, { maxRetriesPerRequest: 2, enableOfflineQueue: true, enableAutoPipelining: true });
    this.client.on('error', () => undefined);
  }

  /** Another connection to the same Redis (for blocking commands), with its own ioredis options. */
  connect(options: RedisOptions): RedisClient {
    return connectRedis(this.config.redis, options);
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

  /**
   * Waits until what this connection wrote to `key`'s server reached the configured replicas (`WAIT`, sent to the
   * master of the key's slot). Called after a mark that must survive a failover and before the request it guards
   * leaves: Redis replicates asynchronously, and a master lost before its replica got the mark would forget that a
   * post was under way. Replication is ordered, so everything written before the mark is safe too. Returns how many
   * replicas acknowledged; when fewer than configured answer within the timeout, the mark is as safe as one Redis
   * makes it, and the next waits are skipped for a few seconds (a lost replica must not cost every write the timeout).
   */
  replicated(key: string): Promise<number> {
    // Not an async function: on one Redis (replicas 0) every post's mark passes here without a Redis call.
    if (this.config.redisReplication.replicas === 0 || Date.now() < this.replicasMissingUntil) return NOT_WAITED;
    return this.waitForReplicas(key);
  }

  private async waitForReplicas(key: string): Promise<number> {
    const { replicas, timeoutMs } = this.config.redisReplication;
    // In a pipeline with a command on the key, WAIT goes to the key's master (a cluster routes pipelines by slot).
    const results = await this.client.pipeline().exists(key).wait(replicas, timeoutMs).exec();
    const [error, acked] = results?.[1] ?? [new Error('WAIT got no answer'), 0];
    if (error) throw error;
    if (Number(acked) < replicas) this.replicasMissingUntil = Date.now() + REPLICAS_MISSING_BACKOFF_MS;
    return Number(acked);
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
