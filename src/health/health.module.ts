/** GET /health, GET /metrics and the apps admin API (/api/apps). */
import { Module } from '@nestjs/common';
import { AppsModule } from '../apps/apps.module';
import { ContactsModule } from '../contacts/contacts.module';
import { IntegrationChatModule } from '../integration-chat/integration-chat.module';
import { PullModule } from '../pull/pull.module';
import { QueueModule } from '../queue/queue.module';
import { AppsController } from './apps.controller';
import { HealthController } from './health.controller';
import { MetricsController } from './metrics.controller';

@Module({ imports: [AppsModule, ContactsModule, IntegrationChatModule, PullModule, QueueModule], controllers: [HealthController, MetricsController, AppsController] })
export class HealthModule {}
