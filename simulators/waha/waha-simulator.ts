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
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { SimRequest, SimResponse, SimServer, sleep } from '../common/sim-server';
import {
  ACK_VALUES,
  FormatContext,
  Json,
  WahaEngine,
  ackJson,
  chatDisplayName,
  chatJson,
  messageJson,
  serializedId,
  toProtocolJid,
  toPublicJid,
} from './waha-format';
import {
  ChatKind,
  ChatState,
  Flag,
  History,
  Kind,
  KindValue,
  MediaInfo,
  MsgCore,
  WahaHistorySpec,
  buildHistory,
  emptyChat,
  extFromMimetype,
  generatedAck,
  generatedMessage,
  generatedWaId,
  isHiddenKind,
  lowerBound,
  resolveHistorySpec,
  upperBound,
} from './waha-history';
import { mediaBytes } from './waha-media';
import { Rng, hash } from './waha-random';
import { WAHA_VERSION, WebhookDelivery, WebhookEmitter } from './waha-webhooks';

export type { WahaHistorySpec } from './waha-history';
export type { WahaEngine } from './waha-format';

export type WahaSessionStatus = 'WORKING' | 'STOPPED' | 'STARTING' | 'SCAN_QR_CODE' | 'FAILED';

export interface WahaSimOptions {
  /** Default 'waha-key'. `sha512:<hex>` compares the hash of what the client sends; '' turns auth off. */
  apiKey?: string;
  /** Default 'default'. */
  session?: string;
  /** Default 'NOWEB'. Shapes chats, `from`/`to`, `_data`, send answers; WEBJS ignores sortOrder and refuses `all`. */
  engine?: WahaEngine;
  /** Default 'WORKING'. Anything else makes chats/messages/send answer 422. */
  sessionStatus?: WahaSessionStatus;
  history?: WahaHistorySpec;
  /** Where to POST webhooks. */
  webhookUrl?: string;
  /** Sign with X-Webhook-Hmac (HMAC-SHA512 hex of the raw body) and X-Webhook-Hmac-Algorithm: sha512. */
  webhookHmacKey?: string;
  /** Events to send, or ['*']. Default ['message.any', 'message.ack', 'session.status'] (what the README subscribes). */
  webhookEvents?: string[];
  /** Attempts per event (default 3) and the pause between them (default 100 ms). */
  webhookRetries?: { attempts?: number; delayMs?: number };
  /** Deliver every event twice with different envelope ids (double subscription). Default false. */
  webhookDuplicates?: boolean;
  /** Delay before delivering each webhook. Default 0. */
  webhookDelayMs?: number;
  /** Download media for webhook payloads (media.url filled). Default true. */
  webhookDownloadMedia?: boolean;
  /** `metadata` of the session config, echoed in every webhook. Default null. */
  metadata?: Record<string, string> | null;
  latencyMs?: number;
  /** Downloaded media files disappear after this (404 FILE_NOT_FOUND). Default: never (0 or undefined). */
  mediaTtlMs?: number;
  /** How long WAHA waits for a non-WORKING session to become WORKING before answering 422. Default 0. */
  statusWaitMs?: number;
  /** Base of media URLs (WAHA_BASE_URL). Default: the simulator's own URL. */
  baseUrl?: string;
  /** 'message' (default): a WAMessage with a string id; 'engine': the raw engine answer (Baileys key, id object…). */
  sendResponse?: 'message' | 'engine';
}

type ResolvedOptions = Required<Omit<WahaSimOptions, 'webhookUrl' | 'webhookHmacKey' | 'baseUrl' | 'mediaTtlMs' | 'history'>> & {
  webhookUrl?: string;
  webhookHmacKey?: string;
  baseUrl?: string;
  mediaTtlMs?: number;
  history: WahaHistorySpec;
};

export interface WahaChatSummary {
  id: string;
  kind: ChatKind;
  name: string | null;
  /** Messages the API can return (hidden records excluded), including ones added after start. */
  messages: number;
  /** Stored records, hidden reactions/revokes included. */
  records: number;
  firstTimestamp: number | null;
  lastTimestamp: number | null;
  /** Direct chats: the phone chat id when known (for @lid chats through /lids), and the lid. */
  phone?: string | null;
  lid?: string | null;
  participants?: string[];
}

export interface WahaSentRecord {
  method: 'sendText' | 'sendImage' | 'sendFile';
  session: string;
  chatId: string;
  /** Serialized WAHA id of the created message. */
  id: string;
  waId: string;
  text?: string;
  caption?: string;
  file?: { mimetype: string; filename: string | null; url?: string; size: number };
  reply_to?: string;
  at: number;
}

export interface WahaSeenRecord {
  session: string;
  chatId: string;
  messageIds?: string[];
  participant?: string;
  at: number;
}

/** A message to inject with receive(); everything is optional. */
export interface WahaIncomingMessage {
  body?: string | null;
  fromMe?: boolean;
  /** Group sender; default: the first member. */
  participant?: string;
  hasMedia?: boolean;
  type?: 'text' | 'image' | 'document' | 'voice' | 'poll' | 'location';
  media?: { mimetype?: string; filename?: string | null; data?: string | Buffer };
  /** Unix seconds; default now. */
  timestamp?: number;
  /** Serialized or bare id of a message it replies to. */
  replyTo?: string;
  /** Bare WhatsApp id; default a fresh one. */
  id?: string;
  source?: 'app' | 'api';
  pushName?: string;
  ack?: number;
}

interface PageQuery {
  gte?: number;
  lte?: number;
  fromMe?: boolean;
  ack?: number;
  offset: number;
  limit: number;
  desc: boolean;
  /** 'after': page first, then drop hidden records (NOWEB/GOWS short pages); 'before': WEBJS. */
  hidden: 'after' | 'before';
}

interface AllIndex {
  ts: Uint32Array;
  chat: Uint16Array;
  idx: Uint32Array;
}

const REF = 2 ** 28;
const DYNAMIC_SEQ = 2 ** 31;

function badRequest(messages: string[]): SimResponse {
  return { status: 400, body: { message: messages, error: 'Bad Request', statusCode: 400 } };
}

function notFound(message: string): SimResponse {
  return { status: 404, body: { statusCode: 404, message, error: 'Not Found' } };
}

const FILE_NOT_FOUND: SimResponse = {
  status: 404,
  body: {
    error: { code: 404, key: 'FILE_NOT_FOUND', message: 'File not found', details: 'File not found or no longer available' },
  },
};

/** class-validator style boolean: true/True/1, false/False/0. */
function parseBool(raw: string | null): boolean | undefined | 'invalid' {
  if (raw === null) return undefined;
  if (raw === 'true' || raw === 'True' || raw === '1') return true;
  if (raw === 'false' || raw === 'False' || raw === '0') return false;
  return 'invalid';
}

