/**
 * A strict fake of ChatWoot's Application API (plus the Client API's update_last_seen) for one account with one
 * API-channel inbox, following shared/reference/chatwoot-api.md: the exact error bodies, per-account display ids,
 * the per-conversation flood guard, Rack::Attack-like fixed windows, a Puma-like capacity with a proxy queue, and
 * webhooks delivered one at a time, unretried, optionally signed. It imports nothing from the service.
 *
 * Control routes (no auth, no capacity, not journaled) live under `/_sim/`, next to the kit's journal and faults;
 * `GET /_sim/stats` gives cheap counters (requests by status, messages created, peak load, the latest non-imported
 * messages with millisecond timestamps) for benchmarks, where the journal is too big to fetch.
 *
 * Routing follows Rails (common/sim-server.ts `rails`): a path segment stops at a dot unless it is sent as %2E, as
 * ChatWoot's routes add no constraint. Every API request is checked against ChatWoot's OpenAPI document
 * (common/openapi-document.ts, with openapi-overrides.ts) before its handler runs; GET /api tells the `version`.
 *
 * This class wires the parts together and is the API tests use: the request pipeline (request-pipeline.ts), the
 * control routes (control-routes.ts), the API route groups (routes/), message writing (message-writer.ts),
 * webhooks (webhook-events.ts), stats (sim-stats.ts) and the state accessors (state-accessors.ts).
 */
import { ApiDocument, describeIssue } from '../common/openapi-document';
import { SimRequest, SimResponse, SimServer } from '../common/sim-server';
import { ChatwootStore, StoreSnapshot } from './chatwoot-store';
import { ChatwootViews } from './chatwoot-views';
import { registerControlRoutes } from './control-routes';
import { MessageWriter } from './message-writer';
import { CHATWOOT_API_DOCUMENT } from './openapi-overrides';
import { readBody } from './request-params';
import { RequestPipeline } from './request-pipeline';
import { ContactRoutes } from './routes/contacts.routes';
import { ConversationRoutes } from './routes/conversations.routes';
import { CustomAttributeRoutes } from './routes/custom-attributes.routes';
import { InboxRoutes } from './routes/inboxes.routes';
import { MessageRoutes } from './routes/messages.routes';
import { ApiRouter, RouteDeps } from './routes/route-kit';
import { ServerRoutes } from './routes/server.routes';
import { SimAvatar, SimHttpError } from './chatwoot-types';
import { SimStats, SimStatsEvent, StatsRecorder } from './sim-stats';
import {
  AgentMessageOptions,
  ChatwootSimConfig,
  ChatwootSimOptions,
  ContactView,
  ConversationView,
  MessageView,
  ResolvedOptions,
  SeedContactInput,
  resolveOptions,
} from './simulator-types';
import { StateAccessors } from './state-accessors';
import { WebhookDelivery } from './webhook-dispatcher';
import { ChatwootWebhooks } from './webhook-events';

export type { SimStats, SimStatsEvent } from './sim-stats';
export type {
  AgentMessageOptions,
  AttachmentInput,
  AttachmentView,
  ChatwootSimConfig,
  ChatwootSimOptions,
  ContactView,
  ConversationView,
  MessageView,
  SeedContactInput,
} from './simulator-types';

export class ChatwootSimulator extends SimServer {
  readonly store: ChatwootStore;
  private readonly options: ResolvedOptions;
  private readonly views: ChatwootViews;
  private readonly webhooks: ChatwootWebhooks;
  private readonly stats = new StatsRecorder();
  private readonly pipeline: RequestPipeline;
  private readonly accessors: StateAccessors;
  private apiDocument?: ApiDocument;

