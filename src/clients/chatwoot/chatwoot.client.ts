/**
 * ChatWoot Application API repository for one account. Every call goes through the flow-control gate so the
 * process as a whole respects ChatWoot's capacity and rate limits; methods return typed data or throw
 * `UpstreamError`.
 */
import { AxiosInstance } from 'axios';
import { createHttpClient } from '../http/http-client';
import {
  CwAttachmentUpload,
  CwContact,
  CwContactInbox,
  CwConversation,
  CwCustomAttributeDefinition,
  CwFilterCondition,
  CwInbox,
  CwMessage,
  CwNewMessage,
} from './chatwoot.types';
import { FlowGate, Priority } from './flow-gate';

export interface ChatwootClientOptions {
  url: string;
  accountId: number;
  token: string;
  timeoutMs: number;
  /** The API inbox's identifier, for the Client (public) API. */
  inboxIdentifier?: string;
}

/**
 * A value as one Rails path segment. Rails' dynamic segments match `[^/.?]+` on the raw path and decode the match
 * afterwards (actionpack journey/nodes/node.rb DEFAULT_EXP; journey/router.rb), and ChatWoot's public routes add no
 * constraint (config/routes.rb), so a `.` must travel as `%2E` (encodeURIComponent leaves it as it is).
 */
export function pathSegment(value: string): string {
  return encodeURIComponent(value).replace(/\./g, '%2E');
}

export class ChatwootClient {
  private readonly http: AxiosInstance;
  private readonly base: string;

  constructor(
    private readonly options: ChatwootClientOptions,
    private readonly gate: FlowGate,
  ) {
    this.base = `/api/v1/accounts/${options.accountId}`;
    this.http = createHttpClient({
      upstream: 'chatwoot',
      baseURL: options.url,
      timeoutMs: options.timeoutMs,
      headers: { api_access_token: options.token, Accept: 'application/json' },
    });
  }

  private get<T>(path: string, params?: Record<string, unknown>, priority: Priority = 'bulk'): Promise<T> {
    return this.gate.run(priority, async () => (await this.http.get<T>(this.base + path, { params })).data);
  }

  private post<T>(path: string, body: unknown, priority: Priority = 'bulk'): Promise<T> {
    return this.gate.run(priority, async () => (await this.http.post<T>(this.base + path, body)).data);
  }

  private put<T>(path: string, body: unknown, priority: Priority = 'bulk'): Promise<T> {
    return this.gate.run(priority, async () => (await this.http.put<T>(this.base + path, body)).data);
  }

  /** `GET /api` (no auth): `{version, …}` (ChatWoot's ApiController#index). */
  async serverVersion(): Promise<{ version: string }> {
    return this.gate.run('live', async () => (await this.http.get<{ version: string }>('/api')).data);
  }

  getInbox(inboxId: number): Promise<CwInbox> {
    return this.get<CwInbox>(`/inboxes/${inboxId}`, undefined, 'live');
  }

  async filterContacts(conditions: CwFilterCondition[], priority: Priority = 'bulk'): Promise<CwContact[]> {
    const result = await this.post<{ payload: CwContact[] }>('/contacts/filter', { payload: conditions }, priority);
    return result.payload;
  }

  async searchContacts(q: string): Promise<CwContact[]> {
    return (await this.get<{ payload: CwContact[] }>('/contacts/search', { q })).payload;
  }

  async getContact(id: number, priority: Priority = 'bulk'): Promise<CwContact> {
    return (await this.get<{ payload: CwContact }>(`/contacts/${id}`, undefined, priority)).payload;
  }

  async createContact(
    body: {
      name: string;
      identifier?: string;
      phone_number?: string;
      inbox_id?: number;
      source_id?: string;
      custom_attributes?: Record<string, unknown>;
    },
    priority: Priority = 'bulk',
  ): Promise<{ contact: CwContact; sourceId: string | null }> {
    const result = await this.post<{ payload: { contact: CwContact; contact_inbox?: { source_id: string | null } } }>(
      '/contacts',
      body,
      priority,
    );
    return { contact: result.payload.contact, sourceId: result.payload.contact_inbox?.source_id ?? null };
  }

  async updateContact(id: number, body: Partial<Pick<CwContact, 'name' | 'phone_number' | 'custom_attributes'>>, priority: Priority = 'bulk'): Promise<void> {
    await this.put(`/contacts/${id}`, body, priority);
  }

  /**
   * Uploads a contact's avatar: a multipart update with the image as top-level `avatar`, which ChatWoot attaches at
   * once (contacts_controller.rb permits `avatar`). Not `avatar_url`: ChatWoot fetches that later in a job that
   * remembers a URL it failed on and never tries it again (app/jobs/avatar/avatar_from_url_job.rb), and WhatsApp's
   * picture URLs expire.
   */
  async uploadContactAvatar(id: number, image: CwAttachmentUpload, priority: Priority = 'bulk'): Promise<void> {
    await this.gate.run(priority, async () => {
      const form = new FormData();
      form.append('avatar', image.data.type === image.mimetype ? image.data : new Blob([image.data], { type: image.mimetype }), image.filename);
      await this.http.put(`${this.base}/contacts/${id}`, form);
    });
  }

  createContactInbox(contactId: number, inboxId: number, sourceId?: string, priority: Priority = 'bulk'): Promise<CwContactInbox> {
    return this.post<CwContactInbox>(`/contacts/${contactId}/contact_inboxes`, { inbox_id: inboxId, source_id: sourceId }, priority);
  }

