/**
 * Accepts live events from both webhooks into their ordered lanes (see lanes.ts). Dedupe keys name the chat (or
 * the ChatWoot message), so a retried delivery is dropped and an id reused in another chat is not.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { AppContext } from '../apps/apps.service';
import { WahaMessage } from '../clients/waha/waha.types';
import { chatIdOf, parseMessageId } from '../common/jids';
import { LOGGER } from '../logging/logger';
import { QueueName } from '../queue/queue.constants';
import { Queues } from '../queue/queues';
import { RedisService } from '../redis/redis.service';
import { AgentMessage } from './agent-message';
import { Lanes } from './lanes';
import { ReadReceipt } from './read-receipts';
import { InboxEvent, WhatsAppEvent } from './relay.types';

@Injectable()
export class RelayIntake {
  readonly lanes: Lanes;

  constructor(redis: RedisService, queues: Queues, @Inject(LOGGER) private readonly logger: Logger) {
    this.lanes = new Lanes(redis, queues, logger);
  }

  /** An agent's reply, in its conversation's lane. */
  async fromChatwoot(app: AppContext, message: AgentMessage): Promise<void> {
    if (!message.conversationId || !message.messageId) return;
    const event: InboxEvent = { kind: 'agent-message', message };
    await this.lanes.push(QueueName.Inbox, app.config.id, `conv-${message.conversationId}`, event, `cw-msg-${message.messageId}`);
  }

  /** A message that looked like a command at intake but was not one is a normal reply. */
  async fromCommandFallthrough(app: AppContext, message: AgentMessage): Promise<void> {
    this.logger.info({ conversationId: message.conversationId }, 'not a command after all: relaying as a reply');
    await this.fromChatwoot(app, message);
  }

  async fromWhatsAppMessage(app: AppContext, message: WahaMessage): Promise<boolean> {
    const chatId = chatIdOf(message);
    const event: WhatsAppEvent = { kind: 'message', message, receivedAt: Date.now() };
    return this.lanes.push(QueueName.WhatsApp, app.config.id, `chat-${chatId}`, event, `wa-msg-${chatId}:${parseMessageId(message.id).waId}`);
  }

  /** In the chat's lane, so it is handled after the message it acknowledges. False when a duplicate. */
  async fromWhatsAppRead(app: AppContext, receipt: ReadReceipt): Promise<boolean> {
    const event: WhatsAppEvent = { kind: 'read', receipt };
    return this.lanes.push(QueueName.WhatsApp, app.config.id, `chat-${receipt.chatId}`, event, `wa-ack-${receipt.chatId}:${receipt.waId}-${receipt.ack}`);
  }

  async fromWhatsAppSession(app: AppContext, session: string, status: string, eventId?: string): Promise<void> {
    const event: WhatsAppEvent = { kind: 'session-status', status, session };
    await this.lanes.push(QueueName.WhatsApp, app.config.id, 'session', event, eventId ? `wa-evt-${eventId}` : undefined);
  }
}
