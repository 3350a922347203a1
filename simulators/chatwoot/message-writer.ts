/**
 * Storing a ChatWoot message and flipping a conversation's status, with everything that follows: the flood guard
 * and length check, the stats, waiting_since / first_reply_created_at, the reopen on a new incoming message, the
 * activity messages, and the webhooks. Shared by the API routes and the test accessors.
 */
import { createHash } from 'node:crypto';
import { ChatwootStore } from './chatwoot-store';
import {
  ConversationStatus,
  JsonObject,
  SimAttachment,
  SimConversation,
  SimHttpError,
  SimMessage,
  SimSender,
  unprocessable,
} from './chatwoot-types';
import { ChatwootViews } from './chatwoot-views';
import { UploadedFile, castBoolean } from './request-params';
import { StatsRecorder } from './sim-stats';
import { ResolvedOptions } from './simulator-types';
import { ChatwootWebhooks } from './webhook-events';

const MAX_CONTENT_LENGTH = 150_000;
const KEEP_ATTACHMENT_BYTES = 1024 * 1024;
const SYSTEM_REOPEN_TEXT = 'System reopened the conversation due to a new incoming message.';

export interface MessageDraft {
  content: string | null;
  messageType: 0 | 1 | 2 | 3;
  contentType: string;
  private: boolean;
  sourceId: string | null;
  contentAttributes: JsonObject;
  additionalAttributes: JsonObject;
  sender: SimSender;
  attachments: SimAttachment[];
}

function fileTypeOf(mime: string): SimAttachment['fileType'] {
  const type = mime.toLowerCase().split(';')[0].trim();
  if (['image/jpeg', 'image/png', 'image/gif', 'image/bmp', 'image/webp'].includes(type)) return 'image';
  if (['video/ogg', 'video/mp4', 'video/webm', 'video/quicktime'].includes(type)) return 'video';
  if (type.includes('audio/')) return 'audio';
  return 'file';
}

export function toAttachment(file: UploadedFile): SimAttachment {
  return {
    id: 0,
    messageId: 0,
    fileType: fileTypeOf(file.contentType),
    fileName: file.fileName,
    contentType: file.contentType,
    fileSize: file.data.length,
    sha256: createHash('sha256').update(file.data).digest('hex'),
    data: file.data.length <= KEEP_ATTACHMENT_BYTES ? file.data : null,
  };
}

/** config/locales/en.yml `conversations.messages.deleted`. */
const DELETED_TEXT = 'This message was deleted';

export class MessageWriter {
  constructor(
    private readonly store: ChatwootStore,
    private readonly views: ChatwootViews,
    private readonly options: ResolvedOptions,
    private readonly stats: StatsRecorder,
    private readonly webhooks: ChatwootWebhooks,
  ) {}

  draftDefaults(): MessageDraft {
    return {
      content: null,
      messageType: 1,
      contentType: 'text',
      private: false,
      sourceId: null,
      contentAttributes: {},
      additionalAttributes: {},
      sender: null,
      attachments: [],
    };
  }

  /** Validates (flood guard, length), stores, then runs the after-create effects and webhooks. */
  insertMessage(conversation: SimConversation, draft: MessageDraft): SimMessage {
    const errors: string[] = [];
    const limit = this.options.messagesPerMinute;
    if (limit > 0 && this.store.recentMessageCount(conversation, Date.now(), this.options.messageWindowMs) >= limit)
      errors.push('Too many messages');
    if ((draft.content?.length ?? 0) > MAX_CONTENT_LENGTH) {
      errors.push(`Content is too long (maximum is ${MAX_CONTENT_LENGTH} characters)`);
    }
    if (errors.length > 0) throw unprocessable(`Validation failed: ${errors.join(', ')}`);

    const message = this.store.addMessage(conversation, {
      conversationPk: conversation.pk,
      conversationDisplayId: conversation.displayId,
      inboxId: conversation.inboxId,
      content: draft.content,
      messageType: draft.messageType,
      contentType: draft.contentType,
      private: draft.private,
      status: 'sent',
      sourceId: draft.sourceId,
      contentAttributes: draft.contentAttributes,
      additionalAttributes: draft.additionalAttributes,
      sender: draft.sender,
      attachments: draft.attachments,
    });
    this.stats.countMessage(message, conversation);
    if (message.messageType === 2) return message;

    this.webhooks.emit('message_created', this.views.messageWebhook('message_created', message, conversation));

    const changes: JsonObject[] = [];
    const isoOrNull = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
    if (message.messageType === 0) {
      const contact = this.store.contacts.get(conversation.contactId);
      if (contact) contact.lastActivityAt = message.createdAt;
      if (conversation.waitingSince === null) {
        conversation.waitingSince = message.createdAt;
        changes.push({ waiting_since: { previous_value: null, current_value: isoOrNull(message.createdAt) } });
      }
    } else if (message.messageType === 1 && !message.private && message.sender?.type === 'user') {
      if (conversation.firstReplyCreatedAt === null) {
        conversation.firstReplyCreatedAt = message.createdAt;
        changes.push({ first_reply_created_at: { previous_value: null, current_value: isoOrNull(message.createdAt) } });
      }
      if (conversation.waitingSince !== null) {
        changes.push({ waiting_since: { previous_value: isoOrNull(conversation.waitingSince), current_value: null } });
        conversation.waitingSince = null;
      }
    }
    if (changes.length > 0) this.webhooks.emitConversation('conversation_updated', conversation, changes);

    const reaction = castBoolean(message.contentAttributes.is_reaction);
    if (
      message.messageType === 0 &&
      !reaction &&
      (conversation.status === 'resolved' || conversation.status === 'snoozed')
    ) {
      this.changeStatus(conversation, 'open', SYSTEM_REOPEN_TEXT);
    }
    return message;
  }

  /**
   * MessagesController#destroy (app/controllers/api/v1/accounts/conversations/messages_controller.rb): in one
   * transaction the text becomes the locale's `conversations.messages.deleted` ("This message was deleted"),
   * content_type text, content_attributes exactly `{deleted: true}`, and the attachments are destroyed; source_id,
   * message_type, private and sender stay. The route answers 200 with the message (destroy.json.jbuilder) and 404 for
   * a message not in the conversation. A change fires message_updated (after_update_commit); deleting it again
   * changes nothing and fires nothing.
   */
  deleteMessage(conversation: SimConversation, message: SimMessage): void {
    const already = message.content === DELETED_TEXT && message.contentType === 'text' && message.attachments.length === 0 && JSON.stringify(message.contentAttributes) === '{"deleted":true}';
    if (already) return;
    message.content = DELETED_TEXT;
    message.contentType = 'text';
    message.contentAttributes = { deleted: true };
    message.attachments = [];
    message.updatedAt = Date.now();
    this.webhooks.emit('message_updated', this.views.messageWebhook('message_updated', message, conversation));
  }

  /** A status flip: status_changed and updated webhooks, then the activity message (skipped when flooded). */
  changeStatus(conversation: SimConversation, next: ConversationStatus, activityText: string): void {
    const previous = conversation.status;
    if (previous === next) return;
    conversation.status = next;
    conversation.updatedAt = Date.now();
    const changes = [{ status: { previous_value: previous, current_value: next } }];
    this.webhooks.emitConversation('conversation_status_changed', conversation, changes);
    this.webhooks.emitConversation('conversation_updated', conversation, changes);
    try {
      this.insertMessage(conversation, { ...this.draftDefaults(), content: activityText, messageType: 2 });
    } catch (error) {
      if (!(error instanceof SimHttpError)) throw error;
    }
  }
}
