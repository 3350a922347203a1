/**
 * JSON renderings of the fake ChatWoot's records, following ChatWoot's jbuilder partials (REST: unix seconds,
 * integer message_type) and its `webhook_data` / `push_event_data` (webhooks: ISO times, string message_type).
 */
import { versionAtLeast } from '../common/versions';
import type { ChatwootStore } from './chatwoot-store';
import {
  JsonObject,
  MESSAGE_TYPES,
  SimAttachment,
  SimContact,
  SimContactInbox,
  SimConversation,
  SimCustomAttributeDefinition,
  SimMessage,
} from './chatwoot-types';

export interface ViewContext {
  store: ChatwootStore;
  baseUrl: string;
  webhookUrl: string | null;
  webhookSecret: string | null;
  /** The ChatWoot release imitated. */
  version: string;
}

const secs = (ms: number): number => Math.floor(ms / 1000);
const iso = (ms: number): string => new Date(ms).toISOString();

export class ChatwootViews {
  constructor(private readonly ctx: () => ViewContext) {}

  private get store(): ChatwootStore {
    return this.ctx().store;
  }

  // ---- account, user, inbox ----

  account(): JsonObject {
    return { id: this.store.account.id, name: this.store.account.name };
  }

  userPush(): JsonObject {
    const user = this.store.user;
    return {
      id: user.id,
      name: user.name,
      available_name: user.name,
      avatar_url: '',
      type: 'user',
      availability_status: 'online',
      thumbnail: '',
    };
  }

  userWebhook(): JsonObject {
    const user = this.store.user;
    return { id: user.id, name: user.name, email: user.email, type: 'user' };
  }

  /** The `api/v1/models/_inbox` partial as an administrator sees it. */
  inbox(): JsonObject {
    const { inbox } = this.store;
    const { webhookUrl, webhookSecret } = this.ctx();
    return {
      id: inbox.id,
      avatar_url: '',
      channel_id: inbox.channelId,
      name: inbox.name,
      channel_type: 'Channel::Api',
      greeting_enabled: false,
      greeting_message: null,
      working_hours_enabled: false,
      enable_email_collect: true,
      csat_survey_enabled: false,
      enable_auto_assignment: true,
      auto_assignment_config: {},
      out_of_office_message: null,
      working_hours: [],
      timezone: 'UTC',
      callback_webhook_url: null,
      allow_messages_after_resolved: true,
      lock_to_single_conversation: false,
      sender_name_type: 'friendly',
      business_name: null,
      widget_color: null,
      website_url: null,
      hmac_mandatory: false,
      welcome_title: null,
      welcome_tagline: null,
      web_widget_script: null,
      website_token: null,
      selected_feature_flags: null,
      reply_time: null,
      messaging_service_sid: null,
      phone_number: null,
      medium: null,
      provider: null,
      webhook_url: webhookUrl,
      inbox_identifier: inbox.inboxIdentifier,
      additional_attributes: {},
      hmac_token: 'sim-hmac-token',
      secret: webhookSecret,
    };
  }

  /** The raw Inbox model JSON that `POST /contacts` returns inside `contact_inbox`. */
  inboxModel(): JsonObject {
    const { inbox, account } = this.store;
    return {
      id: inbox.id,
      channel_id: inbox.channelId,
      account_id: account.id,
      name: inbox.name,
      created_at: iso(inbox.createdAt),
      updated_at: iso(inbox.createdAt),
      channel_type: 'Channel::Api',
      enable_auto_assignment: true,
      greeting_enabled: false,
      greeting_message: null,
      email_address: null,
      working_hours_enabled: false,
      out_of_office_message: null,
      timezone: 'UTC',
      enable_email_collect: true,
      csat_survey_enabled: false,
      allow_messages_after_resolved: true,
      auto_assignment_config: {},
      lock_to_single_conversation: false,
      portal_id: null,
      sender_name_type: 'friendly',
      business_name: null,
    };
  }

