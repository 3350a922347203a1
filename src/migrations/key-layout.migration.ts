/**
 * Upgrades a Redis written by the first releases (key layout 1) to layout 2, in place, once.
 *
 * Layout 1 kept every family under `<prefix>:<family>:<appId>…` (and pulls under `<prefix>:pull:<id>`), so one app's
 * keys spread over every Redis Cluster slot, and it keyed the ledger by the bare WhatsApp message id for the whole
 * app. Layout 2 puts everything of one app under the hash tag `{<appId>}` and keys the ledger by person (see
 * conversations/conversations.keys.ts, pull/pull.keys.ts, relay/relay.keys.ts).
 *
 * Every step is idempotent and the old keys go last, so a migration cut short runs again from the start and ends
 * the same. Run it with every process of the old release stopped: the first process of the new release does it
 * (under a lock) before any worker starts; the others wait for it. BullMQ's own keys do not change.
 */
import type { Logger } from 'pino';
import { chatKind, parseMessageId, phoneDigits, publicJid } from '../common/jids';
import { ConversationKeys } from '../conversations/conversations.keys';
import { PullKeys } from '../pull/pull.keys';
import { RelayKeys, laneId, type LaneId } from '../relay/relay.keys';
import { QueueName } from '../queue/queue.constants';
import { allKeys, keyHolders, type RedisClient } from '../redis/redis-connection';
import { RedisService } from '../redis/redis.service';
import { agentMessageOf } from '../webhooks/chatwoot-webhook.mapper';
import type { ChatwootWebhookBody } from '../webhooks/chatwoot-webhook.types';

export const CURRENT_LAYOUT = 2;

/** Pull ids: `<typed-at base 36>-<6 hex>` (BullMQ's own `pull` queue keys share the `<prefix>:pull:` space). */
const PULL_ID = /^[0-9a-z]+-[0-9a-f]{6}$/;
const BATCH = 1000;

export interface MigrationReport {
  apps: string[];
  ledgerEntries: number;
  /** Ledger entries whose chat could not be told (no reverse entry, unknown conversation): kept aside, unread. */
  unplaced: number;
  pulls: number;
  lanes: number;
  keysMoved: number;
}

async function hscanAll(redis: RedisClient, key: string, each: (entries: Array<[string, string]>) => Promise<void>): Promise<void> {
  let cursor = '0';
  do {
    const [next, flat] = await redis.hscan(key, cursor, 'COUNT', BATCH);
    cursor = next;
    const entries: Array<[string, string]> = [];
    for (let i = 0; i < flat.length; i += 2) entries.push([flat[i], flat[i + 1]]);
    if (entries.length > 0) await each(entries);
  } while (cursor !== '0');
}

export class KeyLayoutMigration {
  private readonly r: RedisClient;
  private readonly p: string;
  private readonly conversations: ConversationKeys;
  private readonly pulls: PullKeys;
  private readonly relay: RelayKeys;
  private moved = 0;

  constructor(
    private readonly redis: RedisService,
    private readonly logger: Logger,
  ) {
    this.r = redis.client;
    this.p = redis.prefix;
    this.conversations = new ConversationKeys(redis);
    this.pulls = new PullKeys(redis);
    this.relay = new RelayKeys(redis);
  }

  versionKey(): string {
    return this.redis.globalKey('layout');
  }

  async version(): Promise<number> {
    return Number((await this.r.get(this.versionKey())) ?? 0);
  }

  /** Apps that have layout-1 keys. */
  async legacyApps(): Promise<string[]> {
    const apps = new Set<string>();
    const families = ['ledger', 'ledger-rev', 'convmap', 'conv-source', 'read-marked', 'integration'];
    for (const family of families) {
      for (const key of await allKeys(this.r, `${this.p}:${family}:*`)) apps.add(key.slice(`${this.p}:${family}:`.length));
    }
    for (const key of await allKeys(this.r, `${this.p}:pull:active:*`)) apps.add(key.slice(`${this.p}:pull:active:`.length));
    for (const key of await allKeys(this.r, `${this.p}:pull:last:*`)) apps.add(key.slice(`${this.p}:pull:last:`.length));
    return [...apps].filter((app) => /^[A-Za-z0-9_.-]{1,64}$/.test(app)).sort();
  }

