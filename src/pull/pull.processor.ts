/** The `pull` queue: plan, chat and finish jobs of the history pull, dispatched by name. */
import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, OnApplicationBootstrap } from '@nestjs/common';
import { DelayedError, Job } from 'bullmq';
import { SERVICE_CONFIG, ServiceConfig } from '../config/config';
import { JobDispatcher } from '../queue/job-dispatch';
import { QueueName } from '../queue/queue.constants';
import { WORKER_OPTIONS } from '../queue/worker-options';
import { PullChatJob, ShutdownError } from './jobs/pull-chat.job';
import { PullFinishJob } from './jobs/pull-finish.job';
import { PullPlanJob } from './jobs/pull-plan.job';

@Processor(QueueName.Pull, WORKER_OPTIONS)
export class PullProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly jobs: JobDispatcher;

  constructor(
    plan: PullPlanJob,
    chat: PullChatJob,
    finish: PullFinishJob,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
  ) {
    super();
    this.jobs = new JobDispatcher(QueueName.Pull, [plan, chat, finish]);
  }

  onApplicationBootstrap(): void {
    if (this.config.role === 'api') return;
    this.worker.concurrency = this.config.tuning.pullChatConcurrency;
    void this.worker.run();
  }

  async process(job: Job, token?: string): Promise<void> {
    try {
      await this.jobs.dispatch(job, token);
    } catch (error) {
      if (!(error instanceof ShutdownError) || !token) throw error;
      // Back to the queue without spending an attempt; the checkpoint makes the next worker resume exactly here.
      await job.moveToDelayed(Date.now() + 500, token);
      throw new DelayedError();
    }
  }
}
