/**
 * WhatsApp → ChatWoot, live. One lane per chat keeps WhatsApp's order; the ledger shared with the history pull
 * makes each message land once (WAHA retries webhooks; messages this bridge sent are already in the ledger). A
 * chat whose history pull is under way waits until its backfill is done (the chat fence).
 */
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { AppContext, AppsService } from '../apps/apps.service';
import { isRefusal, isUpstreamError } from '../clients/http/http-error';
import { isProtocolOnly, WhatsAppUpdate } from '../clients/waha/waha-updates';
import { excerptOf } from '../common/excerpt';
import { formatDuration } from '../common/durations';
import { chatIdOf, chatKind, parseMessageId } from '../common/jids';
import { sleep } from '../common/sleep';
import { SERVICE_CONFIG, ServiceConfig } from '../config/config';
import { TEXTS } from '../config/texts.provider';
import { CHAT_FENCE, ChatFence } from '../conversations/chat-fence';
import { ConversationResolver } from '../conversations/conversation-resolver';
import { ComposedMessage, MessageComposer } from '../conversations/message-composer';
import { LedgerHit, MessageLedger } from '../conversations/message-ledger.repository';
import { MessagePoster, PostTarget } from '../conversations/message-poster';
import { ChatIdentity, PersonResolver } from '../conversations/person-resolver';
import { renderDeletedNote, renderUpdate } from '../conversations/update-renderer';
import { IntegrationChatService } from '../integration-chat/integration-chat.service';
import { nextStep } from '../integration-chat/session-next';
import { LOGGER } from '../logging/logger';
import { METRICS } from '../metrics/metrics';
import { RedisService } from '../redis/redis.service';
import { Texts } from '../texts/texts';
import { LaneContext, LaneVerdict } from './lanes';
import { LiveCursorRepository } from './live-cursor.repository';
import { PendingSends } from './pending-sends';
import { RelayKeys } from './relay.keys';
import { ReadReceipts } from './read-receipts';
import { WhatsAppEvent } from './relay.types';

/** How long the mark on a ChatWoot message the bridge deleted is kept (its message_updated comes at once). */
const BRIDGE_DELETED_TTL_S = 2 * 86_400;

/** One thing the live relay posts into a chat's conversation. */
interface LiveItem {
  /** source_id of the ChatWoot message: what settles a post of unknown outcome. */
  sourceId: string;
  /** Its ledger key (a message's bare WhatsApp id, an update's key) and the WhatsApp id a reply to it quotes. */
  ledgerKey: string;
  fullId: string;
  /** The WhatsApp message it answers, if any. */
  replyToWaId?: string;
  timestamp: number;
  /** When its webhook arrived (ms), for the relay lag metric. */
  receivedAt?: number;
  compose: (inReplyTo: number | undefined, withDate: boolean) => Promise<ComposedMessage>;
}

/** Fresh messages get no date line; ones delivered late (WAHA retries, a paused queue) show when they were sent. */
const DATE_LINE_AFTER_S = 600;
/** Live messages: media always, 30 s per download; six refusals make a message fail, outages are waited out. */
const LIVE_ATTEMPTS = 6;
const LIVE_MEDIA_TIMEOUT_MS = 30_000;
/** How long one try of a live event waits out a failing ChatWoot before its lane tries again later. */
const LIVE_RETRY_IN_PLACE_MS = 20_000;
/** A message sent through WAHA may be this bridge's own reply: give the sender this long to record it. */
const OWN_SEND_POLLS = 15;
const OWN_SEND_POLL_MS = 200;

/** What an update that could not be copied was, for the agents' note. */
function updateExcerpt(update: WhatsAppUpdate): string {
  switch (update.kind) {
    case 'reaction':
      return `reaction ${update.emoji || '(removed)'}`;
    case 'edit':
      return `edit: ${update.body}`;
    case 'revoke':
      return 'a message deleted in WhatsApp';
    case 'poll-vote':
      return `poll vote: ${update.options.join(', ')}`;
    case 'call':
      return `${update.video ? 'video' : 'voice'} call ${update.status}`;
  }
}

