/**
 * Webhook intake from ChatWoot and WAHA: authenticate, decide, write to Redis, answer. ChatWoot's payload is mapped
 * to our own types here and goes no further.
 */
import { Module } from '@nestjs/common';
import { AppsModule } from '../apps/apps.module';
import { QueueModule } from '../queue/queue.module';
import { RelayModule } from '../relay/relay.module';
import { ChatwootWebhookIntake } from './chatwoot-webhook.intake';
import { ChatwootWebhookController } from './chatwoot-webhook.controller';
import { WahaWebhookController } from './waha-webhook.controller';

@Module({
  imports: [AppsModule, QueueModule, RelayModule],
  controllers: [ChatwootWebhookController, WahaWebhookController],
  providers: [ChatwootWebhookIntake],
  exports: [ChatwootWebhookIntake],
})
export class WebhooksModule {}