  async run(): Promise<MigrationReport> {
    const apps = await this.legacyApps();
    if (apps.length > 0 && (await keyHolders(this.r)).length > 1) {
      // Layout 1 never ran on a cluster (its scripts crossed slots); its keys can only come from a copied dump.
      throw new Error(`Redis holds keys of the first releases' layout (apps ${apps.join(', ')}): upgrade them on a single Redis first, then move to the cluster`);
    }
    const report: MigrationReport = { apps, ledgerEntries: 0, unplaced: 0, pulls: 0, lanes: 0, keysMoved: 0 };
    for (const app of apps) {
      const persons = await this.migratePersons(app);
      const ledger = await this.migrateLedger(app, persons);
      report.ledgerEntries += ledger.entries;
      report.unplaced += ledger.unplaced;
      await this.rename(`${this.p}:conv-source:${app}`, this.conversations.conversationSources(app));
      await this.rename(`${this.p}:read-marked:${app}`, this.relay.readMarked(app));
      await this.rename(`${this.p}:integration:${app}`, this.redis.appKey(app, 'integration'));
      await this.rename(`${this.p}:pull:active:${app}`, this.pulls.active(app));
      await this.rename(`${this.p}:pull:last:${app}`, this.pulls.last(app));
      for (const key of await allKeys(this.r, `${this.p}:seen:${app}:*`)) await this.rename(key, this.relay.seen(app, key.slice(`${this.p}:seen:${app}:`.length)));
      for (const key of await allKeys(this.r, `${this.p}:sent:${app}:*`)) {
        const [messageId, part] = key.slice(`${this.p}:sent:${app}:`.length).split(':');
        await this.rename(key, this.relay.sentPart(app, Number(messageId), Number(part)));
      }
      for (const key of await allKeys(this.r, `${this.p}:pull:live-${app}:chat:*`)) {
        await this.rename(key, this.relay.liveCursor(app, key.slice(`${this.p}:pull:live-${app}:chat:`.length)));
      }
    }
    report.pulls = await this.migratePulls();
    report.lanes = await this.migrateLanes();
    await this.dropTransient();
    report.keysMoved = this.moved;
    return report;
  }

  /**
   * Persons from the old chat → conversation map: an `@lid` chat and a phone chat that resolved to one conversation
   * are one person. The map itself moves to `conversations` (person → conversation).
   */
  private async migratePersons(app: string): Promise<Map<string, string>> {
    const legacy = `${this.p}:convmap:${app}`;
    const chats = await this.r.hgetall(legacy);
    const phoneByConversation = new Map<string, string>();
    for (const [chat, conversation] of Object.entries(chats)) if (phoneDigits(chat)) phoneByConversation.set(conversation, publicJid(chat));
    const personOfChat = new Map<string, string>();
    const tx = this.r.multi();
    for (const [chat, conversation] of Object.entries(chats)) {
      const phone = phoneByConversation.get(conversation);
      const person = chat.endsWith('@lid') && phone ? phone : publicJid(chat);
      personOfChat.set(chat, person);
      if (person !== chat) tx.hset(this.conversations.persons(app), chat, person, person, chat);
      tx.hsetnx(this.conversations.conversations(app), person, conversation);
    }
    await tx.exec();
    await this.r.del(legacy);
    return personOfChat;
  }

  private async migrateLedger(app: string, personOfChat: Map<string, string>): Promise<{ entries: number; unplaced: number }> {
    const legacy = `${this.p}:ledger:${app}`;
    const legacyReverse = `${this.p}:ledger-rev:${app}`;
    const personOfConversation = new Map<string, string>();
    for (const [chat, person] of personOfChat) {
      const conversation = await this.r.hget(this.conversations.conversations(app), person);
      if (conversation && !personOfConversation.has(conversation)) personOfConversation.set(conversation, person);
      if (conversation && phoneDigits(chat)) personOfConversation.set(conversation, person);
    }
    let entries = 0;
    let unplaced = 0;
    await hscanAll(this.r, legacy, async (batch) => {
      const fullIds = await this.r.hmget(legacyReverse, ...batch.map(([, value]) => value.split(':')[1] ?? ''));
      const tx = this.r.multi();
      batch.forEach(([waId, value], i) => {
        const chat = fullIds[i] ? parseMessageId(fullIds[i]).chatId : '';
        const conversation = value.split(':')[0];
        let person = chat ? (personOfChat.get(publicJid(chat)) ?? publicJid(chat)) : personOfConversation.get(conversation);
        if (person && chatKind(person) === 'dm' && person.endsWith('@lid')) person = personOfChat.get(person) ?? person;
        if (!person) {
          unplaced++;
          person = '~unplaced';
        }
        tx.hset(this.conversations.ledger(app, person), waId, value);
        entries++;
      });
      await tx.exec();
    });
    // The reverse entries keep their shape: merged into the new hash (it may have been written already).
    await hscanAll(this.r, legacyReverse, async (batch) => {
      await this.r.hset(this.conversations.ledgerReverse(app), Object.fromEntries(batch));
    });
    await this.drop([legacy, legacyReverse]);
    if (unplaced > 0) this.logger.warn({ appId: app, unplaced }, 'layout migration: ledger entries without a known chat were kept aside');
    return { entries, unplaced };
  }