function parseNumber(raw: string | null): number | undefined | 'invalid' {
  if (raw === null || raw === '') return undefined;
  const value = Number(raw);
  return Number.isFinite(value) ? value : 'invalid';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function nowSec(): number {
  return Math.floor(Date.now() / 1000);
}

function resolveOptions(opts: WahaSimOptions): ResolvedOptions {
  return {
    apiKey: opts.apiKey ?? 'waha-key',
    session: opts.session ?? 'default',
    engine: opts.engine ?? 'NOWEB',
    sessionStatus: opts.sessionStatus ?? 'WORKING',
    history: { ...(opts.history ?? {}) },
    webhookUrl: opts.webhookUrl,
    webhookHmacKey: opts.webhookHmacKey,
    webhookEvents: opts.webhookEvents ?? ['message.any', 'message.ack', 'session.status'],
    webhookRetries: { attempts: opts.webhookRetries?.attempts ?? 3, delayMs: opts.webhookRetries?.delayMs ?? 100 },
    webhookDuplicates: opts.webhookDuplicates ?? false,
    webhookDelayMs: opts.webhookDelayMs ?? 0,
    webhookDownloadMedia: opts.webhookDownloadMedia ?? true,
    metadata: opts.metadata ?? null,
    latencyMs: opts.latencyMs ?? 0,
    mediaTtlMs: opts.mediaTtlMs,
    statusWaitMs: opts.statusWaitMs ?? 0,
    baseUrl: opts.baseUrl,
    sendResponse: opts.sendResponse ?? 'message',
  };
}

export class WahaSimulator extends SimServer {
  private opts: ResolvedOptions;
  private data!: History;
  private generatedChats = 0;
  private allIndex?: AllIndex;
  private allDynamic: MsgCore[] = [];
  private readonly dynamicById = new Map<string, MsgCore>();
  private readonly downloads = new Map<string, number>();
  private readonly sentLog: WahaSentRecord[] = [];
  private readonly seenLog: WahaSeenRecord[] = [];
  private status: WahaSessionStatus;
  private statuses: { status: WahaSessionStatus; timestamp: number }[] = [];
  private dynamicSeq = 0;
  private dynamicRng!: Rng;
  private lastActivity: number | null = null;
  private readonly emitter: WebhookEmitter;

  constructor(options: WahaSimOptions = {}) {
    super('WAHA');
    this.opts = resolveOptions(options);
    this.status = this.opts.sessionStatus;
    this.latencyMs = this.opts.latencyMs;
    this.emitter = new WebhookEmitter(() => ({
      url: this.opts.webhookUrl,
      hmacKey: this.opts.webhookHmacKey,
      events: this.opts.webhookEvents,
      attempts: this.opts.webhookRetries.attempts ?? 3,
      retryDelayMs: this.opts.webhookRetries.delayMs ?? 100,
      duplicate: this.opts.webhookDuplicates,
      delayMs: this.opts.webhookDelayMs,
    }));
    this.rebuildHistory(Date.now());
    this.statuses = [{ status: this.status, timestamp: Date.now() }];
    this.registerRoutes();
  }

  // ----- public API for tests -----------------------------------------------------------------------------------

  get url(): string {
    return this.baseUrl;
  }

  get session(): string {
    return this.opts.session;
  }

  get engine(): WahaEngine {
    return this.opts.engine;
  }

  get apiKey(): string {
    return this.opts.apiKey;
  }

  get sessionStatus(): WahaSessionStatus {
    return this.status;
  }

  /** The account's own identity (MeInfo). */
  get me(): { id: string; pushName: string; lid: string; jid: string } {
    const { id, pushName, lid, jid } = this.data.me;
    return { id, pushName, lid, jid };
  }

  /** The resolved history spec (seed, now, …) the account was generated from. */
  get historySpec(): Required<WahaHistorySpec> {
    return { ...this.data.spec };
  }

  override async close(): Promise<void> {
    this.emitter.close();
    await super.close();
  }

  /** Back to the seeded state the current options describe: history, session status; journal, faults, logs cleared. */
  reset(): this {
    this.data.chats.length = this.generatedChats;
    this.data.byId.clear();
    for (const chat of this.data.chats) {
      chat.dynamic = [];
      this.data.byId.set(chat.id, chat);
    }
    this.allDynamic = [];
    this.dynamicById.clear();
    this.downloads.clear();
    this.sentLog.length = 0;
    this.seenLog.length = 0;
    this.emitter.clear();
    this.clearJournal();
    this.clearFaults();
    this.dynamicSeq = 0;
    this.dynamicRng = new Rng(hash(this.data.spec.seed, 0xd1a));
    this.status = this.opts.sessionStatus;
    this.statuses = [{ status: this.status, timestamp: Date.now() }];
    this.latencyMs = this.opts.latencyMs;
    this.lastActivity = null;
    return this;
  }

  /** Change options at run time. A new `history` spec (merged into the current one) regenerates the account. */
  configure(partial: WahaSimOptions): this {
    const { history, webhookRetries, ...rest } = partial;
    const defined = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)) as Partial<ResolvedOptions>;
    this.opts = { ...this.opts, ...defined };
    if (webhookRetries) this.opts.webhookRetries = { ...this.opts.webhookRetries, ...webhookRetries };
    if (partial.latencyMs !== undefined) this.latencyMs = partial.latencyMs;
    if (partial.sessionStatus !== undefined) this.status = partial.sessionStatus;
    if (history) {
      this.opts.history = { ...this.opts.history, ...history };
      this.rebuildHistory(this.data.spec.now);
    }
    return this;
  }

  /** Every chat with its kind and message counts. */
  chats(): WahaChatSummary[] {
    return this.data.chats.map((chat) => {
      const summary: WahaChatSummary = {
        id: chat.id,
        kind: chat.kind,
        name: chat.name,
        messages: chat.visible + chat.dynamic.length,
        records: chat.count + chat.dynamic.length,
        firstTimestamp: this.firstTimestamp(chat),
        lastTimestamp: this.lastTimestamp(chat),
      };
      if (chat.kind === 'dm') {
        const person = chat.person;
        summary.lid = person ? `${person.lid}@lid` : chat.id.endsWith('@lid') ? chat.id : null;
        summary.phone = chat.id.endsWith('@lid') ? (this.data.lidToPn.get(chat.id) ?? null) : chat.id;
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
    const target = chatId === 'all' ? 'all' : this.data.byId.get(toPublicJid(chatId));
    if (!target) return [];
    const page = this.page(target, {
      gte: gteSec,
      lte: lteSec,
      offset: 0,
      limit: Number.MAX_SAFE_INTEGER,
      desc: false,
      hidden: 'before',
    });
    const ctx = this.formatContext(false);
    return page.map((msg) => messageJson(msg, ctx));
  }

  /** Displayable messages in all chats. */
  totalMessages(): number {
    return this.data.chats.reduce((sum, chat) => sum + chat.visible + chat.dynamic.length, 0);
  }

  /** Stored records in all chats, hidden ones included. */
  totalRecords(): number {
    return this.data.chats.reduce((sum, chat) => sum + chat.count + chat.dynamic.length, 0);
  }

  /** One message by serialized or bare id, as the API returns it with downloadMedia=false. */
  message(id: string): Json | undefined {
    const msg = this.lookup(id);
    return msg ? messageJson(msg, this.formatContext(false)) : undefined;
  }

  /** Messages the client sent through sendText / sendImage / sendFile. */
  sent(): WahaSentRecord[] {
    return this.sentLog.slice();
  }

  seen(): WahaSeenRecord[] {
    return this.seenLog.slice();
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
    return [...this.data.lidToPn.entries()].map(([lid, pn]) => ({ lid, pn })).sort((a, b) => a.lid.localeCompare(b.lid));
  }

  /**
   * Append a new message to a chat (created when unknown) and fire `message.any` (and `message` when not
   * fromMe). Resolves with the message JSON once the webhooks were delivered (or gave up).
   */
  async receive(chatId: string, partial: WahaIncomingMessage = {}): Promise<Json> {
    const msg = this.addMessage(chatId, {
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
    await this.emitMessageEvents(msg);
    return messageJson(msg, this.formatContext(false));
  }

  /**
   * The contact reads what the account sent in a chat: every message of ours added since start (or just
   * `messageId`) that is not read yet gets ack READ, each with a `message.ack` webhook. Returns the acked ids.
   */
  async read(rawChatId: string, messageId?: string, ack = 3): Promise<string[]> {
    const { chat } = this.chatFor(rawChatId);
    const only = messageId === undefined ? undefined : this.lookup(messageId);
    if (messageId !== undefined && !only) return [];
    const targets = only ? [only] : chat.dynamic.filter((m) => m.fromMe && m.ack >= 0 && m.ack < ack);
    const acked: string[] = [];
    for (const msg of targets) {
      msg.ack = ack;
      acked.push(serializedId(msg));
      if (this.emitter.wants('message.ack')) await this.emit('message.ack', ackJson(msg, this.formatContext(false)));
    }
    return acked;
  }

  /** Change the session status and fire `session.status`. */
  async setSessionStatus(status: WahaSessionStatus): Promise<void> {
    this.status = status;
    this.statuses.push({ status, timestamp: Date.now() });
    if (this.statuses.length > 3) this.statuses.splice(0, this.statuses.length - 3);
    await this.emit('session.status', {
      name: this.opts.session,
      status,
      statuses: this.statuses.slice(),
    });
  }

  // ----- history queries -----------------------------------------------------------------------------------------

  private rebuildHistory(fallbackNow: number): void {
    this.data = buildHistory(resolveHistorySpec(this.opts.history, fallbackNow));
    this.generatedChats = this.data.chats.length;
    this.allIndex = undefined;
    this.allDynamic = [];
    this.dynamicById.clear();
    this.downloads.clear();
    this.dynamicSeq = 0;
    this.dynamicRng = new Rng(hash(this.data.spec.seed, 0xd1a));
  }

  private firstTimestamp(chat: ChatState): number | null {
    const a = chat.count > 0 ? chat.ts[0] : Infinity;
    const b = chat.dynamic.length > 0 ? chat.dynamic[0].timestamp : Infinity;
    const min = Math.min(a, b);
    return Number.isFinite(min) ? min : null;
  }

  private lastTimestamp(chat: ChatState): number | null {
    const a = chat.count > 0 ? chat.ts[chat.count - 1] : -Infinity;
    const b = chat.dynamic.length > 0 ? chat.dynamic[chat.dynamic.length - 1].timestamp : -Infinity;
    const max = Math.max(a, b);
    return Number.isFinite(max) ? max : null;
  }

  private lastVisible(chat: ChatState): MsgCore | undefined {
    let i = chat.count - 1;
    while (i >= 0 && isHiddenKind(chat.kinds[i])) i--;
    const dyn = chat.dynamic[chat.dynamic.length - 1];
    if (i < 0) return dyn;
    if (dyn && dyn.timestamp >= chat.ts[i]) return dyn;
    return generatedMessage(this.data, chat, i);
  }

  /** Generated messages of all chats in (timestamp, chat, index) order, built on first use. */
  private buildAllIndex(): AllIndex {
    if (this.allIndex) return this.allIndex;
    const chats = this.data.chats.slice(0, this.generatedChats);
    const offsets: number[] = [];
    let total = 0;
    for (const chat of chats) {
      offsets.push(total);
      total += chat.count;
    }
    const flat = new Uint32Array(total);
    for (const chat of chats) flat.set(chat.ts, offsets[chat.index]);
    const order = new Uint32Array(total);
    for (let k = 0; k < total; k++) order[k] = k;
    order.sort((a, b) => flat[a] - flat[b] || a - b);
    const ts = new Uint32Array(total);
    const chat = new Uint16Array(total);
    const idx = new Uint32Array(total);
    for (let k = 0; k < total; k++) {
      const pos = order[k];
      const c = upperBound(offsets, pos) - 1;
      ts[k] = flat[pos];
      chat[k] = c;
      idx[k] = pos - offsets[c];
    }
    this.allIndex = { ts, chat, idx };
    return this.allIndex;
  }

  /**
   * One page of a chat's (or all chats') timeline: generated records merged with later messages, ordered by
   * (timestamp, storage order), windowed, filtered, offset/limit applied, then hidden records dropped (NOWEB/GOWS)
   * — which is why pages can be short before the end.
   */
  private page(target: ChatState | 'all', q: PageQuery): MsgCore[] {
    const chats = this.data.chats;
    let tsArr: Uint32Array;
    let refAt: (j: number) => number;
    let dynamic: MsgCore[];
    if (target === 'all') {
      const index = this.buildAllIndex();
      tsArr = index.ts;
      refAt = (j) => index.chat[j] * REF + index.idx[j];
      dynamic = this.allDynamic;
    } else {
      tsArr = target.ts;
      const base = target.index * REF;
      refAt = (j) => base + j;
      dynamic = target.dynamic;
    }
    const lo = q.gte !== undefined ? lowerBound(tsArr, Math.ceil(q.gte)) : 0;
    const hi = Math.max(lo, q.lte !== undefined ? upperBound(tsArr, Math.floor(q.lte)) : tsArr.length);
    const passGenerated = (ref: number): boolean => {
      const chat = chats[Math.floor(ref / REF)];
      const i = ref % REF;
      if (q.hidden === 'before' && isHiddenKind(chat.kinds[i])) return false;
      if (q.fromMe !== undefined && ((chat.flags[i] & Flag.FromMe) !== 0) !== q.fromMe) return false;
      if (q.ack !== undefined && generatedAck(this.data, chat, i) !== q.ack) return false;
      return true;
    };
    const scan = q.hidden === 'before' || q.fromMe !== undefined || q.ack !== undefined;
    let aLen: number;
    let aAt: (k: number) => number;
    if (scan) {
      const selected = new Uint32Array(hi - lo);
      let n = 0;
      for (let j = lo; j < hi; j++) if (passGenerated(refAt(j))) selected[n++] = j;
      aLen = n;
      aAt = (k) => selected[k];
    } else {
      aLen = hi - lo;
      aAt = (k) => lo + k;
    }
    const b = dynamic.filter(
      (m) =>
        (q.gte === undefined || m.timestamp >= q.gte) &&
        (q.lte === undefined || m.timestamp <= q.lte) &&
        (q.fromMe === undefined || m.fromMe === q.fromMe) &&
        (q.ack === undefined || m.ack === q.ack),
    );
    // Merged position of each later message: after every generated record with timestamp <= its own.
    const bPos = b.map((m, k) => {
      let l = 0;
      let h = aLen;
      while (l < h) {
        const mid = (l + h) >>> 1;
        if (tsArr[aAt(mid)] <= m.timestamp) l = mid + 1;
        else h = mid;
      }
      return l + k;
    });
    const total = aLen + b.length;
    const out: MsgCore[] = [];
    const end = Math.min(total, q.offset + q.limit);
    for (let p = Math.max(0, q.offset); p < end; p++) {
      const asc = q.desc ? total - 1 - p : p;
      let before = 0;
      let hit = -1;
      for (let k = 0; k < bPos.length; k++) {
        if (bPos[k] === asc) {
          hit = k;
          break;
        }
        if (bPos[k] < asc) before++;
        else break;
      }
      if (hit >= 0) {
        out.push(b[hit]);
        continue;
      }
      const ref = refAt(aAt(asc - before));
      const chat = chats[Math.floor(ref / REF)];
      const i = ref % REF;
      if (isHiddenKind(chat.kinds[i])) continue;
      out.push(generatedMessage(this.data, chat, i));
    }
    return out;
  }

  /** A message by serialized id (`{fromMe}_{chat}_{waId}[_{participant}]`) or bare WhatsApp id. */
  private lookup(id: string): MsgCore | undefined {
    const full = /^(true|false)_/.test(id);
    let waId = id;
    if (full) {
      const parts = id.split('_');
      waId = parts[2] ?? '';
    }
    const msg = this.lookupWaId(waId);
    if (!msg || isHiddenKind(msg.kind)) return undefined;
    if (full) {
      const serialized = serializedId(msg);
      const short = `${msg.fromMe}_${msg.chatId}_${msg.waId}`;
      if (id !== serialized && id !== short) return undefined;
    }
    return msg;
  }

  private lookupWaId(waId: string): MsgCore | undefined {
    const dynamic = this.dynamicById.get(waId);
    if (dynamic) return dynamic;
    const decoded = this.data.codec.decode(waId);
    if (!decoded || decoded.chat >= this.generatedChats) return undefined;
    const chat = this.data.chats[decoded.chat];
    if (decoded.index >= chat.count) return undefined;
    if (generatedWaId(this.data, chat, decoded.index) !== waId) return undefined;
    return generatedMessage(this.data, chat, decoded.index);
  }

  /** Exact chat, or with merge the chat of the same contact under its other id (lid ↔ phone). */
  private resolveChat(rawId: string, merge: boolean): { chat?: ChatState; chatId: string } {
    const chatId = toPublicJid(rawId);
    const exact = this.data.byId.get(chatId);
    if (exact) return { chat: exact, chatId };
    if (merge) {
      const alias = this.data.lidToPn.get(chatId) ?? this.data.pnToLid.get(chatId);
      const chat = alias ? this.data.byId.get(alias) : undefined;
      if (chat) return { chat, chatId };
    }
    return { chatId };
  }

  private formatContext(downloadMedia: boolean): FormatContext {
    return {
      engine: this.opts.engine,
      me: this.data.me,
      session: this.opts.session,
      baseUrl: this.opts.baseUrl ?? this.baseUrl,
      downloadMedia,
      history: this.data,
      onDownload: (msg) => this.downloads.set(msg.waId, Date.now()),
    };
  }

  // ----- adding messages -----------------------------------------------------------------------------------------

  private freshWaId(fromMe: boolean): string {
    for (;;) {
      const waId = fromMe ? `3EB0${this.dynamicRng.hex(18)}` : `3A${this.dynamicRng.hex(18)}`;
      if (!this.lookupWaId(waId)) return waId;
    }
  }

  private chatFor(rawId: string): { chat: ChatState; chatId: string } {
    const resolved = this.resolveChat(rawId, true);
    if (resolved.chat) return { chat: resolved.chat, chatId: resolved.chatId };
    const id = resolved.chatId;
    const kind: ChatKind = id.endsWith('@g.us')
      ? 'group'
      : id.endsWith('@newsletter')
        ? 'channel'
        : id === 'status@broadcast'
          ? 'status'
          : id.endsWith('@broadcast')
            ? 'broadcast'
            : 'dm';
    const phone = id.endsWith('@c.us') ? id : this.data.lidToPn.get(id);
    const person = this.data.persons.find((p) => `${p.phone}@c.us` === phone || `${p.lid}@lid` === id);
    const chat: ChatState = {
      ...emptyChat(this.data.chats.length, id, kind, person ? (person.name ?? person.pushName) : null, nowSec()),
      person,
    };
    this.data.chats.push(chat);
    this.data.byId.set(id, chat);
    return { chat, chatId: id };
  }

  private addMessage(
    rawChatId: string,
    init: {
      fromMe: boolean;
      source: 'app' | 'api';
      body?: string | null;
      participant?: string;
      hasMedia?: boolean;
      type?: WahaIncomingMessage['type'];
      kind?: KindValue;
      media?: { mimetype?: string; filename?: string | null; data?: string | Buffer; url?: string };
      timestamp?: number;
      replyTo?: string;
      waId?: string;
      pushName?: string;
      ack?: number;
    },
  ): MsgCore {
    const { chat, chatId } = this.chatFor(rawChatId);
    const kindByType: Record<NonNullable<WahaIncomingMessage['type']>, KindValue> = {
      text: Kind.Text,
      image: Kind.Image,
      document: Kind.Document,
      voice: Kind.Voice,
      poll: Kind.Poll,
      location: Kind.Location,
    };
    let kind: KindValue = init.kind ?? (init.type ? kindByType[init.type] : Kind.Text);
    if (kind === Kind.Text && (init.hasMedia || init.media)) {
      const mt = init.media?.mimetype ?? 'image/jpeg';
      kind = mt.startsWith('image/') ? Kind.Image : mt.startsWith('audio/') ? Kind.Voice : Kind.Document;
    }
    let media: MediaInfo | null = null;
    if (kind === Kind.Image || kind === Kind.Document || kind === Kind.Voice) {
      const fallback = kind === Kind.Image ? 'image/jpeg' : kind === Kind.Voice ? 'audio/ogg; codecs=opus' : 'application/pdf';
      const mimetype = init.media?.mimetype ?? fallback;
      const raw = init.media?.data;
      const data = raw === undefined ? undefined : Buffer.isBuffer(raw) ? raw : Buffer.from(raw, 'base64');
      const filename =
        init.media?.filename !== undefined ? init.media.filename : kind === Kind.Document ? 'document.pdf' : null;
      media = {
        mimetype,
        filename,
        ext: extFromMimetype(mimetype),
        size: data ? data.length : 2_000 + (hash(this.data.spec.seed, this.dynamicSeq, 17) % 18_000),
        error: false,
        data,
      };
    }
    const groupLike = chat.kind === 'group' || chat.kind === 'status';
    let participant: string | null = null;
    if (groupLike) {
      participant = init.fromMe ? this.data.me.id : (init.participant ?? chat.members[0]?.jid ?? null);
    }
    let pushName: string | null = null;
    if (!init.fromMe) {
      const member = chat.members.find((m) => m.jid === participant);
      pushName = init.pushName ?? member?.person.pushName ?? chat.person?.pushName ?? null;
    }
    let replyTo: MsgCore['replyTo'] = null;
    if (init.replyTo) {
      const target = this.lookup(init.replyTo);
      const bare = /^(true|false)_/.test(init.replyTo) ? (init.replyTo.split('_')[2] ?? init.replyTo) : init.replyTo;
      replyTo = target
        ? {
            waId: target.waId,
            participant: target.fromMe ? this.data.me.id : (target.participant ?? target.chatId),
            body: target.body,
          }
        : { waId: bare, participant: null, body: null };
    }
    let waId = init.waId ?? this.freshWaId(init.fromMe);
    if (this.lookupWaId(waId)) waId = this.freshWaId(init.fromMe);
    const msg: MsgCore = {
      chat,
      chatId,
      waId,
      seq: DYNAMIC_SEQ + this.dynamicSeq++,
      timestamp: init.timestamp ?? nowSec(),
      fromMe: init.fromMe,
      participant,
      pushName,
      kind,
      body: init.body ?? null,
      media,
      replyTo,
      ack: init.ack ?? (init.fromMe ? (init.source === 'api' ? 1 : 2) : 2),
      source: init.source,
    };
    if (kind === Kind.Poll) msg.poll = { name: init.body ?? 'Poll', options: ['Yes', 'No'] };
    if (kind === Kind.Location) {
      msg.location = { latitude: 48.8584, longitude: 2.2945, name: init.body ?? null, address: null };
      msg.body = null;
    }
    if (kind === Kind.Poll) msg.body = null;
    insertSorted(chat.dynamic, msg);
    insertSorted(this.allDynamic, msg);
    this.dynamicById.set(waId, msg);
    this.lastActivity = Date.now();
    return msg;
  }

  // ----- webhooks ------------------------------------------------------------------------------------------------

  private environment(): Record<string, unknown> {
    return {
      version: WAHA_VERSION,
      engine: this.opts.engine,
      tier: 'CORE',
      browser: this.opts.engine === 'WEBJS' ? '/usr/bin/chromium' : null,
      platform: 'linux/x64',
      worker: { id: null },
    };
  }

  private meOrNull(): Record<string, string> | null {
    return this.status === 'WORKING' ? this.me : null;
  }

  private emit(event: string, payload: unknown): Promise<void> {
    return this.emitter.emit({
      event,
      session: this.opts.session,
      metadata: this.opts.metadata,
      me: this.meOrNull(),
      payload,
      engine: this.opts.engine,
      environment: this.environment(),
    });
  }

  private async emitMessageEvents(msg: MsgCore): Promise<void> {
    const payload = messageJson(msg, this.formatContext(this.opts.webhookDownloadMedia));
    const runs = [this.emit('message.any', payload)];
    if (!msg.fromMe) runs.push(this.emit('message', payload));
    await Promise.all(runs);
  }

  // ----- HTTP --------------------------------------------------------------------------------------------------

  protected override async before(req: SimRequest): Promise<SimResponse | undefined> {
    const protectedPath = req.path.startsWith('/api/') || req.path === '/api' || req.path === '/health';
    if (!protectedPath) return undefined;
    const header = req.headers['x-api-key'];
    const fromHeader = Array.isArray(header) ? header[0] : header;
    const fromQuery = req.query.get('x-api-key');
    req.query.delete('x-api-key');
    const expected = this.opts.apiKey;
    if (expected === '') return undefined;
    const given = fromHeader ?? fromQuery ?? undefined;
    if (given === undefined || !this.keyMatches(given, expected)) {
      return { status: 401, body: { message: 'Unauthorized', statusCode: 401 } };
    }
    return undefined;
  }

  private keyMatches(given: string, expected: string): boolean {
    const digest = (value: string): Buffer => createHash('sha256').update(value).digest();
    if (expected.startsWith('sha512:')) {
      const hashed = createHash('sha512').update(given).digest('hex');
      return timingSafeEqual(digest(hashed), digest(expected.slice('sha512:'.length).toLowerCase()));
    }
    return timingSafeEqual(digest(given), digest(expected));
  }

  /** 404 for an unknown session; 422 (after the configured wait) when it is not WORKING. */
  private async guardSession(name: string): Promise<SimResponse | undefined> {
    if (name !== this.opts.session) {
      return {
        status: 404,
        body: {
          message: `We didn't find a session with name '${name}'.\nPlease start it first by using POST /api/sessions/${name}/start request`,
          error: 'Not Found',
          statusCode: 404,
        },
      };
    }
    const deadline = Date.now() + this.opts.statusWaitMs;
    while (this.status !== 'WORKING' && Date.now() < deadline) await sleep(Math.min(100, this.opts.statusWaitMs));
    if (this.status !== 'WORKING') {
      return {
        status: 422,
        body: {
          error: 'Session status is not as expected. Try again later or restart the session',
          session: name,
          status: this.status,
          expected: ['WORKING'],
        },
      };
    }
    return undefined;
  }

  private sessionInfo(withEngine: boolean): Json {
    const webhooks = this.opts.webhookUrl
      ? [
          {
            url: this.opts.webhookUrl,
            events: this.opts.webhookEvents,
            retries: {
              policy: 'constant',
              delaySeconds: (this.opts.webhookRetries.delayMs ?? 100) / 1000,
              attempts: this.opts.webhookRetries.attempts ?? 3,
            },
          },
        ]
      : [];
    const info: Json = {
      name: this.opts.session,
      status: this.status,
      config: {
        metadata: this.opts.metadata,
        webhooks,
        ...(this.opts.engine === 'NOWEB' ? { noweb: { markOnline: true, store: { enabled: true, fullSync: true } } } : {}),
      },
      me: this.meOrNull(),
      presence: this.status === 'WORKING' ? 'online' : null,
      timestamps: { activity: this.lastActivity },
    };
    if (withEngine) {
      info.engine =
        this.opts.engine === 'WEBJS'
          ? { engine: 'WEBJS', WWebVersion: '2.3000.1025062854', state: this.status === 'WORKING' ? 'CONNECTED' : null }
          : { engine: this.opts.engine };
    }
    return info;
  }

  private registerRoutes(): void {
    this.route('GET', '/ping', () => ({ status: 200, body: { message: 'pong' } }));
    this.route('GET', '/health', () => ({ status: 200, body: { status: 'ok', info: {}, error: {}, details: {} } }));
    this.route('GET', '/api/version', () => ({ status: 200, body: this.environment() }));
    this.route('GET', '/api/server/version', () => ({ status: 200, body: this.environment() }));

    // Sessions
    this.route('GET', '/api/sessions', (req) => {
      const all = parseBool(req.query.get('all')) === true;
      const list = all || this.status !== 'STOPPED' ? [this.sessionInfo(false)] : [];
      return { status: 200, body: list };
    });
    this.route('GET', '/api/sessions/:session', (req) =>
      req.params.session === this.opts.session
        ? { status: 200, body: this.sessionInfo(true) }
        : notFound('Session not found'),
    );
    this.route('GET', '/api/sessions/:session/me', (req) =>
      req.params.session === this.opts.session
        ? { status: 200, body: this.meOrNull() }
        : notFound('Session not found'),
    );

    // Media files
    this.route('GET', '/api/files/:session/:file', (req) => this.file(req));

    // Contacts and lids
    this.route('GET', '/api/contacts/check-exists', (req) => this.checkExists(req));
    this.route('GET', '/api/contacts/profile-picture', async (req) => {
      const guard = await this.guardSession(req.query.get('session') ?? 'default');
      return guard ?? { status: 200, body: { profilePictureURL: null } };
    });
    this.route('GET', '/api/contacts', (req) => this.contact(req));
    this.route('GET', '/api/:session/lids/count', async (req) => {
      const guard = await this.guardSession(req.params.session);
      return guard ?? { status: 200, body: { count: this.data.lidToPn.size } };
    });
    this.route('GET', '/api/:session/lids/pn/:phone', async (req) => {
      const guard = await this.guardSession(req.params.session);
      if (guard) return guard;
      const pn = toPublicJid(req.params.phone);
      return { status: 200, body: { lid: this.data.pnToLid.get(pn) ?? null, pn } };
    });
    this.route('GET', '/api/:session/lids/:lid', async (req) => {
      const guard = await this.guardSession(req.params.session);
      if (guard) return guard;
      const lid = req.params.lid.includes('@') ? toPublicJid(req.params.lid) : `${req.params.lid}@lid`;
      return { status: 200, body: { lid, pn: this.data.lidToPn.get(lid) ?? null } };
    });
    this.route('GET', '/api/:session/lids', async (req) => {
      const guard = await this.guardSession(req.params.session);
      if (guard) return guard;
      const limit = parseNumber(req.query.get('limit'));
      const offset = parseNumber(req.query.get('offset'));
      if (limit === 'invalid' || offset === 'invalid') return badRequest(['limit must be a number']);
      const all = this.lids();
      const start = offset ?? 0;
      return { status: 200, body: all.slice(start, limit === undefined ? undefined : start + limit) };
    });

    // Chats
    this.route('GET', '/api/:session/chats', (req) => this.listChats(req));
    this.route('GET', '/api/:session/chats/overview', (req) => {
      const limit = parseNumber(req.query.get('limit'));
      const offset = parseNumber(req.query.get('offset'));
      if (limit === 'invalid' || offset === 'invalid') return badRequest(['limit must be a number']);
      return this.overview(req.params.session, limit ?? 20, offset ?? 0, req.query.getAll('ids'));
    });
    this.route('POST', '/api/:session/chats/overview', async (req) => {
      const body = isRecord(req.json) ? req.json : {};
      const pagination = body.pagination;
      if (!isRecord(pagination)) return badRequest(['pagination should not be null or undefined']);
      const filter = isRecord(body.filter) ? body.filter : {};
      const ids = Array.isArray(filter.ids) ? filter.ids.filter((v): v is string => typeof v === 'string') : [];
      const response = await this.overview(
        req.params.session,
        typeof pagination.limit === 'number' ? pagination.limit : 20,
        typeof pagination.offset === 'number' ? pagination.offset : 0,
        ids,
      );
      return response.status === 200 ? { ...response, status: 201 } : response;
    });
    this.route('GET', '/api/:session/chats/:chatId/picture', async (req) => {
      const guard = await this.guardSession(req.params.session);
      return guard ?? { status: 200, body: { url: null } };
    });
    this.route('GET', '/api/:session/chats/:chatId/messages', (req) =>
      this.listMessages(req, req.params.session, req.params.chatId),
    );
    this.route('GET', '/api/messages', (req) =>
      this.listMessages(req, req.query.get('session') ?? 'default', req.query.get('chatId') ?? ''),
    );
    this.route('GET', '/api/:session/chats/:chatId/messages/:messageId', (req) => this.messageById(req));
    this.route('GET', '/api/:session/groups/:id', (req) => this.group(req));
    this.route('GET', '/api/:session/channels/:id', (req) => this.channel(req));

    // Sending
    this.route('POST', '/api/sendText', (req) => this.sendMessage(req, 'sendText'));
    this.route('POST', '/api/sendImage', (req) => this.sendMessage(req, 'sendImage'));
    this.route('POST', '/api/sendFile', (req) => this.sendMessage(req, 'sendFile'));
    this.route('POST', '/api/sendSeen', (req) => this.sendSeen(req));
    for (const action of ['startTyping', 'stopTyping']) {
      this.route('POST', `/api/${action}`, async (req) => {
        const body = isRecord(req.json) ? req.json : {};
        const guard = await this.guardSession(str(body.session) ?? 'default');
        return guard ?? { status: 201 };
      });
    }

    this.registerControlRoutes();
  }

  private registerControlRoutes(): void {
    this.route('POST', '/_sim/reset', () => {
      this.reset();
      return { status: 200, body: { ok: true } };
    });
    this.route('GET', '/_sim/chats', () => ({ status: 200, body: this.chats() }));
    this.route('GET', '/_sim/sent', () => ({ status: 200, body: this.sent() }));
    this.route('GET', '/_sim/seen', () => ({ status: 200, body: this.seen() }));
    this.route('GET', '/_sim/webhooks', () => ({
      status: 200,
      body: this.webhooks().map((d) => ({
        event: d.envelope.event,
        id: d.envelope.id,
        delivered: d.delivered,
        attempts: d.attempts,
        status: d.status,
        error: d.error,
        payload: d.envelope.payload,
      })),
    }));
    this.route('GET', '/_sim/stats', () => ({
      status: 200,
      body: {
        totalMessages: this.totalMessages(),
        totalRecords: this.totalRecords(),
        chats: this.data.chats.length,
        status: this.status,
        spec: this.data.spec,
      },
    }));
    this.route('GET', '/_sim/history', (req) => {
      const chatId = req.query.get('chatId');
      if (!chatId) return { status: 400, body: { error: 'chatId query parameter is required' } };
      const gte = parseNumber(req.query.get('gte'));
      const lte = parseNumber(req.query.get('lte'));
      return {
        status: 200,
        body: this.messagesInWindow(chatId, gte === 'invalid' ? undefined : gte, lte === 'invalid' ? undefined : lte),
      };
    });
    this.route('POST', '/_sim/receive', async (req) => {
      const body = isRecord(req.json) ? req.json : undefined;
      const chatId = body ? str(body.chatId) : undefined;
      if (!body || !chatId) return { status: 400, body: { error: 'body must be JSON with a chatId' } };
      const message = await this.receive(chatId, body);
      return { status: 200, body: message };
    });
    this.route('POST', '/_sim/read', async (req) => {
      const body = isRecord(req.json) ? req.json : undefined;
      const chatId = body ? str(body.chatId) : undefined;
      if (!body || !chatId) return { status: 400, body: { error: 'body must be JSON with a chatId (and optionally messageId, ack)' } };
      const ack = typeof body.ack === 'number' ? body.ack : 3;
      return { status: 200, body: { acked: await this.read(chatId, str(body.messageId), ack) } };
    });
    this.route('POST', '/_sim/session-status', async (req) => {
      const status = isRecord(req.json) ? str(req.json.status) : undefined;
      const allowed: WahaSessionStatus[] = ['WORKING', 'STOPPED', 'STARTING', 'SCAN_QR_CODE', 'FAILED'];
      if (!status || !allowed.includes(status as WahaSessionStatus)) {
        return { status: 400, body: { error: `status must be one of ${allowed.join(', ')}` } };
      }
      await this.setSessionStatus(status as WahaSessionStatus);
      return { status: 200, body: { ok: true, status } };
    });
    this.route('POST', '/_sim/configure', (req) => {
      if (!isRecord(req.json)) return { status: 400, body: { error: 'body must be a JSON object' } };
      this.configure(req.json);
      return { status: 200, body: { ok: true } };
    });
  }

  // ----- handlers ----------------------------------------------------------------------------------------------

  private async listChats(req: SimRequest): Promise<SimResponse> {
    const guard = await this.guardSession(req.params.session);
    if (guard) return guard;
    const sortBy = req.query.get('sortBy');
    const allowed = ['conversationTimestamp', 'id', 'name'];
    if (sortBy !== null && !allowed.includes(sortBy)) {
      return badRequest([`sortBy must be one of the following values: ${allowed.join(', ')}`]);
    }
    const limit = parseNumber(req.query.get('limit'));
    const offset = parseNumber(req.query.get('offset'));
    if (limit === 'invalid') return badRequest(['limit must be a number conforming to the specified constraints']);
    if (offset === 'invalid') return badRequest(['offset must be a number conforming to the specified constraints']);
    const field = sortBy ?? (this.opts.engine === 'GOWS' ? 'id' : 'conversationTimestamp');
    const orderParam = req.query.get('sortOrder');
    const desc = orderParam !== null ? orderParam.toLowerCase() === 'desc' : field === 'conversationTimestamp';
    const ctx = this.formatContext(false);
    const rows = this.data.chats
      .map((chat) => ({ chat, last: this.lastTimestamp(chat) }))
      .filter((row): row is { chat: ChatState; last: number } => row.last !== null);
    const key = (row: { chat: ChatState; last: number }): string | number =>
      field === 'conversationTimestamp' ? row.last : field === 'id' ? row.chat.id : (chatDisplayName(row.chat, this.opts.engine) ?? '');
    rows.sort((a, b) => {
      const ka = key(a);
      const kb = key(b);
      const cmp = typeof ka === 'number' && typeof kb === 'number' ? ka - kb : String(ka).localeCompare(String(kb));
      return (desc ? -cmp : cmp) || a.chat.index - b.chat.index;
    });
    const start = offset ?? 0;
    const selected = rows.slice(start, limit === undefined ? undefined : start + limit);
    const body = selected.map(({ chat, last }) => {
      const lastMessage = this.opts.engine === 'WEBJS' ? this.lastVisible(chat) : undefined;
      return chatJson(chat, ctx, last, lastMessage ? messageJson(lastMessage, ctx) : null);
    });
    return { status: 200, body };
  }

  private async overview(session: string, limit: number, offset: number, ids: string[]): Promise<SimResponse> {
    const guard = await this.guardSession(session);
    if (guard) return guard;
    const ctx = this.formatContext(false);
    let chats = this.data.chats.filter((chat) => this.lastTimestamp(chat) !== null);
    if (this.opts.engine === 'NOWEB') {
      chats = chats.filter((chat) => !chat.id.endsWith('@broadcast') && !chat.id.endsWith('@newsletter'));
    }
    if (ids.length > 0) {
      const wanted = new Set(ids.map((id) => this.resolveChat(id, true).chat).filter((c) => c !== undefined));
      chats = chats.filter((chat) => wanted.has(chat));
    }
    chats.sort((a, b) => (this.lastTimestamp(b) ?? 0) - (this.lastTimestamp(a) ?? 0) || a.index - b.index);
    const body = chats.slice(offset, offset + limit).map((chat) => {
      const last = this.lastVisible(chat);
      const lastJson = last ? messageJson(last, ctx) : null;
      return {
        id: chat.id,
        name: chat.name,
        picture: null,
        lastMessage: lastJson,
        _chat: chatJson(chat, ctx, this.lastTimestamp(chat) ?? 0, lastJson),
      };
    });
    return { status: 200, body };
  }

  private async listMessages(req: SimRequest, session: string, rawChatId: string): Promise<SimResponse> {
    const guard = await this.guardSession(session);
    if (guard) return guard;
    const q = req.query;
    const errors: string[] = [];
    const limit = parseNumber(q.get('limit'));
    const offset = parseNumber(q.get('offset'));
    const gte = parseNumber(q.get('filter.timestamp.gte'));
    const lte = parseNumber(q.get('filter.timestamp.lte'));
    const downloadMedia = parseBool(q.get('downloadMedia'));
    const merge = parseBool(q.get('merge'));
    const fromMe = parseBool(q.get('filter.fromMe'));
    const sortBy = q.get('sortBy');
    const ackName = q.get('filter.ack');
    if (limit === 'invalid') errors.push('limit must be a number conforming to the specified constraints');
    if (offset === 'invalid') errors.push('offset must be a number conforming to the specified constraints');
    if (gte === 'invalid') errors.push('filter.timestamp.gte must be a number conforming to the specified constraints');
    if (lte === 'invalid') errors.push('filter.timestamp.lte must be a number conforming to the specified constraints');
    if (downloadMedia === 'invalid') errors.push('downloadMedia must be a boolean value');
    if (merge === 'invalid') errors.push('merge must be a boolean value');
    if (fromMe === 'invalid') errors.push('filter.fromMe must be a boolean value');
    if (sortBy !== null && sortBy !== 'timestamp' && sortBy !== 'messageTimestamp') {
      errors.push('sortBy must be one of the following values: timestamp, messageTimestamp');
    }
    const ackNames = Object.keys(ACK_VALUES);
    if (ackName !== null && !ackNames.includes(ackName)) {
      errors.push(`filter.ack must be one of the following values: ${ackNames.join(', ')}`);
    }
    if (errors.length > 0) return badRequest(errors);

    const engine = this.opts.engine;
    const chatId = rawChatId;
    let target: ChatState | 'all' | undefined;
    if (chatId === 'all') {
      if (engine === 'WEBJS') {
        return {
          status: 422,
          body: {
            message: "The method is not implemented by the engine. Can not get messages from 'all' in WEBJS",
            error: 'Unprocessable Entity',
            statusCode: 422,
          },
        };
      }
      target = 'all';
    } else {
      target = this.resolveChat(chatId, merge !== false).chat;
    }
    if (!target) return { status: 200, body: [] };
    const page = this.page(target, {
      gte: gte as number | undefined,
      lte: lte as number | undefined,
      fromMe: fromMe as boolean | undefined,
      ack: ackName !== null ? ACK_VALUES[ackName] : undefined,
      offset: Math.max(0, Math.floor((offset as number | undefined) ?? 0)),
      limit: Math.max(0, Math.floor((limit as number | undefined) ?? 10)),
      desc: engine === 'WEBJS' ? true : q.get('sortOrder') !== 'asc',
      hidden: engine === 'WEBJS' ? 'before' : 'after',
    });
    const ctx = this.formatContext(downloadMedia !== false);
    return { status: 200, body: page.map((msg) => messageJson(msg, ctx)) };
  }

  private async messageById(req: SimRequest): Promise<SimResponse> {
    const guard = await this.guardSession(req.params.session);
    if (guard) return guard;
    const downloadMedia = parseBool(req.query.get('downloadMedia'));
    const merge = parseBool(req.query.get('merge'));
    if (downloadMedia === 'invalid') return badRequest(['downloadMedia must be a boolean value']);
    const messageId = req.params.messageId;
    const full = /^(true|false)_/.test(messageId);
    if (!full && this.opts.engine === 'WEBJS') return notFound('Message not found');
    const msg = this.lookup(messageId);
    if (!msg) return notFound('Message not found');
    if (req.params.chatId !== 'all') {
      const chat = this.resolveChat(req.params.chatId, merge !== false).chat;
      if (chat !== msg.chat) return notFound('Message not found');
    }
    return { status: 200, body: messageJson(msg, this.formatContext(downloadMedia !== false)) };
  }

  private file(req: SimRequest): SimResponse {
    if (req.params.session !== this.opts.session) return FILE_NOT_FOUND;
    const name = req.params.file;
    const dot = name.lastIndexOf('.');
    if (dot <= 0) return FILE_NOT_FOUND;
    const waId = name.slice(0, dot);
    const ext = name.slice(dot + 1);
    const msg = this.lookupWaId(waId);
    if (!msg?.media || msg.media.error || msg.media.ext !== ext) return FILE_NOT_FOUND;
    const downloadedAt = this.downloads.get(waId);
    if (downloadedAt === undefined) return FILE_NOT_FOUND;
    const ttl = this.opts.mediaTtlMs;
    if (ttl && Date.now() - downloadedAt >= ttl) {
      this.downloads.delete(waId);
      return FILE_NOT_FOUND;
    }
    const bytes = msg.media.data ?? mediaBytes(msg.media.mimetype, msg.media.size, this.data.spec.seed, waId);
    return {
      status: 200,
      raw: bytes,
      headers: { 'content-type': msg.media.mimetype.split(';')[0], 'content-length': String(bytes.length) },
    };
  }

  private async contact(req: SimRequest): Promise<SimResponse> {
    const guard = await this.guardSession(req.query.get('session') ?? 'default');
    if (guard) return guard;
    const raw = req.query.get('contactId');
    if (!raw) return badRequest(['contactId must be a string']);
    const id = toPublicJid(raw);
    const user = id.split('@')[0];
    const base = { id, number: user, isMe: false, isGroup: false, isWAContact: true, isMyContact: false, isBlocked: false };
    if (id === this.data.me.id || id === this.data.me.lid) {
      const me = this.data.me;
      return { status: 200, body: { ...base, name: me.pushName, pushname: me.pushName, shortName: me.pushName, isMe: true, isMyContact: true } };
    }
    const chat = this.data.byId.get(id);
    if (chat && chat.kind !== 'dm') {
      return { status: 200, body: { ...base, name: chat.name, pushname: null, shortName: chat.name, isGroup: chat.kind === 'group' } };
    }
    const person = this.data.persons.find((p) => `${p.phone}@c.us` === id || `${p.lid}@lid` === id);
    if (!person) {
      return { status: 200, body: { ...base, name: null, pushname: null, shortName: null, isWAContact: false } };
    }
    return {
      status: 200,
      body: {
        ...base,
        name: person.name,
        pushname: person.pushName,
        shortName: person.name ? person.name.split(' ')[0] : null,
        isMyContact: person.name !== null,
      },
    };
  }

  private async checkExists(req: SimRequest): Promise<SimResponse> {
    const guard = await this.guardSession(req.query.get('session') ?? 'default');
    if (guard) return guard;
    const phone = req.query.get('phone');
    if (!phone) return badRequest(['phone must be a string']);
    const chatId = toPublicJid(phone);
    const known = chatId === this.data.me.id || this.data.persons.some((p) => `${p.phone}@c.us` === chatId);
    return { status: 200, body: known ? { numberExists: true, chatId } : { numberExists: false } };
  }

  private async group(req: SimRequest): Promise<SimResponse> {
    const guard = await this.guardSession(req.params.session);
    if (guard) return guard;
    const chat = this.data.byId.get(req.params.id);
    if (!chat || chat.kind !== 'group') return notFound('Group not found');
    return {
      status: 200,
      body: {
        id: chat.id,
        subject: chat.name,
        subjectTime: chat.createdAt,
        creation: chat.createdAt,
        owner: toProtocolJid(this.data.me.id),
        desc: null,
        participants: [
          { id: this.data.me.id, admin: 'superadmin' },
          ...chat.members.map((m) => ({ id: m.jid, admin: null })),
        ],
        size: chat.members.length + 1,
      },
    };
  }

  private async channel(req: SimRequest): Promise<SimResponse> {
    const guard = await this.guardSession(req.params.session);
    if (guard) return guard;
    const chat = this.data.byId.get(req.params.id);
    if (!chat || chat.kind !== 'channel') return notFound('Channel not found');
    const code = chat.id.split('@')[0].slice(-10);
    return {
      status: 200,
      body: {
        id: chat.id,
        name: chat.name,
        invite: `https://whatsapp.com/channel/${code}`,
        preview: null,
        picture: null,
        description: `${chat.name ?? 'Channel'} updates`,
        verified: false,
        role: 'SUBSCRIBER',
        subscribersCount: 1000 + (hash(this.data.spec.seed, chat.index) % 50_000),
      },
    };
  }

  private async sendMessage(req: SimRequest, method: WahaSentRecord['method']): Promise<SimResponse> {
    if (!isRecord(req.json)) return badRequest(['chatId must be a string']);
    const body = req.json;
    const session = str(body.session) ?? 'default';
    const guard = await this.guardSession(session);
    if (guard) return guard;
    const rawChatId = str(body.chatId);
    const errors: string[] = [];
    if (!rawChatId) errors.push('chatId must be a string');
    const text = str(body.text);
    const caption = str(body.caption);
    const replyTo = str(body.reply_to);
    let file: { mimetype?: string; url?: string; data?: string; filename?: string | null } | undefined;
    if (method === 'sendText') {
      if (text === undefined) errors.push('text must be a string');
    } else if (!isRecord(body.file) || (str(body.file.url) === undefined && str(body.file.data) === undefined)) {
      errors.push('file must contain url or data');
    } else {
      file = {
        mimetype: str(body.file.mimetype),
        url: str(body.file.url),
        data: str(body.file.data),
        filename: str(body.file.filename) ?? null,
      };
    }
    if (errors.length > 0 || !rawChatId) return badRequest(errors);
    const fallbackMime = method === 'sendImage' ? 'image/jpeg' : 'application/octet-stream';
    const msg = this.addMessage(rawChatId, {
      fromMe: true,
      source: 'api',
      body: method === 'sendText' ? text : (caption ?? null),
      kind: method === 'sendText' ? Kind.Text : method === 'sendImage' ? Kind.Image : Kind.Document,
      media: file ? { ...file, mimetype: file.mimetype ?? fallbackMime } : undefined,
      replyTo,
    });
    const id = serializedId(msg);
    this.sentLog.push({
      method,
      session,
      chatId: msg.chatId,
      id,
      waId: msg.waId,
      ...(method === 'sendText' ? { text } : caption !== undefined ? { caption } : {}),
      ...(msg.media && file
        ? { file: { mimetype: msg.media.mimetype, filename: msg.media.filename, url: file.url, size: msg.media.size } }
        : {}),
      ...(replyTo !== undefined ? { reply_to: replyTo } : {}),
      at: Date.now(),
    });
    const response = this.sendResponse(msg);
    // Real WAHA emits message.any for API sends around the time it answers, then acks arrive.
    void this.emitter.track(
      this.emitMessageEvents(msg).then(async () => {
        msg.ack = 2;
        if (this.emitter.wants('message.ack')) await this.emit('message.ack', ackJson(msg, this.formatContext(false)));
      }),
    );
    return { status: 201, body: response };
  }

  private sendResponse(msg: MsgCore): Json {
    const ctx = this.formatContext(false);
    if (this.opts.sendResponse === 'message') return messageJson(msg, ctx);
    const json = messageJson(msg, ctx);
    switch (this.opts.engine) {
      case 'NOWEB': {
        const data = json._data as { message?: unknown };
        return {
          key: { remoteJid: toProtocolJid(msg.chatId), fromMe: true, id: msg.waId },
          message: data.message,
          messageTimestamp: String(msg.timestamp),
          status: 'PENDING',
        };
      }
      case 'GOWS':
        return { id: json.id, _data: json._data };
      case 'WEBJS':
        return {
          id: { fromMe: true, remote: msg.chatId, id: msg.waId, _serialized: `true_${msg.chatId}_${msg.waId}` },
          timestamp: msg.timestamp,
          from: this.data.me.id,
          to: msg.chatId,
          ack: 0,
          body: msg.body ?? '',
          hasMedia: msg.media !== null,
          type: msg.kind === Kind.Text ? 'chat' : msg.kind === Kind.Image ? 'image' : 'document',
        };
    }
  }

  private async sendSeen(req: SimRequest): Promise<SimResponse> {
    const body = isRecord(req.json) ? req.json : {};
    const session = str(body.session) ?? 'default';
    const guard = await this.guardSession(session);
    if (guard) return guard;
    const chatId = str(body.chatId);
    if (!chatId) return badRequest(['chatId must be a string']);
    const single = str(body.messageId);
    const ids = Array.isArray(body.messageIds)
      ? body.messageIds.filter((v): v is string => typeof v === 'string')
      : single !== undefined
        ? [single]
        : undefined;
    this.seenLog.push({
      session,
      chatId: toPublicJid(chatId),
      ...(ids ? { messageIds: ids } : {}),
      ...(str(body.participant) ? { participant: str(body.participant) } : {}),
      at: Date.now(),
    });
    return { status: 201 };
  }
}

function insertSorted(list: MsgCore[], msg: MsgCore): void {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const other = list[mid];
    if (other.timestamp < msg.timestamp || (other.timestamp === msg.timestamp && other.seq < msg.seq)) lo = mid + 1;
    else hi = mid;
  }
  list.splice(lo, 0, msg);
}

/** Start a WAHA simulator on `port` (0 = any free port) and return it once it listens. */
export async function startWahaSimulator(opts: WahaSimOptions = {}, port = 0): Promise<WahaSimulator> {
  const sim = new WahaSimulator(opts);
  await sim.listen(port);
  return sim;
}