  async contactConversations(contactId: number, priority: Priority = 'bulk'): Promise<CwConversation[]> {
    return (await this.get<{ payload: CwConversation[] }>(`/contacts/${contactId}/conversations`, undefined, priority)).payload;
  }

  createConversation(body: { source_id: string; inbox_id: number; contact_id: number; status?: string }, priority: Priority = 'bulk'): Promise<CwConversation> {
    return this.post<CwConversation>('/conversations', body, priority);
  }

  getConversation(id: number, priority: Priority = 'bulk'): Promise<CwConversation> {
    return this.get<CwConversation>(`/conversations/${id}`, undefined, priority);
  }

  async toggleStatus(id: number, status: 'open' | 'resolved' | 'pending', priority: Priority = 'bulk'): Promise<string> {
    const result = await this.post<{ payload: { current_status: string } }>(`/conversations/${id}/toggle_status`, { status }, priority);
    return result.payload.current_status;
  }

  createMessage(conversationId: number, message: CwNewMessage, priority: Priority = 'bulk', conversationKey?: string): Promise<CwMessage> {
    return this.gate.run(
      priority,
      async () => (await this.http.post<CwMessage>(`${this.base}/conversations/${conversationId}/messages`, message)).data,
      conversationKey ?? String(conversationId),
    );
  }

  createMessageWithAttachments(
    conversationId: number,
    message: CwNewMessage,
    attachments: CwAttachmentUpload[],
    priority: Priority = 'bulk',
  ): Promise<CwMessage> {
    return this.gate.run(
      priority,
      async () => {
        const form = new FormData();
        form.append('content', message.content);
        form.append('message_type', message.message_type);
        form.append('private', String(message.private ?? false));
        if (message.source_id) form.append('source_id', message.source_id);
        if (message.external_created_at !== undefined) form.append('external_created_at', String(message.external_created_at));
        if (message.content_attributes) form.append('content_attributes', JSON.stringify(message.content_attributes));
        for (const file of attachments) {
          // A Blob made of a Blob refers to the same bytes: the type is set without copying the file.
          form.append('attachments[]', file.data.type === file.mimetype ? file.data : new Blob([file.data], { type: file.mimetype }), file.filename);
        }
        return (await this.http.post<CwMessage>(`${this.base}/conversations/${conversationId}/messages`, form)).data;
      },
      String(conversationId),
    );
  }

  /** Messages of a conversation after the given message id (ascending, up to 100), or the latest 20. */
  async listMessages(conversationId: number, cursor: { after?: number; before?: number } = {}, priority: Priority = 'bulk'): Promise<CwMessage[]> {
    const result = await this.get<{ payload: CwMessage[] }>(`/conversations/${conversationId}/messages`, cursor, priority);
    return result.payload;
  }

  /**
   * Sets an agent message's status (PATCH, since ChatWoot 4.2.0, API inboxes, user tokens). `failed` with the reason
   * shows the error on the message and, from 4.6.0, a Retry button whose webhook the bridge acts on; any other
   * status clears the error. `external_error` is a top-level parameter (messages_controller.rb permitted_params).
   */
  async setMessageStatus(conversationId: number, messageId: number, status: 'sent' | 'failed', error?: string, priority: Priority = 'live'): Promise<void> {
    const body = status === 'failed' ? { status, external_error: error ?? '' } : { status };
    await this.gate.run(priority, async () => {
      await this.http.patch(`${this.base}/conversations/${conversationId}/messages/${messageId}`, body);
    });
  }

  /**
   * Deletes a message (MessagesController#destroy, app/controllers/api/v1/accounts/conversations/messages_controller.rb):
   * ChatWoot keeps the message with its text replaced ("This message was deleted"), `content_attributes`
   * `{deleted: true}` and its attachments purged, answers 200 with it, and fires `message_updated`. A message already
   * deleted is written again unchanged (200, no webhook); one not in the conversation is 404; agent-bot tokens 401.
   */
  async deleteMessage(conversationId: number, messageId: number, priority: Priority = 'live'): Promise<void> {
    await this.gate.run(priority, async () => {
      await this.http.delete(`${this.base}/conversations/${conversationId}/messages/${messageId}`);
    });
  }

  /**
   * Client API `update_last_seen`: the contact has seen the conversation, so ChatWoot marks the agent's messages
   * until now read. `sourceId` is the contact inbox's source id; the answer is 200 with an empty body.
   */
  async markSeenByContact(sourceId: string, conversationId: number, priority: Priority = 'live'): Promise<void> {
    const inbox = pathSegment(this.options.inboxIdentifier ?? '');
    const path = `/public/api/v1/inboxes/${inbox}/contacts/${pathSegment(sourceId)}/conversations/${conversationId}/update_last_seen`;
    await this.gate.run(priority, async () => {
      await this.http.post(path, {});
    });
  }

  async customAttributeDefinitions(): Promise<CwCustomAttributeDefinition[]> {
    const result = await this.get<CwCustomAttributeDefinition[] | { payload: CwCustomAttributeDefinition[] }>(
      '/custom_attribute_definitions',
      { attribute_model: 1 },
      'live',
    );
    return Array.isArray(result) ? result : result.payload;
  }

  async createCustomAttributeDefinition(key: string, displayName: string): Promise<void> {
    await this.post(
      '/custom_attribute_definitions',
      {
        attribute_display_name: displayName,
        attribute_key: key,
        attribute_display_type: 'text',
        attribute_model: 'contact_attribute',
        attribute_description: 'Set by the WhatsApp bridge',
      },
      'live',
    );
  }
}
