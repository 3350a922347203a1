/**
 * The ChatWoot contact that stands for a WhatsApp person, group or channel: found, created, and kept carrying the
 * `waha_whatsapp_*` attributes. Shared by the conversation resolver (pull and live relay) and the contacts pull, so
 * a contact is matched the same way whoever meets it first.
 *
 * Lookup follows WAHA's own ChatWoot app so users switching over keep their contacts (waha-chatwoot.md §4.4,
 * src/apps/chatwoot/client/ContactService.ts): one filter OR-ing the bridge's attributes, the identifier and the
 * phone number; contacts of our inbox first, then those with a phone number.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { AppContext } from '../apps/apps.service';
import { CwContact, CwFilterCondition } from '../clients/chatwoot/chatwoot.types';
import { isUpstreamError } from '../clients/http/http-error';
import { chatKind } from '../common/jids';
import { TEXTS } from '../config/texts.provider';
import { sleep } from '../common/sleep';
import { LOGGER } from '../logging/logger';
import { DELETE_IF_EQUAL } from '../redis/redis.scripts';
import { RedisService } from '../redis/redis.service';
import { Texts } from '../texts/texts';
import { ConversationKeys } from './conversations.keys';
import { ChatIdentity } from './person-resolver';

/** How long a worker may hold a person's contact lock (it is released as soon as the contact is settled). */
const LOCK_MS = 60_000;

/** The `waha_whatsapp_*` attributes of a chat: its id, and the phone JID and @lid when known. */
export function chatAttributes(identity: ChatIdentity): Record<string, string> {
  const attributes: Record<string, string> = { waha_whatsapp_chat_id: identity.chatId };
  if (identity.jid) attributes.waha_whatsapp_jid = identity.jid;
  if (identity.lid) attributes.waha_whatsapp_lid = identity.lid;
  return attributes;
}

@Injectable()
export class ContactDirectory {
  private readonly keys: ConversationKeys;

  constructor(
    private readonly redis: RedisService,
    @Inject(TEXTS) private readonly texts: Texts,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.keys = new ConversationKeys(redis);
  }

  /**
   * Takes the person's contact lock, which whoever finds or creates that person's contact holds (the pull, the
   * live relay, the contacts pull, on any worker), so two of them never create it twice. The token to release it
   * with, or undefined while someone else holds it.
   */
  async tryLock(appId: string, person: string): Promise<string | undefined> {
    const token = `${process.pid}-${Math.random()}`;
    return (await this.redis.client.set(this.keys.contactLock(appId, person), token, 'PX', LOCK_MS, 'NX')) ? token : undefined;
  }

  async unlock(appId: string, person: string, token: string): Promise<void> {
    await this.redis.run(DELETE_IF_EQUAL, { key: this.keys.contactLock(appId, person) }, { token });
  }

  /** Runs `work` holding the person's contact lock, waiting for it as long as another holder has it. */
  async withLock<T>(appId: string, person: string, work: () => Promise<T>): Promise<T> {
    for (let i = 0; ; i++) {
      const token = await this.tryLock(appId, person);
      if (token) {
        try {
          return await work();
        } finally {
          await this.unlock(appId, person, token);
        }
      }
      await sleep(Math.min(1000, 50 * (i + 1)));
    }
  }

  /** The name a new contact gets: the saved or push name of a person, `<subject> (Group)` for a group, and so on. */
  async displayName(app: AppContext, identity: ChatIdentity, chatName?: string | null): Promise<string> {
    switch (chatKind(identity.chatId)) {
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

  async find(app: AppContext, identity: ChatIdentity): Promise<CwContact | undefined> {
    const contacts = await app.chatwoot.filterContacts(this.conditions(identity));
    const inInbox = (c: CwContact): boolean => (c.contact_inboxes ?? []).some((ci) => ci.inbox?.id === app.config.chatwoot.inboxId);
    const ranked = [...contacts].sort(
      (a, b) => Number(inInbox(b)) - Number(inInbox(a)) || Number(Boolean(b.phone_number)) - Number(Boolean(a.phone_number)) || a.id - b.id,
    );
    return ranked[0];
  }

  /**
   * Creates the contact in our inbox. Created meanwhile by someone else (an agent, another bridge: ChatWoot refuses a
   * taken identifier or phone number), it is looked up again instead.
   */
  async create(app: AppContext, identity: ChatIdentity, name: string): Promise<{ contact: CwContact; sourceId?: string; created: boolean }> {
    try {
      // No source_id: ChatWoot gives the contact inbox a UUID (ContactInboxBuilder#generate_source_id for API
      // inboxes), which routes in the Client API; a chat id (`…@c.us`) would not (Rails segments stop at a dot).
      const created = await app.chatwoot.createContact({
        name,
        identifier: identity.jid ?? identity.chatId,
        phone_number: identity.phone ? `+${identity.phone}` : undefined,
        inbox_id: app.config.chatwoot.inboxId,
        custom_attributes: chatAttributes(identity),
      });
      return { contact: created.contact, sourceId: created.sourceId ?? undefined, created: true };
    } catch (error) {
      if (!isUpstreamError(error, 'client')) throw error;
      const contact = await this.find(app, identity);
      if (!contact) throw error;
      return { contact, created: false };
    }
  }

  /** Writes the chat's attributes where they differ (merged: ChatWoot keeps the others); true when it wrote them. */
  async syncAttributes(app: AppContext, contact: CwContact, identity: ChatIdentity): Promise<boolean> {
    const attributes = chatAttributes(identity);
    const changed = Object.entries(attributes).some(([k, v]) => contact.custom_attributes?.[k] !== v);
    if (!changed) return false;
    await app.chatwoot
      .updateContact(contact.id, { custom_attributes: { ...contact.custom_attributes, ...attributes } })
      .catch((error: unknown) => this.logger.warn({ err: error, chatId: identity.chatId }, 'cannot update contact attributes'));
    return true;
  }
}
