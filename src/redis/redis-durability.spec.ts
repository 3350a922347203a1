import { durabilityOf, parseInfo } from './redis-durability';

const info = (aof: 0 | 1, policy: string): Map<string, string> =>
  parseInfo(['# Persistence', 'loading:0', `aof_enabled:${aof}`, 'rdb_saves:0', '', '# Memory', 'maxmemory:0', `maxmemory_policy:${policy}`].join('\r\n'));

describe('Redis durability', () => {
  it('is durable with an append-only file and no eviction', () => {
    expect(durabilityOf(info(1, 'noeviction'), '3600 1')).toEqual({ aof: true, rdb: true, maxmemoryPolicy: 'noeviction', fixes: [] });
  });

  it('names appendonly when only RDB snapshots (or nothing) keep the data', () => {
    expect(durabilityOf(info(0, 'noeviction'), '3600 1 300 100').fixes).toEqual(['appendonly yes']);
    expect(durabilityOf(info(0, 'noeviction'), '')).toMatchObject({ rdb: false, fixes: ['appendonly yes'] });
  });

  it('names the eviction policy when Redis may drop keys', () => {
    expect(durabilityOf(info(1, 'volatile-lru'), undefined)).toEqual({ aof: true, rdb: null, maxmemoryPolicy: 'volatile-lru', fixes: ['maxmemory-policy noeviction'] });
  });
});
