/**
 * WhatsApp → ChatWoot, live. One lane per chat keeps WhatsApp's order; the ledger shared with the history pull
 * makes each message land once (WAHA retries webhooks; messages this bridge sent are already in the ledger). A
 * chat whose history pull is under way waits until its backfill is done.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { AppContext, AppsService } from '../apps/apps.service';
import { SERVICE_CONFIG, ServiceConfig } from '../config/config';
import { chatIdOf, chatKind, parseMessageId } from '../common/jids';
import { TEXTS } from '../config/texts.provider';
import { LOGGER } from '../logging/logger';
import { ChatImporter, PermanentMessageError } from '../pull/chat-importer';
import { PullService } from '../pull/pull.service';
import { Texts } from '../texts/texts';
import { IntegrationChatService } from '../integration-chat/integration-chat.service';
import { LaneVerdict } from './lanes';
import { WhatsAppEvent } from './relay.types';
import { PullOptions } from '../commands/grammar/command.types';
import { WahaMessage } from '../clients/waha/waha.types';
import { sleep } from '../common/sleep';
import { ReadReceipts } from './read-receipts';

/** Fresh messages get no date line; ones delivered late (WAHA retries, a paused queue) show when they were sent. */
const DATE_LINE_AFTER_S = 600;

const LIVE_OPTIONS: Pick<PullOptions, 'force' | 'media' | 'attempts' | 'timeoutMediaMs'> = {
  force: false,
  media: true,
  attempts: 6,
  timeoutMediaMs: 30_000,
};

@Injectable()
export class WhatsAppRelayService {
  private readonly receipts: ReadReceipts;

  constructor(
    private readonly apps: AppsService,
    private readonly pulls: PullService,
    private readonly integration: IntegrationChatService,
    @Inject(TEXTS) private readonly texts: Texts,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.receipts = new ReadReceipts(pulls.store, pulls.contactResolver, logger);
  }

  async handle(appId: string, event: WhatsAppEvent): Promise<LaneVerdict> {
    const app = this.apps.get(appId);
    if (!app) return 'done';
    if (event.kind === 'session-status') {
      await this.integration.notify(app, this.texts.render('session.status', { session: event.session, status: event.status }));
      return 'done';
    }
    if (event.kind === 'read') {
      // Behind a running backfill like the chat's messages: the message read may still be on its way in.
      if (await this.fenced(appId, event.receipt.chatId)) return 'wait';
      await this.receipts.apply(app, event.receipt);
      return 'done';
    }
    const message = event.message;
    const chatId = chatIdOf(message);
    if (!chatId || chatKind(chatId) === 'null') return 'done';
    if (await this.fenced(appId, chatId)) return 'wait';
    const store = this.pulls.store;
    const { waId } = parseMessageId(message.id);
    if ((await store.ledgerLookup(appId, [waId])).has(waId)) return 'done';
    if (message.fromMe && message.source === 'api') {
      // Sent through WAHA, maybe by this bridge: give the sender a moment to record it in the ledger.
      for (let i = 0; i < 15; i++) {
        await sleep(200);
        if ((await store.ledgerLookup(appId, [waId])).has(waId)) return 'done';
      }
    }
    await this.importLive(app, chatId, message);
    return 'done';
  }

  /** A chat is fenced while the app's running pull still has to import it. */
  private async fenced(appId: string, chatId: string): Promise<boolean> {
    const store = this.pulls.store;
    const active = await store.redis.client.get(store.activeKey(appId));
    if (!active) return false;
    const record = await store.get(active);
    if (!record || !['planning', 'running', 'stopping'].includes(record.state)) return false;
    if (record.state === 'planning') return true;
    const planned = await store.redis.client.hexists(store.key(active, 'chats'), chatId);
    if (!planned) return false;
    const state = (await store.checkpoint(active, chatId)).state;
    return !['done', 'failed', 'stopped'].includes(state);
  }

  private async importLive(app: AppContext, chatId: string, message: WahaMessage): Promise<void> {
    const store = this.pulls.store;
    const live = { id: `live-${app.config.id}`, appId: app.config.id, options: LIVE_OPTIONS as PullOptions };
    const importer = new ChatImporter(app, store, this.pulls.contactResolver, this.texts, this.logger, this.config.tuning.timeZone);
    let cp = await store.checkpoint(live.id, chatId);
    const cached = await this.pulls.contactResolver.cached(app.config.id, chatId);
    if (cached && cached !== cp.conversationId) cp = { ...cp, conversationId: cached, lastCwId: 0 };
    cp = await importer.ensureConversation(live, chatId, undefined, cp);
    const replyTo = message.replyTo?.id ? (await store.ledgerLookup(app.config.id, [parseMessageId(message.replyTo.id).waId])).values().next().value : undefined;
    const withDate = Date.now() / 1000 - message.timestamp > DATE_LINE_AFTER_S;
    try {
      // Live events are handled one at a time from a lane: mark the one in flight so a crash is settled next time.
      const created = await importer.importMessage(live, chatId, message, cp, replyTo?.messageId, new AbortController().signal, {
        withDate,
        markPending: true,
      });
      await store.ledgerWrite(app.config.id, message.id, parseMessageId(message.id).waId, created.conversation_id || cp.conversationId, created.id);
      await store.setCheckpoint(live.id, chatId, { pending: '', lastCwId: created.id, conversationId: created.conversation_id || cp.conversationId });
    } catch (error) {
      if (!(error instanceof PermanentMessageError)) throw error;
      this.logger.error({ err: error, messageId: message.id }, 'live message could not be imported');
      await this.integration.notify(app, this.texts.render('relay.receiveFailed', { chat: chatId, reason: error.message }));
    }
  }
}
