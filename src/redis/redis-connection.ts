/**
 * Connections to the Redis the configuration names: one server, a Redis Cluster or a master found through Sentinel.
 *
 * - One server: `REDIS_URL` (user, password, database, `rediss:` for TLS).
 * - Cluster: ioredis' cluster client, seeded with REDIS_CLUSTER_NODES; it learns the slot map from them and follows
 *   MOVED/ASK and failovers (a replica promoted in place of a dead master). `REDIS_URL` gives every node's user,
 *   password and TLS. Every key the service writes carries a hash tag (redis.service.ts), so each script and each
 *   MULTI stays in one slot.
 * - Sentinel: ioredis asks the sentinels for the master of REDIS_SENTINEL_NAME and asks again after a failover.
 *
 * BullMQ needs a queue's keys in one slot on a cluster; its documented way is a hash-tagged prefix (`{<prefix>}`),
 * used only on a cluster so that the keys of deployments on one Redis keep their names.
 */
import Redis, { Cluster, type RedisOptions } from 'ioredis';
import type { RedisTopology } from '../config/config';

/** A connection to one Redis, a Sentinel-managed master or a cluster: the commands are the same. */
export type RedisClient = Redis | Cluster;

/** ioredis options from a `redis://` or `rediss://` URL (host, port, user, password, database, TLS). */
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

/** The URL's credentials and TLS, without its host and port (what a cluster's nodes or a sentinel's master share). */
function credentials(url: string, extra: RedisOptions): RedisOptions {
  const options = redisOptions(url, extra);
  delete options.host;
  delete options.port;
  return options;
}

/**
 * Opens a connection. `extra` are the caller's ioredis options (retries, offline queue, auto-pipelining); on a
 * cluster they apply to each node's connection and the cluster client alike.
 */
export function connectRedis(topology: RedisTopology, extra: RedisOptions = {}): RedisClient {
  switch (topology.kind) {
    case 'single':
      return new Redis(redisOptions(topology.url, extra));
    case 'sentinel':
      return new Redis({ ...credentials(topology.url, extra), sentinels: topology.sentinels, name: topology.name });
    case 'cluster': {
      // A cluster has database 0 only; the offline queue and auto-pipelining are the cluster client's own options.
      const { enableOfflineQueue, enableAutoPipelining, ...node } = credentials(topology.url, extra);
      delete node.db;
      return new Cluster(topology.nodes, {
        redisOptions: node,
        enableOfflineQueue,
        enableAutoPipelining,
        // A failover takes the cluster's node timeout to promote a replica; commands to the lost master's slots are
        // retried on the new slot map in between.
        retryDelayOnFailover: 300,
        retryDelayOnClusterDown: 500,
        retryDelayOnTryAgain: 200,
        slotsRefreshTimeout: 2000,
      });
    }
  }
}

/** BullMQ's connection: options on one Redis or Sentinel (BullMQ opens its own), a cluster client on a cluster. */
export function bullConnection(topology: RedisTopology): RedisOptions | Cluster {
  const options: RedisOptions = { maxRetriesPerRequest: null };
  switch (topology.kind) {
    case 'single':
      return redisOptions(topology.url, options);
    case 'sentinel':
      return { ...credentials(topology.url, options), sentinels: topology.sentinels, name: topology.name };
    case 'cluster':
      return connectRedis(topology, options) as Cluster;
  }
}

/** BullMQ's key prefix: hash-tagged on a cluster (every key of every queue in the slot of `<prefix>`). */
export function bullPrefix(topology: RedisTopology, prefix: string): string {
  return topology.kind === 'cluster' ? `{${prefix}}` : prefix;
}

/** The servers that hold keys: every master of a cluster (once it knows its slot map), else the one connection. */
export async function keyHolders(client: RedisClient): Promise<Redis[]> {
  if (!(client instanceof Cluster)) return [client];
  if (client.status !== 'ready') {
    await new Promise<void>((resolve, reject) => {
      client.once('ready', resolve);
      client.once('end', () => reject(new Error('the Redis Cluster connection ended before it was ready')));
    });
  }
  return client.nodes('master');
}

/** Every key matching `pattern`, in batches (SCAN on each server that holds keys). */
export async function* scanKeys(client: RedisClient, pattern: string, count = 1000): AsyncGenerator<string[]> {
  for (const server of await keyHolders(client)) {
    let cursor = '0';
    do {
      const [next, keys] = await server.scan(cursor, 'MATCH', pattern, 'COUNT', count);
      cursor = next;
      if (keys.length > 0) yield keys;
    } while (cursor !== '0');
  }
}

/** Every key matching `pattern`, on every server that holds keys, as one list. */
export async function allKeys(client: RedisClient, pattern: string, count = 1000): Promise<string[]> {
  const keys: string[] = [];
  for await (const batch of scanKeys(client, pattern, count)) keys.push(...batch);
  return keys;
}
