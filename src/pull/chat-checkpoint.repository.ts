/**
 * A chat's checkpoint within a pull, and the step that records one message's outcome.
 *
 * The outcome, the pull's counters, the checkpoint and (for a created message) the ledger entry change in one
 * script, so a retried or restarted job neither counts twice nor skips, in one round trip per message: the ledger
 * entry's keys, arguments and Lua come from the ledger's own repository (conversations/), the rest is below.
 */
import { Injectable } from '@nestjs/common';
import { ChatIdentity } from '../conversations/person-resolver';
import { LEDGER_WRITE_LUA, MessageLedger } from '../conversations/message-ledger.repository';
import { defineScript } from '../redis/redis-script';
import { RedisService } from '../redis/redis.service';
import { PullKeys, PullRef } from './pull.keys';
import { ChatState, isChatFinished } from './pull-state';
import { METRICS } from '../metrics/metrics';

export interface ChatCheckpoint {
  /** Every message older than this (unix seconds) is done… */
  cursorTs: number;
  /** …and of the messages at exactly `cursorTs`, these (serialized ids). */
  cursorIds: string[];
  conversationId: number;
  /** The last ChatWoot message this chat's import created (where a search for an unknown outcome starts). */
  lastCwId: number;
  state: ChatState;
  created: number;
  /** The post that may be under way (its source_id, and when it was sent), until the message is committed. */
  inflight?: { sourceId: string; since: number };
  /** Written by key layout 1 (page offsets): an interrupted message may have been posted, time unknown. */
  legacy: boolean;
}

export type Outcome = 'created' | 'exists' | 'ignored' | 'failed';

export interface CommitArgs {
  waId: string;
  /** Serialized WhatsApp id: the cursor's, and the ledger's reverse entry. */
  fullId: string;
  timestamp: number;
  conversationId?: number;
  cwMessageId?: number;
  /** `<message id>: <error>` for a failed message. */
  failure?: string;
}

/**
 * One message's outcome: counters, first/last message time, the checkpoint's cursor moved past it, and the
 * conversation (created) or the failure (failed) remembered. Returns {processed so far, '1' when a stop was
 * requested}.
 */
const COMMIT = defineScript({
  name: 'pull-commit',
  keys: ['record', 'checkpoint', 'convs', 'failures', 'ledger', 'ledgerRev'],
  args: ['outcome', 'conversationId', 'cwMessageId', 'timestamp', 'messageId', 'failure', 'ledgerField', 'ledgerValue', 'revField', 'revValue'],
  lua: `
if A.outcome == 'created' then
  ${LEDGER_WRITE_LUA.trim()}
  redis.call('SADD', K.convs, A.conversationId)
  redis.call('HSET', K.checkpoint, 'lastCwId', A.cwMessageId)
  redis.call('HINCRBY', K.checkpoint, 'created', 1)
elseif A.outcome == 'failed' then
  redis.call('RPUSH', K.failures, A.failure)
end
redis.call('HINCRBY', K.record, A.outcome, 1)
redis.call('HDEL', K.checkpoint, 'inflight', 'inflightAt')
local processed = redis.call('HINCRBY', K.record, 'processed', 1)
local ts = tonumber(A.timestamp)
local cursor = tonumber(redis.call('HGET', K.checkpoint, 'cursorTs') or '0')
if ts > cursor then
  redis.call('HSET', K.checkpoint, 'cursorTs', A.timestamp, 'cursorIds', A.messageId)
elseif ts == cursor then
  local ids = redis.call('HGET', K.checkpoint, 'cursorIds') or ''
  redis.call('HSET', K.checkpoint, 'cursorIds', ids == '' and A.messageId or (ids .. ' ' .. A.messageId))
end
if A.outcome ~= 'ignored' then
  local first = tonumber(redis.call('HGET', K.record, 'first') or '0')
  if first == 0 or ts < first then redis.call('HSET', K.record, 'first', ts) end
  local last = tonumber(redis.call('HGET', K.record, 'last') or '0')
  if ts > last then redis.call('HSET', K.record, 'last', ts) end
end
return {processed, redis.call('HGET', K.record, 'stop') or '0'}`,
});

/** Marks a chat finished once; returns 1 to the call that finished the pull's last chat. */
const CHAT_DONE = defineScript({
  name: 'pull-chat-done',
  keys: ['record', 'checkpoint'],
  args: ['state'],
  lua: `
local current = redis.call('HGET', K.checkpoint, 'state')
if current == 'done' or current == 'failed' or current == 'stopped' then return 0 end
redis.call('HSET', K.checkpoint, 'state', A.state)
if A.state == 'failed' then redis.call('HINCRBY', K.record, 'chatsFailed', 1) end
local done = redis.call('HINCRBY', K.record, 'chatsDone', 1)
local total = tonumber(redis.call('HGET', K.record, 'chatsTotal') or '0')
if done >= total then return 1 end
return 0`,
});

