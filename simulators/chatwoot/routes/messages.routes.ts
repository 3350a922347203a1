/**
 * ChatWoot message routes: list a conversation's messages (before/after paging), create one (the
 * Messages::MessageBuilder validations), update its status (API inboxes), and the Client API's update_last_seen that
 * marks the agent's messages read.
 */
import { SimRequest, SimResponse, railsNotFound } from '../../common/sim-server';
import { versionAtLeast } from '../../common/versions';
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
import { RequestParams, asObject, castBoolean, presence, readParams, stringOrNull, text } from '../request-params';
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
    // `resources :messages, only: [..., :update]` routes update to PATCH and PUT (config/routes.rb).
    router.api('PATCH', '/conversations/:id/messages/:message_id', (req) => this.updateStatus(req));
    router.api('PUT', '/conversations/:id/messages/:message_id', (req) => this.updateStatus(req));
    router.api('DELETE', '/conversations/:id/messages/:message_id', (req) => this.deleteMessage(req));
    // `member { post :retry }` (config/routes.rb): what the dashboard's Retry button calls for a failed message.
    router.api('POST', '/conversations/:id/messages/:message_id/retry', (req) => this.retry(req));

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
    // content_attributes: a hash, or a JSON string (unparseable: {}) (MessageBuilder#content_attributes). Kept as
    // sent from 4.9.0 (#12782, `content_attributes: content_attributes.presence` in message_params); before, only
    // its in_reply_to, items and automation_rule_id reached the message (v4.8.0 message_builder.rb).
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
    if (!versionAtLeast(this.deps.options.version, '4.9.0')) {
      const kept: JsonObject = {};
      for (const key of ['in_reply_to', 'items', 'automation_rule_id']) {
        if (contentAttributes[key] !== undefined && contentAttributes[key] !== null) kept[key] = contentAttributes[key];
      }
      contentAttributes = kept;
    }
    // Top-level external_created_at, when present, is stored as content_attributes.external_created_at as sent, in
    // every version (MessageBuilder#external_created_at; `store :content_attributes` accessor in message.rb).
    if (presence(fields.external_created_at) !== null) {
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
      attachments: files.filter((file) => file.field === 'attachments').map(toAttachment),
    };
  }

  /**
   * The contact has seen the conversation: `contact_last_seen_at` is now, and the agent's messages created until
   * now that are `sent` or `delivered` become `read`, each with a message_updated webhook (ChatWoot does this in a
   * job right after answering 200 with an empty body).
   */
  private updateLastSeen(req: SimRequest): SimResponse {
    const { store, views, options, webhooks } = this.deps;
    // The public controllers rescue nothing (PublicController is a plain ActionController::Base), so a missing
    // inbox, contact inbox or conversation is Rails' own 404 (app/controllers/public/api/v1/inboxes_controller.rb
    // and public/api/v1/inboxes/conversations_controller.rb use find_by!).
    if (req.params.inbox !== options.inboxIdentifier) return railsNotFound(req);
    const contactInbox = store.findContactInboxBySource(options.inboxId, req.params.contact);
    const conversation = store.conversations.get(Number(req.params.id));
    if (!contactInbox || !conversation || conversation.contactInboxId !== contactInbox.id) return railsNotFound(req);
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

  /**
   * PATCH/PUT a message: Messages::StatusUpdateService (app/services/messages/status_update_service.rb, since
   * v4.2.0). Only sent/delivered/read/failed, and never read → delivered; anything else changes nothing and still
   * answers 200 with the message. `external_error` (top level) is kept only with failed, cleared otherwise; the
   * store accessor writes only a changed value. A change fires message_updated.
   */
  private async updateStatus(req: SimRequest): Promise<SimResponse> {
    const { store, views, webhooks } = this.deps;
    const conversation = requireConversation(store, req.params.id);
    const message = conversation.messages.find((m) => m.id === Number(req.params.message_id));
    if (!message) throw notFound();
    const { fields } = await readParams(req);
    const status = stringOrNull(fields.status);
    const valid = status === 'sent' || status === 'delivered' || status === 'read' || status === 'failed';
    if (valid && !(message.status === 'read' && status === 'delivered')) {
      const externalError = status === 'failed' ? stringOrNull(fields.external_error) : null;
      let changed = message.status !== status;
      message.status = status;
      if (externalError !== ((message.contentAttributes.external_error as string | null | undefined) ?? null)) {
        message.contentAttributes = { ...message.contentAttributes, external_error: externalError };
        changed = true;
      }
      if (changed) {
        message.updatedAt = Date.now();
        webhooks.emit('message_updated', views.messageWebhook('message_updated', message, conversation));
      }
    }
    return { status: 200, body: views.message(message) };
  }

  /**
   * MessagesController#destroy (app/controllers/api/v1/accounts/conversations/messages_controller.rb): in one
   * transaction the text becomes the locale's `conversations.messages.deleted` ("This message was deleted"),
   * content_type text, content_attributes exactly `{deleted: true}`, and the attachments are destroyed; source_id,
   * message_type, private and sender stay. 200 with the message (destroy.json.jbuilder); a message not in the
   * conversation is 404. A change fires message_updated (after_update_commit); deleting it again changes nothing and
   * fires nothing.
   */
  private deleteMessage(req: SimRequest): SimResponse {
    const { store, views, writer } = this.deps;
    const conversation = requireConversation(store, req.params.id);
    const message = conversation.messages.find((m) => m.id === Number(req.params.message_id));
    if (!message) throw notFound();
    writer.deleteMessage(conversation, message);
    return { status: 200, body: views.message(message) };
  }

  /**
   * The agent pressed Retry on a failed message (MessagesController#retry,
   * app/controllers/api/v1/accounts/conversations/messages_controller.rb). v4.2.0 to 4.15.x: the status service sets
   * `sent` and clears external_error (message_updated #1), then `update!(content_attributes: {})` drops every
   * content attribute (message_updated #2); before 4.2.0 one update did both (one event). Nothing is re-sent to an
   * API channel by ChatWoot itself: the integration learns it from the webhooks, which carry no status and no
   * changed attributes. Answers 200 with the message.
   */
  private retry(req: SimRequest): SimResponse {
    const { store, views, options, webhooks } = this.deps;
    const conversation = requireConversation(store, req.params.id);
    const message = conversation.messages.find((m) => m.id === Number(req.params.message_id));
    if (!message) throw notFound();
    const emit = (): void => webhooks.emit('message_updated', views.messageWebhook('message_updated', message, conversation));
    message.updatedAt = Date.now();
    if (versionAtLeast(options.version, '4.2.0')) {
      message.status = 'sent';
      message.contentAttributes = { ...message.contentAttributes, external_error: null };
      emit();
      message.contentAttributes = {};
      emit();
    } else {
      message.status = 'sent';
      message.contentAttributes = {};
      emit();
    }
    return { status: 200, body: views.message(message) };
  }
}
