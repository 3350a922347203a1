/**
 * One WhatsApp contact (or group) into ChatWoot, as `wa/contacts pull` asks: matched like the pull and the live
 * relay match a chat (contact-directory.ts, under the same per-person lock, so they never create it twice), created
 * when missing, given the `waha_whatsapp_*` attributes, renamed and given the WhatsApp picture when asked.
 *
 * Which contacts are taken follows WAHA's app (src/apps/chatwoot/consumers/task/contacts.pull.ts): phone contacts;
 * groups with --groups; @lid contacts with --lids; never channels, broadcast lists, status or the account itself;
 * on WEBJS only people saved in the phone's address book (`isMyContact`: WEBJS lists everyone it has seen; NOWEB
 * and GOWS list only contacts and do not send the flag).
 */
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { AppContext } from '../apps/apps.service';
import { CwContact } from '../clients/chatwoot/chatwoot.types';
import { isRefusal } from '../clients/http/http-error';
import { chatKind, publicJid } from '../common/jids';
import { TEXTS } from '../config/texts.provider';
import { ContactDirectory } from '../conversations/contact-directory';
import { ChatIdentity, PersonResolver } from '../conversations/person-resolver';
import { LOGGER } from '../logging/logger';
import { Texts } from '../texts/texts';
import { AvatarMode, ContactsOptions, NameMode } from './contacts-options';
import { ContactOutcome, ContactsRunRepository } from './contacts-run.repository';
import { ContactsRef } from './contacts.keys';

/** A contact as WAHA lists it, or a group as its chat list names it. */
export interface ContactItem {
  chatId: string;
  /** The address-book name (a group's subject). */
  name?: string | null;
  pushname?: string | null;
  isMyContact?: boolean;
  isMe?: boolean;
}

export interface SyncResult {
  outcome: ContactOutcome;
  renamed?: boolean;
  avatar?: boolean;
  failure?: string;
}

/** Hosts WhatsApp serves profile pictures from (WAHA answers their URLs as they are), besides MEDIA_HOSTS. */
const PICTURE_HOSTS = ['*.whatsapp.net'];
/** ChatWoot's avatar limit is 15 MB (lib/safe_fetch.rb); WhatsApp's pictures are well under 1 MB. */
const PICTURE_MAX_BYTES = 15 * 1024 * 1024;

/**
 * True when a contact's name in ChatWoot is only an id: empty, or one of the chat's ids, its phone number or its
 * push name, with or without the `@…` part or a leading `+` (WAHA's app's rule: ContactService.ts `IsRawName`).
 */
export function isRawName(name: string | null | undefined, raw: ReadonlyArray<string | null | undefined>): boolean {
  const plain = (value: string): string => value.trim().toLowerCase().replace(/^\+/, '');
  const current = plain(name ?? '');
  if (!current) return true;
  return raw.some((value) => {
    if (!value) return false;
    const candidate = plain(value);
    return candidate === current || candidate.split('@')[0] === current;
  });
}

/** Why a listed contact is not taken (a text key of `contacts.skip.*`), or undefined when it is. */
export function skipReason(item: ContactItem, options: Pick<ContactsOptions, 'groups' | 'lids'>, meIds: ReadonlySet<string>): string | undefined {
  const chatId = item.chatId;
  if (item.isMe || meIds.has(chatId)) return 'me';
  const kind = chatKind(chatId);
  if (kind === 'group') return options.groups ? undefined : 'group';
  if (kind !== 'dm') return 'kind';
  if (chatId.endsWith('@lid') && !options.lids) return 'lid';
  if (item.isMyContact === false) return 'not-saved';
  return undefined;
}

