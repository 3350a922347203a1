/**
 * The lean path for ChatWoot's webhooks, in front of Express and Nest.
 *
 * Every message the bridge imports comes back as a signed `message_created` webhook (ChatWoot echoes all messages
 * of the inbox), so during a pull most requests this process receives are echoes to drop: through Express's and
 * Nest's pipelines (query parser, body parser, router, guards, parameter decorators, serializer) they cost about
 * as much CPU as importing the message did, and agent replies arriving in bursts queued behind them. Here a
 * webhook is read, verified on the raw bytes, decided and written to Redis (chatwoot-webhook.intake.ts) straight
 * on Node's request, and answered as the controller would: 200 `{"success":true,"action":…}`, or 503 when Redis
 * cannot take it.
 *
 * Refusals go on to Express with the body already read (`req.body` and `req.rawBody` set, the body parser told it
 * has run) and the admission attached, so Nest renders them (401, 404, 415) without deciding again. Requests this
 * path does not fully understand (another media type, no Content-Length, a body over the limit, a compressed body)
 * are not touched at all: Express and the controller answer them as before (413, 415…). ChatWoot sends its
 * webhooks as the fast path expects: a JSON string posted with RestClient, `content_type: :json`, and the signature
 * headers (chatwoot/chatwoot lib/webhooks/trigger.rb); RestClient gives a string payload its Content-Length.
 */
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { Acted, ChatwootAdmission, ChatwootWebhookIntake } from './chatwoot-webhook.intake';

const PREFIX = '/webhooks/chatwoot/';
const ADMISSION = Symbol('chatwootAdmission');
const IGNORED = Buffer.from('{"success":true,"action":"ignored"}');
const JSON_TYPE = 'application/json; charset=utf-8';

interface FastPathRequest extends IncomingMessage {
  [ADMISSION]?: ChatwootAdmission;
  body?: unknown;
  rawBody?: Buffer;
  /** body-parser skips a request that has it. */
  _body?: boolean;
}

/** The admission the fast path made for this request, if it did. */
export function admissionOf(req: object): ChatwootAdmission | undefined {
  return (req as FastPathRequest)[ADMISSION];
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

function decode(part: string): string | undefined {
  try {
    return decodeURIComponent(part);
  } catch {
    return undefined;
  }
}

/** `{session, appId, token}` of `/webhooks/chatwoot/{session}/{appId}[?token=…]`, or undefined for any other URL. */
function route(url: string): { session: string; appId: string; token?: string } | undefined {
  if (!url.startsWith(PREFIX)) return undefined;
  const q = url.indexOf('?');
  const parts = url.slice(PREFIX.length, q < 0 ? undefined : q).split('/');
  if (parts.length !== 2 || !parts[0] || !parts[1]) return undefined;
  const session = decode(parts[0]);
  const appId = decode(parts[1]);
  if (session === undefined || appId === undefined) return undefined;
  const tokens = q < 0 ? [] : new URLSearchParams(url.slice(q + 1)).getAll('token');
  return { session, appId, token: tokens.length === 1 ? tokens[0] : undefined };
}

/** Reads the whole body (its length is known and within the limit). */
function readBody(req: IncomingMessage, length: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, length)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(text) }).end(text);
}

export class WebhookFastPath {
  constructor(
    private readonly intake: ChatwootWebhookIntake,
    private readonly bodyLimitBytes: number,
    private readonly logger: Logger,
  ) {}

  /** Puts the fast path in front of the server's own request handler (Express). */
  install(server: Server): void {
    const next = server.listeners('request') as RequestListener[];
    server.removeAllListeners('request');
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      const pass = (): void => {
        for (const listener of next) listener.call(server, req, res);
      };
      if (!this.take(req, res, pass)) pass();
    });
  }

  /** True when this path handles the request (answering it, or passing a refusal on once read). */
  take(req: FastPathRequest, res: ServerResponse, pass: () => void): boolean {
    if (req.method !== 'POST' || !req.url) return false;
    const target = route(req.url);
    if (!target) return false;
    const type = header(req, 'content-type')?.split(';')[0].trim().toLowerCase();
    const lengthHeader = header(req, 'content-length');
    const encoding = header(req, 'content-encoding')?.trim().toLowerCase();
    if (type !== 'application/json' || !lengthHeader || !/^\d+$/.test(lengthHeader) || (encoding && encoding !== 'identity')) return false;
    const length = Number(lengthHeader);
    if (length > this.bodyLimitBytes) return false;
    readBody(req, length).then(
      (raw) => {
        // What Nest does with an exception nobody expected: log it and answer 500, rather than leave the request
        // hanging and the rejection unhandled (which ends the process).
        try {
          this.handle(req, res, raw, target, pass);
        } catch (error) {
          this.logger.error({ err: error, url: req.url }, 'webhook fast path failed');
          if (!res.headersSent) send(res, 500, { statusCode: 500, message: 'Internal server error' });
        }
      },
      () => req.destroy(),
    );
    return true;
  }

  private handle(req: FastPathRequest, res: ServerResponse, raw: Buffer, target: { session: string; appId: string; token?: string }, pass: () => void): void {
    let body: unknown;
    try {
      body = raw.length === 0 ? {} : JSON.parse(raw.toString('utf8'));
    } catch {
      body = undefined;
    }
    // What the JSON body parser would refuse (not JSON, or a bare value): 400.
    if (body === undefined || body === null || typeof body !== 'object') {
      send(res, 400, { statusCode: 400, message: 'The body is not a JSON object', error: 'Bad Request' });
      return;
    }
    const admission = this.intake.admit({
      session: target.session,
      appId: target.appId,
      json: true,
      credentials: { signature: header(req, 'x-chatwoot-signature'), timestamp: header(req, 'x-chatwoot-timestamp'), token: target.token },
      rawBody: raw,
      body,
    });
    if (admission.kind === 'ignored') {
      res.writeHead(200, { 'content-type': JSON_TYPE, 'content-length': IGNORED.length }).end(IGNORED);
      return;
    }
    if (admission.kind === 'act') {
      this.intake.act(admission).then(
        (acted: Acted) => send(res, 200, acted),
        // Nest's body for an HttpException(message, 503), as the controller answers it.
        (error: unknown) => send(res, 503, { statusCode: 503, message: error instanceof Error ? error.message : String(error) }),
      );
      return;
    }
    req.body = body;
    req.rawBody = raw;
    req._body = true;
    req[ADMISSION] = admission;
    pass();
  }
}
