/** `command`: what an agent typed, parsed and acted on (see commands.service.ts). */
import { Inject, Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import type { Logger } from 'pino';
import { AppsService } from '../../apps/apps.service';
import { CommandOrigin } from '../../integration-chat/command-origin';
import { LOGGER } from '../../logging/logger';
import { JobHandler } from '../../queue/job-dispatch';
import { JobName } from '../../queue/queue.constants';
import { CommandsService } from '../commands.service';

export interface CommandRunJobData {
  origin: CommandOrigin;
  content: string;
  /** Milliseconds since epoch when the agent sent the command; anchors pull windows. */
  typedAt: number;
}

declare module '../../queue/queue.constants' {
  interface JobDataMap {
    [JobName.CommandRun]: CommandRunJobData;
  }
}

@Injectable()
export class CommandRunJob implements JobHandler<JobName.CommandRun> {
  readonly jobName = JobName.CommandRun;

  constructor(
    private readonly commands: CommandsService,
    private readonly apps: AppsService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async handle(job: Job<CommandRunJobData>): Promise<void> {
    const app = this.apps.get(job.data.origin.appId);
    if (!app) {
      this.logger.warn({ appId: job.data.origin.appId }, 'command for an app this deployment no longer serves');
      return;
    }
    await this.commands.handle(app, job.data.origin, job.data.content, job.data.typedAt);
  }
}
