/**
 * ChatWoot → WhatsApp, live. One lane per conversation keeps the agent's order. Each part (text, attachments) is
 * recorded once sent, so a retried event never sends a part twice, and the ledger learns the WhatsApp ids so a
 * later pull counts these messages as already there.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { AppContext, AppsService } from '../apps/apps.service';
import { isUpstreamError, UpstreamError } from '../clients/http/http-error';
import { parseMessageId, publicJid } from '../common/jids';
import { TEXTS } from '../config/texts.provider';
import { LOGGER } from '../logging/logger';
import { PullService } from '../pull/pull.service';
import { RedisService } from '../redis/redis.service';
import { Texts } from '../texts/texts';
import { contactChatIds } from '../webhooks/chatwoot-webhook.filter';
import { ChatwootWebhookBody } from '../webhooks/chatwoot-webhook.types';
import { LaneVerdict } from './lanes';
import { chatwootToWhatsApp } from './markdown';
import { InboxEvent } from './relay.types';
import { sleep } from '../common/sleep';

const ATTEMPTS = 6;

const IMAGE_TYPES: Record<string, string> = { jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png' };
const MIME_BY_EXTENSION: Record<string, string> = { pdf: 'application/pdf', mp4: 'video/mp4', ogg: 'audio/ogg', mp3: 'audio/mpeg', txt: 'text/plain' };

@Injectable()
export class InboxRelayService {
  constructor(
    private readonly apps: AppsService,
    private readonly pulls: PullService,
    private readonly redis: RedisService,
    @Inject(TEXTS) private readonly texts: Texts,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async handle(appId: string, event: InboxEvent): Promise<LaneVerdict> {
    const app = this.apps.get(appId);
    if (!app) return 'done';
    const body = event.body;
    const conversationId = Number(body.conversation?.id);
    const chatId = this.chatOf(body);
    if (!chatId) {
      await this.note(app, conversationId, this.texts.render('relay.sendFailed', { reason: 'this contact has no WhatsApp chat id or phone number', action: 'add the phone number to the contact and send again' }));
      return 'done';
    }
    try {
      await this.send(app, chatId, body);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      this.logger.error({ err: error, conversationId, messageId: body.id }, 'agent message could not be sent to WhatsApp');
      const session = isUpstreamError(error) && error.status === 422 && typeof error.body === 'object' && error.body ? (error.body as { status?: string }).status : undefined;
      await this.note(
        app,
        conversationId,
        session
          ? this.texts.render('relay.sessionNotWorking', { status: session })
          : this.texts.render('relay.sendFailed', { reason, action: 'check the WhatsApp session with WAHA and send the message again' }),
      );
    }
    return 'done';
  }

  private chatOf(body: ChatwootWebhookBody): string | undefined {
    const sender = body.conversation?.meta?.sender;
    const ids = contactChatIds(sender);
    if (ids[0]) return publicJid(ids[0]);
    const digits = sender?.phone_number?.replace(/\D/g, '');
    if (digits) return `${digits}@c.us`;
    const sourceId = body.conversation?.contact_inbox?.source_id;
    if (sourceId && /@(c\.us|lid|g\.us)$/.test(sourceId)) return publicJid(sourceId);
    return undefined;
  }

  private partKey(appId: string, messageId: number, part: number): string {
    return this.redis.key('sent', appId, messageId, part);
  }

  private async send(app: AppContext, chatId: string, body: ChatwootWebhookBody): Promise<void> {
    const appId = app.config.id;
    const messageId = Number(body.id);
    const conversationId = Number(body.conversation?.id);
    const attachments = body.attachments ?? [];
    const text = chatwootToWhatsApp((body.content ?? '').trim());
    const inReplyTo = Number(body.content_attributes?.in_reply_to ?? 0);
    const replyTo = inReplyTo ? await this.pulls.store.whatsappIdOf(appId, inReplyTo) : undefined;
    const parts: Array<() => Promise<{ id: string | undefined }>> = [];
    const caption = attachments.length === 1 ? text : undefined;
    if (text && attachments.length !== 1) parts.push(() => app.waha.sendText(chatId, text, replyTo));
    attachments.forEach((attachment, index) => {
      const url = attachment.data_url ?? '';
      const extension = (attachment.extension ?? url.split('?')[0].split('.').pop() ?? '').toLowerCase();
      const filename = decodeURIComponent(url.split('?')[0].split('/').pop() || `file-${index + 1}.${extension || 'bin'}`);
      const image = attachment.file_type === 'image' && IMAGE_TYPES[extension];
      const file = { url, filename, mimetype: image || MIME_BY_EXTENSION[extension] || 'application/octet-stream' };
      parts.push(() => (image ? app.waha.sendImage(chatId, file, caption, replyTo) : app.waha.sendFile(chatId, file, caption, replyTo)));
    });
    for (let part = 0; part < parts.length; part++) {
      const key = this.partKey(appId, messageId, part);
      if (await this.redis.client.exists(key)) continue;
      const sent = await this.withRetries(parts[part]);
      await this.redis.client.set(key, sent.id ?? '1', 'EX', 30 * 24 * 3600);
      if (sent.id) {
        const fullId = sent.id.includes('_') ? sent.id : `true_${chatId}_${sent.id}`;
        await this.pulls.store.ledgerWrite(appId, fullId, parseMessageId(fullId).waId, conversationId, messageId);
      }
    }
    await app.waha.sendSeen(chatId).catch(() => undefined);
  }

  private async withRetries<T>(fn: () => Promise<T>): Promise<T> {
    let lastError: unknown;
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      try {
        return await fn();
      } catch (error) {
        lastError = error;
        // A session that is not WORKING answers 422 (after WAHA's own wait): retrying soon rarely helps, say so.
        if (!(error instanceof UpstreamError) || !error.transient) throw error;
        await sleep(Math.min(20_000, 500 * 2 ** attempt));
      }
    }
    throw lastError;
  }

  private async note(app: AppContext, conversationId: number, content: string): Promise<void> {
    if (!conversationId) return;
    await app.chatwoot
      .createMessage(conversationId, { content, message_type: 'outgoing', private: true }, 'live')
      .catch((error: unknown) => this.logger.error({ err: error, conversationId }, 'cannot leave a note'));
  }
}
