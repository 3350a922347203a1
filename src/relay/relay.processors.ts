/** The two live queues. Each job drains one lane; a paused queue holds its jobs, and so its lanes. */
import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Inject, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Job } from 'bullmq';
import type { Logger } from 'pino';
import { SERVICE_CONFIG, ServiceConfig } from '../config/config';
import { LOGGER } from '../logging/logger';
import { LaneDrainJobData, QueueName } from '../queue/queue.constants';
import { WORKER_OPTIONS } from '../queue/worker-options';
import { InboxRelayService } from './inbox-relay.service';
import { RelayIntake } from './relay.intake';
import { InboxEvent, WhatsAppEvent } from './relay.types';
import { WhatsAppRelayService } from './whatsapp-relay.service';

abstract class LaneProcessor extends WorkerHost implements OnApplicationBootstrap, OnApplicationShutdown {
  private sweeper?: NodeJS.Timeout;
  private stopKicker?: () => Promise<void>;

  constructor(
    protected readonly intake: RelayIntake,
    protected readonly config: ServiceConfig,
    protected readonly logger: Logger,
    private readonly queue: QueueName,
  ) {
    super();
  }

  onApplicationBootstrap(): void {
    if (this.config.role === 'api') return;
    this.worker.concurrency = this.config.tuning.liveConcurrency;
    void this.worker.run();
    this.stopKicker = this.intake.lanes.startKicker(this.queue);
    this.sweeper = setInterval(() => {
      this.intake.lanes.sweep(this.queue).catch((error: unknown) => this.logger.warn({ err: error }, 'lane sweep failed'));
    }, 10_000);
    this.sweeper.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.sweeper) clearInterval(this.sweeper);
    await this.stopKicker?.();
  }
}

@Processor(QueueName.WhatsApp, WORKER_OPTIONS)
export class WhatsAppProcessor extends LaneProcessor {
  constructor(
    intake: RelayIntake,
    private readonly relay: WhatsAppRelayService,
    @Inject(SERVICE_CONFIG) config: ServiceConfig,
    @Inject(LOGGER) logger: Logger,
  ) {
    super(intake, config, logger, QueueName.WhatsApp);
  }

  async process(job: Job<LaneDrainJobData>): Promise<void> {
    const { appId, lane } = job.data;
    await this.intake.lanes.drain<WhatsAppEvent>(QueueName.WhatsApp, appId, lane, { handle: (event) => this.relay.handle(appId, event) });
  }
}

@Processor(QueueName.Inbox, WORKER_OPTIONS)
export class InboxProcessor extends LaneProcessor {
  constructor(
    intake: RelayIntake,
    private readonly relay: InboxRelayService,
    @Inject(SERVICE_CONFIG) config: ServiceConfig,
    @Inject(LOGGER) logger: Logger,
  ) {
    super(intake, config, logger, QueueName.Inbox);
  }

  async process(job: Job<LaneDrainJobData>): Promise<void> {
    const { appId, lane } = job.data;
    await this.intake.lanes.drain<InboxEvent>(QueueName.Inbox, appId, lane, { handle: (event) => this.relay.handle(appId, event) });
  }
}
