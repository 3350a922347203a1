/**
 * The records the fake ChatWoot keeps, close to ChatWoot's own tables, and the error type route handlers throw.
 * Times are kept as epoch milliseconds; the JSON views convert them (REST: unix seconds, webhooks: ISO strings).
 */

export type JsonObject = Record<string, unknown>;

export const CONVERSATION_STATUSES = ['open', 'resolved', 'pending', 'snoozed'] as const;
export type ConversationStatus = (typeof CONVERSATION_STATUSES)[number];

/** Index = the integer ChatWoot stores and returns in REST JSON. */
export const MESSAGE_TYPES = ['incoming', 'outgoing', 'activity', 'template'] as const;
export type MessageTypeName = (typeof MESSAGE_TYPES)[number];
export const MessageType = { incoming: 0, outgoing: 1, activity: 2, template: 3 } as const;

export const CONTENT_TYPES = [
  'text',
  'input_text',
  'input_textarea',
  'input_email',
  'input_select',
  'cards',
  'form',
  'article',
  'incoming_email',
  'input_csat',
  'integrations',
  'sticker',
  'voice_call',
] as const;

export type MessageStatus = 'sent' | 'delivered' | 'read' | 'failed';

export const ATTRIBUTE_DISPLAY_TYPES = [
  'text',
  'number',
  'currency',
  'percent',
  'link',
  'date',
  'list',
  'checkbox',
] as const;
export const ATTRIBUTE_MODELS = ['conversation_attribute', 'contact_attribute'] as const;
export type AttributeModel = (typeof ATTRIBUTE_MODELS)[number];

export interface SimAccount {
  id: number;
  name: string;
}

export interface SimUser {
  id: number;
  name: string;
  email: string;
}

export interface SimInbox {
  id: number;
  name: string;
  channelId: number;
  inboxIdentifier: string;
  createdAt: number;
}

export interface SimContact {
  id: number;
  name: string;
  email: string | null;
  phone_number: string | null;
  identifier: string | null;
  blocked: boolean;
  additional_attributes: JsonObject;
  custom_attributes: JsonObject;
  createdAt: number;
  updatedAt: number;
  lastActivityAt: number | null;
  /** The attached avatar (Avatarable: `has_one_attached :avatar`), none until one is uploaded. */
  avatar?: SimAvatar;
}

export interface SimAvatar {
  id: number;
  fileName: string;
  contentType: string;
  byteSize: number;
  sha256: string;
  /** How many times an avatar was attached to this contact. */
  uploads: number;
}

export interface SimContactInbox {
  id: number;
  contactId: number;
  inboxId: number;
  sourceId: string;
  pubsubToken: string;
  createdAt: number;
  updatedAt: number;
}

export interface SimAttachment {
  id: number;
  messageId: number;
  fileType: 'image' | 'audio' | 'video' | 'file';
  fileName: string;
  contentType: string;
  fileSize: number;
  sha256: string;
  /** The bytes, kept only up to 1 MB so a long benchmark stays small in memory. */
  data: Buffer | null;
}

/**
 * Who wrote a message: an agent (User), a contact, an agent bot (AgentBot), Captain (Captain::Assistant, enterprise),
 * or nobody (null: automation rules build messages without a sender, AutomationRules::ActionService#send_message).
 */
export type SimSender =
  | { type: 'user'; id: number }
  | { type: 'contact'; id: number }
  | { type: 'agent_bot'; id: number; name: string }
  | { type: 'captain_assistant'; id: number; name: string }
  | null;

export interface SimMessage {
  id: number;
  conversationPk: number;
  conversationDisplayId: number;
  inboxId: number;
  content: string | null;
  messageType: 0 | 1 | 2 | 3;
  contentType: string;
  private: boolean;
  status: MessageStatus;
  sourceId: string | null;
  contentAttributes: JsonObject;
  additionalAttributes: JsonObject;
  sender: SimSender;
  attachments: SimAttachment[];
  createdAt: number;
  updatedAt: number;
}

export interface SimConversation {
  pk: number;
  displayId: number;
  uuid: string;
  contactId: number;
  contactInboxId: number;
  inboxId: number;
  status: ConversationStatus;
  additional_attributes: JsonObject;
  custom_attributes: JsonObject;
  createdAt: number;
  updatedAt: number;
  lastActivityAt: number;
  firstReplyCreatedAt: number | null;
  waitingSince: number | null;
  /** Set by the Client API's update_last_seen (the contact read the conversation); null until then. */
  contactLastSeenAt: number | null;
  /** All messages in creation (= id) order. */
  messages: SimMessage[];
  /** The latest message that is neither an activity nor private (what webhooks show in `messages`). */
  lastChatMessage: SimMessage | null;
  /** Creation times of recent messages, oldest first, for the per-minute flood guard; `recentHead` is the start. */
  recent: number[];
  recentHead: number;
}

export interface SimCustomAttributeDefinition {
  id: number;
  attribute_key: string;
  attribute_display_name: string;
  attribute_display_type: (typeof ATTRIBUTE_DISPLAY_TYPES)[number];
  attribute_description: string | null;
  attribute_model: AttributeModel;
  attribute_values: unknown[];
  regex_pattern: string | null;
  regex_cue: string | null;
  default_value: unknown;
  createdAt: number;
  updatedAt: number;
}

/** Thrown by route handlers; the simulator turns it into the answer. */
export class SimHttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(`HTTP ${status}`);
  }
}

export const NOT_FOUND_BODY = { error: 'Resource could not be found' };

export function notFound(): SimHttpError {
  return new SimHttpError(404, NOT_FOUND_BODY);
}

/** A controller that rescues errors itself: 422 {"error": text}. */
export function unprocessable(error: string): SimHttpError {
  return new SimHttpError(422, { error });
}

/** An uncaught ActiveRecord::RecordInvalid: 422 {"message", "attributes"}. */
export function recordInvalid(messages: string[], attributes: string[]): SimHttpError {
  return new SimHttpError(422, { message: messages.join(', '), attributes });
}

/** An unhandled exception in Rails production. */
export function internalError(): SimHttpError {
  return new SimHttpError(500, { status: 500, error: 'Internal Server Error' });
}
