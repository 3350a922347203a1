/**
 * The `commands` queue: parses what an agent typed and acts on it. A malformed command gets a reply saying what
 * was wrong and how to write it; it never starts a job or fails the worker.
 */
import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, OnApplicationBootstrap } from '@nestjs/common';
import { Job } from 'bullmq';
import { SERVICE_CONFIG, ServiceConfig } from '../config/config';
import { JobDispatcher } from '../queue/job-dispatch';
import { QueueName } from '../queue/queue.constants';
import { WORKER_OPTIONS } from '../queue/worker-options';
import { CommandRunJob } from './jobs/command-run.job';

const COMMAND_CONCURRENCY = 8;

@Processor(QueueName.Commands, WORKER_OPTIONS)
export class CommandsProcessor extends WorkerHost implements OnApplicationBootstrap {
  private readonly jobs: JobDispatcher;

  constructor(
    run: CommandRunJob,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
  ) {
    super();
    this.jobs = new JobDispatcher(QueueName.Commands, [run]);
  }

  onApplicationBootstrap(): void {
    if (this.config.role === 'api') return;
    this.worker.concurrency = COMMAND_CONCURRENCY;
    void this.worker.run();
  }

  async process(job: Job): Promise<void> {
    await this.jobs.dispatch(job);
  }
}
