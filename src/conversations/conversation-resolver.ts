/**
 * Finds or creates the ChatWoot contact and conversation that stand for a WhatsApp person.
 *
 * The contact is found or created by the contact directory (contact-directory.ts), as WAHA's app matches it, so
 * users switching over keep their conversations. The person → conversation
 * mapping is remembered in Redis for every later pull and for the live relay; a per-person lock keeps two workers
 * from creating the same contact twice.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { AppContext } from '../apps/apps.service';
import { sleep } from '../common/sleep';
import { LOGGER } from '../logging/logger';
import { RedisService } from '../redis/redis.service';
import { ContactDirectory } from './contact-directory';
import { ConversationKeys } from './conversations.keys';
import { ChatIdentity, identityKeys } from './person-resolver';

export interface ResolvedChat {
  chatId: string;
  conversationId: number;
  contactId: number;
  name: string;
}

@Injectable()
export class ConversationResolver {
  private readonly keys: ConversationKeys;

  constructor(
    private readonly redis: RedisService,
    private readonly contacts: ContactDirectory,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.keys = new ConversationKeys(redis);
  }

  /** The conversation already known for this person (or one of its aliases), if any. */
  async cached(appId: string, identity: ChatIdentity): Promise<number | undefined> {
    const values = await this.redis.client.hmget(this.keys.conversations(appId), ...identityKeys(identity));
    const found = values.find((value) => value);
    return found ? Number(found) : undefined;
  }

  /** Forgets the person's conversation (it was deleted in ChatWoot): the next resolve finds or creates it again. */
  async forget(appId: string, identity: ChatIdentity): Promise<void> {
    await this.redis.client.hdel(this.keys.conversations(appId), ...identityKeys(identity));
  }

  async rememberSource(appId: string, conversationId: number, sourceId: string): Promise<void> {
    await this.redis.client.hset(this.keys.conversationSources(appId), String(conversationId), sourceId);
  }

  async forgetSource(appId: string, conversationId: number): Promise<void> {
    await this.redis.client.hdel(this.keys.conversationSources(appId), String(conversationId));
  }

  /**
   * Source ids that may name the conversation's contact inbox, the remembered one first. ChatWoot's conversation
   * view does not carry its contact inbox, so otherwise they are the contact's entries in our inbox.
   */
  async sourceIdsOf(app: AppContext, conversationId: number): Promise<string[]> {
    const known = await this.redis.client.hget(this.keys.conversationSources(app.config.id), String(conversationId));
    if (known) return [known];
    const conversation = await app.chatwoot.getConversation(conversationId, 'live');
    const ids = conversation.contact_inbox?.source_id ? [conversation.contact_inbox.source_id] : [];
    const contactId = conversation.meta?.sender?.id;
    if (contactId) {
      const contact = await app.chatwoot.getContact(contactId, 'live');
      for (const entry of contact.contact_inboxes ?? []) {
        if (entry.inbox?.id === app.config.chatwoot.inboxId && entry.source_id) ids.push(entry.source_id);
      }
    }
    return [...new Set(ids)];
  }

  async resolve(app: AppContext, identity: ChatIdentity, chatName?: string | null): Promise<ResolvedChat> {
    const appId = app.config.id;
    for (let i = 0; ; i++) {
      const cached = await this.cached(appId, identity);
      if (cached) return { chatId: identity.chatId, conversationId: cached, contactId: 0, name: identity.chatId };
      const token = await this.contacts.tryLock(appId, identity.person);
      if (token) {
        try {
          const resolved = await this.resolveUncached(app, identity, chatName);
          await this.redis.client.hset(this.keys.conversations(appId), identity.person, String(resolved.conversationId));
          return resolved;
        } finally {
          await this.contacts.unlock(appId, identity.person, token);
        }
      }
      await sleep(Math.min(1000, 50 * (i + 1)));
    }
  }

  private async resolveUncached(app: AppContext, identity: ChatIdentity, chatName?: string | null): Promise<ResolvedChat> {
    const chatId = identity.chatId;
    const inboxId = app.config.chatwoot.inboxId;
    let contact = await this.contacts.find(app, identity);
    let sourceId: string | undefined;
    const name = contact?.name ?? (await this.contacts.displayName(app, identity, chatName));
    if (!contact) ({ contact, sourceId } = await this.contacts.create(app, identity, name));
    await this.contacts.syncAttributes(app, contact, identity);
    sourceId ??= contact.contact_inboxes?.find((ci) => ci.inbox?.id === inboxId)?.source_id;
    const conversations = (await app.chatwoot.contactConversations(contact.id)).filter((c) => c.inbox_id === inboxId);
    const preferred = conversations.sort((a, b) => Number(b.status !== 'resolved') - Number(a.status !== 'resolved') || b.id - a.id)[0];
    if (preferred) return { chatId, conversationId: preferred.id, contactId: contact.id, name };
    sourceId ??= (await app.chatwoot.createContactInbox(contact.id, inboxId)).source_id;
    const conversation = await app.chatwoot.createConversation({ source_id: sourceId, inbox_id: inboxId, contact_id: contact.id, status: 'open' });
    await this.rememberSource(app.config.id, conversation.id, sourceId);
    this.logger.info({ chatId, conversationId: conversation.id, contactId: contact.id }, 'conversation created');
    return { chatId, conversationId: conversation.id, contactId: contact.id, name };
  }
}
