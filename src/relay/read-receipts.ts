/**
 * WhatsApp read receipts → ChatWoot (the app setting `CHATWOOT_MARK_AS_READ`, on by default).
 *
 * When a contact reads or plays a message the account sent in a one-to-one chat, WAHA sends `message.ack` with
 * ack READ (3) or PLAYED (4). If that message is in the ledger (an agent reply sent through the bridge, or a phone
 * message imported live or by a pull), its conversation is marked seen by the contact through ChatWoot's Client
 * API `update_last_seen`, which turns the agent's messages until then to "read" for the agents. Group receipts,
 * acks of the contact's own messages and DEVICE/SERVER acks change nothing.
 *
 * A receipt travels in its chat's lane, after the message it acknowledges, so the ledger already knows it. It is
 * worth little next to the chat's messages behind it: a failing ChatWoot gets a few tries, then a warning in the
 * log, and the lane goes on.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { AppContext } from '../apps/apps.service';
import { isUpstreamError } from '../clients/http/http-error';
import { retry } from '../common/backoff';
import { chatIdOf, chatKind, parseMessageId } from '../common/jids';
import { ConversationResolver } from '../conversations/conversation-resolver';
import { MessageLedger } from '../conversations/message-ledger.repository';
import { PersonResolver } from '../conversations/person-resolver';
import { LOGGER } from '../logging/logger';
import { RedisService } from '../redis/redis.service';
import { RelayKeys } from './relay.keys';

export interface ReadReceipt {
  chatId: string;
  /** The bare WhatsApp id of the message that was read (the ledger's key). */
  waId: string;
  ack: number;
}

/** WAHA's ack values: -1 ERROR, 0 PENDING, 1 SERVER, 2 DEVICE, 3 READ, 4 PLAYED. */
const READ_ACKS: Record<string, number> = { READ: 3, PLAYED: 4 };

/** The read receipt a `message.ack` payload stands for, or null when it is not one ChatWoot should show. */
export function readReceiptOf(payload: unknown): ReadReceipt | null {
  if (!payload || typeof payload !== 'object') return null;
  const p = payload as { id?: unknown; from?: unknown; to?: unknown; fromMe?: unknown; ack?: unknown; ackName?: unknown };
  if (typeof p.id !== 'string') return null;
  const parsed = parseMessageId(p.id);
  const fromMe = typeof p.fromMe === 'boolean' ? p.fromMe : parsed.fromMe;
  if (!fromMe) return null;
  const ack = typeof p.ack === 'number' ? p.ack : typeof p.ackName === 'string' ? READ_ACKS[p.ackName] : undefined;
  if (ack !== 3 && ack !== 4) return null;
  const chatId = chatIdOf({
    id: p.id,
    from: typeof p.from === 'string' ? p.from : undefined,
    to: typeof p.to === 'string' ? p.to : null,
    fromMe: true,
  });
  if (!chatId || chatKind(chatId) !== 'dm') return null;
  return { chatId, waId: parsed.waId, ack };
}

/** A receipt is worth little next to the chat's messages behind it: three tries, 1 s then 2 s apart. */
const TRIES = 3;
const RECEIPT_BACKOFF = { baseMs: 1000, maxMs: 2000 };

@Injectable()
export class ReadReceipts {
  private readonly keys: RelayKeys;

  constructor(
    private readonly redis: RedisService,
    private readonly persons: PersonResolver,
    private readonly ledger: MessageLedger,
    private readonly contacts: ConversationResolver,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.keys = new RelayKeys(redis);
  }

  async apply(app: AppContext, receipt: ReadReceipt): Promise<void> {
    const appId = app.config.id;
    const identity = await this.persons.identity(app, receipt.chatId);
    const hit = (await this.ledger.lookup(appId, identity, [receipt.waId])).get(receipt.waId);
    // Not in the ledger: older than anything bridged, or sent elsewhere and not imported. Nothing to mark.
    if (!hit) return;
    const conversation = hit.conversationId;
    const marked = Number((await this.redis.client.hget(this.keys.readMarked(appId), String(conversation))) ?? 0);
    // WhatsApp acks every message it shows as read; one update_last_seen covers all of them up to now.
    if (marked >= hit.messageId) return;
    try {
      const sourceId = await retry(() => this.mark(app, conversation), {
        attempts: TRIES,
        policy: RECEIPT_BACKOFF,
        retryable: (error) => isUpstreamError(error) && error.transient,
      });
      if (!sourceId) {
        this.logger.warn({ chatId: receipt.chatId, conversationId: conversation }, 'read receipt: the contact has no inbox entry for this conversation');
        return;
      }
      await this.redis.client.hset(this.keys.readMarked(appId), String(conversation), String(hit.messageId));
      this.logger.debug({ chatId: receipt.chatId, conversationId: conversation }, 'conversation marked read by the contact');
    } catch (error) {
      this.logger.warn({ err: error, chatId: receipt.chatId, conversationId: conversation }, 'read receipt not passed on to ChatWoot');
    }
  }

  /** Calls update_last_seen with the conversation's contact inbox; undefined when none of the candidates fits. */
  private async mark(app: AppContext, conversationId: number): Promise<string | undefined> {
    for (const sourceId of await this.contacts.sourceIdsOf(app, conversationId)) {
      try {
        await app.chatwoot.markSeenByContact(sourceId, conversationId);
        await this.contacts.rememberSource(app.config.id, conversationId, sourceId);
        return sourceId;
      } catch (error) {
        // Another contact inbox of the same contact (or one deleted since): try the next.
        if (!isUpstreamError(error, 'not-found')) throw error;
      }
    }
    // None fits: a remembered one is stale, so the next receipt looks the contact up again.
    await this.contacts.forgetSource(app.config.id, conversationId);
    return undefined;
  }
}
