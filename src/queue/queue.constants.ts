/**
 * Every queue and job name of the service, in one place.
 *
 * Queues are units of concurrency and pausing (never renamed once shipped):
 * - `commands`: agent commands typed in ChatWoot (never paused by `wa/queue stop`).
 * - `pull`: the history pull engine (never paused).
 * - `contacts`: `wa/contacts pull`, one job per app at a time (never paused).
 * - `inbox`: ChatWoot → WhatsApp live relay (pausable).
 * - `whatsapp`: WhatsApp → ChatWoot live relay (pausable).
 *
 * Job names are units of work. Each job's data type lives beside its handler (`pull/jobs/*.job.ts`, ...), which adds
 * it to `JobDataMap` below, so an enqueue is type-checked without this layer importing the features above it.
 */

export enum QueueName {
  Commands = 'commands',
  Pull = 'pull',
  Contacts = 'contacts',
  Inbox = 'inbox',
  WhatsApp = 'whatsapp',
}

/** The live queues `wa/queue stop|start` and `--pause` control. */
export const PAUSABLE_QUEUES = [QueueName.Inbox, QueueName.WhatsApp] as const;

/** What `wa/queue stop|start|status` acts on. */
export type QueueTarget = 'inbox' | 'whatsapp' | 'all';

export enum JobName {
  CommandRun = 'command',
  PullPlan = 'pull.plan',
  PullChat = 'pull.chat',
  PullFinish = 'pull.finish',
  ContactsPull = 'contacts.pull',
  InboxDrain = 'inbox.drain',
  WhatsAppDrain = 'whatsapp.drain',
}

/**
 * Job name → job data. Empty here; each `*.job.ts` declares its entry with `declare module` augmentation, e.g.
 * `interface JobDataMap { [JobName.PullChat]: PullChatJobData }`.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface JobDataMap {}

/** Job names whose data type has been declared (all of them once every feature is compiled). */
export type TypedJobName = JobName & keyof JobDataMap;
