import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Global, Module } from '@nestjs/common';
import type { Logger } from 'pino';
import { AppsService } from './apps/apps.service';
import { CommandsProcessor } from './commands/commands.processor';
import { CommandsService } from './commands/commands.service';
import { ReplyService } from './commands/reply.service';
import { textsProvider } from './config/texts.provider';
import { SERVICE_CONFIG, ServiceConfig } from './config/config';
import { HealthController } from './health/health.controller';
import { IntegrationChatService } from './integration-chat/integration-chat.service';
import { LOGGER } from './logging/logger';
import { PullProcessor } from './pull/pull.processor';
import { PullService } from './pull/pull.service';
import { QueueName } from './queue/queue.constants';
import { QueueControlService } from './queue/queue-control.service';
import { Queues } from './queue/queues';
import { RedisService, redisOptions } from './redis/redis.service';
import { InboxRelayService } from './relay/inbox-relay.service';
import { InboxProcessor, WhatsAppProcessor } from './relay/relay.processors';
import { RelayIntake } from './relay/relay.intake';
import { WhatsAppRelayService } from './relay/whatsapp-relay.service';
import { ChatwootWebhookController } from './webhooks/chatwoot-webhook.controller';
import { WahaWebhookController } from './webhooks/waha-webhook.controller';

@Global()
@Module({})
class CoreModule {
  static forRoot(config: ServiceConfig, logger: Logger): DynamicModule {
    return {
      module: CoreModule,
      providers: [
        { provide: SERVICE_CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
        textsProvider,
        RedisService,
        AppsService,
      ],
      exports: [SERVICE_CONFIG, LOGGER, textsProvider, RedisService, AppsService],
    };
  }
}

@Module({})
export class AppModule {
  static forRoot(config: ServiceConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CoreModule.forRoot(config, logger),
        BullModule.forRoot({
          prefix: config.queuePrefix,
          connection: redisOptions(config.redisUrl, { maxRetriesPerRequest: null }),
        }),
        BullModule.registerQueue(
          { name: QueueName.Commands },
          { name: QueueName.Pull },
          { name: QueueName.Inbox },
          { name: QueueName.WhatsApp },
        ),
      ],
      controllers: [ChatwootWebhookController, WahaWebhookController, HealthController],
      providers: [
        Queues,
        QueueControlService,
        ReplyService,
        CommandsService,
        CommandsProcessor,
        PullService,
        PullProcessor,
        IntegrationChatService,
        RelayIntake,
        WhatsAppRelayService,
        InboxRelayService,
        WhatsAppProcessor,
        InboxProcessor,
      ],
    };
  }
}
