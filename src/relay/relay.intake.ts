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
import { AgentMessage } from './agent-message';
import { Lanes } from './lanes';
import { ReadReceipt } from './read-receipts';
import { WhatsAppUpdate } from '../clients/waha/waha-updates';
import { InboxEvent, WhatsAppEvent } from './relay.types';

const agentMessageKey = (messageId: number): string => `cw-msg-${messageId}`;
const commandKey = (messageId: number): string => `cw-cmd-${messageId}`;

@Injectable()
export class RelayIntake {
  constructor(
    private readonly lanes: Lanes,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * An agent's reply, in its conversation's lane. Its `message_created` and the agent's Retry of it (a
   * `message_updated`) share one dedupe key: a Retry is accepted only when the reply never reached a lane (our webhook
   * answered non-2xx) or failed for good (`forgetAgentMessage`). False when dropped as already accepted.
   */
  async fromChatwoot(app: AppContext, message: AgentMessage, retry = false): Promise<boolean> {
    if (!message.conversationId || !message.messageId) return false;
    const event: InboxEvent = retry ? { kind: 'agent-message', message, retry } : { kind: 'agent-message', message };
    return this.lanes.push(QueueName.Inbox, app.config.id, `conv-${message.conversationId}`, event, agentMessageKey(message.messageId));
  }

  /** The reply was accepted (again): a later update of the message is not a Retry. */
  async rememberAgentMessage(appId: string, messageId: number): Promise<void> {
    await this.lanes.markSeen(appId, agentMessageKey(messageId));
  }

  /** A reply that failed for good may be sent again by the agent's Retry in ChatWoot. */
  async forgetAgentMessage(appId: string, messageId: number): Promise<void> {
    await this.lanes.forget(appId, agentMessageKey(messageId));
  }

  /**
   * A command is run once per ChatWoot message: its job id dedupes while the job is kept, this mark for two days
   * (longer than ChatWoot offers Retry), so a later update of the message never runs it again.
   */
  async commandSeen(appId: string, messageId: number): Promise<boolean> {
    return this.lanes.seen(appId, commandKey(messageId));
  }

  async markCommandSeen(appId: string, messageId: number): Promise<void> {
    await this.lanes.markSeen(appId, commandKey(messageId));
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

  /**
   * A reaction, edit, deletion, poll vote or call, in its chat's lane (after the message it is about). False when
   * WAHA delivered it before.
   */
  async fromWhatsAppUpdate(app: AppContext, update: WhatsAppUpdate): Promise<boolean> {
    const event: WhatsAppEvent = { kind: 'update', update, receivedAt: Date.now() };
    return this.lanes.push(QueueName.WhatsApp, app.config.id, `chat-${update.chatId}`, event, `wa-upd-${update.chatId}:${update.key}`);
  }

  /** An agent deleted a message: in its conversation's lane, after the message itself was sent. */
  async fromChatwootDelete(app: AppContext, message: AgentMessage): Promise<boolean> {
    if (!message.conversationId || !message.messageId) return false;
    return this.lanes.push(QueueName.Inbox, app.config.id, `conv-${message.conversationId}`, { kind: 'agent-delete', message }, `cw-del-${message.messageId}`);
  }

  /** In the chat's lane, so it is handled after the message it acknowledges. False when a duplicate. */
  async fromWhatsAppRead(app: AppContext, receipt: ReadReceipt): Promise<boolean> {
    const event: WhatsAppEvent = { kind: 'read', receipt };
    return this.lanes.push(QueueName.WhatsApp, app.config.id, `chat-${receipt.chatId}`, event, `wa-ack-${receipt.chatId}:${receipt.waId}-${receipt.ack}`);
  }

  /**
   * Puts the app's dead letters back at the end of their lanes, oldest first (after what arrived meanwhile).
   * Returns how many per queue.
   */
  async retryDeadLetters(appId: string, queues: readonly QueueName[]): Promise<Map<QueueName, number>> {
    const retried = new Map<QueueName, number>();
    for (const queue of queues) retried.set(queue, await this.lanes.retryDeadLetters(appId, queue));
    return retried;
  }

  async fromWhatsAppSession(app: AppContext, session: string, status: string, eventId?: string): Promise<void> {
    const event: WhatsAppEvent = { kind: 'session-status', status, session };
    await this.lanes.push(QueueName.WhatsApp, app.config.id, 'session', event, eventId ? `wa-evt-${eventId}` : undefined);
  }
}
