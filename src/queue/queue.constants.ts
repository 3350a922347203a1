/**
 * Every queue, job name and job payload of the service, in one place.
 *
 * - `commands`: agent commands typed in ChatWoot (locked: never paused by `wa/queue stop`).
 * - `pull`: the history pull engine (locked).
 * - `inbox`: ChatWoot → WhatsApp live relay (pausable).
 * - `whatsapp`: WhatsApp → ChatWoot live relay (pausable).
 */

export enum QueueName {
  Commands = 'commands',
  Pull = 'pull',
  Inbox = 'inbox',
  WhatsApp = 'whatsapp',
}

export const PAUSABLE_QUEUES = [QueueName.Inbox, QueueName.WhatsApp] as const;

export enum JobName {
  Command = 'command',
  PullPlan = 'pull.plan',
  PullChat = 'pull.chat',
  PullFinish = 'pull.finish',
  InboxDrain = 'inbox.drain',
  WhatsAppDrain = 'whatsapp.drain',
}

/** Where a command came from and where its replies go. */
export interface CommandOrigin {
  appId: string;
  conversationId: number;
  /** The ChatWoot message id of the command itself. */
  messageId: number;
  commandsChat: boolean;
  /** Chat ids of the conversation's contact (customer conversations only). */
  contactChatIds: string[];
  contactId?: number;
}

export interface CommandJobData {
  origin: CommandOrigin;
  content: string;
  /** Milliseconds since epoch when the agent sent the command; anchors pull windows. */
  typedAt: number;
}

export interface PullPlanJobData {
  appId: string;
  pullId: string;
}

export interface PullChatJobData {
  appId: string;
  pullId: string;
  chatId: string;
}

export interface PullFinishJobData {
  appId: string;
  pullId: string;
}

export interface LaneDrainJobData {
  appId: string;
  lane: string;
}

export interface JobDataMap {
  [JobName.Command]: CommandJobData;
  [JobName.PullPlan]: PullPlanJobData;
  [JobName.PullChat]: PullChatJobData;
  [JobName.PullFinish]: PullFinishJobData;
  [JobName.InboxDrain]: LaneDrainJobData;
  [JobName.WhatsAppDrain]: LaneDrainJobData;
}

/**
 * Job ids are built here and nowhere else. BullMQ forbids `:` in custom ids, and ids double as idempotency keys:
 * the same webhook delivered twice or the same chat planned twice yields the same job.
 */
export function jobId(...parts: Array<string | number>): string {
  return parts.map((p) => String(p).replace(/[:\s]/g, '_')).join('~');
}
