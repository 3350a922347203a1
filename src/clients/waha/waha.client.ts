/**
 * WAHA repository: one instance per app (WAHA URL, key and session). Methods return typed data or throw
 * `UpstreamError`.
 */
import { AxiosInstance } from 'axios';
import type { Readable } from 'node:stream';
import { createHttpClient } from '../http/http-client';
import {
  MessagesPageQuery,
  SendFile,
  WahaChat,
  WahaContact,
  WahaLid,
  WahaMessage,
  WahaServerVersion,
  WahaSession,
} from './waha.types';
import { isUpstreamError } from '../http/http-error';
import { planMediaFetch } from './media-url';

/** A downloaded media file, or the size that kept it from being downloaded (undefined: only the stream said so). */
export type MediaDownload = { kind: 'file'; blob: Blob; size: number; mimetype?: string } | { kind: 'too-large'; size?: number };

export interface WahaClientOptions {
  url: string;
  apiKey: string;
  session: string;
  timeoutMs: number;
  /** Hosts media may be fetched from besides WAHA itself (S3, a CDN): see media-url.ts. */
  mediaHosts?: readonly string[];
}

const LIDS_PAGE = 1000;

function enc(value: string): string {
  return encodeURIComponent(value);
}

export class WahaClient {
  private readonly http: AxiosInstance;
  /** For media on other hosts (presigned S3 URLs): no API key ever leaves for them. */
  private readonly foreign: AxiosInstance;
  readonly session: string;

  constructor(private readonly options: WahaClientOptions) {
    this.session = options.session;
    this.http = createHttpClient({
      upstream: 'waha',
      baseURL: options.url,
      timeoutMs: options.timeoutMs,
      headers: { 'X-Api-Key': options.apiKey, Accept: 'application/json' },
    });
    this.foreign = createHttpClient({ upstream: 'waha', baseURL: options.url, timeoutMs: options.timeoutMs, headers: {} });
  }

  /**
   * What the server is: `GET /api/server/version` (WAHA 2024.9.1+), else the older `GET /api/version`. `engine`
   * there is the container default; the session's own engine is in `getSession()`.
   */
  async serverVersion(): Promise<WahaServerVersion> {
    try {
      return (await this.http.get<WahaServerVersion>('/api/server/version')).data;
    } catch (error) {
      if (!isUpstreamError(error, 'not-found')) throw error;
      return (await this.http.get<WahaServerVersion>('/api/version')).data;
    }
  }

  /** Uptime (`GET /api/server/status`, WAHA 2024.9.1+): `startTimestamp` and `uptime` in ms, the worker's id. */
  async serverStatus(): Promise<WahaServerStatus> {
    return (await this.http.get<WahaServerStatus>('/api/server/status')).data;
  }

  /**
   * Stops the WAHA server (`POST /api/server/stop`, 2024.9.1+): gracefully, or at once with `force`. WAHA is meant to run
   * under a restart policy (Docker's `restart: always`), so this is how its app "reboots" it.
   */
  async serverStop(force: boolean): Promise<void> {
    await this.http.post('/api/server/stop', { force });
  }

  /** Every @lid ↔ phone mapping the session knows (the lids API, WAHA 2025.5.4+). */
  async lids(): Promise<WahaLid[]> {
    const all: WahaLid[] = [];
    for (let offset = 0; ; offset += LIDS_PAGE) {
      const page = (await this.http.get<WahaLid[]>(`/api/${enc(this.session)}/lids`, { params: { limit: LIDS_PAGE, offset } })).data;
      all.push(...page);
      if (page.length < LIDS_PAGE) return all;
    }
  }

  async sessions(): Promise<WahaSession[]> {
    return (await this.http.get<WahaSession[]>('/api/sessions', { params: { all: true } })).data;
  }

  async getSession(): Promise<WahaSession> {
    return (await this.http.get<WahaSession>(`/api/sessions/${enc(this.session)}`)).data;
  }

  /**
   * Starts, stops, restarts or logs out the session (`POST /api/sessions/{session}/{action}`, src/api/sessions.controller.ts;
   * 201 with the session). Logging out unpairs the phone: the session then needs a QR scan.
   */
  async sessionAction(action: SessionAction): Promise<WahaSession> {
    return (await this.http.post<WahaSession>(`/api/sessions/${enc(this.session)}/${action}`, {})).data;
  }