@Injectable()
export class WhatsAppRelayService {
  private readonly keys: RelayKeys;

  constructor(
    private readonly apps: AppsService,
    private readonly integration: IntegrationChatService,
    private readonly persons: PersonResolver,
    private readonly resolver: ConversationResolver,
    private readonly ledger: MessageLedger,
    private readonly composer: MessageComposer,
    private readonly poster: MessagePoster,
    private readonly cursors: LiveCursorRepository,
    private readonly receipts: ReadReceipts,
    private readonly sends: PendingSends,
    private readonly redis: RedisService,
    @Inject(CHAT_FENCE) private readonly fence: ChatFence,
    @Inject(TEXTS) private readonly texts: Texts,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.keys = new RelayKeys(redis);
  }

  async handle(appId: string, event: WhatsAppEvent, lane: LaneContext): Promise<LaneVerdict> {
    const app = this.apps.get(appId);
    if (!app) return 'done';
    if (event.kind === 'session-status') {
      // What to do comes with it (a logged-out phone: pair it again with `session qr`), in the integration conversation,
      // where commands need no prefix.
      await this.integration.notify(app, this.texts.render('session.status', { session: event.session, status: event.status, next: nextStep(event.status, '', this.texts) }));
      return 'done';
    }
    if (event.kind === 'read') {
      // Behind a running backfill like the chat's messages: the message read may still be on its way in.
      if (await this.fence.isFenced(appId, event.receipt.chatId)) return 'wait';
      await this.receipts.apply(app, event.receipt);
      return 'done';
    }
    if (event.kind === 'update') {
      const { chatId } = event.update;
      if (!chatId || chatKind(chatId) === 'null') return 'done';
      // Behind a running backfill: the message it is about may still be on its way in.
      if (await this.fence.isFenced(appId, chatId)) return 'wait';
      await this.applyUpdate(app, event.update, lane, event.receivedAt);
      return 'done';
    }
    const message = event.message;
    const chatId = chatIdOf(message);
    if (!chatId || chatKind(chatId) === 'null' || isProtocolOnly(message)) return 'done';
    if (await this.fence.isFenced(appId, chatId)) return 'wait';
    const identity = await this.persons.identity(app, chatId);
    const { waId } = parseMessageId(message.id);
    if (await this.ledger.has(appId, identity, waId)) return 'done';
    if (message.fromMe) {
      // The echo of an agent reply whose send had no answer: it settles that send instead of being imported.
      if (await this.sends.settleByEcho(app, chatId, identity, message)) return 'done';
      if (message.source === 'api') {
        // Sent through WAHA, maybe by this bridge: give the sender a moment to record it in the ledger.
        for (let i = 0; i < OWN_SEND_POLLS; i++) {
          await sleep(OWN_SEND_POLL_MS, lane.signal);
          if (await this.ledger.has(appId, identity, waId)) return 'done';
        }
      }
    }
    const replyToWaId = message.replyTo?.id ? parseMessageId(message.replyTo.id).waId : undefined;
    await this.importLive(app, chatId, identity, lane, {
      sourceId: message.id,
      ledgerKey: waId,
      fullId: message.id,
      replyToWaId,
      timestamp: message.timestamp,
      receivedAt: event.receivedAt,
      compose: (inReplyTo, withDate) => this.composer.compose(app, chatId, message, { media: true, mediaTimeoutMs: LIVE_MEDIA_TIMEOUT_MS, inReplyTo, withDate, sourceId: message.id }),
    });
    return 'done';
  }

