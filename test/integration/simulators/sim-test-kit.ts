/**
 * What the simulator specs share: a webhook receiver, a WAHA caller with the API key, and a ChatWoot caller.
 */
import * as http from 'node:http';
import { AddressInfo } from 'node:net';

/** JSON.parse's own result type: answers are checked field by field by the assertions. */
export type Json = ReturnType<typeof JSON.parse>;

export const WAHA_KEY = 'test-key';
export const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
export const NOW_SEC = Math.floor(NOW / 1000);

export interface Answer {
  status: number;
  body: Json;
  headers: Headers;
  bytes: Buffer;
}

/** One HTTP request; the body is JSON unless it is FormData; the answer parsed as JSON when it says so. */
export async function request(
  url: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { ...(init.headers ?? {}) };
  let body: FormData | string | undefined;
  if (init.body instanceof FormData) body = init.body;
  else if (init.body !== undefined) {
    headers['Content-Type'] ??= 'application/json';
    body = JSON.stringify(init.body);
  }
  const response = await fetch(url, { method: init.method ?? 'GET', headers, body });
  const bytes = Buffer.from(await response.arrayBuffer());
  const type = response.headers.get('content-type') ?? '';
  const text = bytes.toString('utf8');
  return {
    status: response.status,
    body: type.includes('json') && text !== '' ? JSON.parse(text) : text,
    headers: response.headers,
    bytes,
  };
}

/** A WAHA call with the test API key (`key: null` sends none). */
export function waha(
  base: string,
  path: string,
  init: { method?: string; body?: unknown; key?: string | null; headers?: Record<string, string> } = {},
): Promise<Answer> {
  const key = init.key === undefined ? WAHA_KEY : init.key;
  return request(`${base}${path}`, {
    method: init.method,
    body: init.body,
    headers: { ...(key === null ? {} : { 'X-Api-Key': key }), ...(init.headers ?? {}) },
  });
}

export function messagesPath(chatId: string, params: Record<string, string | number | boolean> = {}): string {
  const query = new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]));
  return `/api/default/chats/${encodeURIComponent(chatId)}/messages?${query.toString()}`;
}

/** A ChatWoot API call for account 1 with the default token. */
export function chatwoot(
  base: string,
  path: string,
  init: { method?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Answer> {
  return request(`${base}/api/v1/accounts/1${path}`, {
    method: init.method,
    body: init.body,
    headers: { api_access_token: 'cw-token', Accept: 'application/json', ...(init.headers ?? {}) },
  });
}

export interface Hook {
  headers: http.IncomingHttpHeaders;
  raw: string;
  json: Json;
}

/** Receives webhooks and answers 200, or the statuses queued in `answers` (first in, first out). */
export class HookReceiver {
  readonly hooks: Hook[] = [];
  readonly answers: number[] = [];
  private server?: http.Server;
  url = '';

  async start(): Promise<this> {
    this.server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        this.hooks.push({ headers: req.headers, raw, json: JSON.parse(raw) });
        res.writeHead(this.answers.shift() ?? 200);
        res.end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
    return this;
  }

  events(name: string): Hook[] {
    return this.hooks.filter((h) => h.json.event === name);
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}
