/**
 * The WAHA simulator's options (as given, and resolved with their defaults) and the records its public API
 * returns or takes: chat summaries, sent and seen logs, messages to inject. Re-exported by waha-simulator.ts.
 */
import { WahaEngine } from './waha-format';
import { ChatKind, MsgExtra, WahaHistorySpec } from './waha-history';
import { SINCE, versionAtLeast } from './waha-profile';
import { WAHA_VERSION } from './waha-webhooks';

export type WahaSessionStatus = 'WORKING' | 'STOPPED' | 'STARTING' | 'SCAN_QR_CODE' | 'FAILED';

export interface WahaSimOptions {
  /** Default 'waha-key'. `sha512:<hex>` compares the hash of what the client sends; '' turns auth off. */
  apiKey?: string;
  /** Default 'default'. */
  session?: string;
  /**
   * Default 'NOWEB'. Shapes chats, `from`/`to`, `_data`, acks, send answers and how /messages pages (see
   * waha-chat-handlers.ts): WEBJS always newest first and refuses `all`; WPP (from 2026.3.1) sorts only the newest
   * offset+limit messages. Also the container's default engine that /api/version reports.
   */
  engine?: WahaEngine;
  /** The WAHA release to imitate, compared segment by segment (waha-profile.ts has the floors). Default '2026.7.1'. */
  version?: string;
  /** 'CORE' or 'PLUS' (default). Before 2026.6.1 Core refuses to send media (422, sendVideo 501). */
  tier?: 'CORE' | 'PLUS';
  /**
   * 'local' (default): media.url is `<baseUrl>/api/files/<session>/<id>.<ext>`, served with the API key.
   * 's3': media.url is a presigned URL on another host (a second small server, `s3Url`) that wants no API key.
   */
  mediaStorage?: 'local' | 's3';
  /** Serve the whole API under this prefix, as behind a reverse proxy (`/waha`); outside it: 404. Default ''. */
  pathPrefix?: string;
  /** NOWEB only: `config.noweb.store.enabled`. Without the store chats, messages, contacts and lids answer 400. Default true. */
  nowebStore?: boolean;
  /** Default 'WORKING'. Anything else makes chats/messages/send answer 422. */
  sessionStatus?: WahaSessionStatus;
  history?: WahaHistorySpec;
  /** Where to POST webhooks. */
  webhookUrl?: string;
  /** Sign with X-Webhook-Hmac (HMAC-SHA512 hex of the raw body) and X-Webhook-Hmac-Algorithm: sha512. */
  webhookHmacKey?: string;
  /** Events to send, or ['*']. Default ['message.any', 'message.ack', 'session.status'] (the tests and the demo pass the README's list). */
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
  /** How often WhatsApp renews the pairing QR (waha-session-routes.ts). Default 20 s. */
  qrRefreshMs?: number;
  /** Base of media URLs (WAHA_BASE_URL). Default: the simulator's own URL (with `pathPrefix`). */
  baseUrl?: string;
  /** 'message' (default): a WAMessage with a string id; 'engine': the raw engine answer (Baileys key, id object…). */
  sendResponse?: 'message' | 'engine';
}

export type ResolvedOptions = Required<
  Omit<WahaSimOptions, 'webhookUrl' | 'webhookHmacKey' | 'baseUrl' | 'mediaTtlMs' | 'history'>
> & {
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
  method: 'sendText' | 'sendImage' | 'sendFile' | 'sendVoice' | 'sendVideo';
  session: string;
  chatId: string;
  /** Serialized WAHA id of the created message. */
  id: string;
  waId: string;
  text?: string;
  caption?: string;
  file?: { mimetype: string; filename: string | null; url?: string; size: number };
  reply_to?: string;
  /** Optional request fields as sent (mentions, link preview, conversion). */
  mentions?: string[];
  linkPreview?: boolean;
  linkPreviewHighQuality?: boolean;
  convert?: boolean;
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
  type?: 'text' | 'image' | 'document' | 'voice' | 'poll' | 'location' | 'video' | 'audio' | 'sticker' | 'contacts' | 'event' | 'album' | 'live-location';
  /** Marks and contents of the message (waha-history.ts MsgExtra): forwarded, mentions, view-once, vCards, … */
  extra?: MsgExtra;
  /**
   * `size` declares a file without its bytes (they are generated as it downloads, so a 2 GB file costs nothing);
   * `unreported`: the engine gives no size in `_data` and the file is sent without Content-Length (chunked).
   */
  media?: { mimetype?: string; filename?: string | null; data?: string | Buffer; size?: number; unreported?: boolean };
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

/** `waha/` → `/waha`; '' stays ''. */
export function normalisePrefix(prefix: string): string {
  const trimmed = prefix.replace(/\/+$/, '');
  return trimmed === '' ? '' : trimmed.startsWith('/') ? trimmed : `/${trimmed}`;
}

/** The engine must exist in the version: WPP from 2026.3.1. */
export function checkEngineVersion(engine: WahaEngine, version: string): void {
  if (engine === 'WPP' && !versionAtLeast(version, SINCE.wppEngine)) {
    throw new Error(`WAHA ${version} has no WPP engine (added in ${SINCE.wppEngine})`);
  }
}

export function resolveOptions(opts: WahaSimOptions): ResolvedOptions {
  return {
    apiKey: opts.apiKey ?? 'waha-key',
    session: opts.session ?? 'default',
    engine: opts.engine ?? 'NOWEB',
    version: opts.version ?? WAHA_VERSION,
    tier: opts.tier ?? 'PLUS',
    mediaStorage: opts.mediaStorage ?? 'local',
    pathPrefix: normalisePrefix(opts.pathPrefix ?? ''),
    nowebStore: opts.nowebStore ?? true,
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
    qrRefreshMs: opts.qrRefreshMs ?? 20_000,
    baseUrl: opts.baseUrl,
    sendResponse: opts.sendResponse ?? 'message',
  };
}
