/**
 * A strict fake of WAHA (devlikeapro/waha 2026.7.x) for integration tests, the demo and the bench.
 *
 * It follows shared/reference/waha-api.md: API-key auth on /api and /health, sessions, chats, paged message
 * history with the dotted filter.* params, message by id, media files with a lifetime, lids, contacts, the send
 * endpoints, and webhooks (message.any, message, message.ack, session.status) signed with HMAC-SHA512.
 * The account is generated from a seed (see waha-history.ts); anything it does not simulate answers 501.
 *
 * Profiles: `engine` (NOWEB, WEBJS, GOWS, WPP), `version` and `tier` select what that WAHA release does (paging
 * order, merged @lid/@c.us histories, version endpoints, Core's media refusals: waha-profile.ts has the floors);
 * `mediaStorage: 's3'` serves media from a second server (waha-s3.ts), `pathPrefix` serves the API behind a
 * reverse proxy's prefix, `nowebStore: false` makes NOWEB refuse to read history. Every API request is checked
 * against WAHA's OpenAPI document (common/openapi-document.ts, with openapi-overrides.ts) before its handler runs.
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
import { ApiDocument, describeIssue } from '../common/openapi-document';
import { SimRequest, SimResponse, SimServer } from '../common/sim-server';
import { Json, WahaEngine, ackJson, messageJson, serializedId, toPublicJid } from './waha-format';
import { WahaHistorySpec } from './waha-history';
import { ChatHandlers } from './waha-chat-handlers';
import { ContactHandlers } from './waha-contact-handlers';
import { registerControlRoutes } from './waha-control-routes';
import { WahaEvents } from './waha-events';
import { HistoryQueries } from './waha-history-queries';
import { MessageWriter } from './waha-message-writer';
import { classValidatorMessage } from './waha-http-util';
import { WAHA_API_DOCUMENT } from './openapi-overrides';
import { registerApiRoutes } from './waha-routes';
import { S3MediaServer, S3Request } from './waha-s3';
import { SendHandlers } from './waha-send-handlers';
import { registerSessionRoutes } from './waha-session-routes';
import { CallStatus, UpdateEvents, UpdateOptions } from './waha-updates';
import { SessionGate } from './waha-session-gate';
import {
  ResolvedOptions,
  WahaChatSummary,
  WahaIncomingMessage,
  WahaSeenRecord,
  WahaSentRecord,
  WahaSessionStatus,
  WahaSimOptions,
  checkEngineVersion,
  normalisePrefix,
  resolveOptions,
} from './waha-sim-types';
import { WahaState } from './waha-state';
import { WebhookDelivery, WebhookEmitter } from './waha-webhooks';

export type { WahaHistorySpec } from './waha-history';
export type { WahaEngine } from './waha-format';
export type { S3Request } from './waha-s3';
export { compareVersions, versionAtLeast } from './waha-profile';
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
  private readonly contactHandlers: ContactHandlers;
  private readonly writer: MessageWriter;
  private readonly events: WahaEvents;
  private readonly updates: UpdateEvents;
  private readonly gate: SessionGate;
  private readonly s3: S3MediaServer;
  private apiDocument?: ApiDocument;

  constructor(options: WahaSimOptions = {}) {
    super('WAHA');
    const opts = resolveOptions(options);
    checkEngineVersion(opts.engine, opts.version);
    this.latencyMs = opts.latencyMs;
    this.pathPrefix = opts.pathPrefix;
    const state = new WahaState(opts);
    this.state = state;
    this.emitter = new WebhookEmitter(() => ({
      url: state.opts.webhookUrl,
      version: state.opts.version,
      hmacKey: state.opts.webhookHmacKey,
      events: state.opts.webhookEvents,
      attempts: state.opts.webhookRetries.attempts ?? 3,
      retryDelayMs: state.opts.webhookRetries.delayMs ?? 100,
      duplicate: state.opts.webhookDuplicates,
      delayMs: state.opts.webhookDelayMs,
    }));
    this.s3 = new S3MediaServer((key) => {
      const [session, file] = key.split('/');
      const dot = file?.lastIndexOf('.') ?? -1;
      if (session !== state.opts.session || dot <= 0) return undefined;
      return this.queries.mediaFile(file.slice(0, dot), file.slice(dot + 1), false);
    });
    this.queries = new HistoryQueries(state, () => this.baseUrl, this.s3);
    this.writer = new MessageWriter(state, this.queries);
    this.events = new WahaEvents(state, this.emitter, this.queries);
    this.updates = new UpdateEvents(state, this.queries, this.events);
    this.gate = new SessionGate(state, this.events);
    this.contactHandlers = new ContactHandlers(state, this.gate, () => this.queries.formatContext(false).baseUrl);
    registerApiRoutes(this, {
      state,
      queries: this.queries,
      events: this.events,
      gate: this.gate,
      chats: new ChatHandlers(state, this.queries, this.gate),
      contacts: this.contactHandlers,
      send: new SendHandlers(state, this.queries, this.writer, this.events, this.gate),
      updates: this.updates,
    });
    registerSessionRoutes(this, state, this.gate, {
      get paired() {
        return state.paired;
      },
      set paired(value: boolean) {
        state.paired = value;
      },
      setStatus: (status) => this.setSessionStatus(status),
    });
    registerControlRoutes(this, state);
  }

  // ----- public API for tests -----------------------------------------------------------------------------------

  /** The server's own URL (without `pathPrefix`). */
  get url(): string {
    return this.baseUrl;
  }

  /** Where clients reach the API: `url` plus `pathPrefix`. */
  get apiUrl(): string {
    return `${this.baseUrl}${this.state.opts.pathPrefix}`;
  }

  get version(): string {
    return this.state.opts.version;
  }

  get tier(): 'CORE' | 'PLUS' {
    return this.state.opts.tier;
  }

  /** The S3 bucket server that serves media with `mediaStorage: 's3'` (started with the simulator either way). */
  get s3Url(): string {
    return this.s3.url;
  }

  /** Requests the S3 bucket server received, each saying whether an API key came along. */
  s3Requests(): S3Request[] {
    return this.s3.journal.slice();
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

  /** Loads WAHA's API document (once per process) and starts the S3 bucket server, then listens. */
  override async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    this.apiDocument = await ApiDocument.load(WAHA_API_DOCUMENT);
    await this.s3.listen(host);
    return super.listen(port, host);
  }

  override async close(): Promise<void> {
    this.emitter.close();
    await this.s3.close();
    await super.close();
  }

  /** Back to the seeded state the current options describe: history, session status; journal, faults, logs cleared. */
  reset(): this {
    this.state.reset();
    this.emitter.clear();
    this.clearJournal();
    this.clearFaults();
    this.s3.journal.length = 0;
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
    if (defined.pathPrefix !== undefined) defined.pathPrefix = normalisePrefix(defined.pathPrefix);
    checkEngineVersion(defined.engine ?? state.opts.engine, defined.version ?? state.opts.version);
    state.opts = { ...state.opts, ...defined };
    this.pathPrefix = state.opts.pathPrefix;
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

  /** Messages the client sent through sendText / sendImage / sendFile / sendVoice / sendVideo. */
  sent(): WahaSentRecord[] {
    return this.state.sentLog.slice();
  }

  /** Chat ids whose picture the client asked for, in order. */
  pictureRequests(): string[] {
    return this.state.pictureLog.slice();
  }

  /** The address book as WhatsApp knows it: every person's phone chat id, saved name, push name and @lid. */
  people(): Array<{ chatId: string; lid: string; lidKnown: boolean; name: string | null; pushName: string }> {
    return this.state.data.persons.map((p) => ({ chatId: `${p.phone}@c.us`, lid: `${p.lid}@lid`, lidKnown: p.lidKnown, name: p.name, pushName: p.pushName }));
  }

  /** Whether WhatsApp has a picture for the chat (what `/chats/{id}/picture` answers a URL for). */
  hasPicture(chatId: string): boolean {
    return this.contactHandlers.pictureUrl(chatId) !== null;
  }

  /** Serialized ids of messages deleted for everyone through the API, in order. */
  revoked(): string[] {
    return this.state.revokeLog.slice();
  }

  /** `POST /api/server/stop` requests, in order. */
  serverStops(): { force: boolean; at: number }[] {
    return this.state.serverStops.slice();
  }

  /** startTyping / stopTyping requests, in order. */
  typing(): { action: string; chatId: string; at: number }[] {
    return this.state.typingLog.slice();
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
      extra: partial.extra,
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

  /** Someone reacts to a message (`emoji`), or removes their reaction (''): `message.reaction`. */
  react(messageId: string, emoji: string, options: UpdateOptions = {}): Promise<Json> {
    return this.updates.react(messageId, emoji, options);
  }

  /** A message's text is edited: `message.edited` (or what this engine and version send instead). */
  edit(messageId: string, body: string): Promise<Json> {
    return this.updates.edit(messageId, body);
  }

  /** A message is deleted for everyone from the phone: `message.revoked` (or this engine and version's stand-in). */
  revoke(messageId: string): Promise<Json> {
    return this.updates.revoke(messageId);
  }

  /** A vote in a poll: `poll.vote`, or `poll.vote.failed` when it could not be decrypted. */
  vote(pollId: string, options: string[], voter: UpdateOptions & { failed?: boolean } = {}): Promise<Json> {
    return this.updates.vote(pollId, options, voter);
  }

  /** A call changes state: `call.<status>`; null when this engine and version send no such event. */
  call(from: string, status: CallStatus, options: { video?: boolean; callId?: string; groupId?: string } = {}): Promise<Json | null> {
    return this.updates.call(from, status, options);
  }

  /** The phone scans the pairing QR: the session is paired and WORKING (`session.status`). */
  async pair(): Promise<void> {
    this.state.paired = true;
    await this.setSessionStatus('WORKING');
  }

  /** Change the session status and fire `session.status`. */
  async setSessionStatus(status: WahaSessionStatus): Promise<void> {
    const state = this.state;
    state.status = status;
    state.statuses.push({ status, timestamp: Date.now() });
    if (state.statuses.length > 3) state.statuses.splice(0, state.statuses.length - 3);
    // `data` holds what a status needs (passkey challenges), null otherwise (waha-docs how-to/events "session.status").
    await this.events.emit('session.status', {
      name: state.opts.session,
      status,
      statuses: state.statuses.slice(),
      data: null,
    });
  }

  // ----- HTTP (auth in waha-session-gate.ts) ------------------------------------------------------------------

  protected override async before(req: SimRequest): Promise<SimResponse | undefined> {
    return this.gate.authorize(req);
  }

  /**
   * Every API request against WAHA's OpenAPI document: 400 in NestJS's shape (`message`: class-validator's words)
   * plus `details` naming each offending field. Query params a release does not know yet are stripped by its
   * ValidationPipe (whitelist: src/api/chats.controller.ts), so they are not checked either.
   */
  protected override async checkRequest(req: SimRequest, template: string): Promise<SimResponse | undefined> {
    const document = this.apiDocument;
    if (!document) return undefined;
    const profile = this.state.profile;
    const query = new URLSearchParams(req.query);
    if (!profile.since('sortOrder')) ['sortBy', 'sortOrder'].forEach((name) => query.delete(name));
    if (!profile.since('mergedLidChats')) query.delete('merge');
    if (!profile.since('ackFilterAndLimit10')) query.delete('filter.ack');
    const result = document.check({
      method: req.method,
      rawPath: req.rawPath,
      template,
      query,
      headers: req.headers,
      body: req.json,
    });
    if (result.ok) return undefined;
    if ('undocumented' in result) {
      return {
        status: 501,
        body: {
          error: `WAHA simulator serves ${req.method} ${template}, but neither WAHA's API document nor simulators/waha/openapi-overrides.ts has it`,
        },
      };
    }
    return {
      status: 400,
      body: {
        message: result.issues.map(classValidatorMessage),
        error: 'Bad Request',
        statusCode: 400,
        details: result.issues.map(describeIssue),
      },
    };
  }
}

/** Start a WAHA simulator on `port` (0 = any free port) and return it once it listens. */
export async function startWahaSimulator(opts: WahaSimOptions = {}, port = 0): Promise<WahaSimulator> {
  const sim = new WahaSimulator(opts);
  await sim.listen(port);
  return sim;
}
