/**
 * The fake ChatWoot's state for one account with one API inbox: contacts, contact inboxes, conversations,
 * messages and custom attribute definitions, with the indexes that keep every API call cheap (no scans over
 * messages; contact look-ups by phone, email, identifier and text custom attributes are map hits).
 */
import { createHash, randomUUID } from 'node:crypto';
import {
  JsonObject,
  SimAccount,
  SimAttachment,
  SimContact,
  SimContactInbox,
  SimConversation,
  SimCustomAttributeDefinition,
  SimInbox,
  SimMessage,
  SimUser,
  recordInvalid,
} from './chatwoot-types';

/** ChatWoot's contact phone format check (note: not anchored at the start, like the Ruby regexp). */
export const PHONE_E164 = /\+[1-9]\d{1,14}$/;
/** Devise's default email regexp. */
const EMAIL = /^[^@\s]+@[^@\s]+$/;

export interface ContactInput {
  name?: string | null;
  email?: string | null;
  phone_number?: string | null;
  identifier?: string | null;
  blocked?: boolean;
  additional_attributes?: JsonObject;
  custom_attributes?: JsonObject;
}

function lower(value: unknown): string {
  return String(value).toLowerCase();
}

export class ChatwootStore {
  readonly contacts = new Map<number, SimContact>();
  readonly contactInboxes = new Map<number, SimContactInbox>();
  /** By display_id. */
  readonly conversations = new Map<number, SimConversation>();
  readonly messagesById = new Map<number, SimMessage>();
  readonly attachmentsById = new Map<number, SimAttachment>();
  readonly customAttributeDefinitions = new Map<number, SimCustomAttributeDefinition>();

  private readonly byPhone = new Map<string, number>();
  private readonly byEmail = new Map<string, number>();
  private readonly byIdentifier = new Map<string, number>();
  private readonly byIdentifierLower = new Map<string, Set<number>>();
  private readonly byCustomAttribute = new Map<string, Map<string, Set<number>>>();
  private readonly contactInboxBySource = new Map<string, SimContactInbox>();
  private readonly contactInboxesByContact = new Map<number, SimContactInbox[]>();
  private readonly conversationsByContact = new Map<number, SimConversation[]>();
  private nextContactId = 1;
  private nextContactInboxId = 1;
  private nextConversationPk = 1;
  private nextDisplayId = 1;
  private nextMessageId = 1;
  private nextAttachmentId = 1;
  private nextDefinitionId = 1;

  constructor(
    readonly account: SimAccount,
    readonly user: SimUser,
    readonly inbox: SimInbox,
  ) {}

  reset(): void {
    this.contacts.clear();
    this.contactInboxes.clear();
    this.conversations.clear();
    this.messagesById.clear();
    this.attachmentsById.clear();
    this.customAttributeDefinitions.clear();
    this.byPhone.clear();
    this.byEmail.clear();
    this.byIdentifier.clear();
    this.byIdentifierLower.clear();
    this.byCustomAttribute.clear();
    this.contactInboxBySource.clear();
    this.contactInboxesByContact.clear();
    this.conversationsByContact.clear();
    this.nextContactId = 1;
    this.nextContactInboxId = 1;
    this.nextConversationPk = 1;
    this.nextDisplayId = 1;
    this.nextMessageId = 1;
    this.nextAttachmentId = 1;
    this.nextDefinitionId = 1;
  }

  // ---- contacts ----