  // ---- contacts ----

  contactInboxEntry(row: SimContactInbox): JsonObject {
    return { source_id: row.sourceId, inbox: this.inbox() };
  }

  /** The `api/v1/models/_contact` partial. */
  contact(contact: SimContact, withContactInboxes = true): JsonObject {
    const json: JsonObject = {
      additional_attributes: contact.additional_attributes,
      availability_status: 'offline',
      email: contact.email,
      id: contact.id,
      name: contact.name,
      phone_number: contact.phone_number,
      blocked: contact.blocked,
      identifier: contact.identifier,
      // Avatarable#avatar_url: the avatar's URL once one is attached, '' before (app/models/concerns/avatarable.rb).
      thumbnail: contact.avatar ? `${this.ctx().baseUrl}/rails/active_storage/representations/redirect/${contact.avatar.id}/${encodeURIComponent(contact.avatar.fileName)}` : '',
      custom_attributes: contact.custom_attributes,
      created_at: secs(contact.createdAt),
    };
    if (contact.lastActivityAt !== null) json.last_activity_at = secs(contact.lastActivityAt);
    if (withContactInboxes) {
      json.contact_inboxes = this.store.contactInboxesOf(contact.id).map((row) => this.contactInboxEntry(row));
    }
    return json;
  }

  contactPush(contact: SimContact): JsonObject {
    return {
      additional_attributes: contact.additional_attributes,
      custom_attributes: contact.custom_attributes,
      email: contact.email,
      id: contact.id,
      identifier: contact.identifier,
      name: contact.name,
      phone_number: contact.phone_number,
      thumbnail: '',
      blocked: contact.blocked,
      type: 'contact',
    };
  }

  contactWebhook(contact: SimContact): JsonObject {
    return {
      account: this.account(),
      additional_attributes: contact.additional_attributes,
      avatar: '',
      custom_attributes: contact.custom_attributes,
      email: contact.email,
      id: contact.id,
      identifier: contact.identifier,
      name: contact.name,
      phone_number: contact.phone_number,
      thumbnail: '',
      blocked: contact.blocked,
    };
  }

  // ---- messages ----

  attachment(attachment: SimAttachment): JsonObject {
    const dataUrl = `${this.ctx().baseUrl}/rails/active_storage/blobs/redirect/${attachment.id}/${encodeURIComponent(attachment.fileName)}`;
    return {
      id: attachment.id,
      message_id: attachment.messageId,
      file_type: attachment.fileType,
      account_id: this.store.account.id,
      extension: null,
      data_url: dataUrl,
      thumb_url: attachment.fileType === 'image' ? dataUrl : '',
      file_size: attachment.fileSize,
      width: null,
      height: null,
    };
  }

  private senderPush(message: SimMessage): JsonObject | undefined {
    if (!message.sender) return undefined;
    if (message.sender.type === 'user') return this.userPush();
    if (message.sender.type === 'agent_bot' || message.sender.type === 'captain_assistant') return { id: message.sender.id, name: message.sender.name, type: message.sender.type };
    const contact = this.store.contacts.get(message.sender.id);
    return contact ? this.contactPush(contact) : undefined;
  }

  /** The `api/v1/models/_message` partial (REST create and list). */
  message(message: SimMessage, echoId?: string): JsonObject {
    const json: JsonObject = {
      id: message.id,
      content: message.content,
      inbox_id: message.inboxId,
      conversation_id: message.conversationDisplayId,
      message_type: message.messageType,
      content_type: message.contentType,
      status: message.status,
      content_attributes: message.contentAttributes,
      created_at: secs(message.createdAt),
      private: message.private,
      source_id: message.sourceId,
    };
    if (echoId !== undefined) json.echo_id = echoId;
    const sender = this.senderPush(message);
    if (sender) json.sender = sender;
    if (message.attachments.length > 0) json.attachments = message.attachments.map((a) => this.attachment(a));
    return json;
  }

