/**
 * ChatWoot contact routes: list, search (with its own rate limit), filter, create (optionally with its
 * contact_inbox), show, update, the contact's conversations, and creating a contact_inbox.
 */
import { SimRequest, SimResponse } from '../../common/sim-server';
import { ContactInput } from '../chatwoot-store';
import { JsonObject, SimContact, internalError, notFound, unprocessable } from '../chatwoot-types';
import { ContactFilter } from '../contact-filter';
import { asObject, castBoolean, presence, readParams, stringOrNull } from '../request-params';
import { ApiRouter, RouteDeps, paginate, positiveInt, requireContact, requireInbox } from './route-kit';

const CONTACTS_PER_PAGE = 15;

export class ContactRoutes {
  private readonly filter: ContactFilter;

  constructor(private readonly deps: Pick<RouteDeps, 'store' | 'views' | 'options' | 'pipeline'>) {
    this.filter = new ContactFilter(deps.store);
  }

  register(router: ApiRouter): void {
    const { store, views } = this.deps;
    router.api('GET', '/contacts', (req) => this.listContacts(req));
    router.api('GET', '/contacts/search', (req) => this.searchContacts(req));
    router.api('POST', '/contacts/filter', (req) => this.filterContacts(req));
    router.api('POST', '/contacts', (req) => this.createContact(req));
    router.api('GET', '/contacts/:id', (req) => ({
      status: 200,
      body: { payload: views.contact(requireContact(store, req.params.id)) },
    }));
    router.api('PUT', '/contacts/:id', (req) => this.updateContact(req));
    router.api('PATCH', '/contacts/:id', (req) => this.updateContact(req));
    router.api('GET', '/contacts/:id/conversations', (req) => {
      const contact = requireContact(store, req.params.id);
      const list = [...store.conversationsOf(contact.id)]
        .sort((a, b) => b.lastActivityAt - a.lastActivityAt)
        .slice(0, 20);
      return { status: 200, body: { payload: list.map((c) => views.conversation(c)) } };
    });
    router.api('POST', '/contacts/:id/contact_inboxes', (req) => this.createContactInbox(req));
  }

  private contactInput(fields: JsonObject): ContactInput {
    const input: ContactInput = {};
    if ('name' in fields) input.name = stringOrNull(fields.name);
    if ('email' in fields) input.email = stringOrNull(fields.email);
    if ('phone_number' in fields) input.phone_number = stringOrNull(fields.phone_number);
    if ('identifier' in fields) input.identifier = stringOrNull(fields.identifier);
    if ('blocked' in fields) input.blocked = castBoolean(fields.blocked);
    if ('custom_attributes' in fields) input.custom_attributes = asObject(fields.custom_attributes);
    if ('additional_attributes' in fields) input.additional_attributes = asObject(fields.additional_attributes);
    return input;
  }

  private listContacts(req: SimRequest): SimResponse {
    const page = positiveInt(req.query.get('page'), 1);
    const sort = req.query.get('sort') ?? '';
    const all = [...this.deps.store.contacts.values()];
    const key = sort.replace(/^-/, '');
    if (['name', 'email', 'phone_number', 'created_at', 'last_activity_at'].includes(key)) {
      const read = (c: SimContact): string | number =>
        key === 'created_at'
          ? c.createdAt
          : key === 'last_activity_at'
            ? (c.lastActivityAt ?? 0)
            : (c[key as 'name'] ?? '');
      all.sort(
        (a, b) => (read(a) < read(b) ? -1 : read(a) > read(b) ? 1 : a.id - b.id) * (sort.startsWith('-') ? -1 : 1),
      );
    }
    return {
      status: 200,
      body: {
        meta: { count: all.length, current_page: page },
        payload: paginate(all, page, CONTACTS_PER_PAGE).map((c) => this.deps.views.contact(c)),
      },
    };
  }