  /**
   * A reaction, edit, poll vote or call becomes a ChatWoot message (answering the message it is about); a deletion
   * deletes the ChatWoot copy. Each lands once: its key goes into the ledger like a message's id.
   */
  private async applyUpdate(app: AppContext, update: WhatsAppUpdate, lane: LaneContext, receivedAt: number): Promise<void> {
    const appId = app.config.id;
    const identity = await this.persons.identity(app, update.chatId);
    if (await this.ledger.has(appId, identity, update.key)) return;
    const target = 'targetWaId' in update ? (await this.ledger.lookup(appId, identity, [update.targetWaId])).get(update.targetWaId) : undefined;
    if (update.kind === 'revoke') {
      if (!target) {
        // Never copied into ChatWoot (or before the ledger knew it): nothing to delete.
        this.logger.info({ appId, chatId: update.chatId, waId: update.targetWaId }, 'a message deleted in WhatsApp is not in ChatWoot');
        return;
      }
      if (await this.deleteCopy(app, target)) {
        await this.ledger.recordForward(appId, identity, update.key, target);
        return;
      }
    }
    // What an agent's reply to this message quotes on WhatsApp: the message it is about.
    const fullId = target ? ((await this.ledger.whatsappIdOf(appId, target.messageId)) ?? '') : '';
    const sourceId = `${update.key}@${update.chatId}`;
    await this.importLive(app, update.chatId, identity, lane, {
      sourceId,
      ledgerKey: update.key,
      fullId,
      timestamp: update.timestamp,
      receivedAt,
      compose: async (_inReplyTo, withDate) => {
        const ctx = {
          chatKind: chatKind(update.chatId),
          participant: update.sender ? await this.composer.participantName(app, update.sender) : undefined,
          inReplyTo: target?.messageId,
          outgoingMode: app.config.chatwoot.outgoingMode,
          withDate,
          timeZone: this.config.tuning.timeZone,
          sourceId,
        };
        return { message: update.kind === 'revoke' ? renderDeletedNote(update, ctx, this.texts) : renderUpdate(update, ctx, this.texts), attachments: [] };
      },
    });
  }

  /**
   * Deletes the ChatWoot copy of a message deleted in WhatsApp. Marked first, so the `message_updated` this fires
   * is not taken for an agent deleting it (which would revoke it on WhatsApp). True when it is gone (or was already);
   * false when ChatWoot refuses (a bot token): the caller leaves a note instead. Outages are thrown (the lane waits).
   */
  private async deleteCopy(app: AppContext, target: LedgerHit): Promise<boolean> {
    await this.redis.client.set(this.keys.bridgeDeleted(app.config.id, target.messageId), '1', 'EX', BRIDGE_DELETED_TTL_S);
    // An agent message deleted on the phone (maybe one part of several): what else was sent of it stays on WhatsApp,
    // and no later update of the deleted copy may revoke it.
    await this.sends.forgetAllSent(app.config.id, target.messageId);
    try {
      await app.chatwoot.deleteMessage(target.conversationId, target.messageId);
      return true;
    } catch (error) {
      if (isUpstreamError(error, 'not-found')) return true;
      if (isRefusal(error)) {
        this.logger.warn({ err: error, appId: app.config.id, messageId: target.messageId }, 'ChatWoot refused to delete a message deleted in WhatsApp: leaving a note');
        return false;
      }
      throw error;
    }
  }

  /** A WhatsApp event failed for good: the agents learn what could not be copied, and how to try again. */
  async deadLettered(appId: string, event: WhatsAppEvent, error: unknown): Promise<void> {
    const app = this.apps.get(appId);
    if (!app || (event.kind !== 'message' && event.kind !== 'update')) {
      this.logger.warn({ appId, kind: event.kind, err: error }, 'live event dropped after failing for good');
      return;
    }
    METRICS.messages.inc({ app: appId, direction: 'in', source: 'live', outcome: 'failed' });
    const reason = error instanceof Error ? error.message : String(error);
    const excerpt = excerptOf(event.kind === 'message' ? event.message.body : updateExcerpt(event.update), 200) || undefined;
    const chatId = event.kind === 'message' ? chatIdOf(event.message) : event.update.chatId;
    const ttl = formatDuration(this.config.reliability.deadLetterTtlMs);
    // In the chat's conversation when it has one (where the agents look), else in the integration conversation.
    const conversationId = await this.conversationOf(app, chatId);
    if (conversationId) {
      const action = this.texts.render('relay.retryAction', { prefix: app.config.commandPrefix, queue: 'whatsapp', ttl });
      const posted = await app.chatwoot
        .createMessage(conversationId, { content: this.texts.render('relay.receiveFailed', { chat: chatId, reason, excerpt, action }), message_type: 'outgoing', private: true }, 'live')
        .then(() => true, () => false);
      if (posted) return;
    }
    const action = this.texts.render('relay.retryAction', { prefix: '', queue: 'whatsapp', ttl });
    await this.integration.notify(app, this.texts.render('relay.receiveFailed', { chat: chatId, reason, excerpt, action }));
  }

