/** The WhatsApp Integration conversation (commands and notices) and replies to commands wherever they were typed. */
import { Module } from '@nestjs/common';
import { AppsModule } from '../apps/apps.module';
import { IntegrationChatService } from './integration-chat.service';
import { ReplyService } from './reply.service';

@Module({
  imports: [AppsModule],
  providers: [IntegrationChatService, ReplyService],
  exports: [IntegrationChatService, ReplyService],
})
export class IntegrationChatModule {}
