/**
 * The apps registry in Redis: every app the deployment serves, as the entry it was written with (APPS_FILE field
 * names, secrets included), shared by every process. Keys, shared by all apps under the tag `{apps}` (one slot):
 *
 * | key                     | type   | holds                                                                    |
 * |-------------------------|--------|--------------------------------------------------------------------------|
 * | `{apps}:entries`        | hash   | app id → its entry (JSON)                                                |
 * | `{apps}:sources`        | hash   | app id → `seed` (from APPS_FILE or the environment) or `api`             |
 * | `{apps}:deleted`        | hash   | app id → when it was removed through the API (a seed never re-creates it) |
 * | `{apps}:version`        | string | bumped by every change; processes poll it and reload on a change         |
 *
 * A seeded app follows its seed (an edited APPS_FILE applies at the next start) until the API changes it; from
 * then on the API's entry is the app.
 */
import type { AppEntry } from '../config/config';
import { defineScript } from '../redis/redis-script';
import { RedisService } from '../redis/redis.service';

export type AppSource = 'seed' | 'api';

export interface StoredApp {
  id: string;
  entry: AppEntry;
  source: AppSource;
}

const KEYS = ['entries', 'sources', 'deleted', 'version'] as const;

/**
 * `seed`: adds or refreshes a seeded app, not when it was deleted through the API or changed by it; `create`: only
 * a new id; `update`: only an existing one. 1 when written, else 0.
 */
const WRITE = defineScript({
  name: 'apps-write',
  keys: KEYS,
  args: ['id', 'entry', 'mode'],
  lua: `
local exists = redis.call('HEXISTS', K.entries, A.id) == 1
if A.mode == 'seed' then
  if redis.call('HEXISTS', K.deleted, A.id) == 1 or redis.call('HGET', K.sources, A.id) == 'api' then return 0 end
  if redis.call('HGET', K.entries, A.id) == A.entry then return 0 end
elseif (A.mode == 'create' and exists) or (A.mode == 'update' and not exists) then
  return 0
end
redis.call('HSET', K.entries, A.id, A.entry)
if A.mode == 'seed' then
  redis.call('HSET', K.sources, A.id, 'seed')
else
  redis.call('HSET', K.sources, A.id, 'api')
  redis.call('HDEL', K.deleted, A.id)
end
redis.call('INCR', K.version)
return 1`,
});

/** Removes an app and remembers that it was removed. 0 when unknown. */
const REMOVE = defineScript({
  name: 'apps-remove',
  keys: KEYS,
  args: ['id', 'now'],
  lua: `
if redis.call('HDEL', K.entries, A.id) == 0 then return 0 end
redis.call('HDEL', K.sources, A.id)
redis.call('HSET', K.deleted, A.id, A.now)
redis.call('INCR', K.version)
return 1`,
});

/** Entries are stored with their fields sorted, so the same entry is always the same string. */
function serialize(entry: AppEntry): string {
  return JSON.stringify(Object.fromEntries(Object.entries(entry).sort(([a], [b]) => a.localeCompare(b))));
}

export class AppsRegistry {
  private readonly keys: Record<(typeof KEYS)[number], string>;

  constructor(private readonly redis: RedisService) {
    this.keys = Object.fromEntries(KEYS.map((name) => [name, redis.sharedKey('apps', name)])) as Record<(typeof KEYS)[number], string>;
  }

  /** Seeds the apps of APPS_FILE or the environment; returns the ids written. */
  async seed(entries: ReadonlyArray<{ id: string; entry: AppEntry }>): Promise<string[]> {
    const written: string[] = [];
    for (const { id, entry } of entries) {
      if ((await this.redis.run(WRITE, this.keys, { id, entry: serialize(entry), mode: 'seed' })) === 1) written.push(id);
    }
    return written;
  }

  async create(id: string, entry: AppEntry): Promise<boolean> {
    return (await this.redis.run(WRITE, this.keys, { id, entry: serialize(entry), mode: 'create' })) === 1;
  }

  async update(id: string, entry: AppEntry): Promise<boolean> {
    return (await this.redis.run(WRITE, this.keys, { id, entry: serialize(entry), mode: 'update' })) === 1;
  }

  async remove(id: string): Promise<boolean> {
    return (await this.redis.run(REMOVE, this.keys, { id, now: Date.now() })) === 1;
  }

  async version(): Promise<string> {
    return (await this.redis.client.get(this.keys.version)) ?? '0';
  }

  async list(): Promise<StoredApp[]> {
    const [entries, sources] = await Promise.all([this.redis.client.hgetall(this.keys.entries), this.redis.client.hgetall(this.keys.sources)]);
    return Object.entries(entries)
      .map(([id, json]) => ({ id, entry: JSON.parse(json) as AppEntry, source: (sources[id] ?? 'seed') as AppSource }))
      .sort((a, b) => a.id.localeCompare(b.id));
  }

  async get(id: string): Promise<StoredApp | undefined> {
    const [json, source] = await Promise.all([this.redis.client.hget(this.keys.entries, id), this.redis.client.hget(this.keys.sources, id)]);
    return json === null ? undefined : { id, entry: JSON.parse(json) as AppEntry, source: (source ?? 'seed') as AppSource };
  }
}
