/**
 * A strict fake of ChatWoot's Application API (plus the Client API's update_last_seen) for one account with one
 * API-channel inbox, following shared/reference/chatwoot-api.md: the exact error bodies, per-account display ids,
 * the per-conversation flood guard, Rack::Attack-like fixed windows, a Puma-like capacity with a proxy queue, and
 * webhooks delivered one at a time, unretried, optionally signed. It imports nothing from the service.
 *
 * Control routes (no auth, no capacity, not journaled) live under `/_sim/`, next to the kit's journal and faults;
 * `GET /_sim/stats` gives cheap counters (requests by status, messages created, peak load, the latest non-imported
 * messages with millisecond timestamps) for benchmarks, where the journal is too big to fetch.
 */
import { createHash } from 'node:crypto';
import { SimRequest, SimResponse, SimServer, sleep } from '../common/sim-server';
import { FifoSemaphore, FixedWindowCounter } from './capacity';
import { ChatwootStore, ContactInput } from './chatwoot-store';
import {
  ATTRIBUTE_DISPLAY_TYPES,
  ATTRIBUTE_MODELS,
  CONTENT_TYPES,
  CONVERSATION_STATUSES,
  ConversationStatus,
  JsonObject,
  MESSAGE_TYPES,
  NOT_FOUND_BODY,
  SimAttachment,
  SimContact,
  SimConversation,
  SimCustomAttributeDefinition,
  SimHttpError,
  SimMessage,
  SimSender,
  internalError,
  notFound,
  recordInvalid,
  unprocessable,
} from './chatwoot-types';
import { ChatwootViews } from './chatwoot-views';
import { ContactFilter } from './contact-filter';
import {
  RequestParams,
  UploadedFile,
  asObject,
  castBoolean,
  presence,
  readParams,
  stringOrNull,
  text,
} from './request-params';
import { renderTranscript } from './transcript';
import { WebhookDelivery, WebhookDispatcher } from './webhook-dispatcher';

export interface ChatwootSimOptions {
  /** Default 1. */
  accountId?: number;
  /** `api_access_token` of an administrator who is a member of the account. Default 'cw-token'. */
  token?: string;
  /** The API-channel inbox. Default 1. */
  inboxId?: number;
  /** Default 'inbox-ident-1'. */
  inboxIdentifier?: string;
  /** The inbox `webhook_url`; webhooks are only sent while it is set. */
  webhookUrl?: string;
  /** The inbox `secret`: when set, webhooks carry X-Chatwoot-Timestamp and X-Chatwoot-Signature. */
  webhookSecret?: string;
  /** Time each request holds a capacity slot. Default 0. */
  latencyMs?: number;
  /** Requests served at once (Puma threads). Default 32; more wait in a queue, beyond 2×capacity waiting → 503. */
  capacity?: number;
  /** Rack::Attack `req/ip`: fixed windows aligned to the epoch; beyond `limit` → 429 "Retry later\n". Default off. */
  rateLimit?: { limit: number; periodSec: number } | null;
  /** CONVERSATION_MESSAGE_PER_MINUTE_LIMIT (rolling 60 s, all message types). Default 200; 0 = unlimited. */
  messagesPerMinute?: number;
  /** The flood guard's rolling window (ChatWoot: always one minute). Shorter only to test pacing quickly. */
  messageWindowMs?: number;
  /** RATE_LIMIT_CONTACT_SEARCH per account per minute (fixed window). Default null (off). */
  contactSearchPerMinute?: number | null;
}

export type ChatwootSimConfig = Pick<
  ChatwootSimOptions,
  | 'latencyMs'
  | 'capacity'
  | 'rateLimit'
  | 'messagesPerMinute'
  | 'messageWindowMs'
  | 'webhookUrl'
  | 'webhookSecret'
  | 'contactSearchPerMinute'
>;

interface ResolvedOptions {
  accountId: number;
  token: string;
  inboxId: number;
  inboxIdentifier: string;
  webhookUrl?: string;
  webhookSecret?: string;
  capacity: number;
  rateLimit: { limit: number; periodSec: number } | null;
  messagesPerMinute: number;
  messageWindowMs: number;
  contactSearchPerMinute: number | null;
}

export interface AttachmentInput {
  file_name: string;
  content_type?: string;
  /** Bytes, or a string taken as UTF-8 text. */
  data: Buffer | string;
}

export interface AgentMessageOptions {
  private?: boolean;
  attachments?: AttachmentInput[];
  content_attributes?: JsonObject;
}

export interface SeedContactInput {
  name: string;
  identifier?: string;
  phone_number?: string;
  email?: string;
  custom_attributes?: JsonObject;
  additional_attributes?: JsonObject;
  /** Also create a contact_inbox in the API inbox and a conversation (no webhooks are sent for seeds). */
  withConversation?: boolean;
  /** Conversation status (default open). */
  status?: ConversationStatus;
  /** contact_inbox source_id (default a UUID). */
  source_id?: string;
}

/** REST attachment JSON plus what the simulator knows about the upload (file name, MIME type, SHA-256). */
export interface AttachmentView {
  id: number;
  message_id: number;
  file_type: 'image' | 'audio' | 'video' | 'file';
  account_id: number;
  extension: null;
  data_url: string;
  thumb_url: string;
  file_size: number;
  width: null;
  height: null;
  file_name: string;
  content_type: string;
  sha256: string;
}

