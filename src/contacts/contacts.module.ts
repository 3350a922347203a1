/** `wa/contacts pull|status|stop`: WhatsApp contacts (and group names) into ChatWoot, with avatars. */
import { Module } from '@nestjs/common';
import { AppsModule } from '../apps/apps.module';
import { ConversationsModule } from '../conversations/conversations.module';
import { IntegrationChatModule } from '../integration-chat/integration-chat.module';
import { QueueModule } from '../queue/queue.module';
import { ContactSync } from './contact-sync';
import { ContactsReport } from './contacts-report';
import { ContactsRunRepository } from './contacts-run.repository';
import { ContactsService } from './contacts.service';
import { ContactsProcessor } from './contacts.processor';
import { ContactsPullJob } from './jobs/contacts-pull.job';

@Module({
  imports: [AppsModule, ConversationsModule, IntegrationChatModule, QueueModule],
  providers: [ContactsRunRepository, ContactSync, ContactsReport, ContactsService, ContactsPullJob, ContactsProcessor],
  exports: [ContactsService, ContactsReport],
})
export class ContactsModule {}
