/** The two live queues. Each job drains one lane; a paused queue holds its jobs, and so its lanes. */
import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, OnApplicationBootstrap, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { Job } from 'bullmq';
import type { Logger } from 'pino';
import { SERVICE_CONFIG, ServiceConfig } from '../config/config';
import { LOGGER } from '../logging/logger';
import { JobDispatcher, JobHandler } from '../queue/job-dispatch';
import { JobName, QueueName } from '../queue/queue.constants';
import { QueueControlService } from '../queue/queue-control.service';
import { WORKER_OPTIONS } from '../queue/worker-options';
import { InboxRelayService } from './inbox-relay.service';
import { LaneHandler } from './lanes';
import { LaneId } from './relay.keys';
import { RelayIntake } from './relay.intake';
import { InboxEvent, WhatsAppEvent } from './relay.types';
import { WhatsAppRelayService } from './whatsapp-relay.service';

export interface LaneDrainJobData {
  appId: string;
  lane: string;
}

declare module '../queue/queue.constants' {
  interface JobDataMap {
    [JobName.InboxDrain]: LaneDrainJobData;
    [JobName.WhatsAppDrain]: LaneDrainJobData;
  }
}

const SWEEP_EVERY_MS = 10_000;

abstract class LaneProcessor<E> extends WorkerHost implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  private sweeper?: NodeJS.Timeout;
  private stopKicker?: () => Promise<void>;
  private readonly jobs: JobDispatcher;

  constructor(
    protected readonly intake: RelayIntake,
    private readonly control: QueueControlService,
    protected readonly config: ServiceConfig,
    protected readonly logger: Logger,
    private readonly queue: QueueName,
    jobName: JobName.InboxDrain | JobName.WhatsAppDrain,
    relay: { handle(appId: string, event: E): Promise<'done' | 'wait'> },
  ) {
    super();
    const drain: JobHandler<typeof jobName> = {
      jobName,
      handle: async (job) => {
        const { appId, lane } = job.data;
        const handler: LaneHandler<E> = { handle: (event) => relay.handle(appId, event) };
        await this.intake.lanes.drain<E>(this.queue, lane as LaneId, handler);
      },
    };
    this.jobs = new JobDispatcher(queue, [drain]);
  }

  onModuleInit(): void {
    // What waits in a live queue is the events in its lanes, not its drain jobs.
    this.control.countWaitingWith(this.queue, () => this.intake.lanes.waiting(this.queue));
  }

  onApplicationBootstrap(): void {
    if (this.config.role === 'api') return;
    this.worker.concurrency = this.config.tuning.liveConcurrency;
    void this.worker.run();
    this.stopKicker = this.intake.lanes.startKicker(this.queue);
    this.sweeper = setInterval(() => {
      this.intake.lanes.sweep(this.queue).catch((error: unknown) => this.logger.warn({ err: error }, 'lane sweep failed'));
    }, SWEEP_EVERY_MS);
    this.sweeper.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    await this.stopKicker?.();
  }

  async process(job: Job): Promise<void> {
    await this.jobs.dispatch(job);
  }
}

@Processor(QueueName.WhatsApp, WORKER_OPTIONS)
export class WhatsAppProcessor extends LaneProcessor<WhatsAppEvent> {
  constructor(intake: RelayIntake, control: QueueControlService, relay: WhatsAppRelayService, @Inject(SERVICE_CONFIG) config: ServiceConfig, @Inject(LOGGER) logger: Logger) {
    super(intake, control, config, logger, QueueName.WhatsApp, JobName.WhatsAppDrain, relay);
  }
}

@Processor(QueueName.Inbox, WORKER_OPTIONS)
export class InboxProcessor extends LaneProcessor<InboxEvent> {
  constructor(intake: RelayIntake, control: QueueControlService, relay: InboxRelayService, @Inject(SERVICE_CONFIG) config: ServiceConfig, @Inject(LOGGER) logger: Logger) {
    super(intake, control, config, logger, QueueName.Inbox, JobName.InboxDrain, relay);
  }
}