/** REST message JSON (integer message_type, unix-second created_at); `attachments` is always present here. */
export interface MessageView {
  id: number;
  content: string | null;
  inbox_id: number;
  conversation_id: number;
  message_type: number;
  content_type: string;
  status: string;
  content_attributes: JsonObject;
  created_at: number;
  private: boolean;
  source_id: string | null;
  sender?: JsonObject;
  attachments: AttachmentView[];
}

export interface ContactView {
  id: number;
  name: string;
  email: string | null;
  phone_number: string | null;
  identifier: string | null;
  blocked: boolean;
  custom_attributes: JsonObject;
  additional_attributes: JsonObject;
  contact_inboxes: Array<{ source_id: string; inbox: JsonObject }>;
  created_at: number;
  [key: string]: unknown;
}

export interface ConversationView {
  id: number;
  status: ConversationStatus;
  inbox_id: number;
  uuid: string;
  meta: { sender: JsonObject | null; channel: string; hmac_verified: boolean };
  custom_attributes: JsonObject;
  additional_attributes: JsonObject;
  /** Seconds; 0 until the contact has seen the conversation (Client API update_last_seen). */
  contact_last_seen_at: number;
  [key: string]: unknown;
}

interface MessageDraft {
  content: string | null;
  messageType: 0 | 1 | 2 | 3;
  contentType: string;
  private: boolean;
  sourceId: string | null;
  contentAttributes: JsonObject;
  additionalAttributes: JsonObject;
  sender: SimSender;
  attachments: SimAttachment[];
}

const ACCOUNT = '/api/v1/accounts/:account_id';
const CONTACTS_PER_PAGE = 15;
const CONVERSATIONS_PER_PAGE = 25;
const MESSAGES_PER_PAGE = 20;
const MAX_CONTENT_LENGTH = 150_000;
const KEEP_ATTACHMENT_BYTES = 1024 * 1024;
const SYSTEM_REOPEN_TEXT = 'System reopened the conversation due to a new incoming message.';

const TEXT_PLAIN = { 'content-type': 'text/plain' };
/** Messages without a source_id (agent messages, activities, replies) kept for `/_sim/stats`. */
const STATS_EVENTS_KEPT = 200;

/** A message that was not imported (no source_id), as `/_sim/stats` lists it; `at` is in milliseconds. */
export interface SimStatsEvent {
  id: number;
  conversation_id: number;
  message_type: number;
  private: boolean;
  at: number;
  content: string;
}

/** Cheap counters for benchmarks: `GET /_sim/stats` (reset with `POST /_sim/stats/reset`). */
export interface SimStats {
  since: number;
  /** API requests that reached the request pipeline (control routes excluded). */
  requests: number;
  /** Answers by HTTP status (503 capacity, 429 rate limit, and every API route's answer). */
  byStatus: Record<string, number>;
  /** Messages stored: all of them, and those with a source_id (what an import creates). */
  messages: { created: number; withSourceId: number };
  /** Most requests holding a slot / waiting for one at the same time. */
  peak: { active: number; queued: number };
  /** Rate-limit windows seen (epoch-aligned index → requests let through / answered 429); the latest 100. */
  rateWindows: Record<string, { accepted: number; limited: number }>;
}

function fileTypeOf(mime: string): SimAttachment['fileType'] {
  const type = mime.toLowerCase().split(';')[0].trim();
  if (['image/jpeg', 'image/png', 'image/gif', 'image/bmp', 'image/webp'].includes(type)) return 'image';
  if (['video/ogg', 'video/mp4', 'video/webm', 'video/quicktime'].includes(type)) return 'video';
  if (type.includes('audio/')) return 'audio';
  return 'file';
}

function toAttachment(file: UploadedFile): SimAttachment {
  return {
    id: 0,
    messageId: 0,
    fileType: fileTypeOf(file.contentType),
    fileName: file.fileName,
    contentType: file.contentType,
    fileSize: file.data.length,
    sha256: createHash('sha256').update(file.data).digest('hex'),
    data: file.data.length <= KEEP_ATTACHMENT_BYTES ? file.data : null,
  };
}

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

function positiveInt(value: unknown, fallback: number): number {
  const number = Number(value);
  return Number.isInteger(number) && number > 0 ? number : fallback;
}

function paginate<T>(items: T[], page: number, perPage: number): T[] {
  return items.slice((page - 1) * perPage, page * perPage);
}

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

export class ChatwootSimulator extends SimServer {
  readonly store: ChatwootStore;
  private readonly options: ResolvedOptions;
  private readonly views: ChatwootViews;
  private readonly filter: ContactFilter;
  private readonly webhooks: WebhookDispatcher;
  private readonly slots: FifoSemaphore;
  private readonly holding = new WeakSet<SimRequest>();
  private readonly requestWindow = new FixedWindowCounter();
  private readonly searchWindow = new FixedWindowCounter();
  private stats: SimStats = ChatwootSimulator.emptyStats();
  private readonly statsEvents: SimStatsEvent[] = [];