  private searchContacts(req: SimRequest): SimResponse {
    const refused = this.deps.pipeline.contactSearchRefusal();
    if (refused) return refused;
    const q = req.query.get('q') ?? '';
    if (q.trim() === '') throw unprocessable('Specify search string with parameter q');
    const page = positiveInt(req.query.get('page'), 1);
    const needle = q.toLowerCase();
    const byId = /^\d+$/.test(q) ? Number(q) : null;
    const matches = [...this.deps.store.contacts.values()].filter(
      (c) =>
        c.name.toLowerCase().includes(needle) ||
        (c.email ?? '').toLowerCase().includes(needle) ||
        (c.phone_number ?? '').toLowerCase().includes(needle) ||
        (c.identifier ?? '').includes(q) ||
        c.id === byId,
    );
    const slice = paginate(matches, page, CONTACTS_PER_PAGE);
    return {
      status: 200,
      body: {
        meta: { count: slice.length, current_page: page, has_more: matches.length > page * CONTACTS_PER_PAGE },
        payload: slice.map((c) => this.deps.views.contact(c)),
      },
    };
  }

  private async filterContacts(req: SimRequest): Promise<SimResponse> {
    const { fields } = await readParams(req);
    const page = positiveInt(fields.page, 1);
    const matches = this.filter.run(fields.payload);
    return {
      status: 200,
      body: {
        meta: { count: matches.length, current_page: page },
        payload: paginate(matches, page, CONTACTS_PER_PAGE).map((c) => this.deps.views.contact(c)),
      },
    };
  }

  private async createContact(req: SimRequest): Promise<SimResponse> {
    const { store, views, options } = this.deps;
    const { fields } = await readParams(req);
    const contact = store.createContact(this.contactInput(fields));
    let contactInbox: { inbox: JsonObject | null; source_id: string | null } = { inbox: null, source_id: null };
    const inboxId = presence(fields.inbox_id);
    if (inboxId !== null) {
      // In ChatWoot the contact is saved and the contact_inbox built in one transaction.
      if (Number(inboxId) !== options.inboxId) {
        store.deleteContact(contact);
        throw notFound();
      }
      const row = store.buildContactInbox(contact, stringOrNull(fields.source_id));
      if (row === 'conflict') {
        store.deleteContact(contact);
        throw internalError();
      }
      // A blank source_id builds no contact_inbox: create.json.jbuilder renders @contact_inbox&.inbox / &.source_id.
      if (row) contactInbox = { inbox: views.inboxModel(), source_id: row.sourceId };
    }
    return { status: 200, body: { payload: { contact: views.contact(contact), contact_inbox: contactInbox } } };
  }

  private async updateContact(req: SimRequest): Promise<SimResponse> {
    const contact = requireContact(this.deps.store, req.params.id);
    const { fields, files } = await readParams(req);
    const input = this.contactInput(asObject(fields.contact ?? fields));
    this.deps.store.updateContact(contact, input);
    // contacts_controller.rb permits a top-level `avatar` file, attached by assign_attributes at once (the update
    // answers with the new thumbnail); `avatar_url` is fetched later by Avatar::AvatarFromUrlJob, not modelled.
    const avatar = files.find((file) => file.field === 'avatar');
    if (avatar) this.deps.store.attachAvatar(contact, avatar);
    return { status: 200, body: { payload: this.deps.views.contact(contact) } };
  }

  private async createContactInbox(req: SimRequest): Promise<SimResponse> {
    const contact = requireContact(this.deps.store, req.params.id);
    const { fields } = await readParams(req);
    requireInbox(this.deps.options, fields.inbox_id);
    const row = this.deps.store.buildContactInbox(contact, stringOrNull(fields.source_id));
    // A blank source_id builds nothing, and the view then reads source_id of nil (contact_inboxes/create.json.jbuilder
    // → models/_contact_inbox): a NoMethodError, 500 in production (inferred, not run).
    if (row === 'conflict' || row === undefined) throw internalError();
    return { status: 200, body: this.deps.views.contactInboxEntry(row) };
  }
}
