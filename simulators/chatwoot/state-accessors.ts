/**
 * The ChatWoot simulator's state as tests see it (contacts, conversations, messages with upload details, the
 * transcript) and the shortcuts that change it without HTTP: seeding a contact, an agent replying in the UI.
 */
import { ChatwootStore } from './chatwoot-store';
import { SimAvatar, SimHttpError, SimMessage, SimSender } from './chatwoot-types';
import { ChatwootViews } from './chatwoot-views';
import { MessageWriter, toAttachment } from './message-writer';
import {
  AgentMessageOptions,
  AttachmentView,
  ContactView,
  ConversationView,
  MessageView,
  SeedContactInput,
} from './simulator-types';
import { renderTranscript } from './transcript';

export class StateAccessors {
  constructor(
    private readonly store: ChatwootStore,
    private readonly views: ChatwootViews,
    private readonly writer: MessageWriter,
  ) {}

  contacts(): ContactView[] {
    return [...this.store.contacts.values()].map((c) => this.views.contact(c) as ContactView);
  }

  /** The contact's avatar as uploaded (size, type, digest, how many uploads), if it has one. */
  avatarOf(contactId: number): SimAvatar | undefined {
    const avatar = this.store.contacts.get(contactId)?.avatar;
    return avatar ? { ...avatar } : undefined;
  }

  findContact(predicate: (contact: ContactView) => boolean): ContactView | undefined {
    for (const contact of this.store.contacts.values()) {
      const view = this.views.contact(contact) as ContactView;
      if (predicate(view)) return view;
    }
    return undefined;
  }

  conversations(): ConversationView[] {
    return [...this.store.conversations.values()].map((c) => this.views.conversation(c) as ConversationView);
  }

  conversation(displayId: number): ConversationView | undefined {
    const conversation = this.store.conversations.get(displayId);
    return conversation ? (this.views.conversation(conversation) as ConversationView) : undefined;
  }

  /** Every message of the conversation in creation order, activity and private ones included. */
  messages(displayId: number): MessageView[] {
    return (this.store.conversations.get(displayId)?.messages ?? []).map((m) => this.messageView(m));
  }

  transcript(displayId?: number): string {
    return renderTranscript(this.store, displayId);
  }

  /** Creates a contact (validated like the API) and optionally its conversation; sends no webhooks. */
  seedContact(input: SeedContactInput): { contact: ContactView; conversation?: ConversationView } {
    const contact = this.store.createContact({
      name: input.name,
      identifier: input.identifier,
      phone_number: input.phone_number,
      email: input.email,
      custom_attributes: input.custom_attributes,
      additional_attributes: input.additional_attributes,
    });
    if (!input.withConversation) return { contact: this.views.contact(contact) as ContactView };
    const row = this.store.buildContactInbox(contact, input.source_id ?? null);
    if (row === 'conflict') throw new Error(`source_id ${input.source_id} is taken by another contact`);
    if (row === undefined) throw new Error('a blank source_id builds no contact inbox (ContactInboxBuilder)');
    const conversation = this.store.createConversation(row, {
      status: input.status ?? 'open',
      additional_attributes: {},
      custom_attributes: {},
    });
    return {
      contact: this.views.contact(contact) as ContactView,
      conversation: this.views.conversation(conversation) as ConversationView,
    };
  }

  /**
   * A human agent replies in the ChatWoot UI: an outgoing message (or a private note) sent by the agent user,
   * with no source_id, followed by its `message_created` webhook.
   */
  async agentMessage(displayId: number, content: string, opts: AgentMessageOptions = {}): Promise<MessageView> {
    const conversation = this.store.conversations.get(displayId);
    if (!conversation) throw new Error(`chatwoot simulator: no conversation ${displayId}`);
    const attachments = (opts.attachments ?? []).map((a) =>
      toAttachment({
        field: 'attachments',
        fileName: a.file_name,
        contentType: a.content_type ?? 'application/octet-stream',
        data: typeof a.data === 'string' ? Buffer.from(a.data, 'utf8') : a.data,
      }),
    );
    try {
      const message = this.writer.insertMessage(conversation, {
        content,
        messageType: 1,
        contentType: 'text',
        private: opts.private ?? false,
        sourceId: null,
        // Automation rules mark their messages (AutomationRules::ActionService#send_message).
        contentAttributes: { ...(opts.content_attributes ?? {}), ...(opts.by === 'automation' ? { automation_rule_id: 1 } : {}) },
        additionalAttributes: {},
        sender: senderOf(opts.by ?? 'agent', this.store.user.id),
        attachments,
      });
      return this.messageView(message);
    } catch (error) {
      if (error instanceof SimHttpError) throw new Error(`chatwoot simulator: ${JSON.stringify(error.body)}`);
      throw error;
    }
  }

  /** An agent deletes a message in the dashboard (the same as DELETE …/messages/{id}). */
  deleteMessage(displayId: number, messageId: number): void {
    const conversation = this.store.conversations.get(displayId);
    const message = conversation?.messages.find((m) => m.id === messageId);
    if (!conversation || !message) throw new Error(`chatwoot simulator: no message ${messageId} in conversation ${displayId}`);
    this.writer.deleteMessage(conversation, message);
  }

  private messageView(message: SimMessage): MessageView {
    const json = this.views.message(message) as unknown as MessageView;
    json.attachments = message.attachments.map((a) => ({
      ...(this.views.attachment(a) as unknown as AttachmentView),
      file_name: a.fileName,
      content_type: a.contentType,
      sha256: a.sha256,
    }));
    return json;
  }
}

function senderOf(by: NonNullable<AgentMessageOptions['by']>, userId: number): SimSender {
  switch (by) {
    case 'agent':
      return { type: 'user', id: userId };
    case 'agent_bot':
      return { type: 'agent_bot', id: 901, name: 'Order Bot' };
    case 'captain_assistant':
      return { type: 'captain_assistant', id: 902, name: 'Captain' };
    case 'automation':
      return null;
  }
}
