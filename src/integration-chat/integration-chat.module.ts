/**
 * The WhatsApp Integration conversation (commands, notices, the start-up report of what the servers are) and replies to
 * commands wherever they were typed.
 */
import { Module } from '@nestjs/common';
import { AppsModule } from '../apps/apps.module';
import { IntegrationChatService } from './integration-chat.service';
import { ReplyService } from './reply.service';
import { ServerReportService } from './server-report';

@Module({
  imports: [AppsModule],
  providers: [IntegrationChatService, ReplyService, ServerReportService],
  exports: [IntegrationChatService, ReplyService, ServerReportService],
})
export class IntegrationChatModule {}
