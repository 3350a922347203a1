/**
 * A strict fake of WAHA (devlikeapro/waha 2026.7.x) for integration tests, the demo and the bench.
 *
 * It follows shared/reference/waha-api.md: API-key auth on /api and /health, sessions, chats, paged message
 * history with the dotted filter.* params, message by id, media files with a lifetime, lids, contacts, the send
 * endpoints, and webhooks (message.any, message, message.ack, session.status) signed with HMAC-SHA512.
 * The account is generated from a seed (see waha-history.ts); anything it does not simulate answers 501.
 *
 * Control routes (no auth): POST /_sim/reset, GET /_sim/chats, GET /_sim/sent, GET /_sim/seen,
 * POST /_sim/receive, POST /_sim/read (the contact reads our messages), POST /_sim/session-status,
 * POST /_sim/configure, GET /_sim/history, GET /_sim/webhooks,
 * GET /_sim/stats, plus the kit's /_sim/journal, /_sim/faults and /_sim/latency.
 *
 * This class wires the parts together and is the API tests use. The parts share one WahaState (waha-state.ts):
 * history queries (waha-history-queries.ts), adding messages (waha-message-writer.ts), webhooks (waha-events.ts),
 * auth and session guard (waha-session-gate.ts), the route tables (waha-routes.ts, waha-control-routes.ts) and
 * the handlers (waha-chat-handlers.ts, waha-contact-handlers.ts, waha-send-handlers.ts).
 */
import { SimRequest, SimResponse, SimServer } from '../common/sim-server';
import { Json, WahaEngine, ackJson, messageJson, serializedId, toPublicJid } from './waha-format';
import { WahaHistorySpec } from './waha-history';
import { ChatHandlers } from './waha-chat-handlers';
import { ContactHandlers } from './waha-contact-handlers';
import { registerControlRoutes } from './waha-control-routes';
import { WahaEvents } from './waha-events';
import { HistoryQueries } from './waha-history-queries';
import { MessageWriter } from './waha-message-writer';
import { registerApiRoutes } from './waha-routes';
import { SendHandlers } from './waha-send-handlers';
import { SessionGate } from './waha-session-gate';
import {
  ResolvedOptions,
  WahaChatSummary,
  WahaIncomingMessage,
  WahaSeenRecord,
  WahaSentRecord,
  WahaSessionStatus,
  WahaSimOptions,
  resolveOptions,
} from './waha-sim-types';
import { WahaState } from './waha-state';
import { WebhookDelivery, WebhookEmitter } from './waha-webhooks';

export type { WahaHistorySpec } from './waha-history';
export type { WahaEngine } from './waha-format';
export type {
  WahaChatSummary,
  WahaIncomingMessage,
  WahaSeenRecord,
  WahaSentRecord,
  WahaSessionStatus,
  WahaSimOptions,
} from './waha-sim-types';

export class WahaSimulator extends SimServer {
  private readonly state: WahaState;
  private readonly emitter: WebhookEmitter;
  private readonly queries: HistoryQueries;
  private readonly writer: MessageWriter;
  private readonly events: WahaEvents;
  private readonly gate: SessionGate;

  constructor(options: WahaSimOptions = {}) {
    super('WAHA');
    const opts = resolveOptions(options);
    this.latencyMs = opts.latencyMs;
    const state = new WahaState(opts);
    this.state = state;
    this.emitter = new WebhookEmitter(() => ({
      url: state.opts.webhookUrl,
      hmacKey: state.opts.webhookHmacKey,
      events: state.opts.webhookEvents,
      attempts: state.opts.webhookRetries.attempts ?? 3,
      retryDelayMs: state.opts.webhookRetries.delayMs ?? 100,
      duplicate: state.opts.webhookDuplicates,
      delayMs: state.opts.webhookDelayMs,
    }));
    this.queries = new HistoryQueries(state, () => this.baseUrl);
    this.writer = new MessageWriter(state, this.queries);
    this.events = new WahaEvents(state, this.emitter, this.queries);
    this.gate = new SessionGate(state, this.events);
    registerApiRoutes(this, {
      state,
      queries: this.queries,
      events: this.events,
      gate: this.gate,
      chats: new ChatHandlers(state, this.queries, this.gate),
      contacts: new ContactHandlers(state, this.gate),
      send: new SendHandlers(state, this.queries, this.writer, this.events, this.gate),
    });
    registerControlRoutes(this, state);
  }

