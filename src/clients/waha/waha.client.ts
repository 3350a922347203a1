/**
 * WAHA repository: one instance per app (WAHA URL, key and session). Methods return typed data or throw
 * `UpstreamError`.
 */
import { AxiosInstance } from 'axios';
import { createHttpClient } from '../http/http-client';
import {
  MessagesPageQuery,
  SendFile,
  WahaChat,
  WahaContact,
  WahaMessage,
  WahaSession,
} from './waha.types';
import { isUpstreamError } from '../http/http-error';

export interface WahaClientOptions {
  url: string;
  apiKey: string;
  session: string;
  timeoutMs: number;
}

function enc(value: string): string {
  return encodeURIComponent(value);
}

export class WahaClient {
  private readonly http: AxiosInstance;
  readonly session: string;

  constructor(options: WahaClientOptions) {
    this.session = options.session;
    this.http = createHttpClient({
      upstream: 'waha',
      baseURL: options.url,
      timeoutMs: options.timeoutMs,
      headers: { 'X-Api-Key': options.apiKey, Accept: 'application/json' },
    });
  }

  async sessions(): Promise<WahaSession[]> {
    return (await this.http.get<WahaSession[]>('/api/sessions', { params: { all: true } })).data;
  }

  async getSession(): Promise<WahaSession> {
    return (await this.http.get<WahaSession>(`/api/sessions/${enc(this.session)}`)).data;
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

  /** Download a media file WAHA serves under /api/files (absolute URL or path); null when it expired. */
  async download(url: string, timeoutMs?: number): Promise<{ data: Buffer; mimetype?: string } | null> {
    const path = url.startsWith('http') ? new URL(url).pathname + new URL(url).search : url;
    try {
      const response = await this.http.get<ArrayBuffer>(path, { responseType: 'arraybuffer', timeout: timeoutMs });
      const contentType = response.headers['content-type'];
      return { data: Buffer.from(response.data), mimetype: typeof contentType === 'string' ? contentType : undefined };
    } catch (error) {
      if (isUpstreamError(error, 'not-found')) return null;
      throw error;
    }
  }

  async lid(lid: string): Promise<{ lid: string; pn: string | null } | null> {
    try {
      return (await this.http.get<{ lid: string; pn: string | null }>(`/api/${enc(this.session)}/lids/${enc(lid)}`)).data;
    } catch (error) {
      if (isUpstreamError(error, 'not-found')) return null;
      throw error;
    }
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

  async sendText(chatId: string, text: string, replyTo?: string): Promise<{ id: string | undefined; raw: unknown }> {
    return this.send('/api/sendText', { chatId, text, reply_to: replyTo });
  }

  async sendImage(chatId: string, file: SendFile, caption?: string, replyTo?: string): Promise<{ id: string | undefined; raw: unknown }> {
    return this.send('/api/sendImage', { chatId, file, caption, reply_to: replyTo });
  }

  async sendFile(chatId: string, file: SendFile, caption?: string, replyTo?: string): Promise<{ id: string | undefined; raw: unknown }> {
    return this.send('/api/sendFile', { chatId, file, caption, reply_to: replyTo });
  }

  async sendSeen(chatId: string, messageIds?: string[]): Promise<void> {
    await this.http.post('/api/sendSeen', { session: this.session, chatId, messageIds });
  }

  private async send(path: string, body: Record<string, unknown>): Promise<{ id: string | undefined; raw: unknown }> {
    const response = await this.http.post<unknown>(path, { session: this.session, ...body });
    return { id: sentMessageId(response.data), raw: response.data };
  }
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
