/**
 * A Redis namespace as JSON and back: every key under a prefix with its type, value and remaining TTL, the prefix
 * written as `@P@` so a dump loads under any test's prefix. Streams (BullMQ's event log) are left out.
 */
import type { RedisClient } from '../../src/redis/redis-connection';

export interface DumpedKey {
  key: string;
  type: 'string' | 'hash' | 'list' | 'set' | 'zset';
  /** Milliseconds left, or -1 for none. */
  ttl: number;
  value: string | string[] | Record<string, string> | Array<[string, string]>;
}

const PLACEHOLDER = '@P@';

export async function dumpNamespace(redis: RedisClient, prefix: string): Promise<DumpedKey[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  const dumped: DumpedKey[] = [];
  for (const key of keys.sort()) {
    const type = await redis.type(key);
    const ttl = await redis.pttl(key);
    const name = PLACEHOLDER + key.slice(prefix.length);
    if (type === 'string') dumped.push({ key: name, type, ttl, value: (await redis.get(key)) ?? '' });
    else if (type === 'hash') dumped.push({ key: name, type, ttl, value: await redis.hgetall(key) });
    else if (type === 'list') dumped.push({ key: name, type, ttl, value: await redis.lrange(key, 0, -1) });
    else if (type === 'set') dumped.push({ key: name, type, ttl, value: (await redis.smembers(key)).sort() });
    else if (type === 'zset') {
      const flat = await redis.zrange(key, 0, -1, 'WITHSCORES');
      const pairs: Array<[string, string]> = [];
      for (let i = 0; i < flat.length; i += 2) pairs.push([flat[i], flat[i + 1]]);
      dumped.push({ key: name, type, ttl, value: pairs });
    }
  }
  return dumped;
}

export async function loadNamespace(redis: RedisClient, prefix: string, keys: DumpedKey[]): Promise<void> {
  for (const entry of keys) {
    const key = prefix + entry.key.slice(PLACEHOLDER.length);
    const tx = redis.multi().del(key);
    switch (entry.type) {
      case 'string':
        tx.set(key, entry.value as string);
        break;
      case 'hash':
        if (Object.keys(entry.value).length > 0) tx.hset(key, entry.value as Record<string, string>);
        break;
      case 'list':
        if ((entry.value as string[]).length > 0) tx.rpush(key, ...(entry.value as string[]));
        break;
      case 'set':
        if ((entry.value as string[]).length > 0) tx.sadd(key, ...(entry.value as string[]));
        break;
      case 'zset':
        for (const [member, score] of entry.value as Array<[string, string]>) tx.zadd(key, score, member);
        break;
    }
    if (entry.ttl > 0) tx.pexpire(key, entry.ttl);
    await tx.exec();
  }
}
