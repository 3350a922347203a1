/**
 * Everything a pull keeps in Redis, and the atomic steps that change it.
 *
 * - `pull:active:{app}`: the running pull of an app (one at a time); `pull:last:{app}`: the latest one.
 * - `pull:{id}`: the pull record (state, window, options, live counters, first/last message time).
 * - `pull:{id}:chat:{chatId}`: a chat's checkpoint (page offset, index in page, message in flight, conversation).
 * - `ledger:{app}`: WhatsApp message id → ChatWoot `conversation:message`, never expiring. The history pull and
 *   the live relay both write it; it is what makes imports exactly-once.
 *
 * A message's outcome, the ledger, the counters and the checkpoint change in one Lua script, so a retried or
 * restarted job neither counts twice nor skips.
 */
import { DELETE_IF_EQUAL, RedisService, Script } from '../redis/redis.service';
import type { PullOptions } from '../commands/grammar/command.types';
import type { CommandOrigin } from '../queue/queue.constants';

export type PullState = 'planning' | 'running' | 'stopping' | 'finishing' | 'completed' | 'stopped' | 'failed';
export type Outcome = 'created' | 'exists' | 'ignored' | 'failed';

export interface PullRecord {
  id: string;
  appId: string;
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
  first: number;
  last: number;
  stop: boolean;
  pausedQueues: boolean;
  resolved: number;
  resolveErrors: number;
  error: string;
  lastReported: number;
}

export interface ChatCheckpoint {
  pageOffset: number;
  pageIndex: number;
  pending: string;
  pendingAt: number;
  conversationId: number;
  lastCwId: number;
  state: string;
  created: number;
}

const COMMIT = new Script(`
local outcome = ARGV[1]
if outcome == 'created' then
  redis.call('HSET', KEYS[3], ARGV[2], ARGV[3])
  redis.call('SADD', KEYS[4], ARGV[4])
  redis.call('HSET', KEYS[2], 'lastCwId', ARGV[9])
  redis.call('HINCRBY', KEYS[2], 'created', 1)
  redis.call('HSET', KEYS[6], ARGV[9], ARGV[10])
elseif outcome == 'failed' then
  redis.call('RPUSH', KEYS[5], ARGV[8])
end
redis.call('HINCRBY', KEYS[1], outcome, 1)
local processed = redis.call('HINCRBY', KEYS[1], 'processed', 1)
redis.call('HSET', KEYS[2], 'pageOffset', ARGV[6], 'pageIndex', ARGV[7], 'pending', '')
if outcome ~= 'ignored' then
  local ts = tonumber(ARGV[5])
  local first = tonumber(redis.call('HGET', KEYS[1], 'first') or '0')
  if first == 0 or ts < first then redis.call('HSET', KEYS[1], 'first', ts) end
  local last = tonumber(redis.call('HGET', KEYS[1], 'last') or '0')
  if ts > last then redis.call('HSET', KEYS[1], 'last', ts) end
end
return {processed, redis.call('HGET', KEYS[1], 'stop') or '0'}
`);

/** Marks a chat finished once; the call that finishes the last chat learns it (returns 1). */
const CHAT_DONE = new Script(`
if redis.call('HGET', KEYS[2], 'state') == 'done' or redis.call('HGET', KEYS[2], 'state') == 'failed' or redis.call('HGET', KEYS[2], 'state') == 'stopped' then
  return 0
end
redis.call('HSET', KEYS[2], 'state', ARGV[1])
if ARGV[1] == 'failed' then redis.call('HINCRBY', KEYS[1], 'chatsFailed', 1) end
local done = redis.call('HINCRBY', KEYS[1], 'chatsDone', 1)
local total = tonumber(redis.call('HGET', KEYS[1], 'chatsTotal') or '0')
if done >= total then return 1 end
return 0
`);

const CLAIM_REPORT = new Script(
  "local v = tonumber(redis.call('HGET', KEYS[1], 'lastReported') or '0') if v < tonumber(ARGV[1]) then redis.call('HSET', KEYS[1], 'lastReported', ARGV[1]) return 1 end return 0",
);

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

