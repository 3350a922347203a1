/**
 * A contacts pull's record and checkpoint. Each contact is settled once, in one script with its counters, so a
 * page read again after a crash, a retry or a lease lost to another worker counts and changes nothing twice.
 */
import { Injectable } from '@nestjs/common';
import { CommandOrigin } from '../integration-chat/command-origin';
import { defineScript } from '../redis/redis-script';
import { CLAIM_REPORT } from '../redis/redis.scripts';
import { RedisService } from '../redis/redis.service';
import { fromHashFields, toHashFields } from '../redis/hash-record';
import { claimSlot, releaseSlot } from '../redis/slot';
import { ContactsOptions } from './contacts-options';
import { ContactsKeys, ContactsRef } from './contacts.keys';

export type ContactsState = 'running' | 'stopping' | 'completed' | 'stopped' | 'failed';
/** Contacts first, then (with --groups) the groups among the chats. */
export type ContactsPhase = 'contacts' | 'groups';
export type ContactOutcome = 'created' | 'updated' | 'skipped' | 'errors';

export function isContactsTerminal(state: ContactsState): boolean {
  return state === 'completed' || state === 'stopped' || state === 'failed';
}

export interface ContactsCounters {
  processed: number;
  created: number;
  updated: number;
  renamed: number;
  skipped: number;
  errors: number;
  avatars: number;
}

export interface ContactsRecord extends ContactsRef, ContactsCounters {
  state: ContactsState;
  origin: CommandOrigin;
  options: ContactsOptions;
  createdAt: number;
  finishedAt: number;
  phase: ContactsPhase;
  /** Where the current page starts in the phase's list. */
  offset: number;
  /** Runs of this pull: 1, and one more each time it is resumed. */
  runs: number;
  stop: boolean;
  error: string;
  lastReported: number;
}

const NUMERIC = ['createdAt', 'finishedAt', 'offset', 'runs', 'processed', 'created', 'updated', 'renamed', 'skipped', 'errors', 'avatars', 'lastReported'] as const;
const KEEP_S = 31 * 24 * 3600;

/** Counts a contact's outcome once: the new processed total, or -1 when it was settled already. */
const SETTLE = defineScript({
  name: 'contacts-settle',
  keys: ['record', 'done', 'creating', 'failures'],
  args: ['chat', 'outcome', 'renamed', 'avatar', 'failure'],
  lua: `
if redis.call('HSETNX', K.done, A.chat, A.outcome) == 0 then return -1 end
redis.call('HINCRBY', K.record, A.outcome, 1)
if A.renamed == '1' then redis.call('HINCRBY', K.record, 'renamed', 1) end
if A.avatar == '1' then redis.call('HINCRBY', K.record, 'avatars', 1) end
if A.failure ~= '' then redis.call('RPUSH', K.failures, A.failure) end
redis.call('SREM', K.creating, A.chat)
return redis.call('HINCRBY', K.record, 'processed', 1)`,
});

/** Moves the checkpoint forward only (a worker that lost its lease cannot move it back). */
const ADVANCE = defineScript({
  name: 'contacts-advance',
  keys: ['record'],
  args: ['phase', 'offset'],
  lua: `
local phase = redis.call('HGET', K.record, 'phase')
local offset = tonumber(redis.call('HGET', K.record, 'offset') or '0')
if phase == A.phase and offset >= tonumber(A.offset) then return 0 end
if phase == 'groups' and A.phase == 'contacts' then return 0 end
redis.call('HSET', K.record, 'phase', A.phase, 'offset', A.offset)
return 1`,
});

/** Ends a pull that has not ended: 1 for the caller that ended it. */
const FINISH = defineScript({
  name: 'contacts-finish',
  keys: ['record'],
  args: ['state', 'error', 'at'],
  lua: `
local state = redis.call('HGET', K.record, 'state')
if state == 'completed' or state == 'stopped' or state == 'failed' then return 0 end
redis.call('HSET', K.record, 'state', A.state, 'error', A.error, 'finishedAt', A.at)
return 1`,
});

@Injectable()
export class ContactsRunRepository {
  readonly keys: ContactsKeys;

  constructor(private readonly redis: RedisService) {
    this.keys = new ContactsKeys(redis);
  }

  private get r() {
    return this.redis.client;
  }

  async claim(appId: string, id: string): Promise<string | undefined> {
    return claimSlot(this.redis, this.keys.active(appId), id, async (holder) => {
      const record = await this.get({ appId, id: holder });
      return record !== undefined && !isContactsTerminal(record.state);
    });
  }

  async release(run: ContactsRef): Promise<void> {
    await releaseSlot(this.redis, this.keys.active(run.appId), run.id);
  }

