/** Shared by the command suites: what the service keeps in Redis for pulls, the live queues, replies to a command. */
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import type { PullOptions } from '../../src/pull/pull-options';
import { allKeys } from '../../src/redis/redis-connection';
import { Harness } from './harness';

/** The pull record (`<prefix>:{<appId>}:pull:<id>`) as stored: strings, with `options` and `origin` decoded. */
export interface StoredPull {
  id: string;
  state: string;
  scope: string;
  options: PullOptions;
  origin: { appId: string; conversationId: number; messageId: number; commandsChat: boolean; contactChatIds: string[] };
  from: number;
  to: number;
  chatsTotal: number;
  chatsDone: number;
  created: number;
  exists: number;
  ignored: number;
  failed: number;
  processed: number;
  stop: boolean;
}

/** Pull ids look like `<typedAt base36>-<6 hex>`; other keys under `<prefix>:{<appId>}:pull:` belong to a pull (slot, chats, checkpoints). */
const PULL_ID = /^[0-9a-z]+-[0-9a-f]{6}$/;

function decode(raw: Record<string, string>): StoredPull {
  const n = (key: string): number => Number(raw[key] ?? 0);
  return {
    id: raw.id,
    state: raw.state,
    scope: raw.scope,
    options: JSON.parse(raw.options ?? '{}') as PullOptions,
    origin: JSON.parse(raw.origin ?? '{}') as StoredPull['origin'],
    from: n('from'),
    to: n('to'),
    chatsTotal: n('chatsTotal'),
    chatsDone: n('chatsDone'),
    created: n('created'),
    exists: n('exists'),
    ignored: n('ignored'),
    failed: n('failed'),
    processed: n('processed'),
    stop: raw.stop === '1',
  };
}

export async function pullRecord(h: Harness, id: string): Promise<StoredPull | undefined> {
  return h.redis(async (r) => {
    const raw = await r.hgetall(h.key('pull', id));
    return raw.id ? decode(raw) : undefined;
  });
}

/** Every pull record of the namespace, oldest first. */
export async function pullRecords(h: Harness): Promise<StoredPull[]> {
  return h.redis(async (r) => {
    const ids = (await allKeys(r, h.key('pull', '*')))
      .map((key) => key.slice(h.key('pull', '').length))
      .filter((id) => PULL_ID.test(id));
    const records: StoredPull[] = [];
    for (const id of ids) {
      const raw = await r.hgetall(h.key('pull', id));
      if (raw.id) records.push(decode(raw));
    }
    return records.sort((a, b) => a.id.localeCompare(b.id));
  });
}

/** The app's running pull (`<prefix>:{<appId>}:pull:active`), or null. */
export async function activePullId(h: Harness): Promise<string | null> {
  return h.redis((r) => r.get(h.key('pull', 'active')));
}

/** The app's latest pull (`<prefix>:{<appId>}:pull:last`), or null. */
export async function lastPullId(h: Harness): Promise<string | null> {
  return h.redis((r) => r.get(h.key('pull', 'last')));
}

/** BullMQ keys of pull jobs of a kind (`plan`, `chat`, `finish`): `<prefix>:pull:<kind>~…`. */
export async function pullJobKeys(h: Harness, kind: 'plan' | 'chat' | 'finish'): Promise<string[]> {
  return h.redis((r) => allKeys(r, `${h.prefix}:pull:${kind}~*`));
}

/** Runs `fn` with a BullMQ handle on one of the service's queues (same Redis, same prefix). */
export async function withQueue<T>(h: Harness, name: string, fn: (queue: Queue) => Promise<T>): Promise<T> {
  const connection = new Redis(h.redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue(name, { connection, prefix: h.prefix });
  try {
    return await fn(queue);
  } finally {
    await queue.close();
    connection.disconnect();
  }
}

export interface Reply {
  id: number;
  content: string;
  message_type: number;
  private: boolean;
}

/** The service's answers to one command: the messages that name it in `content_attributes.in_reply_to`. */
export function repliesTo(h: Harness, messageId: number, conversationId = h.integrationConversationId): Reply[] {
  return h.cw
    .messages(conversationId)
    .filter((m) => m.content_attributes.in_reply_to === messageId)
    .map((m) => ({ id: m.id, content: m.content ?? '', message_type: m.message_type, private: m.private }));
}

/** Activity messages (message_type 2) posted into a conversation after a message. */
export function activitiesAfter(h: Harness, messageId: number, conversationId = h.integrationConversationId): string[] {
  return h.cw
    .messages(conversationId)
    .filter((m) => m.id > messageId && m.message_type === 2)
    .map((m) => m.content ?? '');
}

/** HTTP status of `GET /health` of the first service process (0 when it does not answer). */
export async function healthStatus(h: Harness): Promise<number> {
  try {
    const response = await fetch(`${h.url}/health`, { signal: AbortSignal.timeout(5_000) });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 0;
  }
}
