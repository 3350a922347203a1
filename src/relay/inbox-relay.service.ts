/**
 * ChatWoot → WhatsApp, live. One lane per conversation keeps the agent's order. Each part (text, attachments) is
 * recorded once sent, so a retried event never sends a part twice, and the ledger learns the WhatsApp ids so a
 * later pull counts these messages as already there.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { AppContext, AppsService } from '../apps/apps.service';
import { isUpstreamError, UpstreamError } from '../clients/http/http-error';
import { retry } from '../common/backoff';
import { parseMessageId, publicJid } from '../common/jids';
import { TEXTS } from '../config/texts.provider';
import { MessageLedger } from '../conversations/message-ledger.repository';
import { PersonResolver } from '../conversations/person-resolver';
import { LOGGER } from '../logging/logger';
import { RedisService } from '../redis/redis.service';
import { Texts } from '../texts/texts';
import { AgentMessage } from './agent-message';
import { LaneVerdict } from './lanes';
import { chatwootToWhatsApp } from './markdown';
import { RelayKeys } from './relay.keys';
import { InboxEvent } from './relay.types';

/** Sends to WAHA: six tries, 500 ms doubling up to 20 s apart. */
const SEND_ATTEMPTS = 6;
const SEND_BACKOFF = { baseMs: 500, maxMs: 20_000 };
const SENT_PART_TTL_S = 30 * 24 * 3600;
const IMAGE_TYPES: Record<string, string> = { jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png' };
const MIME_BY_EXTENSION: Record<string, string> = { pdf: 'application/pdf', mp4: 'video/mp4', ogg: 'audio/ogg', mp3: 'audio/mpeg', txt: 'text/plain' };

@Injectable()
export class InboxRelayService {
  private readonly keys: RelayKeys;

  constructor(
    private readonly apps: AppsService,
    private readonly persons: PersonResolver,
    private readonly ledger: MessageLedger,
    private readonly redis: RedisService,
    @Inject(TEXTS) private readonly texts: Texts,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.keys = new RelayKeys(redis);
  }

  async handle(appId: string, event: InboxEvent): Promise<LaneVerdict> {
    const app = this.apps.get(appId);
    if (!app) return 'done';
    const message = event.message;
    const conversationId = message.conversationId;
    const chatId = this.chatOf(message);
    if (!chatId) {
      await this.note(app, conversationId, this.texts.render('relay.sendFailed', { reason: this.texts.render('relay.noChatId'), action: this.texts.render('relay.noChatIdAction') }));
      return 'done';
    }
    try {
      await this.send(app, chatId, message);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.logger.error({ err: error, conversationId, messageId: message.messageId }, 'agent message could not be sent to WhatsApp');
      const session = isUpstreamError(error) && error.status === 422 && typeof error.body === 'object' && error.body ? (error.body as { status?: string }).status : undefined;
      await this.note(
        app,
        conversationId,
        session
          ? this.texts.render('relay.sessionNotWorking', { status: session })
          : this.texts.render('relay.sendFailed', { reason, action: this.texts.render('relay.sendFailedAction') }),
      );
    }
    return 'done';
  }

  /** The WhatsApp chat of the conversation's contact: its chat id attributes, its phone, or a chat-like source id. */
  private chatOf(message: AgentMessage): string | undefined {
    const { chatIds, phoneNumber, sourceId } = message.contact;
    if (chatIds[0]) return publicJid(chatIds[0]);
    const digits = phoneNumber?.replace(/\D/g, '');
    if (digits) return `${digits}@c.us`;
    if (sourceId && /@(c\.us|lid|g\.us)$/.test(sourceId)) return publicJid(sourceId);
    return undefined;
  }

  private async send(app: AppContext, chatId: string, message: AgentMessage): Promise<void> {
    const appId = app.config.id;
    const attachments = message.attachments;
    const text = chatwootToWhatsApp(message.content.trim());
    const replyTo = message.inReplyTo ? await this.ledger.whatsappIdOf(appId, message.inReplyTo) : undefined;
    const parts: Array<() => Promise<{ id: string | undefined }>> = [];
    const caption = attachments.length === 1 ? text : undefined;
    if (text && attachments.length !== 1) parts.push(() => app.waha.sendText(chatId, text, replyTo));
    attachments.forEach((attachment, index) => {
      const url = attachment.url;
      const extension = (attachment.extension ?? url.split('?')[0].split('.').pop() ?? '').toLowerCase();
      const filename = decodeURIComponent(url.split('?')[0].split('/').pop() || `file-${index + 1}.${extension || 'bin'}`);
      const image = attachment.fileType === 'image' && IMAGE_TYPES[extension];
      const file = { url, filename, mimetype: image || MIME_BY_EXTENSION[extension] || 'application/octet-stream' };
      parts.push(() => (image ? app.waha.sendImage(chatId, file, caption, replyTo) : app.waha.sendFile(chatId, file, caption, replyTo)));
    });
    const identity = await this.persons.identity(app, chatId);
    for (let part = 0; part < parts.length; part++) {
      const key = this.keys.sentPart(appId, message.messageId, part);
      if (await this.redis.client.exists(key)) continue;
      // A session that is not WORKING answers 422 (after WAHA's own wait): retrying soon rarely helps, say so.
      const sent = await retry(parts[part], { attempts: SEND_ATTEMPTS, policy: SEND_BACKOFF, retryable: (error) => error instanceof UpstreamError && error.transient });
      await this.redis.client.set(key, sent.id ?? '1', 'EX', SENT_PART_TTL_S);
      if (sent.id) {
        const fullId = sent.id.includes('_') ? sent.id : `true_${chatId}_${sent.id}`;
        await this.ledger.record(appId, identity, { waId: parseMessageId(fullId).waId, fullId, conversationId: message.conversationId, messageId: message.messageId });
      }
    }
    await app.waha.sendSeen(chatId).catch(() => undefined);
  }

  private async note(app: AppContext, conversationId: number, content: string): Promise<void> {
    if (!conversationId) return;
    await app.chatwoot
      .createMessage(conversationId, { content, message_type: 'outgoing', private: true }, 'live')
      .catch((error: unknown) => this.logger.error({ err: error, conversationId }, 'cannot leave a note'));
  }
}