  async activeId(appId: string): Promise<string | undefined> {
    return (await this.r.get(this.keys.active(appId))) ?? undefined;
  }

  async create(record: ContactsRecord): Promise<void> {
    await this.r.multi().hset(this.keys.record(record), toHashFields(record)).set(this.keys.last(record.appId), record.id).exec();
  }

  async get(run: ContactsRef): Promise<ContactsRecord | undefined> {
    return fromHashFields<ContactsRecord>(await this.r.hgetall(this.keys.record(run)), { numbers: NUMERIC, booleans: ['stop'], json: ['origin', 'options'] });
  }

  /** The running contacts pull of the app, else its latest one. */
  async latest(appId: string): Promise<ContactsRecord | undefined> {
    const id = (await this.activeId(appId)) ?? (await this.r.get(this.keys.last(appId)));
    return id ? this.get({ appId, id }) : undefined;
  }

  async set(run: ContactsRef, fields: Partial<ContactsRecord>): Promise<void> {
    await this.r.hset(this.keys.record(run), toHashFields(fields));
  }

  /** Runs it again from its checkpoint: the number of this run. */
  async resume(run: ContactsRef, origin: CommandOrigin): Promise<number> {
    const [, , runs] = (await this.r
      .multi()
      .hset(this.keys.record(run), { state: 'running', stop: '0', error: '', finishedAt: '0', origin: JSON.stringify(origin) })
      .set(this.keys.last(run.appId), run.id)
      .hincrby(this.keys.record(run), 'runs', 1)
      .persist(this.keys.record(run))
      .exec()) as Array<[Error | null, unknown]>;
    for (const key of [this.keys.done(run), this.keys.creating(run), this.keys.failures(run)]) await this.r.persist(key);
    return Number(runs[1]);
  }

  async requestStop(run: ContactsRef): Promise<void> {
    await this.r.hset(this.keys.record(run), 'stop', '1', 'state', 'stopping');
  }

  async stopRequested(run: ContactsRef): Promise<boolean> {
    return (await this.r.hget(this.keys.record(run), 'stop')) === '1';
  }

  /** Ends the pull (once): false when another worker ended it first. Its keys expire later. */
  async finish(run: ContactsRef, state: ContactsState, error = ''): Promise<boolean> {
    const record = this.keys.record(run);
    if ((await this.redis.run(FINISH, { record }, { state, error, at: Date.now() })) !== 1) return false;
    await this.release(run);
    for (const key of [record, this.keys.done(run), this.keys.creating(run), this.keys.failures(run)]) await this.r.expire(key, KEEP_S);
    return true;
  }

  async isSettled(run: ContactsRef, chatId: string): Promise<boolean> {
    return (await this.r.hexists(this.keys.done(run), chatId)) === 1;
  }

  /** Marks a contact as being created, before the request: a crash before it is settled still counts it created. */
  async creating(run: ContactsRef, chatId: string): Promise<void> {
    await this.r.sadd(this.keys.creating(run), chatId);
    // The contact is created next: the mark must outlive a failover (see RedisService.replicated).
    await this.redis.replicated(this.keys.creating(run));
  }

  async wasCreating(run: ContactsRef, chatId: string): Promise<boolean> {
    return (await this.r.sismember(this.keys.creating(run), chatId)) === 1;
  }

  async settle(run: ContactsRef, chatId: string, outcome: ContactOutcome, extra: { renamed?: boolean; avatar?: boolean; failure?: string } = {}): Promise<number> {
    const keys = { record: this.keys.record(run), done: this.keys.done(run), creating: this.keys.creating(run), failures: this.keys.failures(run) };
    const args = { chat: chatId, outcome, renamed: extra.renamed ? '1' : '0', avatar: extra.avatar ? '1' : '0', failure: extra.failure ? `${chatId}: ${extra.failure}`.slice(0, 300) : '' };
    return Number(await this.redis.run(SETTLE, keys, args));
  }

  async advance(run: ContactsRef, phase: ContactsPhase, offset: number): Promise<void> {
    await this.redis.run(ADVANCE, { record: this.keys.record(run) }, { phase, offset });
  }

  async failures(run: ContactsRef, limit = 10): Promise<{ items: string[]; total: number }> {
    const [items, total] = await Promise.all([this.r.lrange(this.keys.failures(run), 0, limit - 1), this.r.llen(this.keys.failures(run))]);
    return { items, total };
  }

  async claimReport(run: ContactsRef, mark: number): Promise<boolean> {
    return (await this.redis.run(CLAIM_REPORT, { record: this.keys.record(run) }, { mark })) === 1;
  }
}