  /**
   * The pairing QR as a PNG (`GET /api/{session}/auth/qr`, JSON asked: `{mimetype, data}` base64; src/api/auth.controller.ts).
   * WAHA answers 422 "Can get QR code only in SCAN_QR_CODE status. The current status is '…'" otherwise.
   */
  async qr(): Promise<WahaImage> {
    const response = await this.http.get<{ mimetype?: string; data?: string }>(`/api/${enc(this.session)}/auth/qr`, { params: { format: 'image' }, headers: { Accept: 'application/json' } });
    return imageOf(response.data);
  }

  /**
   * What the session's browser shows (`GET /api/screenshot?session=`, JSON asked). Only WEBJS (and WPP) have a browser:
   * NOWEB and GOWS answer the QR while pairing and 422 "Can not get screenshot for non chrome based engine." once
   * WORKING (their session.*.core.ts getScreenshot).
   */
  async screenshot(): Promise<WahaImage> {
    const response = await this.http.get<{ mimetype?: string; data?: string }>('/api/screenshot', { params: { session: this.session }, headers: { Accept: 'application/json' } });
    return imageOf(response.data);
  }

  async me(): Promise<WahaSession['me']> {
    return (await this.http.get<WahaSession['me']>(`/api/sessions/${enc(this.session)}/me`)).data;
  }

  async chats(query: { limit?: number; offset?: number; sortBy?: string; sortOrder?: 'asc' | 'desc' } = {}): Promise<WahaChat[]> {
    return (await this.http.get<WahaChat[]>(`/api/${enc(this.session)}/chats`, { params: query })).data;
  }

  async messages(chatId: string, query: MessagesPageQuery, signal?: AbortSignal): Promise<WahaMessage[]> {
    const params: Record<string, string | number | boolean> = {
      limit: query.limit,
      offset: query.offset,
      sortBy: 'timestamp',
      sortOrder: query.sortOrder ?? 'asc',
      downloadMedia: query.downloadMedia ?? false,
    };
    if (query.gteSec !== undefined) params['filter.timestamp.gte'] = query.gteSec;
    if (query.lteSec !== undefined) params['filter.timestamp.lte'] = query.lteSec;
    if (query.fromMe !== undefined) params['filter.fromMe'] = query.fromMe;
    const response = await this.http.get<WahaMessage[]>(`/api/${enc(this.session)}/chats/${enc(chatId)}/messages`, {
      params,
      signal,
    });
    return response.data;
  }

  /** One message with its media downloaded; null when WAHA no longer has it. */
  async messageWithMedia(messageId: string, chatId = 'all', timeoutMs?: number): Promise<WahaMessage | null> {
    try {
      const response = await this.http.get<WahaMessage>(
        `/api/${enc(this.session)}/chats/${enc(chatId)}/messages/${enc(messageId)}`,
        { params: { downloadMedia: true }, timeout: timeoutMs },
      );
      return response.data;
    } catch (error) {
      if (isUpstreamError(error, 'not-found')) return null;
      throw error;
    }
  }