@Injectable()
export class ContactSync {
  constructor(
    private readonly persons: PersonResolver,
    private readonly directory: ContactDirectory,
    private readonly runs: ContactsRunRepository,
    @Inject(TEXTS) private readonly texts: Texts,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * Settles one contact. A refusal (ChatWoot rejects a phone number, WAHA knows no such chat) is this contact's
   * error and the pull goes on; an outage (or a refused key: every contact would fail alike) is thrown.
   */
  async sync(app: AppContext, run: ContactsRef, item: ContactItem, options: ContactsOptions): Promise<SyncResult> {
    try {
      const identity = await this.persons.identity(app, publicJid(item.chatId));
      return await this.directory.withLock(app.config.id, identity.person, () => this.syncLocked(app, run, item, identity, options));
    } catch (error) {
      if (!isRefusal(error) || error.kind === 'auth') throw error;
      this.logger.info({ appId: app.config.id, chatId: item.chatId, err: error }, 'contact refused');
      return { outcome: 'errors', failure: `${error.upstream === 'waha' ? 'WAHA' : 'ChatWoot'} ${error.status ?? ''} ${error.reason}`.replace(/\s+/g, ' ').trim() };
    }
  }

  private whatsAppName(item: ContactItem, identity: ChatIdentity): string | undefined {
    if (chatKind(identity.chatId) === 'group') return this.texts.render('contact.groupName', { subject: item.name || identity.chatId });
    return item.name || item.pushname || undefined;
  }

  private async syncLocked(app: AppContext, run: ContactsRef, item: ContactItem, identity: ChatIdentity, options: ContactsOptions): Promise<SyncResult> {
    const chatId = identity.chatId;
    let contact = await this.directory.find(app, identity);
    // Marked before a create: if this worker dies after ChatWoot made the contact, the next one finds it and still
    // counts it as created.
    let created = await this.runs.wasCreating(run, chatId);
    let renamed = false;
    if (!contact) {
      await this.runs.creating(run, chatId);
      const name = this.whatsAppName(item, identity) ?? (await this.directory.displayName(app, identity));
      const result = await this.directory.create(app, identity, name);
      contact = result.contact;
      created = created || result.created;
    } else if (!created) {
      if (options.attributes) await this.directory.syncAttributes(app, contact, identity);
      renamed = await this.rename(app, contact, identity, item, options.updateNames);
    }
    const avatar = options.avatar === 'no' ? false : await this.avatar(app, contact, identity, options.avatar);
    return { outcome: created ? 'created' : 'updated', renamed, avatar };
  }

  /** `--update-names`: `always` takes WhatsApp's name; `if-raw` only where ChatWoot's is an id or a number. */
  private async rename(app: AppContext, contact: CwContact, identity: ChatIdentity, item: ContactItem, mode: NameMode): Promise<boolean> {
    if (mode === 'no') return false;
    const group = chatKind(identity.chatId) === 'group';
    // A person's saved name (the address book's), not the push name the person chose; a group's subject.
    const wanted = group ? this.whatsAppName(item, identity) : item.name || undefined;
    if (!wanted || wanted === contact.name) return false;
    if (mode === 'if-raw') {
      const phone = identity.phone ? `+${identity.phone}` : undefined;
      if (!isRawName(contact.name, [identity.chatId, identity.jid, identity.lid, phone, contact.phone_number, item.pushname])) return false;
    }
    await app.chatwoot.updateContact(contact.id, { name: wanted });
    return true;
  }

  /** `--avatar`: WhatsApp's picture uploaded where ChatWoot has none (`if-missing`) or always (`update`). */
  private async avatar(app: AppContext, contact: CwContact, identity: ChatIdentity, mode: AvatarMode): Promise<boolean> {
    if (mode === 'if-missing' && contact.thumbnail) return false;
    let url: string | null;
    try {
      // An @lid contact's picture is its phone number's (WAHA's app does the same).
      url = await app.waha.chatPicture(identity.jid ?? identity.chatId);
    } catch (error) {
      // No picture WAHA may show (privacy settings, an unknown chat): nothing to upload.
      if (isRefusal(error) && error.kind !== 'auth') return false;
      throw error;
    }
    if (!url) return false;
    const file = await app.waha.download(url, PICTURE_MAX_BYTES, undefined, PICTURE_HOSTS);
    if (!file || file.kind !== 'file') return false;
    const mimetype = file.mimetype?.split(';')[0] || 'image/jpeg';
    const extension = mimetype === 'image/png' ? 'png' : mimetype === 'image/webp' ? 'webp' : 'jpg';
    await app.chatwoot.uploadContactAvatar(contact.id, { filename: `avatar.${extension}`, mimetype, data: file.blob });
    return true;
  }
}
