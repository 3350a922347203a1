/**
 * Every failed call to WAHA or ChatWoot becomes one `UpstreamError` whose `kind` tells callers what to do:
 *
 * - `rate-limited`: 429 `Retry later` (Rack::Attack). Wait for the next window.
 * - `flood`: 422 `Too many messages` (ChatWoot's per-conversation limit). Wait for that conversation's window.
 * - `unavailable`: 502/503/504 or a refused connection: the request was not processed. Retry with backoff.
 * - `server`: other 5xx: the request failed. Retry with backoff.
 * - `unknown-outcome`: timeout or a connection dropped after the request was sent. A write may have happened;
 *   look before retrying it.
 * - `auth`: 401/403. Retrying does not help; tell the operator.
 * - `not-found`: 404.
 * - `client`: other 4xx (validation), and 501 Not Implemented. Retrying the same request does not help.
 */
export type UpstreamErrorKind =
  | 'rate-limited'
  | 'flood'
  | 'unavailable'
  | 'server'
  | 'unknown-outcome'
  | 'auth'
  | 'not-found'
  | 'client';

export type Upstream = 'chatwoot' | 'waha';

export class UpstreamError extends Error {
  constructor(
    readonly upstream: Upstream,
    readonly kind: UpstreamErrorKind,
    readonly status: number | undefined,
    readonly method: string,
    readonly path: string,
    readonly body: unknown,
    message: string,
  ) {
    super(message);
    this.name = 'UpstreamError';
  }

  /** Worth retrying the same request later (an unknown outcome included). */
  get transient(): boolean {
    return ['rate-limited', 'flood', 'unavailable', 'server', 'unknown-outcome'].includes(this.kind);
  }

  /** What the upstream said: the `message` of its JSON answer (NestJS's and Rails' error bodies), else ours. */
  get reason(): string {
    const body = this.body as { message?: unknown } | null;
    return body && typeof body === 'object' && typeof body.message === 'string' ? body.message : this.message;
  }
}

export function isUpstreamError(error: unknown, kind?: UpstreamErrorKind): error is UpstreamError {
  return error instanceof UpstreamError && (kind === undefined || error.kind === kind);
}

/** The upstream answered and refused: asking again the same way cannot help (not an outage, not a lost answer). */
export function isRefusal(error: unknown): error is UpstreamError {
  return isUpstreamError(error) && !error.transient;
}

const REFUSED_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

function bodyText(body: unknown): string {
  if (body === undefined || body === null || body === '') return '';
  if (typeof body === 'string') return body.trim().slice(0, 300);
  if (Buffer.isBuffer(body)) return body.toString('utf8').trim().slice(0, 300);
  try {
    return JSON.stringify(body).slice(0, 300);
  } catch {
    return Object.prototype.toString.call(body);
  }
}

/** Classify an HTTP answer or a transport failure. `status` is undefined when no answer arrived. */
export function classify(
  upstream: Upstream,
  method: string,
  path: string,
  status: number | undefined,
  body: unknown,
  transportCode?: string,
): UpstreamError {
  const text = bodyText(body);
  const where = `${upstream} ${method.toUpperCase()} ${path}`;
  if (status === undefined) {
    const refused = transportCode !== undefined && REFUSED_CODES.has(transportCode);
    return new UpstreamError(
      upstream,
      refused ? 'unavailable' : 'unknown-outcome',
      undefined,
      method,
      path,
      body,
      `${where}: ${refused ? 'cannot connect' : 'no answer'} (${transportCode ?? 'unknown error'})`,
    );
  }
  let kind: UpstreamErrorKind;
  if (status === 429) kind = 'rate-limited';
  else if (status === 422 && /too many messages/i.test(text)) kind = 'flood';
  else if (status === 401 || status === 403) kind = 'auth';
  else if (status === 404) kind = 'not-found';
  else if (status === 502 || status === 503 || status === 504) kind = 'unavailable';
  // 501: the method is not implemented (by this WAHA engine or tier, since WAHA 2025.6.6): asking again cannot help.
  else if (status === 501) kind = 'client';
  else if (status >= 500) kind = 'server';
  else kind = 'client';
  return new UpstreamError(upstream, kind, status, method, path, body, `${where}: HTTP ${status}${text ? ` ${text}` : ''}`);
}