  /** Runs the Contact model validations; throws the 422 RecordInvalid answer. */
  private validateContact(values: SimContact, selfId: number | null): void {
    const messages: string[] = [];
    const attributes: string[] = [];
    const fail = (attribute: string, message: string): void => {
      messages.push(message);
      if (!attributes.includes(attribute)) attributes.push(attribute);
    };
    if (values.email !== null) {
      const owner = this.byEmail.get(lower(values.email));
      if (owner !== undefined && owner !== selfId) fail('email', 'Email has already been taken');
      if (!EMAIL.test(values.email)) fail('email', 'Email Invalid email');
    }
    if (values.identifier !== null) {
      const owner = this.byIdentifier.get(values.identifier);
      if (owner !== undefined && owner !== selfId) fail('identifier', 'Identifier has already been taken');
    }
    if (values.phone_number !== null) {
      const owner = this.byPhone.get(values.phone_number);
      if (owner !== undefined && owner !== selfId) fail('phone_number', 'Phone number has already been taken');
      if (!PHONE_E164.test(values.phone_number)) fail('phone_number', 'Phone number should be in e164 format');
    }
    if (messages.length > 0) throw recordInvalid(messages, attributes);
  }

  createContact(input: ContactInput): SimContact {
    const now = Date.now();
    const contact: SimContact = {
      id: 0,
      name: input.name ?? '',
      email: blankToNull(input.email)?.toLowerCase() ?? null,
      phone_number: blankToNull(input.phone_number),
      identifier: blankToNull(input.identifier),
      blocked: input.blocked ?? false,
      additional_attributes: { ...(input.additional_attributes ?? {}) },
      custom_attributes: { ...(input.custom_attributes ?? {}) },
      createdAt: now,
      updatedAt: now,
      lastActivityAt: null,
    };
    this.validateContact(contact, null);
    contact.id = this.nextContactId++;
    this.contacts.set(contact.id, contact);
    this.indexContact(contact);
    return contact;
  }

  /** Removes a contact that has no conversations yet (a rolled-back create). Ids are not reused. */
  deleteContact(contact: SimContact): void {
    this.unindexContact(contact);
    this.contacts.delete(contact.id);
  }

  /** Assigns the given fields (custom and additional attributes are merged), validating first. */
  /** Attaches a contact's avatar, replacing the one it had (has_one_attached). Images only, up to 15 MB. */
  attachAvatar(contact: SimContact, file: { fileName: string; contentType: string; data: Buffer }): void {
    // Avatarable validates the content type and size (app/models/concerns/avatarable.rb).
    if (!/^image\/(png|jpe?g|gif|webp)$/.test(file.contentType) || file.data.length > 15 * 1024 * 1024) {
      throw recordInvalid(['Avatar filetype not supported or too large'], ['avatar']);
    }
    contact.avatar = {
      id: this.nextAttachmentId++,
      fileName: file.fileName,
      contentType: file.contentType,
      byteSize: file.data.length,
      sha256: createHash('sha256').update(file.data).digest('hex'),
      uploads: (contact.avatar?.uploads ?? 0) + 1,
    };
    contact.updatedAt = Date.now();
  }

  updateContact(contact: SimContact, input: ContactInput): SimContact {
    const next: SimContact = {
      ...contact,
      name: input.name === undefined ? contact.name : (input.name ?? ''),
      email: input.email === undefined ? contact.email : (blankToNull(input.email)?.toLowerCase() ?? null),
      phone_number: input.phone_number === undefined ? contact.phone_number : blankToNull(input.phone_number),
      identifier: input.identifier === undefined ? contact.identifier : blankToNull(input.identifier),
      blocked: input.blocked ?? contact.blocked,
      additional_attributes: { ...contact.additional_attributes, ...(input.additional_attributes ?? {}) },
      custom_attributes: { ...contact.custom_attributes, ...(input.custom_attributes ?? {}) },
      updatedAt: Date.now(),
    };
    this.validateContact(next, contact.id);
    this.unindexContact(contact);
    Object.assign(contact, next);
    this.indexContact(contact);
    return contact;
  }

  private indexContact(contact: SimContact): void {
    if (contact.phone_number !== null) this.byPhone.set(contact.phone_number, contact.id);
    if (contact.email !== null) this.byEmail.set(lower(contact.email), contact.id);
    if (contact.identifier !== null) {
      this.byIdentifier.set(contact.identifier, contact.id);
      addToSetMap(this.byIdentifierLower, lower(contact.identifier), contact.id);
    }
    for (const [key, value] of Object.entries(contact.custom_attributes)) {
      if (value === null || value === undefined || typeof value === 'object') continue;
      let values = this.byCustomAttribute.get(key);
      if (!values) this.byCustomAttribute.set(key, (values = new Map<string, Set<number>>()));
      addToSetMap(values, lower(value), contact.id);
    }
  }