  /**
   * Downloads a media file: from WAHA itself (with the API key, on WAHA_URL) or from a listed storage host (without
   * it); see media-url.ts. Streamed and capped at `maxBytes`: refused on a larger Content-Length before the body is
   * read, and cut off once the bytes received pass the cap (a missing or false Content-Length). The chunks become one
   * Blob, which the ChatWoot upload sends as it is. Null when the file expired (404).
   */
  async download(url: string, maxBytes: number, timeoutMs?: number, extraHosts: readonly string[] = []): Promise<MediaDownload | null> {
    const plan = planMediaFetch(url, this.options.url, [...(this.options.mediaHosts ?? []), ...extraHosts]);
    if (plan.kind === 'refused') throw new Error(`media not fetched: ${plan.reason}`);
    const http = plan.kind === 'waha' ? this.http : this.foreign;
    let response;
    try {
      response = await http.get<Readable>(plan.url, { responseType: 'stream', timeout: timeoutMs });
    } catch (error) {
      if (isUpstreamError(error, 'not-found')) return null;
      throw error;
    }
    const stream = response.data;
    const contentType = response.headers['content-type'];
    const mimetype = typeof contentType === 'string' ? contentType : undefined;
    const declared = Number(response.headers['content-length']);
    const size = Number.isFinite(declared) && declared >= 0 ? declared : undefined;
    if (size !== undefined && size > maxBytes) {
      stream.destroy();
      return { kind: 'too-large', size };
    }
    // axios stops timing a streamed response once its headers arrive: the body gets a deadline of its own, so a
    // server that stalls mid-file cannot hold a lane or a pull. (Destroying the stream alone does not end a pending
    // read of a keep-alive response here, so the read is settled by hand.)
    const deadline = timeoutMs ?? this.options.timeoutMs;
    const body = await new Promise<{ chunks: Buffer[]; received: number } | 'too-large'>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let received = 0;
      const finish = (settle: () => void): void => {
        clearTimeout(timer);
        stream.removeAllListeners('data');
        // Late errors of a stream given up on (a reset after the destroy) are nobody's business now.
        stream.on('error', () => undefined);
        settle();
      };
      const timer = setTimeout(() => finish(() => {
        stream.destroy();
        reject(new Error(`media download stalled: no end after ${deadline} ms`));
      }), deadline);
      stream.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received <= maxBytes) return void chunks.push(chunk);
        finish(() => {
          stream.destroy();
          resolve('too-large');
        });
      });
      stream.once('end', () => finish(() => resolve({ chunks, received })));
      stream.once('error', (error: Error) => finish(() => reject(error)));
      stream.once('close', () => finish(() => reject(new Error('media download cut off before its end'))));
    });
    if (body === 'too-large') return { kind: 'too-large', size };
    const { chunks, received } = body;
    // One Blob of the chunks (a copy made once, the chunks freed after), which the upload sends without copying.
    const blob = new Blob(chunks, mimetype ? { type: mimetype } : {});
    chunks.length = 0;
    return { kind: 'file', blob, size: received, mimetype };
  }

  async lid(lid: string): Promise<{ lid: string; pn: string | null } | null> {
    try {
      return (await this.http.get<{ lid: string; pn: string | null }>(`/api/${enc(this.session)}/lids/${enc(lid)}`)).data;
    } catch (error) {
      if (isUpstreamError(error, 'not-found')) return null;
      throw error;
    }
  }

  /**
   * One page of the session's contacts, in id order (`GET /api/contacts/all`; sortBy/sortOrder/limit/offset as in
   * WAHA's OpenAPI document). Each engine lists its own fields: WEBJS whatsapp-web.js's Contact (address-book flags),
   * NOWEB its store's contacts with `pushname`, GOWS `{id, name, pushname}` (session.*.core.ts `getContacts`).
   */
  async contactsPage(query: { limit: number; offset: number }): Promise<WahaContact[]> {
    const params = { session: this.session, limit: query.limit, offset: query.offset, sortBy: 'id', sortOrder: 'asc' };
    const data = (await this.http.get<unknown>('/api/contacts/all', { params })).data;
    return Array.isArray(data) ? data.filter((item): item is WahaContact => Boolean(item) && typeof (item as WahaContact).id === 'string') : [];
  }

  /**
   * The URL of a chat's picture (a person's profile picture, a group's icon), or null without one.
   * `GET /api/{session}/chats/{id}/picture` → `{url}` since 2024.12.6 (changelog: "Get chat picture API");
   * older WAHA only has `GET /api/contacts/profile-picture` → `{profilePictureURL}`, asked when the first is 404.
   */
  async chatPicture(chatId: string): Promise<string | null> {
    try {
      const data = (await this.http.get<{ url?: string | null }>(`/api/${enc(this.session)}/chats/${enc(chatId)}/picture`)).data;
      return typeof data?.url === 'string' && data.url ? data.url : null;
    } catch (error) {
      if (!isUpstreamError(error, 'not-found')) throw error;
    }
    const data = (await this.http.get<{ profilePictureURL?: string | null }>('/api/contacts/profile-picture', { params: { session: this.session, contactId: chatId } })).data;
    return typeof data?.profilePictureURL === 'string' && data.profilePictureURL ? data.profilePictureURL : null;
  }

  async contact(contactId: string): Promise<WahaContact | null> {
    try {
      const response = await this.http.get<WahaContact>('/api/contacts', { params: { session: this.session, contactId } });
      return response.data && typeof response.data === 'object' ? response.data : null;
    } catch (error) {
      if (isUpstreamError(error, 'not-found')) return null;
      throw error;
    }
  }

  async sendText(chatId: string, text: string, replyTo?: string, extras: SendExtras = {}): Promise<{ id: string | undefined; raw: unknown }> {
    return this.send('/api/sendText', { chatId, text, reply_to: replyTo, ...extras });
  }

  async sendImage(chatId: string, file: SendFile, caption?: string, replyTo?: string, extras: SendExtras = {}): Promise<{ id: string | undefined; raw: unknown }> {
    return this.send('/api/sendImage', { chatId, file, caption, reply_to: replyTo, ...extras });
  }

  async sendFile(chatId: string, file: SendFile, caption?: string, replyTo?: string, extras: SendExtras = {}): Promise<{ id: string | undefined; raw: unknown }> {
    return this.send('/api/sendFile', { chatId, file, caption, reply_to: replyTo, ...extras });
  }

  /** `convert` (WAHA 2025.6.2 on) makes WAHA turn any video into MP4; leave it out for older servers. */
  async sendVideo(chatId: string, file: SendFile, caption?: string, replyTo?: string, extras: SendExtras = {}): Promise<{ id: string | undefined; raw: unknown }> {
    return this.send('/api/sendVideo', { chatId, file, caption, reply_to: replyTo, ...extras });
  }

  /** A voice note (no caption on WhatsApp); `convert` (2025.6.2 on) turns any audio into Opus. */
  async sendVoice(chatId: string, file: SendFile, replyTo?: string, extras: Pick<SendExtras, 'convert'> = {}): Promise<{ id: string | undefined; raw: unknown }> {
    return this.send('/api/sendVoice', { chatId, file, reply_to: replyTo, ...extras });
  }

  /** "typing…" in the chat (`POST /api/startTyping`, then `/api/stopTyping`). */
  async typing(chatId: string, on: boolean): Promise<void> {
    await this.http.post(on ? '/api/startTyping' : '/api/stopTyping', { session: this.session, chatId });
  }

  /**
   * Deletes a message for everyone ("revoke"): `DELETE /api/{session}/chats/{chatId}/messages/{messageId}` with the
   * serialized id (devlikeapro/waha src/api/chats.controller.ts deleteMessage), on every engine.
   */
  async revoke(chatId: string, messageId: string): Promise<void> {
    await this.http.delete(`/api/${enc(this.session)}/chats/${enc(chatId)}/messages/${enc(messageId)}`);
  }

  async sendSeen(chatId: string, messageIds?: string[]): Promise<void> {
    await this.http.post('/api/sendSeen', { session: this.session, chatId, messageIds });
  }

  private async send(path: string, body: Record<string, unknown>): Promise<{ id: string | undefined; raw: unknown }> {
    const response = await this.http.post<unknown>(path, { session: this.session, ...body });
    return { id: sentMessageId(response.data), raw: response.data };
  }
}