  // ----- public API for tests -----------------------------------------------------------------------------------

  get url(): string {
    return this.baseUrl;
  }

  get session(): string {
    return this.state.opts.session;
  }

  get engine(): WahaEngine {
    return this.state.opts.engine;
  }

  get apiKey(): string {
    return this.state.opts.apiKey;
  }

  get sessionStatus(): WahaSessionStatus {
    return this.state.status;
  }

  /** The account's own identity (MeInfo). */
  get me(): { id: string; pushName: string; lid: string; jid: string } {
    return this.state.me;
  }

  /** The resolved history spec (seed, now, …) the account was generated from. */
  get historySpec(): Required<WahaHistorySpec> {
    return { ...this.state.data.spec };
  }

  override async close(): Promise<void> {
    this.emitter.close();
    await super.close();
  }

  /** Back to the seeded state the current options describe: history, session status; journal, faults, logs cleared. */
  reset(): this {
    this.state.reset();
    this.emitter.clear();
    this.clearJournal();
    this.clearFaults();
    this.latencyMs = this.state.opts.latencyMs;
    return this;
  }

  /** Change options at run time. A new `history` spec (merged into the current one) regenerates the account. */
  configure(partial: WahaSimOptions): this {
    const state = this.state;
    const { history, webhookRetries, ...rest } = partial;
    const defined = Object.fromEntries(
      Object.entries(rest).filter(([, v]) => v !== undefined),
    ) as Partial<ResolvedOptions>;
    state.opts = { ...state.opts, ...defined };
    if (webhookRetries) state.opts.webhookRetries = { ...state.opts.webhookRetries, ...webhookRetries };
    if (partial.latencyMs !== undefined) this.latencyMs = partial.latencyMs;
    if (partial.sessionStatus !== undefined) state.status = partial.sessionStatus;
    if (history) state.setHistory(history);
    return this;
  }

  /** Every chat with its kind and message counts. */
  chats(): WahaChatSummary[] {
    const data = this.state.data;
    return data.chats.map((chat) => {
      const summary: WahaChatSummary = {
        id: chat.id,
        kind: chat.kind,
        name: chat.name,
        messages: chat.visible + chat.dynamic.length,
        records: chat.count + chat.dynamic.length,
        firstTimestamp: this.queries.firstTimestamp(chat),
        lastTimestamp: this.queries.lastTimestamp(chat),
      };
      if (chat.kind === 'dm') {
        const person = chat.person;
        summary.lid = person ? `${person.lid}@lid` : chat.id.endsWith('@lid') ? chat.id : null;
        summary.phone = chat.id.endsWith('@lid') ? (data.lidToPn.get(chat.id) ?? null) : chat.id;
      }
      if (chat.members.length > 0) summary.participants = chat.members.map((m) => m.jid);
      return summary;
    });
  }

  /** All displayable messages of a chat (or 'all'), ascending, as the API returns them with downloadMedia=false. */
  history(chatId: string): Json[] {
    return this.messagesInWindow(chatId, undefined, undefined);
  }

  /** Displayable messages with gteSec <= timestamp <= lteSec (inclusive), ascending, downloadMedia=false. */
  messagesInWindow(chatId: string, gteSec?: number, lteSec?: number): Json[] {
    const target = chatId === 'all' ? 'all' : this.state.data.byId.get(toPublicJid(chatId));
    if (!target) return [];
    const page = this.queries.page(target, {
      gte: gteSec,
      lte: lteSec,
      offset: 0,
      limit: Number.MAX_SAFE_INTEGER,
      desc: false,
      hidden: 'before',
    });
    const ctx = this.queries.formatContext(false);
    return page.map((msg) => messageJson(msg, ctx));
  }

