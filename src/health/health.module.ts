/** GET /health and GET /metrics. */
import { Module } from '@nestjs/common';
import { AppsModule } from '../apps/apps.module';
import { IntegrationChatModule } from '../integration-chat/integration-chat.module';
import { PullModule } from '../pull/pull.module';
import { QueueModule } from '../queue/queue.module';
import { HealthController } from './health.controller';
import { MetricsController } from './metrics.controller';

@Module({ imports: [AppsModule, IntegrationChatModule, PullModule, QueueModule], controllers: [HealthController, MetricsController] })
export class HealthModule {}
