/** The `contacts` queue: `wa/contacts pull` jobs, one per app at a time, retried with waits capped at 5 minutes. */
import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, OnApplicationBootstrap } from '@nestjs/common';
import { Job } from 'bullmq';
import { SERVICE_CONFIG, ServiceConfig } from '../config/config';
import { JobDispatcher } from '../queue/job-dispatch';
import { QueueName } from '../queue/queue.constants';
import { WORKER_OPTIONS } from '../queue/worker-options';
import { ContactsPullJob } from './jobs/contacts-pull.job';

/** BullMQ's exponential backoff (the job's `delay`, doubled per attempt), capped so many attempts stay useful. */
export function cappedBackoff(attemptsMade: number, delay = 15_000, cap = 5 * 60_000): number {
  return Math.min(cap, delay * 2 ** Math.max(0, attemptsMade - 1));
}

@Processor(QueueName.Contacts, { ...WORKER_OPTIONS, settings: { backoffStrategy: (attemptsMade: number) => cappedBackoff(attemptsMade) } })
export class ContactsProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly jobs: JobDispatcher;

  constructor(
    pull: ContactsPullJob,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
  ) {
    super();
    this.jobs = new JobDispatcher(QueueName.Contacts, [pull]);
  }

  onApplicationBootstrap(): void {
    if (this.config.role === 'api') return;
    // One app's pull at a time per process is plenty (each is one loop); other apps' pulls run beside it.
    this.worker.concurrency = 4;
    void this.worker.run();
  }

  async process(job: Job, token?: string): Promise<void> {
    await this.jobs.dispatch(job, token);
  }
}
