/** Accepts live events from both webhooks into their ordered lanes (see lanes.ts). */
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { AppContext } from '../apps/apps.service';
import { chatIdOf, parseMessageId } from '../common/jids';
import { LOGGER } from '../logging/logger';
import { CommandOrigin, QueueName } from '../queue/queue.constants';
import { Queues } from '../queue/queues';
import { RedisService } from '../redis/redis.service';
import { ChatwootWebhookBody } from '../webhooks/chatwoot-webhook.types';
import { WahaMessage } from '../clients/waha/waha.types';
import { Lanes } from './lanes';
import { ReadReceipt } from './read-receipts';
import { InboxEvent, WhatsAppEvent } from './relay.types';

@Injectable()
export class RelayIntake {
  readonly lanes: Lanes;

  constructor(redis: RedisService, queues: Queues, @Inject(LOGGER) private readonly logger: Logger) {
    this.lanes = new Lanes(redis, queues, logger);
  }

  async fromChatwoot(app: AppContext, body: ChatwootWebhookBody): Promise<void> {
    const conversationId = body.conversation?.id;
    if (!conversationId || !body.id) return;
    const event: InboxEvent = { kind: 'agent-message', body };
    await this.lanes.push(QueueName.Inbox, app.config.id, `conv-${conversationId}`, event, `cw-msg-${body.id}`);
  }

  /** A message that looked like a command at intake but was not one is a normal reply. */
  async fromCommandFallthrough(app: AppContext, origin: CommandOrigin, content: string): Promise<void> {
    this.logger.info({ conversationId: origin.conversationId }, 'not a command after all: relaying as a reply');
    await this.fromChatwoot(app, {
      event: 'message_created',
      id: origin.messageId,
      content,
      message_type: 'outgoing',
      conversation: { id: origin.conversationId, meta: { sender: { id: origin.contactId, custom_attributes: origin.contactChatIds[0] ? { waha_whatsapp_chat_id: origin.contactChatIds[0] } : {} } } },
    });
  }

  async fromWhatsAppMessage(app: AppContext, message: WahaMessage): Promise<boolean> {
    const chatId = chatIdOf(message);
    const event: WhatsAppEvent = { kind: 'message', message, receivedAt: Date.now() };
    return this.lanes.push(QueueName.WhatsApp, app.config.id, `chat-${chatId}`, event, `wa-msg-${parseMessageId(message.id).waId}`);
  }

  /** In the chat's lane, so it is handled after the message it acknowledges. False when a duplicate. */
  async fromWhatsAppRead(app: AppContext, receipt: ReadReceipt): Promise<boolean> {
    const event: WhatsAppEvent = { kind: 'read', receipt };
    return this.lanes.push(QueueName.WhatsApp, app.config.id, `chat-${receipt.chatId}`, event, `wa-ack-${receipt.waId}-${receipt.ack}`);
  }

  async fromWhatsAppSession(app: AppContext, session: string, status: string, eventId?: string): Promise<void> {
    const event: WhatsAppEvent = { kind: 'session-status', status, session };
    await this.lanes.push(QueueName.WhatsApp, app.config.id, 'session', event, eventId ? `wa-evt-${eventId}` : undefined);
  }
}
