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
  /** The start of what was typed (at most MAX_COMMAND_LENGTH + 1 characters). */
  content: string;
  /** How long the typed text was. */
  typedLength?: number;
  /** Set when the sender may not command (COMMAND_AGENTS): answered, not run. */
  refused?: 'not-listed';
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
    const { origin, content, typedAt, typedLength, refused } = job.data;
    if (refused) return this.commands.refuse(origin);
    await this.commands.handle(app, origin, content, typedAt, typedLength);
  }
}
