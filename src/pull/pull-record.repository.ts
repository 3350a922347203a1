/**
 * The pull record and the app's pull slot (see pull.keys.ts): what a pull was asked, where it stands, its live
 * counters, the chats it planned and the conversations it wrote into.
 */
import { Injectable } from '@nestjs/common';
import { CommandOrigin } from '../integration-chat/command-origin';
import { CLAIM_REPORT } from '../redis/redis.scripts';
import { RedisService } from '../redis/redis.service';
import { fromHashFields, toHashFields } from '../redis/hash-record';
import { claimSlot, releaseSlot } from '../redis/slot';
import { PullOptions } from './pull-options';
import { PullKeys, PullRef } from './pull.keys';
import { isTerminal, PullState } from './pull-state';

export interface PullRecord extends PullRef {
  state: PullState;
  scope: string;
  origin: CommandOrigin;
  options: PullOptions;
  /** Window in ms since epoch. */
  from: number;
  to: number;
  createdAt: number;
  finishedAt: number;
  chatsTotal: number;
  chatsDone: number;
  chatsFailed: number;
  created: number;
  exists: number;
  ignored: number;
  failed: number;
  processed: number;
  /** Earliest and latest message time imported (seconds). */
  first: number;
  last: number;
  stop: boolean;
  pausedQueues: boolean;
  resolved: number;
  resolveErrors: number;
  error: string;
  lastReported: number;
  /** The last outage an import of this pull waited out for long (an upstream error), for the final report. */
  outage: string;
}

export type PullRecordFields = Partial<Record<keyof PullRecord, string | number>>;

/** Marks the chats hash's alias entries (`>` never starts a chat id). */
const ALIAS = '>';

const NUMERIC: Array<keyof PullRecord> = [
  'from',
  'to',
  'createdAt',
  'finishedAt',
  'chatsTotal',
  'chatsDone',
  'chatsFailed',
  'created',
  'exists',
  'ignored',
  'failed',
  'processed',
  'first',
  'last',
  'resolved',
  'resolveErrors',
  'lastReported',
];

@Injectable()
export class PullRecordRepository {
  readonly keys: PullKeys;

  constructor(private readonly redis: RedisService) {
    this.keys = new PullKeys(redis);
  }

  private get r() {
    return this.redis.client;
  }

  /** Claims the app's single pull slot; returns the id of the pull holding it when taken. */
  async claim(appId: string, id: string): Promise<string | undefined> {
    return claimSlot(this.redis, this.keys.active(appId), id, async (holder) => {
      const record = await this.get({ appId, id: holder });
      return record !== undefined && !isTerminal(record.state);
    });
  }

  async release(pull: PullRef): Promise<void> {
    await releaseSlot(this.redis, this.keys.active(pull.appId), pull.id);
  }

  /** The id of the app's running pull, if one holds the slot. */
  async activeId(appId: string): Promise<string | undefined> {
    return (await this.r.get(this.keys.active(appId))) ?? undefined;
  }

  async create(record: PullRecord): Promise<void> {
    await this.r.multi().hset(this.keys.record(record), toHashFields(record)).set(this.keys.last(record.appId), record.id).exec();
  }

  async get(pull: PullRef): Promise<PullRecord | undefined> {
    return fromHashFields<PullRecord>(await this.r.hgetall(this.keys.record(pull)), { numbers: NUMERIC, booleans: ['stop', 'pausedQueues'], json: ['origin', 'options'] });
  }

  /** The running pull of the app, else its latest one. */
  async latest(appId: string): Promise<PullRecord | undefined> {
    const id = (await this.activeId(appId)) ?? (await this.r.get(this.keys.last(appId)));
    return id ? this.get({ appId, id }) : undefined;
  }

  async set(pull: PullRef, fields: PullRecordFields): Promise<void> {
    await this.r.hset(this.keys.record(pull), fields as Record<string, string | number>);
  }

  /**
   * One notice per pull and quarter of an hour that an import waits for an upstream: true for the caller that
   * should post it. `release` gives the right back when the notice could not be posted.
   */
  async claimOutageNotice(pull: PullRef, outage: string): Promise<boolean> {
    const [, claimed] = (await this.r
      .multi()
      .hset(this.keys.record(pull), 'outage', outage)
      .set(this.keys.outageNoticed(pull), '1', 'EX', 15 * 60, 'NX')
      .exec()) as Array<[Error | null, unknown]>;
    return claimed[1] === 'OK';
  }

  async releaseOutageNotice(pull: PullRef): Promise<void> {
    await this.r.del(this.keys.outageNoticed(pull));
  }

  async requestStop(pull: PullRef): Promise<void> {
    await this.r.hset(this.keys.record(pull), 'stop', '1');
  }

  /**
   * The planned chats: one entry per job (chat id → name), and `>`-prefixed entries for the other chats a job reads
   * (an @lid → the job's chat), so the live relay's fence finds them.
   */
  async setChats(pull: PullRef, chats: Array<{ id: string; chatIds?: readonly string[]; name?: string | null }>): Promise<void> {
    const multi = this.r.multi().hset(this.keys.record(pull), 'chatsTotal', chats.length).del(this.keys.chats(pull));
    const entries: Array<[string, string]> = [];
    for (const chat of chats) {
      entries.push([chat.id, chat.name ?? '']);
      for (const other of chat.chatIds ?? []) if (other !== chat.id) entries.push([`${ALIAS}${other}`, chat.id]);
    }
    if (entries.length > 0) multi.hset(this.keys.chats(pull), Object.fromEntries(entries));
    await multi.exec();
  }

  /** The job's chat that reads `chatId` (itself, or the chat it is an alias of), if the pull planned it. */
  async plannedAs(pull: PullRef, chatId: string): Promise<string | undefined> {
    const [own, alias] = await this.r.hmget(this.keys.chats(pull), chatId, `${ALIAS}${chatId}`);
    if (own !== null) return chatId;
    return alias ?? undefined;
  }

  async chatName(pull: PullRef, chatId: string): Promise<string | undefined> {
    return (await this.r.hget(this.keys.chats(pull), chatId)) || undefined;
  }

  async chatIds(pull: PullRef): Promise<string[]> {
    return (await this.r.hkeys(this.keys.chats(pull))).filter((id) => !id.startsWith(ALIAS));
  }

  async conversations(pull: PullRef): Promise<number[]> {
    return (await this.r.smembers(this.keys.conversations(pull))).map(Number).filter((n) => n > 0);
  }

  async failures(pull: PullRef, limit = 20): Promise<{ items: string[]; total: number }> {
    const [items, total] = await Promise.all([this.r.lrange(this.keys.failures(pull), 0, limit - 1), this.r.llen(this.keys.failures(pull))]);
    return { items, total };
  }

  /** True when this caller won the right to post the progress report at `mark` processed messages. */
  async claimReport(pull: PullRef, mark: number): Promise<boolean> {
    return (await this.redis.run(CLAIM_REPORT, { record: this.keys.record(pull) }, { mark })) === 1;
  }
}
