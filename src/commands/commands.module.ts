/** `wa/…` commands: the grammar, the command jobs and what each command does. */
import { Module } from '@nestjs/common';
import { AppsModule } from '../apps/apps.module';
import { ContactsModule } from '../contacts/contacts.module';
import { IntegrationChatModule } from '../integration-chat/integration-chat.module';
import { PullModule } from '../pull/pull.module';
import { QueueModule } from '../queue/queue.module';
import { RelayModule } from '../relay/relay.module';
import { CommandsProcessor } from './commands.processor';
import { CommandsService } from './commands.service';
import { CommandRunJob } from './jobs/command-run.job';
import { ServerCommands } from './server-commands';
import { SessionCommands } from './session-commands';

@Module({
  imports: [AppsModule, QueueModule, IntegrationChatModule, PullModule, RelayModule, ContactsModule],
  providers: [CommandsService, SessionCommands, ServerCommands, CommandRunJob, CommandsProcessor],
})
export class CommandsModule {}