@Injectable()
export class ChatCheckpointRepository {
  private readonly keys: PullKeys;

  constructor(
    private readonly redis: RedisService,
    private readonly ledger: MessageLedger,
  ) {
    this.keys = new PullKeys(redis);
  }

  async get(pull: PullRef, chatId: string): Promise<ChatCheckpoint> {
    const raw = await this.redis.client.hgetall(this.keys.checkpoint(pull, chatId));
    return {
      cursorTs: Number(raw.cursorTs ?? 0),
      cursorIds: (raw.cursorIds ?? '').split(' ').filter(Boolean),
      conversationId: Number(raw.conversationId ?? 0),
      lastCwId: Number(raw.lastCwId ?? 0),
      state: (raw.state ?? '') as ChatState,
      created: Number(raw.created ?? 0),
      inflight: raw.inflight ? { sourceId: raw.inflight, since: Number(raw.inflightAt ?? 0) } : undefined,
      legacy: raw.pageOffset !== undefined && raw.cursorTs === undefined,
    };
  }

  async state(pull: PullRef, chatId: string): Promise<ChatState> {
    return ((await this.redis.client.hget(this.keys.checkpoint(pull, chatId), 'state')) ?? '') as ChatState;
  }

  /**
   * Marks a post as under way, before its request leaves (awaited: with auto-pipelining a command not awaited is
   * written a loop turn later, after an HTTP request queued meanwhile, and a process killed in between left a post
   * without its mark: the next run posted it again). The commit that follows clears it.
   */
  async markInflight(pull: PullRef, chatId: string, sourceId: string, at: number): Promise<void> {
    const checkpoint = this.keys.checkpoint(pull, chatId);
    await this.redis.client.hset(checkpoint, 'inflight', sourceId, 'inflightAt', at);
    // The mark must outlive a failover of this slot's master, or the next attempt would post the message again.
    await this.redis.replicated(checkpoint);
  }

  async set(pull: PullRef, chatId: string, fields: Partial<Record<'conversationId' | 'lastCwId', string | number>>): Promise<void> {
    await this.redis.client.hset(this.keys.checkpoint(pull, chatId), fields as Record<string, string | number>);
  }

  /** Records one message's outcome (see COMMIT); a created message's ledger entry is written in the same step. */
  async commit(pull: PullRef, chatId: string, identity: ChatIdentity, outcome: Outcome, args: CommitArgs): Promise<{ processed: number; stop: boolean }> {
    // The ledger keys are passed for every outcome (a script's keys are its declaration), written only for 'created'.
    const write = this.ledger.writeOf(pull.appId, identity, {
      waId: args.waId,
      fullId: args.fullId,
      conversationId: args.conversationId ?? 0,
      messageId: args.cwMessageId ?? 0,
    });
    const [processed, stop] = (await this.redis.run(
      COMMIT,
      {
        record: this.keys.record(pull),
        checkpoint: this.keys.checkpoint(pull, chatId),
        convs: this.keys.conversations(pull),
        failures: this.keys.failures(pull),
        ...write.keys,
      },
      {
        outcome,
        conversationId: args.conversationId ?? 0,
        cwMessageId: args.cwMessageId ?? 0,
        timestamp: args.timestamp,
        messageId: args.fullId,
        failure: args.failure ?? '',
        ...write.args,
      },
    )) as [number, string];
    METRICS.messages.inc({ app: pull.appId, direction: 'in', source: 'pull', outcome });
    return { processed, stop: stop === '1' };
  }

  /** Returns true when this call finished the pull's last chat. */
  async finish(pull: PullRef, chatId: string, state: Exclude<ChatState, ''>): Promise<boolean> {
    return (await this.redis.run(CHAT_DONE, { record: this.keys.record(pull), checkpoint: this.keys.checkpoint(pull, chatId) }, { state })) === 1;
  }

  /** The end state of each planned chat (empty while it runs). */
  async states(pull: PullRef, chatIds: string[]): Promise<Map<string, ChatState>> {
    const states = new Map<string, ChatState>();
    const values = await Promise.all(chatIds.map((chatId) => this.state(pull, chatId)));
    chatIds.forEach((chatId, i) => states.set(chatId, values[i]));
    return states;
  }

  async isFinished(pull: PullRef, chatId: string): Promise<boolean> {
    return isChatFinished(await this.state(pull, chatId));
  }
}
