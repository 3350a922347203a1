import { Cluster } from 'ioredis';
import { bullConnection, bullPrefix, connectRedis, redisOptions } from './redis-connection';

describe('Redis connections', () => {
  it('reads host, port, credentials, database and TLS from REDIS_URL', () => {
    expect(redisOptions('rediss://user:p%40ss@redis.example:6380/2')).toMatchObject({ host: 'redis.example', port: 6380, username: 'user', password: 'p@ss', db: 2, tls: {} });
  });

  it("gives BullMQ a hash-tagged prefix on a cluster only (one Redis and Sentinel keep the keys' names)", () => {
    expect(bullPrefix({ kind: 'cluster', nodes: [{ host: 'a', port: 1 }], url: 'redis://a:1' }, 'wcb')).toBe('{wcb}');
    expect(bullPrefix({ kind: 'single', url: 'redis://a:1' }, 'wcb')).toBe('wcb');
    expect(bullPrefix({ kind: 'sentinel', sentinels: [{ host: 's', port: 26379 }], name: 'm', url: 'redis://a:1' }, 'wcb')).toBe('wcb');
  });

  it('asks the sentinels for the master, with the credentials of REDIS_URL and no retry limit for BullMQ', () => {
    const options = bullConnection({ kind: 'sentinel', sentinels: [{ host: 's', port: 26379 }], name: 'mymaster', url: 'redis://:secret@ignored:6379' });
    expect(options).toMatchObject({ sentinels: [{ host: 's', port: 26379 }], name: 'mymaster', password: 'secret', maxRetriesPerRequest: null });
    expect(options).not.toHaveProperty('host');
  });

  it('opens a cluster client seeded with the nodes, each node with the credentials of REDIS_URL', () => {
    const client = connectRedis({ kind: 'cluster', nodes: [{ host: '127.0.0.1', port: 1 }], url: 'redis://:secret@ignored:6379' }, { lazyConnect: true, enableAutoPipelining: true });
    try {
      expect(client).toBeInstanceOf(Cluster);
      const cluster = client as Cluster;
      expect(cluster.options.redisOptions).toMatchObject({ password: 'secret' });
      expect(cluster.options.redisOptions).not.toHaveProperty('host');
      expect(cluster.options.enableAutoPipelining).toBe(true);
    } finally {
      client.disconnect();
    }
  });
});
