/**
 * Every job's queue, options and id, in one place.
 *
 * Ids are built from business keys by one function per job. BullMQ forbids `:` in custom ids, and an id dedupes
 * only while its job exists (the same webhook delivered twice, the same chat planned twice); "imported once,
 * forever" is the ledger's job, not the queue's.
 */
import type { JobsOptions } from 'bullmq';
import { JobName, QueueName } from './queue.constants';

const DAY_S = 24 * 3600;
/** Finished jobs kept for inspection: three days of completed ones, a month of failed ones. */
const KEEP_FINISHED = { removeOnComplete: { age: 3 * DAY_S, count: 2000 }, removeOnFail: { age: 31 * DAY_S, count: 5000 } };

export interface JobSpec {
  queue: QueueName;
  options: JobsOptions;
}

export const JOBS: Readonly<Record<JobName, JobSpec>> = {
  [JobName.CommandRun]: { queue: QueueName.Commands, options: { ...KEEP_FINISHED, attempts: 3, backoff: { type: 'exponential', delay: 1000 } } },
  [JobName.PullPlan]: { queue: QueueName.Pull, options: { ...KEEP_FINISHED, attempts: 5, backoff: { type: 'exponential', delay: 2000 } } },
  // `attempts` comes from the pull's --attempts; a pull may have thousands of chats, so more are kept.
  [JobName.PullChat]: {
    queue: QueueName.Pull,
    options: { removeOnComplete: { age: 3 * DAY_S, count: 5000 }, removeOnFail: { age: 31 * DAY_S, count: 5000 }, backoff: { type: 'exponential', delay: 2000 } },
  },
  // `attempts` comes from the contacts pull's --attempts; each attempt resumes at the pull's checkpoint. Waits of
  // 15 s doubling to 4 m: the default 6 attempts outlast an outage of about 8 minutes (a ChatWoot deploy).
  [JobName.ContactsPull]: { queue: QueueName.Contacts, options: { ...KEEP_FINISHED, backoff: { type: 'exponential', delay: 15_000 } } },
  [JobName.PullFinish]: { queue: QueueName.Pull, options: { ...KEEP_FINISHED, attempts: 10, backoff: { type: 'exponential', delay: 2000 } } },
  // Drain jobs only wake a lane up; the events stay in the lane, so a finished drain job is worth nothing.
  [JobName.InboxDrain]: { queue: QueueName.Inbox, options: { removeOnComplete: true, removeOnFail: 1000, attempts: 20, backoff: { type: 'exponential', delay: 1000 } } },
  [JobName.WhatsAppDrain]: { queue: QueueName.WhatsApp, options: { removeOnComplete: true, removeOnFail: 1000, attempts: 20, backoff: { type: 'exponential', delay: 1000 } } },
};

/** Joins id parts with `~`, with `:` and whitespace (which BullMQ or humans trip over) replaced. */
function id(...parts: Array<string | number>): string {
  return parts.map((p) => String(p).replace(/[:\s]/g, '_')).join('~');
}

export const jobIds = {
  /** One command job per ChatWoot message, whatever the number of deliveries. */
  commandRun: (appId: string, messageId: number | string): string => id('cmd', appId, messageId),
  pullPlan: (pullId: string): string => id('plan', pullId),
  pullChat: (pullId: string, chatId: string): string => id('chat', pullId, chatId),
  pullFinish: (pullId: string): string => id('finish', pullId),
  /** `run` counts the runs of one contacts pull: a resumed pull is a new job. */
  contactsPull: (appId: string, pullId: string, run: number): string => id('contacts', appId, pullId, run),
  /** `seq` makes each wake-up a new job: a lane drains many times over its life. */
  laneDrain: (lane: string, seq: number): string => id('drain', lane, seq),
} as const;

/** The queue a job name belongs to. */
export function queueOf(name: JobName): QueueName {
  return JOBS[name].queue;
}
