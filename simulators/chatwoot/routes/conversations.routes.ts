/**
 * ChatWoot conversation routes: list and meta (filters, counts, sort), create (with an optional first message),
 * show, and toggle_status with its activity message.
 */
import { SimRequest, SimResponse } from '../../common/sim-server';
import {
  CONVERSATION_STATUSES,
  ConversationStatus,
  JsonObject,
  SimConversation,
  SimHttpError,
  internalError,
  notFound,
  recordInvalid,
  unprocessable,
} from '../chatwoot-types';
import { asObject, presence, readParams, stringOrNull } from '../request-params';
import {
  ApiRouter,
  RouteDeps,
  paginate,
  positiveInt,
  requireContact,
  requireConversation,
  requireInbox,
} from './route-kit';

const CONVERSATIONS_PER_PAGE = 25;

function statusActivityText(status: ConversationStatus, userName: string): string {
  switch (status) {
    case 'open':
      return `Conversation was reopened by ${userName}`;
    case 'resolved':
      return `Conversation was marked resolved by ${userName}`;
    case 'pending':
      return `Conversation was marked as pending by ${userName}`;
    case 'snoozed':
      return `Conversation was snoozed by ${userName}`;
  }
}

function isStatus(value: unknown): value is ConversationStatus {
  return typeof value === 'string' && (CONVERSATION_STATUSES as readonly string[]).includes(value);
}

export class ConversationRoutes {
  constructor(private readonly deps: Pick<RouteDeps, 'store' | 'views' | 'options' | 'writer' | 'webhooks'>) {}

  register(router: ApiRouter): void {
    const { store, views } = this.deps;
    router.api('GET', '/conversations', (req) => this.listConversations(req));
    router.api('GET', '/conversations/meta', (req) => {
      const { counts } = this.queryConversations(req);
      return { status: 200, body: { meta: counts } };
    });
    router.api('POST', '/conversations', (req) => this.createConversation(req));
    router.api('GET', '/conversations/:id', (req) => ({
      status: 200,
      body: views.conversation(requireConversation(store, req.params.id)),
    }));
    router.api('POST', '/conversations/:id/toggle_status', (req) => this.toggleStatus(req));
  }

  private queryConversations(req: SimRequest): { list: SimConversation[]; counts: JsonObject } {
    const store = this.deps.store;
    const status = req.query.get('status') ?? 'open';
    const inboxId = req.query.get('inbox_id');
    const sourceId = req.query.get('source_id');
    const q = req.query.get('q')?.toLowerCase();
    let list = [...store.conversations.values()].filter((c) => {
      if (status !== 'all' && c.status !== status) return false;
      if (inboxId && c.inboxId !== Number(inboxId)) return false;
      if (sourceId && store.contactInboxes.get(c.contactInboxId)?.sourceId !== sourceId) return false;
      if (q && !c.messages.some((m) => (m.content ?? '').toLowerCase().includes(q))) return false;
      return true;
    });
    const counts = { mine_count: 0, assigned_count: 0, unassigned_count: list.length, all_count: list.length };
    const assigneeType = req.query.get('assignee_type');
    if (assigneeType === 'me' || assigneeType === 'assigned') list = [];
    const sortBy = req.query.get('sort_by') ?? 'last_activity_at_desc';
    const read = (c: SimConversation): number => (sortBy.startsWith('created_at') ? c.createdAt : c.lastActivityAt);
    const direction = sortBy.endsWith('_asc') ? 1 : -1;
    list.sort((a, b) => (read(a) - read(b)) * direction || (a.displayId - b.displayId) * direction);
    return { list, counts };
  }

  private listConversations(req: SimRequest): SimResponse {
    const { list, counts } = this.queryConversations(req);
    const page = positiveInt(req.query.get('page'), 1);
    return {
      status: 200,
      body: {
        data: {
          meta: counts,
          payload: paginate(list, page, CONVERSATIONS_PER_PAGE).map((c) => this.deps.views.conversation(c)),
        },
      },
    };
  }

  private async createConversation(req: SimRequest): Promise<SimResponse> {
    const { store, views, options, writer, webhooks } = this.deps;
    const { fields } = await readParams(req);
    const rawStatus = fields.status ?? 'open';
    if (!isStatus(rawStatus)) throw internalError();
    let row;
    const inboxId = presence(fields.inbox_id);
    const contactId = presence(fields.contact_id);
    if (inboxId !== null && contactId !== null) {
      requireInbox(options, inboxId);
      const contact = requireContact(store, contactId);
      const built = store.buildContactInbox(contact, stringOrNull(fields.source_id));
      if (built === 'conflict') throw unprocessable('source_id should be unique');
      // Nothing built (a blank source_id): the controller falls back to ContactInbox.find_by!(source_id:)
      // (conversations_controller.rb#contact_inbox), which finds no blank source_id.
      if (built === undefined) throw notFound();
      row = built;
    } else {
      const sourceId = presence(fields.source_id);
      row = sourceId === null ? undefined : store.findContactInboxBySourceAnyInbox(sourceId);
      if (!row) throw notFound();
    }
    const contact = store.contacts.get(row.contactId);
    const conversation = store.createConversation(row, {
      status: contact?.blocked ? 'resolved' : rawStatus,
      additional_attributes: asObject(fields.additional_attributes),
      custom_attributes: asObject(fields.custom_attributes),
    });
    webhooks.emitConversation('conversation_created', conversation);
    const first = asObject(fields.message);
    if (presence(first.content) !== null) {
      try {
        writer.insertMessage(conversation, {
          ...writer.draftDefaults(),
          content: stringOrNull(first.content),
          sender: { type: 'user', id: store.user.id },
        });
      } catch (error) {
        if (error instanceof SimHttpError && error.status === 422) {
          const text = String((error.body as { error?: string }).error ?? '').replace(/^Validation failed: /, '');
          throw recordInvalid([text], ['base']);
        }
        throw error;
      }
    }
    return { status: 200, body: views.conversation(conversation) };
  }

  private async toggleStatus(req: SimRequest): Promise<SimResponse> {
    const conversation = requireConversation(this.deps.store, req.params.id);
    const { fields } = await readParams(req);
    let next: ConversationStatus;
    if (fields.status === undefined || fields.status === null || fields.status === '') {
      next = conversation.status === 'open' ? 'resolved' : 'open';
    } else if (isStatus(fields.status)) {
      next = fields.status;
    } else {
      throw internalError();
    }
    this.deps.writer.changeStatus(conversation, next, statusActivityText(next, this.deps.store.user.name));
    return {
      status: 200,
      body: {
        meta: {},
        payload: {
          success: true,
          conversation_id: conversation.displayId,
          current_status: conversation.status,
          snoozed_until: null,
        },
      },
    };
  }
}
