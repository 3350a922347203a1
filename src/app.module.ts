/**
 * The application: one Nest module per feature, composed here. Imports point down the layers (see the README's
 * Architecture section; `npm run lint` checks them): webhooks → commands → pull, relay → integration-chat,
 * conversations → queue, apps → clients → redis, config, texts, logging, common.
 *
 * The one callback that goes sideways is wired here: the live relay asks the pull whether a chat is fenced through
 * the CHAT_FENCE interface (conversations/chat-fence.ts), which the pull provides.
 */
import { DynamicModule, Global, Module } from '@nestjs/common';
import type { Logger } from 'pino';
import { CommandsModule } from './commands/commands.module';
import { ConfigModule } from './config/config.module';
import { ServiceConfig } from './config/config';
import { CHAT_FENCE } from './conversations/chat-fence';
import { BoardModule } from './health/board.module';
import { HealthModule } from './health/health.module';
import { IntegrationChatModule } from './integration-chat/integration-chat.module';
import { LayoutModule } from './migrations/layout.module';
import { PullFence } from './pull/pull-fence';
import { PullModule } from './pull/pull.module';
import { RedisModule } from './redis/redis.module';
import { RelayModule } from './relay/relay.module';
import { WebhooksModule } from './webhooks/webhooks.module';

@Global()
@Module({
  imports: [PullModule],
  providers: [{ provide: CHAT_FENCE, useExisting: PullFence }],
  exports: [CHAT_FENCE],
})
class ChatFenceModule {}

@Module({})
export class AppModule {
  static forRoot(config: ServiceConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config, logger),
        RedisModule,
        LayoutModule,
        ChatFenceModule,
        IntegrationChatModule,
        PullModule,
        RelayModule,
        CommandsModule,
        WebhooksModule,
        HealthModule,
        BoardModule.forRoot(config.security.adminToken),
      ],
    };
  }
}
