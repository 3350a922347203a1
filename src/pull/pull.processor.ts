/** The `pull` queue: plan, chat and finish jobs of the history pull. */
import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, OnApplicationBootstrap } from '@nestjs/common';
import { DelayedError, Job } from 'bullmq';
import { SERVICE_CONFIG, ServiceConfig } from '../config/config';
import { JobName, PullChatJobData, PullPlanJobData, QueueName } from '../queue/queue.constants';
import { WORKER_OPTIONS } from '../queue/worker-options';
import { PullService, ShutdownError } from './pull.service';

@Processor(QueueName.Pull, WORKER_OPTIONS)
export class PullProcessor extends WorkerHost implements OnApplicationBootstrap {
  constructor(
    private readonly pulls: PullService,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    if (this.config.role === 'api') return;
    this.worker.concurrency = this.config.tuning.pullChatConcurrency;
    void this.worker.run();
  }

  async process(job: Job, token?: string): Promise<void> {
    try {
      await this.dispatch(job);
    } catch (error) {
      if (!(error instanceof ShutdownError) || !token) throw error;
      // Back to the queue without spending an attempt; the checkpoint makes the next worker resume exactly here.
      await job.moveToDelayed(Date.now() + 500, token);
      throw new DelayedError();
    }
  }

  private async dispatch(job: Job): Promise<void> {
    const finalAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    switch (job.name as JobName) {
      case JobName.PullPlan:
        return this.pulls.plan((job.data as PullPlanJobData).pullId, finalAttempt);
      case JobName.PullChat: {
        const data = job.data as PullChatJobData;
        return this.pulls.importChat(data.pullId, data.chatId, finalAttempt);
      }
      case JobName.PullFinish:
        return this.pulls.finish((job.data as PullPlanJobData).pullId);
      case JobName.Command:
      case JobName.InboxDrain:
      case JobName.WhatsAppDrain:
        throw new Error(`Job ${job.name} does not belong on the pull queue`);
    }
  }
}
