/**
 * Finds or creates the ChatWoot contact and conversation that stand for a WhatsApp person.
 *
 * Lookup follows the reference app so users switching over keep their conversations: the bridge's custom
 * attributes (`waha_whatsapp_chat_id|jid|lid`), the identifier, then the phone number. The person → conversation
 * mapping is remembered in Redis for every later pull and for the live relay; a per-person lock keeps two workers
 * from creating the same contact twice.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { AppContext } from '../apps/apps.service';
import { CwContact, CwFilterCondition } from '../clients/chatwoot/chatwoot.types';
import { isUpstreamError } from '../clients/http/http-error';
import { chatKind } from '../common/jids';
import { sleep } from '../common/sleep';
import { TEXTS } from '../config/texts.provider';
import { LOGGER } from '../logging/logger';
import { DELETE_IF_EQUAL } from '../redis/redis.scripts';
import { RedisService } from '../redis/redis.service';
import { Texts } from '../texts/texts';
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
    @Inject(TEXTS) private readonly texts: Texts,
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
    const lockKey = this.keys.contactLock(appId, identity.person);
    for (let i = 0; ; i++) {
      const cached = await this.cached(appId, identity);
      if (cached) return { chatId: identity.chatId, conversationId: cached, contactId: 0, name: identity.chatId };
      const token = `${process.pid}-${Math.random()}`;
      if (await this.redis.client.set(lockKey, token, 'PX', 60_000, 'NX')) {
        try {
          const resolved = await this.resolveUncached(app, identity, chatName);
          await this.redis.client.hset(this.keys.conversations(appId), identity.person, String(resolved.conversationId));
          return resolved;
        } finally {
          await this.redis.run(DELETE_IF_EQUAL, { key: lockKey }, { token });
        }
      }
      await sleep(Math.min(1000, 50 * (i + 1)));
    }
  }

  private async displayName(app: AppContext, identity: ChatIdentity, chatName?: string | null): Promise<string> {
    const kind = chatKind(identity.chatId);
    switch (kind) {
      case 'group':
        return this.texts.render('contact.groupName', { subject: chatName || identity.chatId });
      case 'channel':
        return this.texts.render('contact.channelName', { name: chatName || identity.chatId });
      case 'status':
        return this.texts.render('contact.statusName');
      case 'broadcast':
        return this.texts.render('contact.broadcastName', { jid: identity.chatId });
      case 'dm':
      case 'null':
      case 'other': {
        const contact = await app.waha.contact(identity.jid ?? identity.chatId).catch(() => null);
        const name = contact?.name || contact?.pushname || contact?.pushName || chatName;
        if (name) return name;
        return identity.phone ? `+${identity.phone}` : identity.chatId;
      }
    }
  }

  private conditions(identity: ChatIdentity): CwFilterCondition[] {
    const ids = [...new Set([identity.chatId, identity.jid, identity.lid].filter((v): v is string => Boolean(v)))];
    const pairs: Array<[string, string]> = [];
    for (const id of ids) {
      pairs.push(['waha_whatsapp_chat_id', id], ['identifier', id]);
    }
    if (identity.jid) pairs.push(['waha_whatsapp_jid', identity.jid]);
    if (identity.lid) pairs.push(['waha_whatsapp_lid', identity.lid]);
    if (identity.phone) pairs.push(['phone_number', identity.phone]);
    return pairs.map(([attribute_key, value], index) => ({
      attribute_key,
      filter_operator: 'equal_to',
      values: [value],
      query_operator: index === pairs.length - 1 ? null : 'OR',
    }));
  }

  private async find(app: AppContext, identity: ChatIdentity): Promise<CwContact | undefined> {
    const contacts = await app.chatwoot.filterContacts(this.conditions(identity));
    const inInbox = (c: CwContact): boolean => (c.contact_inboxes ?? []).some((ci) => ci.inbox?.id === app.config.chatwoot.inboxId);
    const ranked = [...contacts].sort(
      (a, b) => Number(inInbox(b)) - Number(inInbox(a)) || Number(Boolean(b.phone_number)) - Number(Boolean(a.phone_number)) || a.id - b.id,
    );
    return ranked[0];
  }

  private async resolveUncached(app: AppContext, identity: ChatIdentity, chatName?: string | null): Promise<ResolvedChat> {
    const chatId = identity.chatId;
    const attributes: Record<string, string> = { waha_whatsapp_chat_id: chatId };
    if (identity.jid) attributes.waha_whatsapp_jid = identity.jid;
    if (identity.lid) attributes.waha_whatsapp_lid = identity.lid;
    const inboxId = app.config.chatwoot.inboxId;
    let contact = await this.find(app, identity);
    let sourceId: string | undefined;
    const name = contact?.name ?? (await this.displayName(app, identity, chatName));
    if (!contact) {
      try {
        // No source_id: ChatWoot gives the contact inbox a UUID (ContactInboxBuilder#generate_source_id for API
        // inboxes), which routes in the Client API; a chat id (`…@c.us`) would not (Rails segments stop at a dot).
        const created = await app.chatwoot.createContact({
          name,
          identifier: identity.jid ?? chatId,
          phone_number: identity.phone ? `+${identity.phone}` : undefined,
          inbox_id: inboxId,
          custom_attributes: attributes,
        });
        contact = created.contact;
        sourceId = created.sourceId ?? undefined;
      } catch (error) {
        // Someone else (an agent, another bridge) created it meanwhile: look again.
        if (!isUpstreamError(error, 'client')) throw error;
        contact = await this.find(app, identity);
        if (!contact) throw error;
      }
    }
    const changed = Object.entries(attributes).some(([k, v]) => contact.custom_attributes?.[k] !== v);
    if (changed) {
      await app.chatwoot
        .updateContact(contact.id, { custom_attributes: { ...contact.custom_attributes, ...attributes } })
        .catch((error: unknown) => this.logger.warn({ err: error, chatId }, 'cannot update contact attributes'));
    }
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
