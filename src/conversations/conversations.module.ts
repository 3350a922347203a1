/**
 * The one WhatsApp → ChatWoot writer both the history pull and the live relay use: who a chat is, its contact and
 * conversation, how a message is composed and posted (unknown outcomes settled), and the ledger that makes each
 * message land once.
 */
import { Module } from '@nestjs/common';
import { AppsModule } from '../apps/apps.module';
import { ContactDirectory } from './contact-directory';
import { ConversationResolver } from './conversation-resolver';
import { MessageComposer } from './message-composer';
import { MessageLedger } from './message-ledger.repository';
import { MessagePoster } from './message-poster';
import { PersonResolver } from './person-resolver';

@Module({
  imports: [AppsModule],
  providers: [PersonResolver, ContactDirectory, ConversationResolver, MessageComposer, MessagePoster, MessageLedger],
  exports: [PersonResolver, ContactDirectory, ConversationResolver, MessageComposer, MessagePoster, MessageLedger],
})
export class ConversationsModule {}
