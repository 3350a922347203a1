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
import { LaneContext, LaneHandler, Lanes, LaneVerdict } from './lanes';
import { LaneId } from './relay.keys';
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

/** What a live queue's relay does with its events (see LaneHandler). */
interface LaneRelay<E> {
  handle(appId: string, event: E, lane: LaneContext): Promise<LaneVerdict>;
  deadLettered(appId: string, event: E, error: unknown): Promise<void>;
}

abstract class LaneProcessor<E> extends WorkerHost implements OnModuleInit, OnApplicationBootstrap, OnApplicationShutdown {
  private sweeper?: NodeJS.Timeout;
  private stopKicker?: () => Promise<void>;
  private readonly jobs: JobDispatcher;

  constructor(
    protected readonly lanes: Lanes,
    private readonly control: QueueControlService,
    protected readonly config: ServiceConfig,
    protected readonly logger: Logger,
    private readonly queue: QueueName,
    jobName: JobName.InboxDrain | JobName.WhatsAppDrain,
    relay: LaneRelay<E>,
  ) {
    super();
    const drain: JobHandler<typeof jobName> = {
      jobName,
      handle: async (job) => {
        const { appId, lane } = job.data;
        const handler: LaneHandler<E> = {
          handle: (event, context) => relay.handle(appId, event, context),
          deadLettered: (event, error) => relay.deadLettered(appId, event, error),
        };
        await this.lanes.drain<E>(this.queue, lane as LaneId, handler);
      },
    };
    this.jobs = new JobDispatcher(queue, [drain]);
  }

  onModuleInit(): void {
    // What waits in a live queue is the events in its lanes, not its drain jobs; what failed is in dead letters.
    this.control.countWaitingWith(this.queue, () => this.lanes.waiting(this.queue));
    this.control.countDeadWith(this.queue, (appId) => this.lanes.deadLetterCount(appId, this.queue));
  }

  onApplicationBootstrap(): void {
    if (this.config.role === 'api') return;
    this.worker.concurrency = this.config.tuning.liveConcurrency;
    void this.worker.run();
    this.stopKicker = this.lanes.startKicker(this.queue);
    this.sweeper = setInterval(() => {
      this.lanes.sweep(this.queue).catch((error: unknown) => this.logger.warn({ err: error }, 'lane sweep failed'));
    }, this.config.reliability.laneSweepMs);
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
  constructor(lanes: Lanes, control: QueueControlService, relay: WhatsAppRelayService, @Inject(SERVICE_CONFIG) config: ServiceConfig, @Inject(LOGGER) logger: Logger) {
    super(lanes, control, config, logger, QueueName.WhatsApp, JobName.WhatsAppDrain, relay);
  }
}

@Processor(QueueName.Inbox, WORKER_OPTIONS)
export class InboxProcessor extends LaneProcessor<InboxEvent> {
  constructor(lanes: Lanes, control: QueueControlService, relay: InboxRelayService, @Inject(SERVICE_CONFIG) config: ServiceConfig, @Inject(LOGGER) logger: Logger) {
    super(lanes, control, config, logger, QueueName.Inbox, JobName.InboxDrain, relay);
  }
}