  /** Displayable messages in all chats. */
  totalMessages(): number {
    return this.state.data.chats.reduce((sum, chat) => sum + chat.visible + chat.dynamic.length, 0);
  }

  /** Stored records in all chats, hidden ones included. */
  totalRecords(): number {
    return this.state.data.chats.reduce((sum, chat) => sum + chat.count + chat.dynamic.length, 0);
  }

  /** One message by serialized or bare id, as the API returns it with downloadMedia=false. */
  message(id: string): Json | undefined {
    const msg = this.queries.lookup(id);
    return msg ? messageJson(msg, this.queries.formatContext(false)) : undefined;
  }

  /** Messages the client sent through sendText / sendImage / sendFile. */
  sent(): WahaSentRecord[] {
    return this.state.sentLog.slice();
  }

  seen(): WahaSeenRecord[] {
    return this.state.seenLog.slice();
  }

  /** Every webhook the simulator emitted, with its delivery outcome. */
  webhooks(): WebhookDelivery[] {
    return this.emitter.deliveries.slice();
  }

  /** Wait until all webhook deliveries (and their retries) finished. */
  flushWebhooks(): Promise<void> {
    return this.emitter.flush();
  }

  /** lid ↔ phone mappings WAHA knows. */
  lids(): { lid: string; pn: string }[] {
    return this.queries.lids();
  }

  /**
   * Append a new message to a chat (created when unknown) and fire `message.any` (and `message` when not
   * fromMe). Resolves with the message JSON once the webhooks were delivered (or gave up).
   */
  async receive(chatId: string, partial: WahaIncomingMessage = {}): Promise<Json> {
    const msg = this.writer.addMessage(chatId, {
      fromMe: partial.fromMe ?? false,
      source: partial.source ?? 'app',
      body: partial.body,
      participant: partial.participant,
      hasMedia: partial.hasMedia,
      type: partial.type,
      media: partial.media,
      timestamp: partial.timestamp,
      replyTo: partial.replyTo,
      waId: partial.id,
      pushName: partial.pushName,
      ack: partial.ack,
    });
    await this.events.emitMessageEvents(msg);
    return messageJson(msg, this.queries.formatContext(false));
  }

  /**
   * The contact reads what the account sent in a chat: every message of ours added since start (or just
   * `messageId`) that is not read yet gets ack READ, each with a `message.ack` webhook. Returns the acked ids.
   */
  async read(rawChatId: string, messageId?: string, ack = 3): Promise<string[]> {
    const { chat } = this.writer.chatFor(rawChatId);
    const only = messageId === undefined ? undefined : this.queries.lookup(messageId);
    if (messageId !== undefined && !only) return [];
    const targets = only ? [only] : chat.dynamic.filter((m) => m.fromMe && m.ack >= 0 && m.ack < ack);
    const acked: string[] = [];
    for (const msg of targets) {
      msg.ack = ack;
      acked.push(serializedId(msg));
      if (this.emitter.wants('message.ack')) {
        await this.events.emit('message.ack', ackJson(msg, this.queries.formatContext(false)));
      }
    }
    return acked;
  }

  /** Change the session status and fire `session.status`. */
  async setSessionStatus(status: WahaSessionStatus): Promise<void> {
    const state = this.state;
    state.status = status;
    state.statuses.push({ status, timestamp: Date.now() });
    if (state.statuses.length > 3) state.statuses.splice(0, state.statuses.length - 3);
    await this.events.emit('session.status', {
      name: state.opts.session,
      status,
      statuses: state.statuses.slice(),
    });
  }

  // ----- HTTP (auth in waha-session-gate.ts) ------------------------------------------------------------------

  protected override async before(req: SimRequest): Promise<SimResponse | undefined> {
    return this.gate.authorize(req);
  }
}

/** Start a WAHA simulator on `port` (0 = any free port) and return it once it listens. */
export async function startWahaSimulator(opts: WahaSimOptions = {}, port = 0): Promise<WahaSimulator> {
  const sim = new WahaSimulator(opts);
  await sim.listen(port);
  return sim;
}
