/**
 * WhatsApp → ChatWoot, live. One lane per chat keeps WhatsApp's order; the ledger shared with the history pull
 * makes each message land once (WAHA retries webhooks; messages this bridge sent are already in the ledger). A
 * chat whose history pull is under way waits until its backfill is done (the chat fence).
 */
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { AppContext, AppsService } from '../apps/apps.service';
import { WahaMessage } from '../clients/waha/waha.types';
import { chatIdOf, chatKind, parseMessageId } from '../common/jids';
import { sleep } from '../common/sleep';
import { TEXTS } from '../config/texts.provider';
import { CHAT_FENCE, ChatFence } from '../conversations/chat-fence';
import { ConversationResolver } from '../conversations/conversation-resolver';
import { MessageComposer } from '../conversations/message-composer';
import { MessageLedger } from '../conversations/message-ledger.repository';
import { MessagePoster, PermanentMessageError, PostTarget } from '../conversations/message-poster';
import { ChatIdentity, PersonResolver } from '../conversations/person-resolver';
import { IntegrationChatService } from '../integration-chat/integration-chat.service';
import { LOGGER } from '../logging/logger';
import { Texts } from '../texts/texts';
import { LaneVerdict } from './lanes';
import { LiveCursorRepository } from './live-cursor.repository';
import { ReadReceipts } from './read-receipts';
import { WhatsAppEvent } from './relay.types';

/** Fresh messages get no date line; ones delivered late (WAHA retries, a paused queue) show when they were sent. */
const DATE_LINE_AFTER_S = 600;
/** Live messages: media always, six posts at most, 30 s per download. */
const LIVE_ATTEMPTS = 6;
const LIVE_MEDIA_TIMEOUT_MS = 30_000;
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
    @Inject(CHAT_FENCE) private readonly fence: ChatFence,
    @Inject(TEXTS) private readonly texts: Texts,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async handle(appId: string, event: WhatsAppEvent): Promise<LaneVerdict> {
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
    if (message.fromMe && message.source === 'api') {
      // Sent through WAHA, maybe by this bridge: give the sender a moment to record it in the ledger.
      for (let i = 0; i < OWN_SEND_POLLS; i++) {
        await sleep(OWN_SEND_POLL_MS);
        if (await this.ledger.has(appId, identity, waId)) return 'done';
      }
    }
    await this.importLive(app, chatId, identity, message);
    return 'done';
  }

  private async importLive(app: AppContext, chatId: string, identity: ChatIdentity, message: WahaMessage): Promise<void> {
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
    try {
      // Live events are handled one at a time per chat: mark the one in flight so a crash is settled next time.
      const mayExist = cursor.pending === message.id;
      await this.cursors.set(appId, chatId, { pending: message.id, pendingAt: Date.now() });
      const created = await this.poster.post(
        app,
        target,
        () => this.composer.compose(app, chatId, message, { media: true, mediaTimeoutMs: LIVE_MEDIA_TIMEOUT_MS, inReplyTo: replyTo?.messageId, withDate, sourceId: message.id }),
        {
          sourceId: message.id,
          attempts: LIVE_ATTEMPTS,
          signal: new AbortController().signal,
          mayExist,
          onConversationMissing: async () => {
            await this.resolver.forget(appId, identity);
            const resolved = await this.resolver.resolve(app, identity);
            await this.cursors.set(appId, chatId, { conversationId: resolved.conversationId, lastCwId: 0 });
            return resolved.conversationId;
          },
        },
      );
      const conversationId = created.conversation_id || target.conversationId;
      await this.ledger.record(appId, identity, { waId: parseMessageId(message.id).waId, fullId: message.id, conversationId, messageId: created.id });
      await this.cursors.set(appId, chatId, { pending: '', lastCwId: created.id, conversationId });
    } catch (error) {
      if (!(error instanceof PermanentMessageError)) throw error;
      this.logger.error({ err: error, messageId: message.id }, 'live message could not be imported');
      await this.integration.notify(app, this.texts.render('relay.receiveFailed', { chat: chatId, reason: error.message }));
    }
  }
}