  private unindexContact(contact: SimContact): void {
    if (contact.phone_number !== null) this.byPhone.delete(contact.phone_number);
    if (contact.email !== null) this.byEmail.delete(lower(contact.email));
    if (contact.identifier !== null) {
      this.byIdentifier.delete(contact.identifier);
      this.byIdentifierLower.get(lower(contact.identifier))?.delete(contact.id);
    }
    for (const [key, value] of Object.entries(contact.custom_attributes)) {
      if (value === null || value === undefined || typeof value === 'object') continue;
      this.byCustomAttribute.get(key)?.get(lower(value))?.delete(contact.id);
    }
  }

  contactIdsByPhone(phone: string): number[] {
    const id = this.byPhone.get(phone);
    return id === undefined ? [] : [id];
  }

  contactIdsByEmailLower(email: string): number[] {
    const id = this.byEmail.get(email);
    return id === undefined ? [] : [id];
  }

  contactIdsByIdentifierLower(identifier: string): number[] {
    return [...(this.byIdentifierLower.get(identifier) ?? [])];
  }

  contactIdsByCustomAttributeLower(key: string, value: string): number[] {
    return [...(this.byCustomAttribute.get(key)?.get(value) ?? [])];
  }

  // ---- contact inboxes ----

  contactInboxesOf(contactId: number): SimContactInbox[] {
    return this.contactInboxesByContact.get(contactId) ?? [];
  }

  findContactInboxBySource(inboxId: number, sourceId: string): SimContactInbox | undefined {
    return this.contactInboxBySource.get(`${inboxId}\u0000${sourceId}`);
  }

  /** The legacy `ContactInbox.find_by(source_id:)` (any inbox of the account). */
  findContactInboxBySourceAnyInbox(sourceId: string): SimContactInbox | undefined {
    return this.findContactInboxBySource(this.inbox.id, sourceId);
  }

  /**
   * ContactInboxBuilder for an API inbox (app/builders/contact_inbox_builder.rb): a missing (nil) source_id
   * becomes a UUID (`generate_source_id` for Channel::Api); the same contact, inbox and source_id return the
   * existing row. A blank one is kept as it is (`@source_id ||= …` keeps ""), and `create_contact_inbox if
   * source_id.present?` then builds nothing: undefined. Returns `conflict` when another contact holds the
   * source_id in the inbox.
   */
  buildContactInbox(contact: SimContact, sourceId: string | null): SimContactInbox | 'conflict' | undefined {
    if (sourceId !== null && sourceId.trim() === '') return undefined;
    const source = sourceId ?? randomUUID();
    const existing = this.findContactInboxBySource(this.inbox.id, source);
    if (existing) return existing.contactId === contact.id ? existing : 'conflict';
    const now = Date.now();
    const row: SimContactInbox = {
      id: this.nextContactInboxId++,
      contactId: contact.id,
      inboxId: this.inbox.id,
      sourceId: source,
      pubsubToken: randomUUID().replace(/-/g, '').slice(0, 24),
      createdAt: now,
      updatedAt: now,
    };
    this.indexContactInbox(row);
    return row;
  }

  private indexContactInbox(row: SimContactInbox): void {
    this.contactInboxes.set(row.id, row);
    this.contactInboxBySource.set(`${row.inboxId}\u0000${row.sourceId}`, row);
    const list = this.contactInboxesByContact.get(row.contactId) ?? [];
    list.push(row);
    this.contactInboxesByContact.set(row.contactId, list);
  }

  // ---- conversations and messages ----

  conversationsOf(contactId: number): SimConversation[] {
    return this.conversationsByContact.get(contactId) ?? [];
  }