/** `GET /api/server/status` (src/structures/server.dto.ts ServerStatusResponse). */
export interface WahaServerStatus {
  startTimestamp?: number;
  uptime?: number;
  worker?: { id?: string | null } | null;
}

export type SessionAction = 'start' | 'stop' | 'restart' | 'logout';

/** An image WAHA answered as Base64File (src/structures/files.dto.ts). */
export interface WahaImage {
  mimetype: string;
  data: Buffer;
}

function imageOf(body: { mimetype?: string; data?: string } | null | undefined): WahaImage {
  if (!body || typeof body.data !== 'string') throw new Error('WAHA answered no image');
  return { mimetype: typeof body.mimetype === 'string' && body.mimetype ? body.mimetype : 'image/png', data: Buffer.from(body.data, 'base64') };
}

/**
 * Optional fields of WAHA's send requests (src/structures/chatting.dto.ts): `mentions` (JIDs, or `all` from 2025.11.1),
 * `linkPreview` (WAHA's default is on) and `linkPreviewHighQuality` on sendText, `convert` on sendVoice and sendVideo
 * (2025.6.2 on). A release that does not know a field strips it (its ValidationPipe whitelists).
 */
export interface SendExtras {
  mentions?: string[];
  linkPreview?: boolean;
  linkPreviewHighQuality?: boolean;
  convert?: boolean;
}

/** Send answers differ per engine: read `id` (string), then `id._serialized`, then `key.id`. */
export function sentMessageId(data: unknown): string | undefined {
  if (!data || typeof data !== 'object') return undefined;
  const record = data as { id?: unknown; key?: { id?: unknown; remoteJid?: unknown } };
  if (typeof record.id === 'string') return record.id;
  if (record.id && typeof record.id === 'object' && typeof (record.id as { _serialized?: unknown })._serialized === 'string') {
    return (record.id as { _serialized: string })._serialized;
  }
  if (record.key && typeof record.key.id === 'string') return record.key.id;
  return undefined;
}