  /** Pull records and everything under them, and the pull that paused the queues. */
  private async migratePulls(): Promise<number> {
    let pulls = 0;
    const appOf = new Map<string, string>();
    const records = (await allKeys(this.r, `${this.p}:pull:*`)).filter((key) => PULL_ID.test(key.slice(`${this.p}:pull:`.length)));
    for (const key of records) {
      const id = key.slice(`${this.p}:pull:`.length);
      const appId = await this.r.hget(key, 'appId');
      if (!appId) continue;
      const pull = { appId, id };
      appOf.set(id, appId);
      for (const sub of await allKeys(this.r, `${key}:*`)) {
        const rest = sub.slice(key.length + 1);
        if (rest === 'chats') await this.rename(sub, this.pulls.chats(pull));
        else if (rest === 'convs') await this.rename(sub, this.pulls.conversations(pull));
        else if (rest === 'failures') await this.rename(sub, this.pulls.failures(pull));
        else if (rest === 'lease') await this.rename(sub, this.pulls.lease(pull));
        else if (rest.startsWith('chat:')) await this.rename(sub, this.pulls.checkpoint(pull, rest.slice('chat:'.length)));
      }
      await this.rename(key, this.pulls.record(pull));
      pulls++;
    }
    const legacyPausedBy = `${this.p}:queues:paused-by-pull`;
    const pausedBy = await this.r.get(legacyPausedBy);
    if (pausedBy) {
      const owner = appOf.get(pausedBy) ?? (await this.appOfPull(pausedBy));
      if (owner) await this.r.set(this.pulls.pausedBy(), `${owner}/${pausedBy}`);
      await this.r.del(legacyPausedBy);
    }
    return pulls;
  }

  private async appOfPull(id: string): Promise<string | undefined> {
    for (const key of await allKeys(this.r, `${this.p}:{*}:pull:${id}`)) {
      const appId = await this.r.hget(key, 'appId');
      if (appId) return appId;
    }
    return undefined;
  }

  /** Each queue's lanes: events move to the app's lane (agent messages mapped to our own type) and are woken up. */
  private async migrateLanes(): Promise<number> {
    let lanes = 0;
    for (const queue of [QueueName.Inbox, QueueName.WhatsApp]) {
      const legacyIndex = `${this.p}:lanes:${queue}`;
      const listed = new Set(await this.r.smembers(legacyIndex));
      for (const key of await allKeys(this.r, `${this.p}:lane:${queue}:*`)) listed.add(key.slice(`${this.p}:lane:${queue}:`.length));
      for (const old of listed) {
        const at = old.indexOf('|');
        if (at <= 0) continue;
        const lane: LaneId = laneId(old.slice(0, at), old.slice(at + 1));
        const legacyList = `${this.p}:lane:${queue}:${old}`;
        const events = await this.r.lrange(legacyList, 0, -1);
        if (events.length > 0) {
          const converted = queue === QueueName.Inbox ? events.map((raw) => this.convertInboxEvent(raw)) : events;
          const tx = this.r.multi();
          tx.del(this.relay.laneList(queue, lane));
          tx.rpush(this.relay.laneList(queue, lane), ...converted);
          tx.sadd(this.relay.laneIndex(queue), lane);
          tx.rpush(this.relay.readyLanes(queue), lane);
          await tx.exec();
          lanes++;
        }
        await this.r.del(legacyList);
      }
      await this.drop([legacyIndex, `${this.p}:lanes-ready:${queue}`, `${this.p}:lane-pending:${queue}`]);
    }
    return lanes;
  }

  private convertInboxEvent(raw: string): string {
    const event = JSON.parse(raw) as { kind?: string; body?: ChatwootWebhookBody; message?: unknown };
    if (event.kind !== 'agent-message' || !event.body) return raw;
    return JSON.stringify({ kind: 'agent-message', message: agentMessageOf(event.body) });
  }

  /** Locks, lane owners and wake-up flags of layout 1: short-lived, meaningless once their processes are gone. */
  private async dropTransient(): Promise<void> {
    const patterns = [`${this.p}:lock:*`, `${this.p}:lane-owner:*`, `${this.p}:lane-kicked:*`, `${this.p}:lane-seq`, `${this.p}:*:cw:*`];
    for (const pattern of patterns) {
      const keys = (await allKeys(this.r, pattern)).filter((key) => !key.includes('{'));
      for (let i = 0; i < keys.length; i += BATCH) await this.drop(keys.slice(i, i + BATCH));
    }
  }

  /** Moves a key, keeping its TTL; merges nothing (a key already moved is left as it is). */
  /** Deletes keys one command each (on a cluster, keys of different slots cannot share a DEL). */
  private async drop(keys: string[]): Promise<void> {
    await Promise.all(keys.map((key) => this.r.del(key)));
  }

  private async rename(from: string, to: string): Promise<void> {
    if (!(await this.r.exists(from))) return;
    if (await this.r.exists(to)) {
      await this.r.del(from);
      return;
    }
    await this.r.rename(from, to);
    this.moved++;
  }
}