  createConversation(
    contactInbox: SimContactInbox,
    fields: Pick<SimConversation, 'status' | 'additional_attributes' | 'custom_attributes'>,
  ): SimConversation {
    const now = Date.now();
    const conversation: SimConversation = {
      pk: this.nextConversationPk++,
      displayId: this.nextDisplayId++,
      uuid: randomUUID(),
      contactId: contactInbox.contactId,
      contactInboxId: contactInbox.id,
      inboxId: contactInbox.inboxId,
      status: fields.status,
      additional_attributes: fields.additional_attributes,
      custom_attributes: fields.custom_attributes,
      createdAt: now,
      updatedAt: now,
      lastActivityAt: now,
      firstReplyCreatedAt: null,
      waitingSince: now,
      contactLastSeenAt: null,
      messages: [],
      lastChatMessage: null,
      recent: [],
      recentHead: 0,
    };
    this.indexConversation(conversation);
    return conversation;
  }

  private indexConversation(conversation: SimConversation): void {
    this.conversations.set(conversation.displayId, conversation);
    const list = this.conversationsByContact.get(conversation.contactId) ?? [];
    list.push(conversation);
    this.conversationsByContact.set(conversation.contactId, list);
  }

  /** Messages created in the rolling last minute (or `windowMs`), all types (the flood guard's count). */
  recentMessageCount(conversation: SimConversation, now = Date.now(), windowMs = 60_000): number {
    const since = now - windowMs;
    while (
      conversation.recentHead < conversation.recent.length &&
      conversation.recent[conversation.recentHead] < since
    ) {
      conversation.recentHead++;
    }
    if (conversation.recentHead > 1024 && conversation.recentHead * 2 > conversation.recent.length) {
      conversation.recent.splice(0, conversation.recentHead);
      conversation.recentHead = 0;
    }
    return conversation.recent.length - conversation.recentHead;
  }

  addMessage(conversation: SimConversation, message: Omit<SimMessage, 'id' | 'createdAt' | 'updatedAt'>): SimMessage {
    const now = Math.max(Date.now(), conversation.messages.at(-1)?.createdAt ?? 0);
    const stored: SimMessage = { ...message, id: this.nextMessageId++, createdAt: now, updatedAt: now };
    for (const attachment of stored.attachments) {
      attachment.id = this.nextAttachmentId++;
      attachment.messageId = stored.id;
      this.attachmentsById.set(attachment.id, attachment);
    }
    conversation.messages.push(stored);
    conversation.recent.push(now);
    if (stored.messageType !== 2 && !stored.private) conversation.lastChatMessage = stored;
    conversation.lastActivityAt = now;
    conversation.updatedAt = now;
    this.messagesById.set(stored.id, stored);
    return stored;
  }

  // ---- custom attribute definitions ----

  addDefinition(
    definition: Omit<SimCustomAttributeDefinition, 'id' | 'createdAt' | 'updatedAt'>,
  ): SimCustomAttributeDefinition {
    for (const existing of this.customAttributeDefinitions.values()) {
      if (
        existing.attribute_key === definition.attribute_key &&
        existing.attribute_model === definition.attribute_model
      ) {
        throw recordInvalid(['Attribute key has already been taken'], ['attribute_key']);
      }
    }
    const now = Date.now();
    const stored = { ...definition, id: this.nextDefinitionId++, createdAt: now, updatedAt: now };
    this.customAttributeDefinitions.set(stored.id, stored);
    return stored;
  }

  // ---- snapshot ----

