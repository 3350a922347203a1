/**
 * Answers in the conversation a command came from. In the WhatsApp Integration conversation replies are normal
 * (incoming) messages from the integration contact; in a customer conversation they are private notes so the
 * customer never sees them; lifecycle events are activity messages in both.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { AppsService } from '../apps/apps.service';
import { CwAttachmentUpload, CwNewMessage } from '../clients/chatwoot/chatwoot.types';
import { LOGGER } from '../logging/logger';
import { CommandOrigin } from './command-origin';

/** A reply answers the command: a normal message in the integration conversation, a private note elsewhere. */
function placed(origin: CommandOrigin, content: string): CwNewMessage {
  const message = origin.commandsChat ? { message_type: 'incoming' as const, private: false } : { message_type: 'outgoing' as const, private: true };
  return { content, ...message, content_attributes: { in_reply_to: origin.messageId } };
}

@Injectable()
export class ReplyService {
  constructor(
    private readonly apps: AppsService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async reply(origin: CommandOrigin, content: string): Promise<void> {
    const app = this.apps.require(origin.appId);
    await app.chatwoot.createMessage(origin.conversationId, placed(origin, content), 'live');
  }

  /** A reply with an image (a QR, a screenshot), as `reply` places it. */
  async replyWithImage(origin: CommandOrigin, content: string, image: CwAttachmentUpload): Promise<void> {
    const app = this.apps.require(origin.appId);
    await app.chatwoot.createMessageWithAttachments(origin.conversationId, placed(origin, content), [image], 'live');
  }

  async activity(origin: CommandOrigin, content: string): Promise<void> {
    const app = this.apps.require(origin.appId);
    await app.chatwoot.createMessage(origin.conversationId, { content, message_type: 'activity' }, 'live');
  }

  /** Lifecycle reports must not fail the work they report on: log and go on. */
  /** Posts the activity, or logs why it could not: false then. */
  async activitySafe(origin: CommandOrigin, content: string): Promise<boolean> {
    try {
      await this.activity(origin, content);
      return true;
    } catch (error) {
      this.logger.warn({ err: error, conversationId: origin.conversationId }, 'cannot post activity');
      return false;
    }
  }
}
