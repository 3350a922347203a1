/**
 * The ChatWoot simulator's options (as given, and resolved with their defaults) and the shapes its test accessors
 * return: REST JSON plus what the simulator knows about uploads. Re-exported by chatwoot-simulator.ts.
 */
import { ConversationStatus, JsonObject } from './chatwoot-types';

export interface ChatwootSimOptions {
  /** Default 1. */
  accountId?: number;
  /** `api_access_token` of an administrator who is a member of the account. Default 'cw-token'. */
  token?: string;
  /** The API-channel inbox. Default 1. */
  inboxId?: number;
  /** Default 'inbox-ident-1'. */
  inboxIdentifier?: string;
  /** The inbox `webhook_url`; webhooks are only sent while it is set. */
  webhookUrl?: string;
  /** The inbox `secret`: when set, webhooks carry X-Chatwoot-Timestamp and X-Chatwoot-Signature. */
  webhookSecret?: string;
  /** Time each request holds a capacity slot. Default 0. */
  latencyMs?: number;
  /** Requests served at once (Puma threads). Default 32; more wait in a queue, beyond 2×capacity waiting → 503. */
  capacity?: number;
  /** Rack::Attack `req/ip`: fixed windows aligned to the epoch; beyond `limit` → 429 "Retry later\n". Default off. */
  rateLimit?: { limit: number; periodSec: number } | null;
  /** CONVERSATION_MESSAGE_PER_MINUTE_LIMIT (rolling 60 s, all message types). Default 200; 0 = unlimited. */
  messagesPerMinute?: number;
  /** The flood guard's rolling window (ChatWoot: always one minute). Shorter only to test pacing quickly. */
  messageWindowMs?: number;
  /** RATE_LIMIT_CONTACT_SEARCH per account per minute (fixed window). Default null (off). */
  contactSearchPerMinute?: number | null;
  /**
   * The ChatWoot release to imitate (config/app.yml `version`, answered by GET /api). Before 4.9.0 message create
   * keeps only in_reply_to, items and automation_rule_id of content_attributes. Default '4.15.1'.
   */
  version?: string;
}

export type ChatwootSimConfig = Pick<
  ChatwootSimOptions,
  | 'latencyMs'
  | 'capacity'
  | 'rateLimit'
  | 'messagesPerMinute'
  | 'messageWindowMs'
  | 'webhookUrl'
  | 'webhookSecret'
  | 'contactSearchPerMinute'
  | 'version'
>;

/**
 * The options in effect (latency aside, which lives on the server). One object shared by every part of the
 * simulator: `configure()` changes it in place, so everyone sees the change.
 */
export interface ResolvedOptions {
  accountId: number;
  token: string;
  inboxId: number;
  inboxIdentifier: string;
  webhookUrl?: string;
  webhookSecret?: string;
  capacity: number;
  rateLimit: { limit: number; periodSec: number } | null;
  messagesPerMinute: number;
  messageWindowMs: number;
  contactSearchPerMinute: number | null;
  version: string;
}

export function resolveOptions(opts: ChatwootSimOptions): ResolvedOptions {
  return {
    accountId: opts.accountId ?? 1,
    token: opts.token ?? 'cw-token',
    inboxId: opts.inboxId ?? 1,
    inboxIdentifier: opts.inboxIdentifier ?? 'inbox-ident-1',
    webhookUrl: opts.webhookUrl,
    webhookSecret: opts.webhookSecret,
    capacity: opts.capacity ?? 32,
    rateLimit: opts.rateLimit ?? null,
    messagesPerMinute: opts.messagesPerMinute ?? 200,
    messageWindowMs: opts.messageWindowMs ?? 60_000,
    contactSearchPerMinute: opts.contactSearchPerMinute ?? null,
    version: opts.version ?? '4.15.1',
  };
}

export interface AttachmentInput {
  file_name: string;
  content_type?: string;
  /** Bytes, or a string taken as UTF-8 text. */
  data: Buffer | string;
}

export interface AgentMessageOptions {
  private?: boolean;
  /** Who writes it (default the agent): an agent bot, Captain, or an automation rule (no sender). */
  by?: 'agent' | 'agent_bot' | 'captain_assistant' | 'automation';
  attachments?: AttachmentInput[];
  content_attributes?: JsonObject;
}

export interface SeedContactInput {
  name: string;
  identifier?: string;
  phone_number?: string;
  email?: string;
  custom_attributes?: JsonObject;
  additional_attributes?: JsonObject;
  /** Also create a contact_inbox in the API inbox and a conversation (no webhooks are sent for seeds). */
  withConversation?: boolean;
  /** Conversation status (default open). */
  status?: ConversationStatus;
  /** contact_inbox source_id (default a UUID). */
  source_id?: string;
}

/** REST attachment JSON plus what the simulator knows about the upload (file name, MIME type, SHA-256). */
export interface AttachmentView {
  id: number;
  message_id: number;
  file_type: 'image' | 'audio' | 'video' | 'file';
  account_id: number;
  extension: null;
  data_url: string;
  thumb_url: string;
  file_size: number;
  width: null;
  height: null;
  file_name: string;
  content_type: string;
  sha256: string;
}

/** REST message JSON (integer message_type, unix-second created_at); `attachments` is always present here. */
export interface MessageView {
  id: number;
  content: string | null;
  inbox_id: number;
  conversation_id: number;
  message_type: number;
  content_type: string;
  status: string;
  content_attributes: JsonObject;
  created_at: number;
  private: boolean;
  source_id: string | null;
  sender?: JsonObject;
  attachments: AttachmentView[];
}

export interface ContactView {
  id: number;
  name: string;
  email: string | null;
  phone_number: string | null;
  identifier: string | null;
  blocked: boolean;
  custom_attributes: JsonObject;
  additional_attributes: JsonObject;
  contact_inboxes: Array<{ source_id: string; inbox: JsonObject }>;
  created_at: number;
  thumbnail: string;
  [key: string]: unknown;
}

export interface ConversationView {
  id: number;
  status: ConversationStatus;
  inbox_id: number;
  uuid: string;
  meta: { sender: JsonObject | null; channel: string; hmac_verified: boolean };
  custom_attributes: JsonObject;
  additional_attributes: JsonObject;
  /** Seconds; 0 until the contact has seen the conversation (Client API update_last_seen). */
  contact_last_seen_at: number;
  [key: string]: unknown;
}