export class PullStore {
  constructor(readonly redis: RedisService) {}

  private get r() {
    return this.redis.client;
  }

  key(id: string, ...rest: string[]): string {
    return this.redis.key('pull', id, ...rest);
  }

  activeKey(appId: string): string {
    return this.redis.key('pull', 'active', appId);
  }

  ledgerKey(appId: string): string {
    return this.redis.key('ledger', appId);
  }

  /** ChatWoot message id → serialized WhatsApp message id, for quoting replies sent from ChatWoot. */
  reverseKey(appId: string): string {
    return this.redis.key('ledger-rev', appId);
  }

  async whatsappIdOf(appId: string, cwMessageId: number): Promise<string | undefined> {
    return (await this.r.hget(this.reverseKey(appId), String(cwMessageId))) ?? undefined;
  }

  /** Claims the app's single pull slot; returns the id of the pull holding it when taken. */
  async claim(appId: string, id: string): Promise<string | undefined> {
    for (let i = 0; i < 3; i++) {
      if (await this.r.set(this.activeKey(appId), id, 'NX')) return undefined;
      const holder = await this.r.get(this.activeKey(appId));
      if (!holder) continue;
      const record = await this.get(holder);
      // A slot held by a pull that already ended (a crash between its last step and the release) is free.
      if (record && !['completed', 'stopped', 'failed'].includes(record.state)) return holder;
      await this.redis.run(DELETE_IF_EQUAL, [this.activeKey(appId)], [holder]);
    }
    return (await this.r.get(this.activeKey(appId))) ?? undefined;
  }

  async release(appId: string, id: string): Promise<void> {
    await this.redis.run(DELETE_IF_EQUAL, [this.activeKey(appId)], [id]);
  }

  async create(record: PullRecord): Promise<void> {
    const fields: Record<string, string> = {};
    for (const [k, v] of Object.entries(record)) {
      fields[k] = typeof v === 'object' ? JSON.stringify(v) : String(v === true ? 1 : v === false ? 0 : v);
    }
    await this.r.multi().hset(this.key(record.id), fields).set(this.redis.key('pull', 'last', record.appId), record.id).exec();
  }

  async get(id: string): Promise<PullRecord | undefined> {
    const raw = await this.r.hgetall(this.key(id));
    if (!raw.id) return undefined;
    const record: Record<string, unknown> = { ...raw };
    for (const k of NUMERIC) record[k] = Number(raw[k] ?? 0);
    record.stop = raw.stop === '1';
    record.pausedQueues = raw.pausedQueues === '1';
    record.origin = JSON.parse(raw.origin ?? '{}');
    record.options = JSON.parse(raw.options ?? '{}');
    return record as unknown as PullRecord;
  }

  async latest(appId: string): Promise<PullRecord | undefined> {
    const active = await this.r.get(this.activeKey(appId));
    const id = active ?? (await this.r.get(this.redis.key('pull', 'last', appId)));
    return id ? this.get(id) : undefined;
  }

  async set(id: string, fields: Partial<Record<keyof PullRecord, string | number>>): Promise<void> {
    await this.r.hset(this.key(id), fields as Record<string, string | number>);
  }

  async setChats(id: string, chats: Array<{ id: string; name?: string | null }>): Promise<void> {
    const multi = this.r.multi().hset(this.key(id), 'chatsTotal', chats.length).del(this.key(id, 'chats'));
    if (chats.length > 0) {
      multi.hset(this.key(id, 'chats'), Object.fromEntries(chats.map((c) => [c.id, c.name ?? ''])));
    }
    await multi.exec();
  }

  async chatName(id: string, chatId: string): Promise<string | undefined> {
    return (await this.r.hget(this.key(id, 'chats'), chatId)) || undefined;
  }

