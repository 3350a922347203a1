/**
 * WhatsApp → ChatWoot, live. One lane per chat keeps WhatsApp's order; the ledger shared with the history pull
 * makes each message land once (WAHA retries webhooks; messages this bridge sent are already in the ledger). A
 * chat whose history pull is under way waits until its backfill is done (the chat fence).
 */
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { AppContext, AppsService } from '../apps/apps.service';
import { WahaMessage } from '../clients/waha/waha.types';
import { excerptOf } from '../common/excerpt';
import { formatDuration } from '../common/durations';
import { chatIdOf, chatKind, parseMessageId } from '../common/jids';
import { sleep } from '../common/sleep';
import { SERVICE_CONFIG, ServiceConfig } from '../config/config';
import { TEXTS } from '../config/texts.provider';
import { CHAT_FENCE, ChatFence } from '../conversations/chat-fence';
import { ConversationResolver } from '../conversations/conversation-resolver';
import { MessageComposer } from '../conversations/message-composer';
import { MessageLedger } from '../conversations/message-ledger.repository';
import { MessagePoster, PostTarget } from '../conversations/message-poster';
import { ChatIdentity, PersonResolver } from '../conversations/person-resolver';
import { IntegrationChatService } from '../integration-chat/integration-chat.service';
import { LOGGER } from '../logging/logger';
import { Texts } from '../texts/texts';
import { LaneContext, LaneVerdict } from './lanes';
import { LiveCursorRepository } from './live-cursor.repository';
import { PendingSends } from './pending-sends';
import { ReadReceipts } from './read-receipts';
import { WhatsAppEvent } from './relay.types';

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

@Injectable()
export class WhatsAppRelayService {
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
    @Inject(CHAT_FENCE) private readonly fence: ChatFence,
    @Inject(TEXTS) private readonly texts: Texts,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async handle(appId: string, event: WhatsAppEvent, lane: LaneContext): Promise<LaneVerdict> {
    const app = this.apps.get(appId);
    if (!app) return 'done';
    if (event.kind === 'session-status') {
      await this.integration.notify(app, this.texts.render('session.status', { session: event.session, status: event.status }));
      return 'done';
    }
    if (event.kind === 'read') {
      // Behind a running backfill like the chat's messages: the message read may still be on its way in.
      if (await this.fence.isFenced(appId, event.receipt.chatId)) return 'wait';
      await this.receipts.apply(app, event.receipt);
      return 'done';
    }
    const message = event.message;
    const chatId = chatIdOf(message);
    if (!chatId || chatKind(chatId) === 'null') return 'done';
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
    await this.importLive(app, chatId, identity, message, lane);
    return 'done';
  }

  /** A WhatsApp event failed for good: the agents learn what could not be copied, and how to try again. */
  async deadLettered(appId: string, event: WhatsAppEvent, error: unknown): Promise<void> {
    const app = this.apps.get(appId);
    if (!app || event.kind !== 'message') {
      this.logger.warn({ appId, kind: event.kind, err: error }, 'live event dropped after failing for good');
      return;
    }
    const reason = error instanceof Error ? error.message : String(error);
    const excerpt = excerptOf(event.message.body, 200) || undefined;
    const chatId = chatIdOf(event.message);
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

  private async importLive(app: AppContext, chatId: string, identity: ChatIdentity, message: WahaMessage, lane: LaneContext): Promise<void> {
    const appId = app.config.id;
    let cursor = await this.cursors.get(appId, chatId);
    const cached = await this.resolver.cached(appId, identity);
    if (cached && cached !== cursor.conversationId) cursor = { ...cursor, conversationId: cached, lastCwId: 0 };
    if (!cursor.conversationId) {
      const resolved = await this.resolver.resolve(app, identity);
      cursor = { ...cursor, conversationId: resolved.conversationId };
      await this.cursors.set(appId, chatId, { conversationId: resolved.conversationId });
    }
    const replyTo = message.replyTo?.id ? (await this.ledger.lookup(appId, identity, [parseMessageId(message.replyTo.id).waId])).values().next().value : undefined;
    const withDate = Date.now() / 1000 - message.timestamp > DATE_LINE_AFTER_S;
    const target: PostTarget = { conversationId: cursor.conversationId, lastCwId: cursor.lastCwId };
    const reliability = this.config.reliability;
    // Live events are handled one at a time per chat: the one in flight is marked, so a crash or a lost answer is
    // settled (looked for, once ChatWoot cannot still be working on it) before it is posted again.
    const created = await this.poster.post(
      app,
      target,
      () => this.composer.compose(app, chatId, message, { media: true, mediaTimeoutMs: LIVE_MEDIA_TIMEOUT_MS, inReplyTo: replyTo?.messageId, withDate, sourceId: message.id }),
      {
        sourceId: message.id,
        attempts: LIVE_ATTEMPTS,
        // Longer outages are waited out by the lane, which tries the event again later until RETRY_WINDOW.
        retryWindowMs: Math.min(LIVE_RETRY_IN_PLACE_MS, reliability.retryWindowMs),
        graceMs: reliability.chatwootGraceMs,
        signal: lane.signal,
        earlier: cursor.pending === message.id ? { since: cursor.pendingAt } : undefined,
        onConversationMissing: async () => {
          await this.resolver.forget(appId, identity);
          const resolved = await this.resolver.resolve(app, identity);
          await this.cursors.set(appId, chatId, { conversationId: resolved.conversationId, lastCwId: 0 });
          return resolved.conversationId;
        },
        onSend: (sentAt) => this.cursors.set(appId, chatId, { pending: message.id, pendingAt: sentAt }),
      },
    );
    const conversationId = created.conversation_id || target.conversationId;
    await this.ledger.record(appId, identity, { waId: parseMessageId(message.id).waId, fullId: message.id, conversationId, messageId: created.id });
    await this.cursors.set(appId, chatId, { pending: '', lastCwId: created.id, conversationId });
  }
}
