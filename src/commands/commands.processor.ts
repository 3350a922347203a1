/**
 * The `commands` queue: parses what an agent typed and acts on it. A malformed command gets a reply saying what
 * was wrong and how to write it; it never starts a job or fails the worker.
 */
import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, OnApplicationBootstrap } from '@nestjs/common';
import { Job } from 'bullmq';
import type { Logger } from 'pino';
import { AppsService } from '../apps/apps.service';
import { SERVICE_CONFIG, ServiceConfig } from '../config/config';
import { LOGGER } from '../logging/logger';
import { CommandJobData, QueueName } from '../queue/queue.constants';
import { WORKER_OPTIONS } from '../queue/worker-options';
import { CommandsService } from './commands.service';

@Processor(QueueName.Commands, WORKER_OPTIONS)
export class CommandsProcessor extends WorkerHost implements OnApplicationBootstrap {
  constructor(
    private readonly commands: CommandsService,
    private readonly apps: AppsService,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    if (this.config.role === 'api') return;
    this.worker.concurrency = 8;
    void this.worker.run();
  }

  async process(job: Job<CommandJobData>): Promise<void> {
    const app = this.apps.get(job.data.origin.appId);
    if (!app) {
      this.logger.warn({ appId: job.data.origin.appId }, 'command for an app this deployment no longer serves');
      return;
    }
    await this.commands.handle(app, job.data);
  }
}
