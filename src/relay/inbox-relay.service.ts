/**
 * ChatWoot → WhatsApp, live. One lane per conversation keeps the agent's order. Each part (text, attachments) is
 * recorded once sent, so a retried event never sends a part twice, and the ledger learns the WhatsApp ids so a
 * later pull counts these messages as already there.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { AppContext, AppsService } from '../apps/apps.service';
import { ServerProfilesService } from '../apps/server-profiles.service';
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

/** WAHA cannot send attachments (its version and tier say so, or it refused one). */
class MediaSendsRefused extends Error {}

/**
 * WAHA Core before 2026.6.1 refuses sendImage/sendFile/sendVoice with 422 "…available only in Plus version…"
 * (src/core/exceptions.ts AvailableInPlusVersion) and sendVideo with 501 (NotImplementedByEngineError).
 */
function isPlusOnlyRefusal(error: unknown): boolean {
  if (!(error instanceof UpstreamError) || error.upstream !== 'waha') return false;
  if (error.status === 501) return true;
  return error.status === 422 && /plus version/i.test(JSON.stringify(error.body ?? ''));
}
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
    private readonly profiles: ServerProfilesService,
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
    const text = chatwootToWhatsApp(message.content.trim());
    const replyTo = message.inReplyTo ? await this.ledger.whatsappIdOf(appId, message.inReplyTo) : undefined;
    const identity = await this.persons.identity(app, chatId);
    const mediaSends = (await this.profiles.capabilities(app)).mediaSends;
    // Each part is recorded once sent (under its key), so a retried event never sends a part twice.
    const sendPart = async (key: number | string, send: () => Promise<{ id: string | undefined }>): Promise<void> => {
      const marker = this.keys.sentPart(appId, message.messageId, key);
      if (await this.redis.client.exists(marker)) return;
      // A session that is not WORKING answers 422 (after WAHA's own wait): retrying soon rarely helps, say so.
      const sent = await retry(send, { attempts: SEND_ATTEMPTS, policy: SEND_BACKOFF, retryable: (error) => error instanceof UpstreamError && error.transient });
      await this.redis.client.set(marker, sent.id ?? '1', 'EX', SENT_PART_TTL_S);
      if (sent.id) {
        const fullId = sent.id.includes('_') ? sent.id : `true_${chatId}_${sent.id}`;
        await this.ledger.record(appId, identity, { waId: parseMessageId(fullId).waId, fullId, conversationId: message.conversationId, messageId: message.messageId });
      }
    };
    const attachments = message.attachments;
    const caption = attachments.length === 1 ? text : undefined;
    try {
      if (attachments.length > 0 && !mediaSends) throw new MediaSendsRefused();
      if (text && attachments.length !== 1) await sendPart(0, () => app.waha.sendText(chatId, text, replyTo));
      for (const [index, attachment] of attachments.entries()) {
        const part = text && attachments.length !== 1 ? index + 1 : index;
        await sendPart(part, () => this.sendAttachment(app, chatId, attachment, index, caption, replyTo));
      }
    } catch (error) {
      if (!(error instanceof MediaSendsRefused) && !isPlusOnlyRefusal(error)) throw error;
      // WAHA Core before 2026.6.1: the customer gets the text, the agent is told once per conversation. A ChatWoot
      // link to the file is never sent instead: it is often private, or signed for agents only.
      if (!(error instanceof MediaSendsRefused)) this.profiles.mediaSendsRefusedBy(app);
      const textAlreadySent = text && attachments.length !== 1 && (await this.redis.client.exists(this.keys.sentPart(appId, message.messageId, 0))) === 1;
      if (text && !textAlreadySent) await sendPart('text-only', () => app.waha.sendText(chatId, text, replyTo));
      await this.noteAttachmentsRefused(app, message.conversationId);
    }
    await app.waha.sendSeen(chatId).catch(() => undefined);
  }

  private sendAttachment(app: AppContext, chatId: string, attachment: AgentMessage['attachments'][number], index: number, caption: string | undefined, replyTo: string | undefined): Promise<{ id: string | undefined }> {
    const url = attachment.url;
    const extension = (attachment.extension ?? url.split('?')[0].split('.').pop() ?? '').toLowerCase();
    const filename = decodeURIComponent(url.split('?')[0].split('/').pop() || `file-${index + 1}.${extension || 'bin'}`);
    const image = attachment.fileType === 'image' && IMAGE_TYPES[extension];
    const file = { url, filename, mimetype: image || MIME_BY_EXTENSION[extension] || 'application/octet-stream' };
    return image ? app.waha.sendImage(chatId, file, caption, replyTo) : app.waha.sendFile(chatId, file, caption, replyTo);
  }

  private async noteAttachmentsRefused(app: AppContext, conversationId: number): Promise<void> {
    const first = await this.redis.client.hsetnx(this.keys.attachmentsRefusedNoted(app.config.id), String(conversationId), String(Date.now()));
    if (first !== 1) return;
    const version = (await this.profiles.waha(app)).version ?? undefined;
    await this.note(app, conversationId, this.texts.render('relay.attachmentsNotDelivered', { version }));
  }

  private async note(app: AppContext, conversationId: number, content: string): Promise<void> {
    if (!conversationId) return;
    await app.chatwoot
      .createMessage(conversationId, { content, message_type: 'outgoing', private: true }, 'live')
      .catch((error: unknown) => this.logger.error({ err: error, conversationId }, 'cannot leave a note'));
  }
}
