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
import type { ChainableCommander } from 'ioredis';
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

  /** Queues the entry's writes into a caller's transaction (a pull commits it with its counters and checkpoint). */
  stage(tx: ChainableCommander, appId: string, identity: ChatIdentity, entry: LedgerEntry): void {
    tx.hset(this.keys.ledger(appId, identity.person), entry.waId, `${entry.conversationId}:${entry.messageId}`);
    tx.hset(this.keys.ledgerReverse(appId), String(entry.messageId), entry.fullId);
  }

  async record(appId: string, identity: ChatIdentity, entry: LedgerEntry): Promise<void> {
    const tx = this.redis.client.multi();
    this.stage(tx, appId, identity, entry);
    await tx.exec();
  }

  /** The serialized WhatsApp id a ChatWoot message stands for, if the bridge imported or sent it. */
  async whatsappIdOf(appId: string, cwMessageId: number): Promise<string | undefined> {
    return (await this.redis.client.hget(this.keys.ledgerReverse(appId), String(cwMessageId))) ?? undefined;
  }
}