  constructor(opts: ChatwootSimOptions = {}) {
    super('chatwoot');
    this.options = {
      accountId: opts.accountId ?? 1,
      token: opts.token ?? 'cw-token',
      inboxId: opts.inboxId ?? 1,
      inboxIdentifier: opts.inboxIdentifier ?? 'inbox-ident-1',
      webhookUrl: opts.webhookUrl,
      webhookSecret: opts.webhookSecret,
      capacity: opts.capacity ?? 32,
      rateLimit: opts.rateLimit ?? null,
      messagesPerMinute: opts.messagesPerMinute ?? 200,
      messageWindowMs: opts.messageWindowMs ?? 60_000,
      contactSearchPerMinute: opts.contactSearchPerMinute ?? null,
    };
    this.latencyMs = opts.latencyMs ?? 0;
    const now = Date.now();
    this.store = new ChatwootStore(
      { id: this.options.accountId, name: 'Simulated Account' },
      { id: 1, name: 'Sim Agent', email: 'agent@chatwoot.sim' },
      {
        id: this.options.inboxId,
        name: 'WhatsApp (simulated)',
        channelId: 1,
        inboxIdentifier: this.options.inboxIdentifier,
        createdAt: now,
      },
    );
    this.views = new ChatwootViews(() => ({
      store: this.store,
      baseUrl: this.baseUrl,
      webhookUrl: this.options.webhookUrl ?? null,
      webhookSecret: this.options.webhookSecret ?? null,
    }));
    this.filter = new ContactFilter(this.store);
    this.webhooks = new WebhookDispatcher((event, body, error) => this.onWebhookFailure(event, body, error));
    this.slots = new FifoSemaphore(this.options.capacity);
    this.registerControlRoutes();
    this.registerApiRoutes();
  }

  get url(): string {
    return this.baseUrl;
  }

  get accountId(): number {
    return this.options.accountId;
  }

  get inboxId(): number {
    return this.options.inboxId;
  }

  get token(): string {
    return this.options.token;
  }

  /** Webhooks sent (oldest first), each with the receiver's status (0 = no answer) and the parsed body. */
  get webhookDeliveries(): WebhookDelivery[] {
    return this.webhooks.deliveries;
  }

  private static emptyStats(): SimStats {
    return {
      since: Date.now(),
      requests: 0,
      byStatus: {},
      messages: { created: 0, withSourceId: 0 },
      peak: { active: 0, queued: 0 },
      rateWindows: {},
    };
  }

  /** Request and message counters since start or the last `resetStats()`, and the latest non-imported messages. */
  statsSnapshot(sinceEventId = 0): SimStats & {
    load: { active: number; queued: number };
    webhooks: { pending: number; delivered: number };
    events: SimStatsEvent[];
  } {
    return {
      ...this.stats,
      byStatus: { ...this.stats.byStatus },
      rateWindows: { ...this.stats.rateWindows },
      load: this.load,
      webhooks: { pending: this.webhooks.pending, delivered: this.webhooks.deliveries.length },
      events: this.statsEvents.filter((e) => e.id > sinceEventId),
    };
  }

  resetStats(): void {
    this.stats = ChatwootSimulator.emptyStats();
    this.statsEvents.length = 0;
  }

  private countStatus(status: number): void {
    this.stats.byStatus[status] = (this.stats.byStatus[status] ?? 0) + 1;
  }

  private countWindow(index: number, allowed: boolean): void {
    const windows = this.stats.rateWindows;
    let window = windows[index];
    if (!window) {
      window = windows[index] = { accepted: 0, limited: 0 };
      const keys = Object.keys(windows);
      if (keys.length > 100) delete windows[Math.min(...keys.map(Number))];
    }
    if (allowed) window.accepted++;
    else window.limited++;
  }

  /** Requests holding a slot / waiting for one. */
  get load(): { active: number; queued: number } {
    return { active: this.slots.inUse, queued: this.slots.queued };
  }

  override async close(): Promise<void> {
    this.webhooks.reset();
    await super.close();
  }

  /** Clears every record, fault, journal entry and webhook; keeps account, inbox, token and options. */
  reset(): void {
    this.store.reset();
    this.webhooks.reset();
    this.clearFaults();
    this.clearJournal();
    this.requestWindow.reset();
    this.searchWindow.reset();
    this.resetStats();
  }

  configure(partial: ChatwootSimConfig): void {
    if (partial.latencyMs !== undefined) this.latencyMs = Math.max(0, Number(partial.latencyMs));
    if (partial.capacity !== undefined) {
      this.options.capacity = Math.max(1, Math.floor(Number(partial.capacity)));
      this.slots.setCapacity(this.options.capacity);
    }
    if (partial.rateLimit !== undefined) this.options.rateLimit = partial.rateLimit;
    if (partial.messagesPerMinute !== undefined) this.options.messagesPerMinute = Number(partial.messagesPerMinute);
    if (partial.messageWindowMs !== undefined) this.options.messageWindowMs = Number(partial.messageWindowMs);
    if (partial.contactSearchPerMinute !== undefined)
      this.options.contactSearchPerMinute = partial.contactSearchPerMinute;
    if (partial.webhookUrl !== undefined) this.options.webhookUrl = partial.webhookUrl || undefined;
    if (partial.webhookSecret !== undefined) this.options.webhookSecret = partial.webhookSecret || undefined;
  }

  currentOptions(): ChatwootSimOptions {
    return { ...this.options, latencyMs: this.latencyMs };
  }

  waitForWebhookIdle(timeoutMs?: number): Promise<void> {
    return this.webhooks.waitForIdle(timeoutMs);
  }

  // ---- state accessors for tests ----

