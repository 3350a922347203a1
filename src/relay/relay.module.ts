/**
 * The live relay both ways: WhatsApp events into ChatWoot (through the shared writer in conversations/), agent
 * replies out to WhatsApp, read receipts, and the ordered lanes both directions travel in. It asks the pull only
 * whether a chat is fenced, through the CHAT_FENCE interface the application wires.
 */
import { Module } from '@nestjs/common';
import { AppsModule } from '../apps/apps.module';
import { ConversationsModule } from '../conversations/conversations.module';
import { IntegrationChatModule } from '../integration-chat/integration-chat.module';
import { QueueModule } from '../queue/queue.module';
import { InboxRelayService } from './inbox-relay.service';
import { Lanes } from './lanes';
import { PendingSends } from './pending-sends';
import { LiveCursorRepository } from './live-cursor.repository';
import { ReadReceipts } from './read-receipts';
import { InboxProcessor, WhatsAppProcessor } from './relay.processors';
import { RelayIntake } from './relay.intake';
import { WhatsAppRelayService } from './whatsapp-relay.service';

@Module({
  imports: [AppsModule, QueueModule, ConversationsModule, IntegrationChatModule],
  providers: [Lanes, PendingSends, RelayIntake, WhatsAppRelayService, InboxRelayService, ReadReceipts, LiveCursorRepository, WhatsAppProcessor, InboxProcessor],
  exports: [RelayIntake],
})
export class RelayModule {}