  async checkpoint(id: string, chatId: string): Promise<ChatCheckpoint> {
    const raw = await this.r.hgetall(this.key(id, 'chat', chatId));
    return {
      pageOffset: Number(raw.pageOffset ?? 0),
      pageIndex: Number(raw.pageIndex ?? 0),
      pending: raw.pending ?? '',
      pendingAt: Number(raw.pendingAt ?? 0),
      conversationId: Number(raw.conversationId ?? 0),
      lastCwId: Number(raw.lastCwId ?? 0),
      state: raw.state ?? '',
      created: Number(raw.created ?? 0),
    };
  }

  async setCheckpoint(id: string, chatId: string, fields: Partial<Record<keyof ChatCheckpoint, string | number>>): Promise<void> {
    await this.r.hset(this.key(id, 'chat', chatId), fields as Record<string, string | number>);
  }

  async ledgerLookup(appId: string, waIds: string[]): Promise<Map<string, { conversationId: number; messageId: number }>> {
    const result = new Map<string, { conversationId: number; messageId: number }>();
    if (waIds.length === 0) return result;
    const values = await this.r.hmget(this.ledgerKey(appId), ...waIds);
    values.forEach((value, i) => {
      if (!value) return;
      const [conversationId, messageId] = value.split(':').map(Number);
      result.set(waIds[i], { conversationId, messageId });
    });
    return result;
  }

  async ledgerWrite(appId: string, fullId: string, waId: string, conversationId: number, messageId: number): Promise<void> {
    await this.r
      .multi()
      .hset(this.ledgerKey(appId), waId, `${conversationId}:${messageId}`)
      .hset(this.reverseKey(appId), String(messageId), fullId)
      .exec();
  }

  async commit(
    record: { id: string; appId: string },
    chatId: string,
    outcome: Outcome,
    args: {
      waId: string;
      fullId?: string;
      timestamp: number;
      nextOffset: number;
      nextIndex: number;
      conversationId?: number;
      cwMessageId?: number;
      failure?: string;
    },
  ): Promise<{ processed: number; stop: boolean }> {
    const [processed, stop] = (await this.redis.run(
      COMMIT,
      [
        this.key(record.id),
        this.key(record.id, 'chat', chatId),
        this.ledgerKey(record.appId),
        this.key(record.id, 'convs'),
        this.key(record.id, 'failures'),
        this.reverseKey(record.appId),
      ],
      [
        outcome,
        args.waId,
        `${args.conversationId ?? 0}:${args.cwMessageId ?? 0}`,
        String(args.conversationId ?? 0),
        String(args.timestamp),
        String(args.nextOffset),
        String(args.nextIndex),
        args.failure ?? '',
        String(args.cwMessageId ?? 0),
        args.fullId ?? args.waId,
      ],
    )) as [number, string];
    return { processed, stop: stop === '1' };
  }

  /** Returns true when this call finished the pull's last chat. */
  async chatDone(id: string, chatId: string, state: 'done' | 'failed' | 'stopped'): Promise<boolean> {
    return (await this.redis.run(CHAT_DONE, [this.key(id), this.key(id, 'chat', chatId)], [state])) === 1;
  }

  async chatStates(id: string): Promise<Map<string, string>> {
    const chats = await this.r.hkeys(this.key(id, 'chats'));
    const states = new Map<string, string>();
    for (const chatId of chats) states.set(chatId, (await this.r.hget(this.key(id, 'chat', chatId), 'state')) ?? '');
    return states;
  }

  async conversations(id: string): Promise<number[]> {
    return (await this.r.smembers(this.key(id, 'convs'))).map(Number).filter((n) => n > 0);
  }

  async failures(id: string, limit = 20): Promise<{ items: string[]; total: number }> {
    const [items, total] = await Promise.all([this.r.lrange(this.key(id, 'failures'), 0, limit - 1), this.r.llen(this.key(id, 'failures'))]);
    return { items, total };
  }

  async requestStop(id: string): Promise<void> {
    await this.r.hset(this.key(id), 'stop', '1');
  }

  /** Sets lastReported to `mark` if it was below it; true when this caller won the right to report. */
  async claimReport(id: string, mark: number): Promise<boolean> {
    const won = await this.redis.run(CLAIM_REPORT, [this.key(id)], [String(mark)]);
    return won === 1;
  }
}