  /** `Message#push_event_data`, as found in a conversation's `messages` array. */
  messagePush(message: SimMessage, conversation: SimConversation): JsonObject {
    const contactInbox = this.store.contactInboxes.get(conversation.contactInboxId);
    const json: JsonObject = {
      id: message.id,
      content: message.content,
      account_id: this.store.account.id,
      inbox_id: message.inboxId,
      conversation_id: message.conversationDisplayId,
      message_type: message.messageType,
      created_at: secs(message.createdAt),
      updated_at: iso(message.updatedAt),
      private: message.private,
      status: message.status,
      source_id: message.sourceId,
      content_type: message.contentType,
      content_attributes: message.contentAttributes,
      sender_type: message.sender ? { user: 'User', contact: 'Contact', agent_bot: 'AgentBot', captain_assistant: 'Captain::Assistant' }[message.sender.type] : null,
      sender_id: message.sender?.id ?? null,
      external_source_ids: {},
      additional_attributes: message.additionalAttributes,
      processed_message_content: message.content,
      sentiment: {},
      conversation: {
        assignee_id: null,
        unread_count: 0,
        last_activity_at: secs(conversation.lastActivityAt),
        contact_inbox: { source_id: contactInbox?.sourceId ?? null },
      },
    };
    if (message.attachments.length > 0) json.attachments = message.attachments.map((a) => this.attachment(a));
    const sender = this.senderPush(message);
    if (sender) json.sender = sender;
    return json;
  }

  /** `Message#webhook_data` merged with the event name. */
  messageWebhook(event: string, message: SimMessage, conversation: SimConversation): JsonObject {
    // sender.try(:webhook_data): User {id,name,email,type:'user'} (app/models/user.rb), AgentBot {id,name,type:
    // 'agent_bot'} (app/models/agent_bot.rb), Captain::Assistant {id,name,avatar_url,description,created_at,type:
    // 'captain_assistant'} (enterprise/app/models/captain/assistant.rb); nil for automation rules.
    let sender: JsonObject | null = null;
    const from = message.sender;
    if (from?.type === 'user') sender = this.userWebhook();
    else if (from?.type === 'contact') {
      const contact = this.store.contacts.get(from.id);
      sender = contact ? this.contactWebhook(contact) : null;
    } else if (from?.type === 'agent_bot') sender = { id: from.id, name: from.name, type: 'agent_bot' };
    else if (from?.type === 'captain_assistant') sender = { id: from.id, name: from.name, avatar_url: '', description: '', created_at: iso(message.createdAt), type: 'captain_assistant' };
    const json: JsonObject = {
      event,
      id: message.id,
      content: message.content,
      created_at: iso(message.createdAt),
      message_type: MESSAGE_TYPES[message.messageType],
      content_type: message.contentType,
      content_attributes: message.contentAttributes,
      private: message.private,
      source_id: message.sourceId,
      additional_attributes: message.additionalAttributes,
      sender,
      inbox: { id: this.store.inbox.id, name: this.store.inbox.name },
      account: this.account(),
    };
    if (message.attachments.length > 0) json.attachments = message.attachments.map((a) => this.attachment(a));
    json.conversation = this.conversationWebhookData(conversation);
    return json;
  }

  // ---- conversations ----

