/**
 * One processor per queue dispatches each job to the handler registered for its name. The table is checked when
 * it is built (at start-up): a job name of the queue with no handler, or with two, stops the service.
 */
import type { Job } from 'bullmq';
import { UnknownAppError } from '../common/unknown-app';
import { queueOf } from './job-options';
import { JobDataMap, JobName, QueueName, TypedJobName } from './queue.constants';

export interface JobHandler<N extends TypedJobName = TypedJobName> {
  readonly jobName: N;
  /** `token` is the worker's lock token, for handlers that move their job (e.g. back to delayed at shutdown). */
  handle(job: Job<JobDataMap[N]>, token?: string): Promise<void>;
}

export class JobDispatcher {
  private readonly handlers: ReadonlyMap<JobName, JobHandler>;

  constructor(
    readonly queue: QueueName,
    handlers: readonly JobHandler[],
  ) {
    const byName = new Map<JobName, JobHandler>();
    for (const handler of handlers) {
      if (queueOf(handler.jobName) !== queue) throw new Error(`Job ${handler.jobName} does not belong on the ${queue} queue`);
      if (byName.has(handler.jobName)) throw new Error(`Job ${handler.jobName} has two handlers`);
      byName.set(handler.jobName, handler);
    }
    const missing = Object.values(JobName).filter((name) => queueOf(name) === queue && !byName.has(name));
    if (missing.length > 0) throw new Error(`No handler for job ${missing.join(', ')} on the ${queue} queue`);
    this.handlers = byName;
  }

  async dispatch(job: Job, token?: string): Promise<void> {
    const handler = this.handlers.get(job.name as JobName);
    if (!handler) throw new Error(`Job ${job.name} does not belong on the ${this.queue} queue`);
    try {
      await handler.handle(job as Job<never>, token);
    } catch (error) {
      // The app was removed (/api/apps) after the job was queued: nothing is left to do it with, so it ends here.
      if (error instanceof UnknownAppError) return;
      throw error;
    }
  }
}

/** True on a job's last attempt: a failure now is final, so report it instead of retrying. */
export function isFinalAttempt(job: Job): boolean {
  return job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
}