  contacts(): ContactView[] {
    return [...this.store.contacts.values()].map((c) => this.views.contact(c) as ContactView);
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
        fileName: a.file_name,
        contentType: a.content_type ?? 'application/octet-stream',
        data: typeof a.data === 'string' ? Buffer.from(a.data, 'utf8') : a.data,
      }),
    );
    try {
      const message = this.insertMessage(conversation, {
        content,
        messageType: 1,
        contentType: 'text',
        private: opts.private ?? false,
        sourceId: null,
        contentAttributes: { ...(opts.content_attributes ?? {}) },
        additionalAttributes: {},
        sender: { type: 'user', id: this.store.user.id },
        attachments,
      });
      return this.messageView(message);
    } catch (error) {
      if (error instanceof SimHttpError) throw new Error(`chatwoot simulator: ${JSON.stringify(error.body)}`);
      throw error;
    }
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

  // ---- request pipeline: capacity, rate limit, latency, auth ----

  /** Latency is served inside `before()` while the request holds a capacity slot. */
  protected override async applyLatency(): Promise<void> {}

  protected override async before(req: SimRequest): Promise<SimResponse | undefined> {
    this.stats.requests++;
    const admission = this.slots.acquire(this.options.capacity * 2);
    const peak = this.stats.peak;
    peak.active = Math.max(peak.active, this.slots.inUse);
    peak.queued = Math.max(peak.queued, this.slots.queued);
    const admitted = await admission;
    if (!admitted) {
      this.countStatus(503);
      return { status: 503, text: 'Service Unavailable\n', headers: TEXT_PLAIN };
    }
    this.holding.add(req);
    const rateLimit = this.options.rateLimit;
    if (rateLimit) {
      const now = Date.now();
      const allowed = this.requestWindow.hit(rateLimit.limit, rateLimit.periodSec, now);
      this.countWindow(Math.floor(now / 1000 / rateLimit.periodSec), allowed);
      if (!allowed) {
        this.countStatus(429);
        return { status: 429, text: 'Retry later\n', headers: TEXT_PLAIN };
      }
    }
    if (this.latencyMs > 0) await sleep(this.latencyMs);
    const refused = this.authenticate(req);
    if (refused) this.countStatus(refused.status);
    return refused;
  }

  protected override after(req: SimRequest): void {
    if (this.holding.delete(req)) this.slots.release();
  }

  private authenticate(req: SimRequest): SimResponse | undefined {
    if (!req.path.startsWith('/api/')) return undefined;
    const header = req.headers['api_access_token'];
    const token = Array.isArray(header) ? header[0] : header;
    if (token === undefined || token === '') {
      return { status: 401, body: { errors: ['You need to sign in or sign up before continuing.'] } };
    }
    if (token !== this.options.token) return { status: 401, body: { error: 'Invalid Access Token' } };
    const account = /^\/api\/v1\/accounts\/([^/]+)/.exec(req.path);
    if (account) {
      if (!/^\d+$/.test(account[1])) return { status: 404, body: NOT_FOUND_BODY };
      if (Number(account[1]) !== this.options.accountId) {
        return { status: 401, body: { error: 'You are not authorized to access this account' } };
      }
    }
    return undefined;
  }

  private api(method: string, path: string, handler: (req: SimRequest) => SimResponse | Promise<SimResponse>): void {
    this.counted(method, `${ACCOUNT}${path}`, handler);
  }

  /** A route whose answers are counted by status, with SimHttpError turned into its answer. */
  private counted(method: string, path: string, handler: (req: SimRequest) => SimResponse | Promise<SimResponse>): void {
    this.route(method, path, async (req) => {
      try {
        const response = await handler(req);
        this.countStatus(response.status);
        return response;
      } catch (error) {
        if (error instanceof SimHttpError) {
          this.countStatus(error.status);
          return { status: error.status, body: error.body };
        }
        this.countStatus(500);
        throw error;
      }
    });
  }

  // ---- control routes ----

  private registerControlRoutes(): void {
    const control = (
      method: string,
      path: string,
      handler: (req: SimRequest) => SimResponse | Promise<SimResponse>,
    ): void => {
      this.route(method, path, async (req) => {
        try {
          return await handler(req);
        } catch (error) {
          if (error instanceof SimHttpError) return { status: error.status, body: error.body };
          return { status: 400, body: { error: error instanceof Error ? error.message : String(error) } };
        }
      });
    };
    control('POST', '/_sim/reset', () => {
      this.reset();
      return { status: 200, body: { ok: true } };
    });
    control('GET', '/_sim/state', () => ({
      status: 200,
      body: {
        account: this.views.account(),
        inbox: this.views.inbox(),
        contacts: this.contacts(),
        conversations: this.conversations().map((c) => ({ ...c, messages: this.messages(c.id) })),
        custom_attribute_definitions: [...this.store.customAttributeDefinitions.values()].map((d) =>
          this.views.customAttributeDefinition(d),
        ),
        webhooks: { pending: this.webhooks.pending, delivered: this.webhooks.deliveries.length },
        load: this.load,
      },
    }));
    control('POST', '/_sim/agent-message', async (req) => {
      const body = asObject(req.json);
      const displayId = Number(body.conversation_id);
      if (!this.store.conversations.has(displayId)) throw notFound();
      const attachments = Array.isArray(body.attachments)
        ? (body.attachments as JsonObject[]).map((a) => ({
            file_name: text(a.file_name, 'file'),
            content_type: stringOrNull(a.content_type) ?? undefined,
            data: Buffer.from(text(a.data_base64), 'base64'),
          }))
        : undefined;
      const message = await this.agentMessage(displayId, text(body.content), {
        private: castBoolean(body.private),
        attachments,
      });
      return { status: 200, body: message };
    });
    control('POST', '/_sim/seed-contact', (req) => {
      const result = this.seedContact(asObject(req.json) as unknown as SeedContactInput);
      return { status: 200, body: result };
    });
    control('POST', '/_sim/configure', (req) => {
      this.configure(asObject(req.json));
      return { status: 200, body: { ok: true, options: this.publicOptions() } };
    });
    control('GET', '/_sim/configure', () => ({ status: 200, body: this.publicOptions() }));
    control('GET', '/_sim/transcript', (req) => {
      const id = req.query.get('conversation_id');
      return { status: 200, text: this.transcript(id ? Number(id) : undefined) };
    });
    control('GET', '/_sim/stats', (req) => ({
      status: 200,
      body: this.statsSnapshot(Number(req.query.get('since_event') ?? 0) || 0),
    }));
    control('POST', '/_sim/stats/reset', () => {
      this.resetStats();
      return { status: 200, body: { ok: true } };
    });
    control('GET', '/_sim/webhooks', (req) => {
      const limit = positiveInt(req.query.get('limit'), 100);
      return { status: 200, body: this.webhooks.deliveries.slice(-limit) };
    });
  }

  private publicOptions(): JsonObject {
    const options: JsonObject = { ...this.currentOptions() };
    delete options.token;
    return options;
  }

  // ---- API routes ----

  private registerApiRoutes(): void {
    this.route('GET', '/rails/active_storage/blobs/redirect/:id/:filename', (req) => {
      const attachment = this.store.attachmentsById.get(Number(req.params.id));
      if (!attachment?.data) return { status: 404, body: NOT_FOUND_BODY };
      return { status: 200, raw: attachment.data, headers: { 'content-type': attachment.contentType } };
    });

    this.api('GET', '/inboxes', () => ({ status: 200, body: { payload: [this.views.inbox()] } }));
    this.api('GET', '/inboxes/:id', (req) => {
      this.requireInbox(req.params.id);
      return { status: 200, body: this.views.inbox() };
    });

    this.api('GET', '/contacts', (req) => this.listContacts(req));
    this.api('GET', '/contacts/search', (req) => this.searchContacts(req));
    this.api('POST', '/contacts/filter', (req) => this.filterContacts(req));
    this.api('POST', '/contacts', (req) => this.createContact(req));
    this.api('GET', '/contacts/:id', (req) => ({
      status: 200,
      body: { payload: this.views.contact(this.requireContact(req.params.id)) },
    }));
    this.api('PUT', '/contacts/:id', (req) => this.updateContact(req));
    this.api('PATCH', '/contacts/:id', (req) => this.updateContact(req));
    this.api('GET', '/contacts/:id/conversations', (req) => {
      const contact = this.requireContact(req.params.id);
      const list = [...this.store.conversationsOf(contact.id)]
        .sort((a, b) => b.lastActivityAt - a.lastActivityAt)
        .slice(0, 20);
      return { status: 200, body: { payload: list.map((c) => this.views.conversation(c)) } };
    });
    this.api('POST', '/contacts/:id/contact_inboxes', (req) => this.createContactInbox(req));

    this.api('GET', '/custom_attribute_definitions', (req) => this.listDefinitions(req));
    this.api('POST', '/custom_attribute_definitions', (req) => this.createDefinition(req));
    this.api('GET', '/custom_attribute_definitions/:id', (req) => ({
      status: 200,
      body: this.views.customAttributeDefinition(this.requireDefinition(req.params.id)),
    }));
    this.api('DELETE', '/custom_attribute_definitions/:id', (req) => {
      this.store.customAttributeDefinitions.delete(this.requireDefinition(req.params.id).id);
      return { status: 200, text: '' };
    });

    this.api('GET', '/conversations', (req) => this.listConversations(req));
    this.api('GET', '/conversations/meta', (req) => {
      const { counts } = this.queryConversations(req);
      return { status: 200, body: { meta: counts } };
    });
    this.api('POST', '/conversations', (req) => this.createConversation(req));
    this.api('GET', '/conversations/:id', (req) => ({
      status: 200,
      body: this.views.conversation(this.requireConversation(req.params.id)),
    }));
    this.api('POST', '/conversations/:id/toggle_status', (req) => this.toggleStatus(req));
    this.api('GET', '/conversations/:id/messages', (req) => this.listMessages(req));
    this.api('POST', '/conversations/:id/messages', (req) => this.createMessageRoute(req));

    // Client (public) API: no token; the inbox identifier and the contact inbox's source id stand for the contact.
    this.counted('POST', '/public/api/v1/inboxes/:inbox/contacts/:contact/conversations/:id/update_last_seen', (req) =>
      this.updateLastSeen(req),
    );
  }

  /**
   * The contact has seen the conversation: `contact_last_seen_at` is now, and the agent's messages created until
   * now that are `sent` or `delivered` become `read`, each with a message_updated webhook (ChatWoot does this in a
   * job right after answering 200 with an empty body).
   */
  private updateLastSeen(req: SimRequest): SimResponse {
    if (req.params.inbox !== this.options.inboxIdentifier) throw notFound();
    const contactInbox = this.store.findContactInboxBySource(this.options.inboxId, req.params.contact);
    const conversation = this.store.conversations.get(Number(req.params.id));
    if (!contactInbox || !conversation || conversation.contactInboxId !== contactInbox.id) throw notFound();
    const now = Date.now();
    conversation.contactLastSeenAt = now;
    for (const message of conversation.messages) {
      if (message.messageType === 0 || message.createdAt > now) continue;
      if (message.status !== 'sent' && message.status !== 'delivered') continue;
      message.status = 'read';
      message.updatedAt = now;
      this.emit('message_updated', this.views.messageWebhook('message_updated', message, conversation));
    }
    return { status: 200, text: '' };
  }

  private requireInbox(id: unknown): void {
    if (Number(id) !== this.options.inboxId) throw notFound();
  }

  private requireContact(id: unknown): SimContact {
    const contact = this.store.contacts.get(Number(id));
    if (!contact) throw notFound();
    return contact;
  }

  private requireConversation(id: unknown): SimConversation {
    const conversation = this.store.conversations.get(Number(id));
    if (!conversation) throw notFound();
    return conversation;
  }

  private requireDefinition(id: unknown): SimCustomAttributeDefinition {
    const definition = this.store.customAttributeDefinitions.get(Number(id));
    if (!definition) throw notFound();
    return definition;
  }

  // ---- contacts ----

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
    const all = [...this.store.contacts.values()];
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
        payload: paginate(all, page, CONTACTS_PER_PAGE).map((c) => this.views.contact(c)),
      },
    };
  }

  private searchContacts(req: SimRequest): SimResponse {
    const limit = this.options.contactSearchPerMinute;
    if (limit !== null && !this.searchWindow.hit(limit, 60)) {
      return { status: 429, text: 'Retry later\n', headers: TEXT_PLAIN };
    }
    const q = req.query.get('q') ?? '';
    if (q.trim() === '') throw unprocessable('Specify search string with parameter q');
    const page = positiveInt(req.query.get('page'), 1);
    const needle = q.toLowerCase();
    const byId = /^\d+$/.test(q) ? Number(q) : null;
    const matches = [...this.store.contacts.values()].filter(
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
        payload: slice.map((c) => this.views.contact(c)),
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
        payload: paginate(matches, page, CONTACTS_PER_PAGE).map((c) => this.views.contact(c)),
      },
    };
  }

  private async createContact(req: SimRequest): Promise<SimResponse> {
    const { fields } = await readParams(req);
    const contact = this.store.createContact(this.contactInput(fields));
    let contactInbox: { inbox: JsonObject | null; source_id: string | null } = { inbox: null, source_id: null };
    const inboxId = presence(fields.inbox_id);
    if (inboxId !== null) {
      // In ChatWoot the contact is saved and the contact_inbox built in one transaction.
      if (Number(inboxId) !== this.options.inboxId) {
        this.store.deleteContact(contact);
        throw notFound();
      }
      const row = this.store.buildContactInbox(contact, presence(fields.source_id));
      if (row === 'conflict') {
        this.store.deleteContact(contact);
        throw internalError();
      }
      contactInbox = { inbox: this.views.inboxModel(), source_id: row.sourceId };
    }
    return { status: 200, body: { payload: { contact: this.views.contact(contact), contact_inbox: contactInbox } } };
  }

  private async updateContact(req: SimRequest): Promise<SimResponse> {
    const contact = this.requireContact(req.params.id);
    const { fields } = await readParams(req);
    const input = this.contactInput(asObject(fields.contact ?? fields));
    this.store.updateContact(contact, input);
    return { status: 200, body: { payload: this.views.contact(contact) } };
  }

  private async createContactInbox(req: SimRequest): Promise<SimResponse> {
    const contact = this.requireContact(req.params.id);
    const { fields } = await readParams(req);
    this.requireInbox(fields.inbox_id);
    const row = this.store.buildContactInbox(contact, presence(fields.source_id));
    if (row === 'conflict') throw internalError();
    return { status: 200, body: this.views.contactInboxEntry(row) };
  }

  // ---- custom attribute definitions ----

  private listDefinitions(req: SimRequest): SimResponse {
    const raw = req.query.get('attribute_model');
    let model: string | null = null;
    if (raw !== null && raw !== '') model = /^\d+$/.test(raw) ? (ATTRIBUTE_MODELS[Number(raw)] ?? '-') : raw;
    const list = [...this.store.customAttributeDefinitions.values()].filter(
      (d) => model === null || d.attribute_model === model,
    );
    return { status: 200, body: list.map((d) => this.views.customAttributeDefinition(d)) };
  }

  private async createDefinition(req: SimRequest): Promise<SimResponse> {
    const { fields } = await readParams(req);
    const body = asObject(fields.custom_attribute_definition ?? fields);
    const enumValue = <T extends string>(values: readonly T[], raw: unknown, fallback: T): T => {
      if (raw === undefined || raw === null || raw === '') return fallback;
      const index = typeof raw === 'number' ? raw : /^\d+$/.test(text(raw)) ? Number(raw) : -1;
      const value =
        index >= 0 ? values[index] : (values as readonly string[]).includes(text(raw)) ? (raw as T) : undefined;
      if (value === undefined) throw internalError();
      return value;
    };
    const model = enumValue(ATTRIBUTE_MODELS, body.attribute_model, 'conversation_attribute');
    const displayType = enumValue(ATTRIBUTE_DISPLAY_TYPES, body.attribute_display_type, 'text');
    const key = presence(body.attribute_key);
    const displayName = presence(body.attribute_display_name);
    const errors: string[] = [];
    const attributes: string[] = [];
    if (displayName === null) {
      errors.push("Attribute display name can't be blank");
      attributes.push('attribute_display_name');
    }
    if (key === null) {
      errors.push("Attribute key can't be blank");
      attributes.push('attribute_key');
    }
    if (errors.length > 0) throw recordInvalid(errors, attributes);
    const definition = this.store.addDefinition({
      attribute_key: key!,
      attribute_display_name: displayName!,
      attribute_display_type: displayType,
      attribute_description: stringOrNull(body.attribute_description),
      attribute_model: model,
      attribute_values: Array.isArray(body.attribute_values) ? body.attribute_values : [],
      regex_pattern: stringOrNull(body.regex_pattern),
      regex_cue: stringOrNull(body.regex_cue),
      default_value: body.default_value ?? null,
    });
    return { status: 200, body: this.views.customAttributeDefinition(definition) };
  }

  // ---- conversations ----

  private queryConversations(req: SimRequest): { list: SimConversation[]; counts: JsonObject } {
    const status = req.query.get('status') ?? 'open';
    const inboxId = req.query.get('inbox_id');
    const sourceId = req.query.get('source_id');
    const q = req.query.get('q')?.toLowerCase();
    let list = [...this.store.conversations.values()].filter((c) => {
      if (status !== 'all' && c.status !== status) return false;
      if (inboxId && c.inboxId !== Number(inboxId)) return false;
      if (sourceId && this.store.contactInboxes.get(c.contactInboxId)?.sourceId !== sourceId) return false;
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
          payload: paginate(list, page, CONVERSATIONS_PER_PAGE).map((c) => this.views.conversation(c)),
        },
      },
    };
  }

  private async createConversation(req: SimRequest): Promise<SimResponse> {
    const { fields } = await readParams(req);
    const rawStatus = fields.status ?? 'open';
    if (!isStatus(rawStatus)) throw internalError();
    let row;
    const inboxId = presence(fields.inbox_id);
    const contactId = presence(fields.contact_id);
    if (inboxId !== null && contactId !== null) {
      this.requireInbox(inboxId);
      const contact = this.requireContact(contactId);
      row = this.store.buildContactInbox(contact, presence(fields.source_id));
      if (row === 'conflict') throw unprocessable('source_id should be unique');
    } else {
      const sourceId = presence(fields.source_id);
      row = sourceId === null ? undefined : this.store.findContactInboxBySourceAnyInbox(sourceId);
      if (!row) throw notFound();
    }
    const contact = this.store.contacts.get(row.contactId);
    const conversation = this.store.createConversation(row, {
      status: contact?.blocked ? 'resolved' : rawStatus,
      additional_attributes: asObject(fields.additional_attributes),
      custom_attributes: asObject(fields.custom_attributes),
    });
    this.emitConversation('conversation_created', conversation);
    const first = asObject(fields.message);
    if (presence(first.content) !== null) {
      try {
        this.insertMessage(conversation, {
          ...this.draftDefaults(),
          content: stringOrNull(first.content),
          sender: { type: 'user', id: this.store.user.id },
        });
      } catch (error) {
        if (error instanceof SimHttpError && error.status === 422) {
          const text = String((error.body as { error?: string }).error ?? '').replace(/^Validation failed: /, '');
          throw recordInvalid([text], ['base']);
        }
        throw error;
      }
    }
    return { status: 200, body: this.views.conversation(conversation) };
  }

  private async toggleStatus(req: SimRequest): Promise<SimResponse> {
    const conversation = this.requireConversation(req.params.id);
    const { fields } = await readParams(req);
    let next: ConversationStatus;
    if (fields.status === undefined || fields.status === null || fields.status === '') {
      next = conversation.status === 'open' ? 'resolved' : 'open';
    } else if (isStatus(fields.status)) {
      next = fields.status;
    } else {
      throw internalError();
    }
    this.changeStatus(conversation, next, statusActivityText(next, this.store.user.name));
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

  // ---- messages ----

  private listMessages(req: SimRequest): SimResponse {
    const conversation = this.requireConversation(req.params.id);
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
    const contact = this.store.contacts.get(conversation.contactId);
    return {
      status: 200,
      body: {
        meta: {
          labels: [],
          additional_attributes: conversation.additional_attributes,
          contact: contact ? this.views.contactPush(contact) : null,
          agent_last_seen_at: 0,
          assignee_last_seen_at: 0,
        },
        payload: page.map((m) => this.views.message(m)),
      },
    };
  }

  private draftDefaults(): MessageDraft {
    return {
      content: null,
      messageType: 1,
      contentType: 'text',
      private: false,
      sourceId: null,
      contentAttributes: {},
      additionalAttributes: {},
      sender: null,
      attachments: [],
    };
  }

  private async createMessageRoute(req: SimRequest): Promise<SimResponse> {
    const conversation = this.requireConversation(req.params.id);
    const params = await readParams(req);
    const draft = this.messageDraft(conversation, params);
    const message = this.insertMessage(conversation, draft);
    return { status: 200, body: this.views.message(message, stringOrNull(params.fields.echo_id) ?? undefined) };
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
        ? { type: 'user', id: this.store.user.id }
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

  /** Validates (flood guard, length), stores, then runs the after-create effects and webhooks. */
  private insertMessage(conversation: SimConversation, draft: MessageDraft): SimMessage {
    const errors: string[] = [];
    const limit = this.options.messagesPerMinute;
    if (limit > 0 && this.store.recentMessageCount(conversation, Date.now(), this.options.messageWindowMs) >= limit) errors.push('Too many messages');
    if ((draft.content?.length ?? 0) > MAX_CONTENT_LENGTH) {
      errors.push(`Content is too long (maximum is ${MAX_CONTENT_LENGTH} characters)`);
    }
    if (errors.length > 0) throw unprocessable(`Validation failed: ${errors.join(', ')}`);

    const message = this.store.addMessage(conversation, {
      conversationPk: conversation.pk,
      conversationDisplayId: conversation.displayId,
      inboxId: conversation.inboxId,
      content: draft.content,
      messageType: draft.messageType,
      contentType: draft.contentType,
      private: draft.private,
      status: 'sent',
      sourceId: draft.sourceId,
      contentAttributes: draft.contentAttributes,
      additionalAttributes: draft.additionalAttributes,
      sender: draft.sender,
      attachments: draft.attachments,
    });
    this.stats.messages.created++;
    if (message.sourceId !== null) {
      this.stats.messages.withSourceId++;
    } else {
      this.statsEvents.push({
        id: message.id,
        conversation_id: conversation.displayId,
        message_type: message.messageType,
        private: message.private,
        at: message.createdAt,
        content: (message.content ?? '').slice(0, 500),
      });
      if (this.statsEvents.length > STATS_EVENTS_KEPT * 2) this.statsEvents.splice(0, STATS_EVENTS_KEPT);
    }
    if (message.messageType === 2) return message;

    this.emit('message_created', this.views.messageWebhook('message_created', message, conversation));

    const changes: JsonObject[] = [];
    const isoOrNull = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
    if (message.messageType === 0) {
      const contact = this.store.contacts.get(conversation.contactId);
      if (contact) contact.lastActivityAt = message.createdAt;
      if (conversation.waitingSince === null) {
        conversation.waitingSince = message.createdAt;
        changes.push({ waiting_since: { previous_value: null, current_value: isoOrNull(message.createdAt) } });
      }
    } else if (message.messageType === 1 && !message.private && message.sender?.type === 'user') {
      if (conversation.firstReplyCreatedAt === null) {
        conversation.firstReplyCreatedAt = message.createdAt;
        changes.push({ first_reply_created_at: { previous_value: null, current_value: isoOrNull(message.createdAt) } });
      }
      if (conversation.waitingSince !== null) {
        changes.push({ waiting_since: { previous_value: isoOrNull(conversation.waitingSince), current_value: null } });
        conversation.waitingSince = null;
      }
    }
    if (changes.length > 0) this.emitConversation('conversation_updated', conversation, changes);

    const reaction = castBoolean(message.contentAttributes.is_reaction);
    if (
      message.messageType === 0 &&
      !reaction &&
      (conversation.status === 'resolved' || conversation.status === 'snoozed')
    ) {
      this.changeStatus(conversation, 'open', SYSTEM_REOPEN_TEXT);
    }
    return message;
  }

  /** A status flip: status_changed and updated webhooks, then the activity message (skipped when flooded). */
  private changeStatus(conversation: SimConversation, next: ConversationStatus, activityText: string): void {
    const previous = conversation.status;
    if (previous === next) return;
    conversation.status = next;
    conversation.updatedAt = Date.now();
    const changes = [{ status: { previous_value: previous, current_value: next } }];
    this.emitConversation('conversation_status_changed', conversation, changes);
    this.emitConversation('conversation_updated', conversation, changes);
    try {
      this.insertMessage(conversation, { ...this.draftDefaults(), content: activityText, messageType: 2 });
    } catch (error) {
      if (!(error instanceof SimHttpError)) throw error;
    }
  }

  // ---- webhooks ----

  private emit(event: string, body: JsonObject): void {
    this.webhooks.enqueue(event, body, this.options.webhookUrl, this.options.webhookSecret);
  }

  private emitConversation(event: string, conversation: SimConversation, changes?: JsonObject[]): void {
    const body: JsonObject = { ...this.views.conversationWebhookData(conversation), event };
    if (changes) body.changed_attributes = changes;
    this.emit(event, body);
  }

  /** A failed API-inbox webhook marks the message failed (external_error) and emits message_updated; no retry. */
  private onWebhookFailure(event: string, body: JsonObject, error: string): void {
    if (event !== 'message_created' && event !== 'message_updated') return;
    const message = this.store.messagesById.get(Number(body.id));
    if (!message || message.status === 'failed') return;
    message.status = 'failed';
    message.contentAttributes = { ...message.contentAttributes, external_error: error };
    message.updatedAt = Date.now();
    const conversation = this.store.conversations.get(message.conversationDisplayId);
    if (conversation) this.emit('message_updated', this.views.messageWebhook('message_updated', message, conversation));
  }
}

export async function startChatwootSimulator(
  opts: ChatwootSimOptions = {},
  port = 0,
  host = '127.0.0.1',
): Promise<ChatwootSimulator> {
  const simulator = new ChatwootSimulator(opts);
  await simulator.listen(port, host);
  return simulator;
}
