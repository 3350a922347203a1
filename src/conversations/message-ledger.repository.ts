/**
 * The ledger: which WhatsApp message became which ChatWoot message, forever. It is what makes imports exactly-once
 * across pulls, the live relay, restarts and re-runs, and the only place that writes it is here.
 *
 * Forward entries are kept per person (see person-resolver.ts), never by the bare message id for the whole app:
 * ids are chosen by the sender's client, so the same id in another chat is another message. A lookup reads the
 * person's key and its aliases' keys. Reverse entries (ChatWoot message id → serialized WhatsApp id) let an agent's
 * reply quote the WhatsApp message it answers.
 */
import { Injectable } from '@nestjs/common';
import { defineScript } from '../redis/redis-script';
import { RedisService } from '../redis/redis.service';
import { ConversationKeys } from './conversations.keys';
import { ChatIdentity, identityKeys } from './person-resolver';

export interface LedgerHit {
  conversationId: number;
  messageId: number;
}

export interface LedgerEntry {
  /** The bare WhatsApp id (what replies and receipts reference). */
  waId: string;
  /** The serialized WhatsApp id (`true_<chat>_<id>`), what WAHA wants when quoting. */
  fullId: string;
  conversationId: number;
  messageId: number;
}

/**
 * Reverse entries are kept in hashes of REVERSE_BUCKET consecutive ChatWoot ids (`ledger-rev:<id / 100>`, field
 * `<id % 100>`): Redis keeps a hash that small as one listpack (below `hash-max-listpack-entries`, 128 in Redis's
 * default redis.conf), about half the memory of one big hash (ChatWoot ids are sequential, so the buckets fill
 * densely). The single hash of earlier versions (`ledger-rev`) is still read.
 */
const REVERSE_BUCKET = 100;

/** The writes of one ledger entry, as Lua inside a caller's script (keys `ledger`, `ledgerRev`; see `writeOf`). */
export const LEDGER_WRITE_LUA = `
redis.call('HSET', K.ledger, A.ledgerField, A.ledgerValue)
redis.call('HSET', K.ledgerRev, A.revField, A.revValue)`;

/** KEYS and ARGV of LEDGER_WRITE_LUA for one entry. */
export interface LedgerWrite {
  keys: { ledger: string; ledgerRev: string };
  args: { ledgerField: string; ledgerValue: string; revField: string; revValue: string };
}

const RECORD = defineScript({
  name: 'ledger-record',
  keys: ['ledger', 'ledgerRev'],
  args: ['ledgerField', 'ledgerValue', 'revField', 'revValue'],
  lua: LEDGER_WRITE_LUA,
});

function parseHit(value: string | null): LedgerHit | undefined {
  if (!value) return undefined;
  const [conversationId, messageId] = value.split(':').map(Number);
  return { conversationId, messageId };
}

@Injectable()
export class MessageLedger {
  private readonly keys: ConversationKeys;

  constructor(private readonly redis: RedisService) {
    this.keys = new ConversationKeys(redis);
  }

  /** The ChatWoot messages these WhatsApp ids became, for the ids already imported or relayed. */
  async lookup(appId: string, identity: ChatIdentity, waIds: string[]): Promise<Map<string, LedgerHit>> {
    const result = new Map<string, LedgerHit>();
    if (waIds.length === 0) return result;
    const answers = await Promise.all(identityKeys(identity).map((person) => this.redis.client.hmget(this.keys.ledger(appId, person), ...waIds)));
    waIds.forEach((waId, i) => {
      for (const values of answers) {
        const hit = parseHit(values[i]);
        if (hit) {
          result.set(waId, hit);
          return;
        }
      }
    });
    return result;
  }

  async has(appId: string, identity: ChatIdentity, waId: string): Promise<boolean> {
    return (await this.lookup(appId, identity, [waId])).has(waId);
  }

  /**
   * The keys and arguments that write this entry with LEDGER_WRITE_LUA, inside a caller's script (a pull commits it
   * with its counters and checkpoint in one step).
   */
  writeOf(appId: string, identity: ChatIdentity, entry: LedgerEntry): LedgerWrite {
    const reverse = this.reverseSlot(appId, entry.messageId);
    return {
      keys: { ledger: this.keys.ledger(appId, identity.person), ledgerRev: reverse.key },
      args: { ledgerField: entry.waId, ledgerValue: `${entry.conversationId}:${entry.messageId}`, revField: reverse.field, revValue: entry.fullId },
    };
  }

  async record(appId: string, identity: ChatIdentity, entry: LedgerEntry): Promise<void> {
    const write = this.writeOf(appId, identity, entry);
    await this.redis.run(RECORD, write.keys, write.args);
  }

  /**
   * A forward entry only: `key` (an update's key, see clients/waha/waha-updates.ts) is done, and `hit` is the
   * ChatWoot message it acted on (a deletion acts on the message's own copy, whose reverse entry stays as it is).
   */
  async recordForward(appId: string, identity: ChatIdentity, key: string, hit: LedgerHit): Promise<void> {
    await this.redis.client.hset(this.keys.ledger(appId, identity.person), key, `${hit.conversationId}:${hit.messageId}`);
  }

  /** The serialized WhatsApp id a ChatWoot message stands for, if the bridge imported or sent it. */
  async whatsappIdOf(appId: string, cwMessageId: number): Promise<string | undefined> {
    const reverse = this.reverseSlot(appId, cwMessageId);
    const bucketed = await this.redis.client.hget(reverse.key, reverse.field);
    return bucketed ?? (await this.redis.client.hget(this.keys.ledgerReverse(appId), String(cwMessageId))) ?? undefined;
  }

  /** Where a ChatWoot message's reverse entry lives: its bucket's key and its field there. */
  private reverseSlot(appId: string, cwMessageId: number): { key: string; field: string } {
    return { key: this.keys.ledgerReverse(appId, Math.floor(cwMessageId / REVERSE_BUCKET)), field: String(cwMessageId % REVERSE_BUCKET) };
  }
}