  private async conversationOf(app: AppContext, chatId: string): Promise<number | undefined> {
    try {
      const cached = await this.resolver.cached(app.config.id, await this.persons.identity(app, chatId));
      return cached || (await this.cursors.get(app.config.id, chatId)).conversationId || undefined;
    } catch {
      return undefined;
    }
  }

  private async importLive(app: AppContext, chatId: string, identity: ChatIdentity, lane: LaneContext, item: LiveItem): Promise<void> {
    const appId = app.config.id;
    let cursor = await this.cursors.get(appId, chatId);
    const cached = await this.resolver.cached(appId, identity);
    if (cached && cached !== cursor.conversationId) cursor = { ...cursor, conversationId: cached, lastCwId: 0 };
    if (!cursor.conversationId) {
      const resolved = await this.resolver.resolve(app, identity);
      cursor = { ...cursor, conversationId: resolved.conversationId };
      await this.cursors.set(appId, chatId, { conversationId: resolved.conversationId });
    }
    const replyTo = item.replyToWaId ? (await this.ledger.lookup(appId, identity, [item.replyToWaId])).get(item.replyToWaId) : undefined;
    const withDate = Date.now() / 1000 - item.timestamp > DATE_LINE_AFTER_S;
    const target: PostTarget = { conversationId: cursor.conversationId, lastCwId: cursor.lastCwId };
    const reliability = this.config.reliability;
    // Live events are handled one at a time per chat: the one in flight is marked, so a crash or a lost answer is
    // settled (looked for, once ChatWoot cannot still be working on it) before it is posted again.
    const created = await this.poster.post(app, target, () => item.compose(replyTo?.messageId, withDate), {
      sourceId: item.sourceId,
      attempts: LIVE_ATTEMPTS,
      // Longer outages are waited out by the lane, which tries the event again later until RETRY_WINDOW.
      retryWindowMs: Math.min(LIVE_RETRY_IN_PLACE_MS, reliability.retryWindowMs),
      graceMs: reliability.chatwootGraceMs,
      signal: lane.signal,
      earlier: cursor.pending === item.sourceId ? { since: cursor.pendingAt } : undefined,
      onConversationMissing: async () => {
        await this.resolver.forget(appId, identity);
        const resolved = await this.resolver.resolve(app, identity);
        await this.cursors.set(appId, chatId, { conversationId: resolved.conversationId, lastCwId: 0 });
        return resolved.conversationId;
      },
      onSend: (sentAt) => this.cursors.set(appId, chatId, { pending: item.sourceId, pendingAt: sentAt }),
    });
    const conversationId = created.conversation_id || target.conversationId;
    await this.ledger.record(appId, identity, { waId: item.ledgerKey, fullId: item.fullId, conversationId, messageId: created.id });
    await this.cursors.set(appId, chatId, { pending: '', lastCwId: created.id, conversationId });
    METRICS.messages.inc({ app: appId, direction: 'in', source: 'live', outcome: 'created' });
    if (item.receivedAt) METRICS.relayLag.observe({ app: appId, direction: 'in' }, (Date.now() - item.receivedAt) / 1000);
  }

}