  /** The whole account as JSON, so a test can keep a ChatWoot's state beside a Redis dump and load both later. */
  snapshot(): StoreSnapshot {
    return {
      contacts: [...this.contacts.values()].map((c) => structuredClone(c)),
      contactInboxes: [...this.contactInboxes.values()].map((c) => ({ ...c })),
      messages: [...this.messagesById.values()].map((m) => ({
        ...structuredClone({ ...m, attachments: [] }),
        attachments: m.attachments.map((a) => ({ ...a, data: a.data ? a.data.toString('base64') : null })),
      })),
      conversations: [...this.conversations.values()].map(
        ({ messages, lastChatMessage, recent: _recent, recentHead: _head, ...rest }) => ({
          ...structuredClone(rest),
          messageIds: messages.map((m) => m.id),
          lastChatMessageId: lastChatMessage?.id ?? null,
        }),
      ),
      definitions: [...this.customAttributeDefinitions.values()].map((d) => structuredClone(d)),
      next: {
        contact: this.nextContactId,
        contactInbox: this.nextContactInboxId,
        conversationPk: this.nextConversationPk,
        displayId: this.nextDisplayId,
        message: this.nextMessageId,
        attachment: this.nextAttachmentId,
        definition: this.nextDefinitionId,
      },
    };
  }

  /** Replaces everything with a snapshot (indexes rebuilt; the flood guard starts empty). */
  restore(snapshot: StoreSnapshot): void {
    this.reset();
    for (const contact of snapshot.contacts) {
      this.contacts.set(contact.id, structuredClone(contact));
      this.indexContact(this.contacts.get(contact.id)!);
    }
    for (const row of snapshot.contactInboxes) this.indexContactInbox({ ...row });
    for (const message of snapshot.messages) {
      const attachments = message.attachments.map((a) => ({
        ...a,
        data: a.data === null ? null : Buffer.from(a.data, 'base64'),
      }));
      const stored: SimMessage = { ...structuredClone({ ...message, attachments: [] }), attachments };
      for (const attachment of attachments) this.attachmentsById.set(attachment.id, attachment);
      this.messagesById.set(stored.id, stored);
    }
    for (const { messageIds, lastChatMessageId, ...rest } of snapshot.conversations) {
      const conversation: SimConversation = {
        ...structuredClone(rest),
        messages: messageIds.map((id) => this.messagesById.get(id)!),
        lastChatMessage: lastChatMessageId === null ? null : (this.messagesById.get(lastChatMessageId) ?? null),
        recent: [],
        recentHead: 0,
      };
      this.indexConversation(conversation);
    }
    for (const definition of snapshot.definitions)
      this.customAttributeDefinitions.set(definition.id, structuredClone(definition));
    this.nextContactId = snapshot.next.contact;
    this.nextContactInboxId = snapshot.next.contactInbox;
    this.nextConversationPk = snapshot.next.conversationPk;
    this.nextDisplayId = snapshot.next.displayId;
    this.nextMessageId = snapshot.next.message;
    this.nextAttachmentId = snapshot.next.attachment;
    this.nextDefinitionId = snapshot.next.definition;
  }

  findDefinition(
    key: string,
    model: SimCustomAttributeDefinition['attribute_model'],
  ): SimCustomAttributeDefinition | undefined {
    for (const definition of this.customAttributeDefinitions.values()) {
      if (definition.attribute_key === key && definition.attribute_model === model) return definition;
    }
    return undefined;
  }
}

/** Everything the store holds, as plain JSON (attachment bytes in base64): what `snapshot`/`restore` exchange. */
export interface StoreSnapshot {
  contacts: SimContact[];
  contactInboxes: SimContactInbox[];
  messages: Array<
    Omit<SimMessage, 'attachments'> & { attachments: Array<Omit<SimAttachment, 'data'> & { data: string | null }> }
  >;
  conversations: Array<
    Omit<SimConversation, 'messages' | 'lastChatMessage' | 'recent' | 'recentHead'> & {
      messageIds: number[];
      lastChatMessageId: number | null;
    }
  >;
  definitions: SimCustomAttributeDefinition[];
  next: {
    contact: number;
    contactInbox: number;
    conversationPk: number;
    displayId: number;
    message: number;
    attachment: number;
    definition: number;
  };
}

function blankToNull(value: string | null | undefined): string | null {
  if (value === undefined || value === null) return null;
  return value.trim() === '' ? null : value;
}

function addToSetMap<K>(map: Map<K, Set<number>>, key: K, id: number): void {
  let set = map.get(key);
  if (!set) map.set(key, (set = new Set()));
  set.add(id);
}
