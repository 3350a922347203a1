/**
 * History import (`wa/messages pull`): the command side (PullService), the jobs and their processor, the pull's
 * own Redis state, and the fence that holds a chat's live messages while its history is imported.
 */
import { Module } from '@nestjs/common';
import { AppsModule } from '../apps/apps.module';
import { ConversationsModule } from '../conversations/conversations.module';
import { IntegrationChatModule } from '../integration-chat/integration-chat.module';
import { QueueModule } from '../queue/queue.module';
import { ChatCheckpointRepository } from './chat-checkpoint.repository';
import { ChatImporter } from './chat-importer';
import { PullChatJob } from './jobs/pull-chat.job';
import { PullFinishJob } from './jobs/pull-finish.job';
import { PullPlanJob } from './jobs/pull-plan.job';
import { FairShare } from './fair-share';
import { PullFence } from './pull-fence';
import { PullPauseService } from './pull-pause.service';
import { PullRecordRepository } from './pull-record.repository';
import { PullReport } from './pull-report';
import { PullProcessor } from './pull.processor';
import { PullService } from './pull.service';

@Module({
  imports: [AppsModule, QueueModule, ConversationsModule, IntegrationChatModule],
  providers: [
    PullService,
    PullReport,
    PullPauseService,
    FairShare,
    PullFence,
    PullRecordRepository,
    ChatCheckpointRepository,
    ChatImporter,
    PullPlanJob,
    PullChatJob,
    PullFinishJob,
    PullProcessor,
  ],
  exports: [PullService, PullFence],
})
export class PullModule {}
