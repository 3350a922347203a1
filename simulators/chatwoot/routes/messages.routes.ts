/**
 * ChatWoot message routes: list a conversation's messages (before/after paging), create one (the
 * Messages::MessageBuilder validations), and the Client API's update_last_seen that marks the agent's messages read.
 */
import { SimRequest, SimResponse } from '../../common/sim-server';
import {
  CONTENT_TYPES,
  JsonObject,
  MESSAGE_TYPES,
  SimConversation,
  SimMessage,
  SimSender,
  notFound,
  unprocessable,
} from '../chatwoot-types';
import { MessageDraft, toAttachment } from '../message-writer';
import { RequestParams, asObject, castBoolean, readParams, stringOrNull, text } from '../request-params';
import { ApiRouter, RouteDeps, requireConversation } from './route-kit';

const MESSAGES_PER_PAGE = 20;

/** First index whose message id is >= id (messages are in id order). */
function lowerBound(messages: SimMessage[], id: number): number {
  let lo = 0;
  let hi = messages.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (messages[mid].id < id) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class MessageRoutes {
  constructor(private readonly deps: Pick<RouteDeps, 'store' | 'views' | 'options' | 'writer' | 'webhooks'>) {}

  register(router: ApiRouter): void {
    router.api('GET', '/conversations/:id/messages', (req) => this.listMessages(req));
    router.api('POST', '/conversations/:id/messages', (req) => this.createMessageRoute(req));

    // Client (public) API: no token; the inbox identifier and the contact inbox's source id stand for the contact.
    router.counted(
      'POST',
      '/public/api/v1/inboxes/:inbox/contacts/:contact/conversations/:id/update_last_seen',
      (req) => this.updateLastSeen(req),
    );
  }

  private listMessages(req: SimRequest): SimResponse {
    const conversation = requireConversation(this.deps.store, req.params.id);
    let messages = conversation.messages;
    if (req.query.get('filter_internal_messages') === 'true') {
      messages = messages.filter((m) => m.messageType !== 2 && !m.private);
    }
    const before = req.query.get('before');
    const after = req.query.get('after');
    let page: SimMessage[];
    if (before && after) {
      page = messages
        .slice(lowerBound(messages, Number(after) + 1), lowerBound(messages, Number(before)))
        .slice(0, 1000);
    } else if (before) {
      const end = lowerBound(messages, Number(before));
      page = messages.slice(Math.max(0, end - MESSAGES_PER_PAGE), end);
    } else if (after) {
      const start = lowerBound(messages, Number(after) + 1);
      page = messages.slice(start, start + 100);
    } else {
      page = messages.slice(-MESSAGES_PER_PAGE);
    }
    const contact = this.deps.store.contacts.get(conversation.contactId);
    return {
      status: 200,
      body: {
        meta: {
          labels: [],
          additional_attributes: conversation.additional_attributes,
          contact: contact ? this.deps.views.contactPush(contact) : null,
          agent_last_seen_at: 0,
          assignee_last_seen_at: 0,
        },
        payload: page.map((m) => this.deps.views.message(m)),
      },
    };
  }

  private async createMessageRoute(req: SimRequest): Promise<SimResponse> {
    const conversation = requireConversation(this.deps.store, req.params.id);
    const params = await readParams(req);
    const draft = this.messageDraft(conversation, params);
    const message = this.deps.writer.insertMessage(conversation, draft);
    return { status: 200, body: this.deps.views.message(message, stringOrNull(params.fields.echo_id) ?? undefined) };
  }

  /** Messages::MessageBuilder: every error here is answered 422 {"error": text}. */
  private messageDraft(conversation: SimConversation, { fields, files }: RequestParams): MessageDraft {
    const rawType = fields.message_type ?? 'outgoing';
    let messageType: MessageDraft['messageType'];
    if (typeof rawType === 'number' && Number.isInteger(rawType) && rawType >= 0 && rawType <= 3) {
      messageType = rawType as MessageDraft['messageType'];
    } else if (typeof rawType === 'string' && (MESSAGE_TYPES as readonly string[]).includes(rawType)) {
      messageType = MESSAGE_TYPES.indexOf(rawType as (typeof MESSAGE_TYPES)[number]) as MessageDraft['messageType'];
    } else {
      throw unprocessable(`'${text(rawType)}' is not a valid message_type`);
    }
    const contentType = stringOrNull(fields.content_type) ?? 'text';
    if (!(CONTENT_TYPES as readonly string[]).includes(contentType)) {
      throw unprocessable(`'${contentType}' is not a valid content_type`);
    }
    let contentAttributes: JsonObject = {};
    if (typeof fields.content_attributes === 'string') {
      try {
        contentAttributes = asObject(JSON.parse(fields.content_attributes));
      } catch {
        contentAttributes = {};
      }
    } else {
      contentAttributes = asObject(fields.content_attributes);
    }
    if (fields.external_created_at !== undefined && fields.external_created_at !== null) {
      contentAttributes.external_created_at = fields.external_created_at;
    }
    const additionalAttributes: JsonObject = {};
    if (fields.campaign_id !== undefined) additionalAttributes.campaign_id = fields.campaign_id;
    if (fields.template_params !== undefined) additionalAttributes.template_params = fields.template_params;
    const signedIds = Array.isArray(fields.attachments) ? fields.attachments : [];
    if (signedIds.length > 0) throw unprocessable('ActiveSupport::MessageVerifier::InvalidSignature');
    // The builder compares the raw param with the string 'outgoing': an integer 1 makes the contact the sender.
    const sender: SimSender =
      rawType === 'outgoing'
        ? { type: 'user', id: this.deps.store.user.id }
        : { type: 'contact', id: conversation.contactId };
    return {
      content: stringOrNull(fields.content),
      messageType,
      contentType,
      private: castBoolean(fields.private),
      sourceId: stringOrNull(fields.source_id),
      contentAttributes,
      additionalAttributes,
      sender,
      attachments: files.map(toAttachment),
    };
  }

  /**
   * The contact has seen the conversation: `contact_last_seen_at` is now, and the agent's messages created until
   * now that are `sent` or `delivered` become `read`, each with a message_updated webhook (ChatWoot does this in a
   * job right after answering 200 with an empty body).
   */
  private updateLastSeen(req: SimRequest): SimResponse {
    const { store, views, options, webhooks } = this.deps;
    if (req.params.inbox !== options.inboxIdentifier) throw notFound();
    const contactInbox = store.findContactInboxBySource(options.inboxId, req.params.contact);
    const conversation = store.conversations.get(Number(req.params.id));
    if (!contactInbox || !conversation || conversation.contactInboxId !== contactInbox.id) throw notFound();
    const now = Date.now();
    conversation.contactLastSeenAt = now;
    for (const message of conversation.messages) {
      if (message.messageType === 0 || message.createdAt > now) continue;
      if (message.status !== 'sent' && message.status !== 'delivered') continue;
      message.status = 'read';
      message.updatedAt = now;
      webhooks.emit('message_updated', views.messageWebhook('message_updated', message, conversation));
    }
    return { status: 200, text: '' };
  }
}
