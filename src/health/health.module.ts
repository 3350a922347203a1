/** GET /health. */
import { Module } from '@nestjs/common';
import { AppsModule } from '../apps/apps.module';
import { IntegrationChatModule } from '../integration-chat/integration-chat.module';
import { HealthController } from './health.controller';

@Module({ imports: [AppsModule, IntegrationChatModule], controllers: [HealthController] })
export class HealthModule {}