  /** The `api/v1/conversations/partials/_conversation` partial. */
  conversation(conversation: SimConversation): JsonObject {
    const contact = this.store.contacts.get(conversation.contactId);
    const last = conversation.messages.at(-1);
    return {
      meta: {
        sender: contact ? this.contactPush(contact) : null,
        channel: 'Channel::Api',
        hmac_verified: false,
      },
      id: conversation.displayId,
      messages: last ? [this.messagePush(last, conversation)] : [],
      account_id: this.store.account.id,
      uuid: conversation.uuid,
      additional_attributes: conversation.additional_attributes,
      agent_last_seen_at: 0,
      assignee_last_seen_at: 0,
      can_reply: true,
      contact_last_seen_at: conversation.contactLastSeenAt === null ? 0 : secs(conversation.contactLastSeenAt),
      custom_attributes: conversation.custom_attributes,
      inbox_id: conversation.inboxId,
      labels: [],
      muted: false,
      snoozed_until: null,
      status: conversation.status,
      created_at: secs(conversation.createdAt),
      updated_at: conversation.updatedAt / 1000,
      timestamp: secs(conversation.lastActivityAt),
      first_reply_created_at: conversation.firstReplyCreatedAt === null ? 0 : secs(conversation.firstReplyCreatedAt),
      unread_count: 0,
      last_non_activity_message: conversation.lastChatMessage
        ? this.messagePush(conversation.lastChatMessage, conversation)
        : null,
      last_activity_at: secs(conversation.lastActivityAt),
      priority: null,
      waiting_since: conversation.waitingSince === null ? 0 : secs(conversation.waitingSince),
      sla_policy_id: null,
    };
  }

  /**
   * `Conversations::EventDataPresenter#webhook_data` (app/presenters/conversations/event_data_presenter.rb): what
   * message and conversation webhooks carry; `account` in it from v4.14.2 (#12445).
   */
  conversationWebhookData(conversation: SimConversation): JsonObject {
    const contact = this.store.contacts.get(conversation.contactId);
    const contactInbox = this.store.contactInboxes.get(conversation.contactInboxId);
    const json: JsonObject = {
      additional_attributes: conversation.additional_attributes,
      can_reply: true,
      channel: 'Channel::Api',
      contact_inbox: contactInbox
        ? {
            id: contactInbox.id,
            contact_id: contactInbox.contactId,
            inbox_id: contactInbox.inboxId,
            source_id: contactInbox.sourceId,
            created_at: iso(contactInbox.createdAt),
            updated_at: iso(contactInbox.updatedAt),
            hmac_verified: false,
            pubsub_token: contactInbox.pubsubToken,
          }
        : null,
      id: conversation.displayId,
      inbox_id: conversation.inboxId,
      messages: conversation.lastChatMessage ? [this.messagePush(conversation.lastChatMessage, conversation)] : [],
      labels: [],
      meta: {
        sender: contact ? this.contactPush(contact) : null,
        assignee: null,
        assignee_type: null,
        team: null,
        hmac_verified: false,
      },
      status: conversation.status,
      custom_attributes: conversation.custom_attributes,
      snoozed_until: null,
      unread_count: 0,
      first_reply_created_at: conversation.firstReplyCreatedAt === null ? null : iso(conversation.firstReplyCreatedAt),
      priority: null,
      waiting_since: conversation.waitingSince === null ? 0 : secs(conversation.waitingSince),
      agent_last_seen_at: 0,
      contact_last_seen_at: conversation.contactLastSeenAt === null ? 0 : secs(conversation.contactLastSeenAt),
      last_activity_at: secs(conversation.lastActivityAt),
      timestamp: secs(conversation.lastActivityAt),
      created_at: secs(conversation.createdAt),
      updated_at: conversation.updatedAt / 1000,
    };
    if (versionAtLeast(this.ctx().version, '4.14.2')) json.account = this.account();
    return json;
  }

  customAttributeDefinition(definition: SimCustomAttributeDefinition): JsonObject {
    return {
      id: definition.id,
      attribute_display_name: definition.attribute_display_name,
      attribute_display_type: definition.attribute_display_type,
      attribute_description: definition.attribute_description,
      attribute_key: definition.attribute_key,
      regex_pattern: definition.regex_pattern,
      regex_cue: definition.regex_cue,
      attribute_values: definition.attribute_values,
      attribute_model: definition.attribute_model,
      default_value: definition.default_value,
      created_at: iso(definition.createdAt),
      updated_at: iso(definition.updatedAt),
    };
  }
}