  constructor(opts: ChatwootSimOptions = {}) {
    super('chatwoot', { routing: 'rails' });
    this.options = resolveOptions(opts);
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
      version: this.options.version,
    }));
    this.webhooks = new ChatwootWebhooks(this.store, this.views, this.options);
    this.pipeline = new RequestPipeline(this.options, this.stats, () => this.latencyMs);
    const writer = new MessageWriter(this.store, this.views, this.options, this.stats, this.webhooks);
    this.accessors = new StateAccessors(this.store, this.views, writer);

    registerControlRoutes({ sim: this, store: this.store, views: this.views, dispatcher: this.webhooks.dispatcher });
    const router = new ApiRouter(this, this.stats);
    const deps: RouteDeps = {
      store: this.store,
      views: this.views,
      options: this.options,
      writer,
      webhooks: this.webhooks,
      pipeline: this.pipeline,
    };
    // Registration order matters: the first matching route answers (e.g. /contacts/search before /contacts/:id).
    new ServerRoutes(deps).register(router);
    new InboxRoutes(deps).register(this, router);
    new ContactRoutes(deps).register(router);
    new CustomAttributeRoutes(deps).register(router);
    new ConversationRoutes(deps).register(router);
    new MessageRoutes(deps).register(router);
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
    return this.webhooks.dispatcher.deliveries;
  }

  /** Request and message counters since start or the last `resetStats()`, and the latest non-imported messages. */
  statsSnapshot(sinceEventId = 0): SimStats & {
    load: { active: number; queued: number };
    webhooks: { pending: number; delivered: number };
    events: SimStatsEvent[];
  } {
    const dispatcher = this.webhooks.dispatcher;
    return {
      ...this.stats.snapshot(),
      load: this.load,
      webhooks: { pending: dispatcher.pending, delivered: dispatcher.deliveries.length },
      events: this.stats.eventsSince(sinceEventId),
    };
  }

  resetStats(): void {
    this.stats.reset();
  }

  /** Requests holding a slot / waiting for one. */
  get load(): { active: number; queued: number } {
    return this.pipeline.load;
  }

  get version(): string {
    return this.options.version;
  }

  /** Loads ChatWoot's API document (once per process), then listens. */
  override async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    this.apiDocument = await ApiDocument.load(CHATWOOT_API_DOCUMENT);
    return super.listen(port, host);
  }

  override async close(): Promise<void> {
    this.webhooks.dispatcher.reset();
    await super.close();
  }

  /** Clears every record, fault, journal entry and webhook; keeps account, inbox, token and options. */
  reset(): void {
    this.store.reset();
    this.webhooks.dispatcher.reset();
    this.clearFaults();
    this.clearJournal();
    this.pipeline.reset();
    this.resetStats();
  }

  /** The account's records as JSON (see ChatwootStore.snapshot). */
  snapshot(): StoreSnapshot {
    return this.store.snapshot();
  }

  /** Loads records saved by `snapshot` (a fixture), replacing the current ones. */
  restore(snapshot: StoreSnapshot): void {
    this.store.restore(snapshot);
  }

  configure(partial: ChatwootSimConfig): void {
    if (partial.latencyMs !== undefined) this.latencyMs = Math.max(0, Number(partial.latencyMs));
    if (partial.capacity !== undefined) {
      this.options.capacity = Math.max(1, Math.floor(Number(partial.capacity)));
      this.pipeline.setCapacity(this.options.capacity);
    }
    if (partial.rateLimit !== undefined) this.options.rateLimit = partial.rateLimit;
    if (partial.messagesPerMinute !== undefined) this.options.messagesPerMinute = Number(partial.messagesPerMinute);
    if (partial.messageWindowMs !== undefined) this.options.messageWindowMs = Number(partial.messageWindowMs);
    if (partial.contactSearchPerMinute !== undefined)
      this.options.contactSearchPerMinute = partial.contactSearchPerMinute;
    if (partial.webhookUrl !== undefined) this.options.webhookUrl = partial.webhookUrl || undefined;
    if (partial.webhookSecret !== undefined) this.options.webhookSecret = partial.webhookSecret || undefined;
    if (partial.version !== undefined) this.options.version = partial.version;
  }

  currentOptions(): ChatwootSimOptions {
    return { ...this.options, latencyMs: this.latencyMs };
  }

  waitForWebhookIdle(timeoutMs?: number): Promise<void> {
    return this.webhooks.dispatcher.waitForIdle(timeoutMs);
  }

  // ---- state accessors for tests (state-accessors.ts) ----

  contacts(): ContactView[] {
    return this.accessors.contacts();
  }

  avatarOf(contactId: number): SimAvatar | undefined {
    return this.accessors.avatarOf(contactId);
  }

  findContact(predicate: (contact: ContactView) => boolean): ContactView | undefined {
    return this.accessors.findContact(predicate);
  }

  conversations(): ConversationView[] {
    return this.accessors.conversations();
  }

  conversation(displayId: number): ConversationView | undefined {
    return this.accessors.conversation(displayId);
  }

  /** Every message of the conversation in creation order, activity and private ones included. */
  messages(displayId: number): MessageView[] {
    return this.accessors.messages(displayId);
  }

  transcript(displayId?: number): string {
    return this.accessors.transcript(displayId);
  }

  /** Creates a contact (validated like the API) and optionally its conversation; sends no webhooks. */
  seedContact(input: SeedContactInput): { contact: ContactView; conversation?: ConversationView } {
    return this.accessors.seedContact(input);
  }

  /**
   * A human agent replies in the ChatWoot UI: an outgoing message (or a private note) sent by the agent user,
   * with no source_id, followed by its `message_created` webhook.
   */
  /** An agent deletes a message in the dashboard: its text and attachments go, message_updated is fired. */
  deleteMessage(displayId: number, messageId: number): void {
    this.accessors.deleteMessage(displayId, messageId);
  }

  agentMessage(displayId: number, content: string, opts: AgentMessageOptions = {}): Promise<MessageView> {
    return this.accessors.agentMessage(displayId, content, opts);
  }

  // ---- request pipeline (request-pipeline.ts): capacity, rate limit, latency, auth ----

  /** Latency is served inside `before()` while the request holds a capacity slot. */
  protected override async applyLatency(): Promise<void> {}

  protected override before(req: SimRequest): Promise<SimResponse | undefined> {
    return this.pipeline.admit(req);
  }

  protected override after(req: SimRequest): void {
    this.pipeline.release(req);
  }

  /**
   * Every API request against ChatWoot's OpenAPI document: 400 `{error, details}` naming each offending field. A
   * form's fields (multipart, urlencoded) are checked like a JSON body; query params the document does not declare
   * are ignored, as Rails ignores them.
   */
  protected override async checkRequest(req: SimRequest, template: string): Promise<SimResponse | undefined> {
    const document = this.apiDocument;
    if (!document) return undefined;
    let body: unknown;
    try {
      body = req.rawBody.length > 0 ? (await readBody(req)).fields : undefined;
    } catch (error) {
      if (!(error instanceof SimHttpError)) throw error;
      this.stats.countStatus(error.status);
      return { status: error.status, body: error.body };
    }
    // A `.format` suffix Rails took off the last segment is not part of the documented path.
    const rawPath = req.params.format === undefined ? req.rawPath : req.rawPath.replace(/\.[^/.?]+\/?$/, '');
    const result = document.check({
      method: req.method,
      rawPath,
      template,
      query: req.query,
      headers: req.headers,
      body,
    });
    if (result.ok) return undefined;
    const refusal: SimResponse =
      'undocumented' in result
        ? {
            status: 501,
            body: {
              error: `chatwoot simulator serves ${req.method} ${template}, but neither ChatWoot's API document nor simulators/chatwoot/openapi-overrides.ts has it`,
            },
          }
        : {
            status: 400,
            body: { error: 'request does not match the API document', details: result.issues.map(describeIssue) },
          };
    this.stats.countStatus(refusal.status);
    return refusal;
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
