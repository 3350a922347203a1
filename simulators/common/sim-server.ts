/**
 * A tiny HTTP server kit shared by the WAHA and ChatWoot simulators.
 *
 * Simulators are strict fakes: they import nothing from the service, they answer 501 for routes they do not
 * simulate, they keep a journal of every request, and they inject faults on demand (latency, an error answer
 * for the next matching requests, or a connection dropped before or after the handler ran).
 */
import * as http from 'node:http';
import { AddressInfo } from 'node:net';

export interface SimRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  rawBody: Buffer;
  params: Record<string, string>;
  /** Parsed JSON body when the request carried JSON; undefined otherwise. */
  json: unknown;
}

export interface SimResponse {
  status: number;
  /** Serialised as JSON unless `text` or `raw` is given. */
  body?: unknown;
  text?: string;
  raw?: Buffer;
  headers?: Record<string, string>;
}

export type SimHandler = (req: SimRequest) => SimResponse | Promise<SimResponse>;

export interface FaultRule {
  method?: string;
  /** A path prefix or a regular expression the request path must match. */
  path?: string | RegExp;
  /** How many matching requests the rule applies to (default 1). */
  times?: number;
  /** Answer with this status and body instead of running the handler. */
  status?: number;
  body?: unknown;
  text?: string;
  /** `before`: destroy the socket without running the handler; `after`: run the handler, then destroy it. */
  drop?: 'before' | 'after';
  /** Extra delay for matching requests, in milliseconds. */
  delayMs?: number;
}

export interface JournalEntry {
  at: number;
  method: string;
  path: string;
  query: string;
  status: number;
  json: unknown;
  fault?: string;
}

interface Route {
  method: string;
  pattern: RegExp;
  keys: string[];
  handler: SimHandler;
}

function compile(pattern: string): { regex: RegExp; keys: string[] } {
  const keys: string[] = [];
  const source = pattern
    .split('/')
    .map((part) => {
      if (part.startsWith(':')) {
        keys.push(part.slice(1));
        return '([^/]+)';
      }
      return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return { regex: new RegExp(`^${source}/?$`), keys };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export class SimServer {
  readonly journal: JournalEntry[] = [];
  latencyMs = 0;
  journalLimit = 100_000;
  private readonly routes: Route[] = [];
  private faults: FaultRule[] = [];
  private server?: http.Server;
  private readonly sockets = new Set<import('node:net').Socket>();
  baseUrl = '';

  constructor(readonly name: string) {
    this.route('GET', '/_sim/journal', () => ({ status: 200, body: this.journal }));
    this.route('POST', '/_sim/faults', (req) => {
      this.addFault(req.json as FaultRule);
      return { status: 200, body: { ok: true } };
    });
    this.route('DELETE', '/_sim/faults', () => {
      this.faults = [];
      return { status: 200, body: { ok: true } };
    });
    this.route('POST', '/_sim/latency', (req) => {
      this.latencyMs = Number((req.json as { ms?: number }).ms ?? 0);
      return { status: 200, body: { ok: true } };
    });
  }

  route(method: string, pattern: string, handler: SimHandler): this {
    const { regex, keys } = compile(pattern);
    this.routes.push({ method, pattern: regex, keys, handler });
    return this;
  }

  /** Inject a fault for the next matching requests. Regular expressions only work in-process. */
  addFault(rule: FaultRule): void {
    const path = typeof rule.path === 'string' && rule.path.startsWith('^') ? new RegExp(rule.path) : rule.path;
    this.faults.push({ times: 1, ...rule, path });
  }

  failNext(rule: FaultRule): void {
    this.addFault(rule);
  }

  dropAfterWrite(rule: Omit<FaultRule, 'drop'>): void {
    this.addFault({ ...rule, drop: 'after' });
  }

  clearFaults(): void {
    this.faults = [];
  }

  clearJournal(): void {
    this.journal.length = 0;
  }

  requests(method: string, path: string | RegExp): JournalEntry[] {
    return this.journal.filter(
      (e) => e.method === method && (typeof path === 'string' ? e.path === path : path.test(e.path)),
    );
  }

  async listen(port = 0, host = '127.0.0.1'): Promise<string> {
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) {
          res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: String(error) }));
        }
      });
    });
    this.server.keepAliveTimeout = 65_000;
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => this.server!.listen(port, host, resolve));
    const address = this.server.address() as AddressInfo;
    this.baseUrl = `http://${host}:${address.port}`;
    return this.baseUrl;
  }

  async close(): Promise<void> {
    if (!this.server) return;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
    this.server = undefined;
  }

  /**
   * Hook for subclasses: the configured latency, applied to every non-control request before faults and
   * `before()`. A subclass that models capacity overrides it to wait while holding a slot instead.
   */
  protected async applyLatency(_req: SimRequest): Promise<void> {
    if (this.latencyMs > 0) await sleep(this.latencyMs);
  }

  /** Hook for subclasses: answer before routing (auth, rate limits, capacity). */
  protected async before(_req: SimRequest): Promise<SimResponse | undefined> {
    return undefined;
  }

  /** Hook for subclasses: called when a request finished (to release capacity slots etc.). */
  protected after(_req: SimRequest): void {}

  private takeFault(req: SimRequest): FaultRule | undefined {
    const index = this.faults.findIndex((f) => {
      if (f.method && f.method !== req.method) return false;
      if (f.path instanceof RegExp) return f.path.test(req.path);
      if (typeof f.path === 'string') return req.path.startsWith(f.path);
      return true;
    });
    if (index < 0) return undefined;
    const fault = this.faults[index];
    fault.times = (fault.times ?? 1) - 1;
    if (fault.times <= 0) this.faults.splice(index, 1);
    return fault;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const rawBody = Buffer.concat(chunks);
    const url = new URL(req.url ?? '/', 'http://sim');
    const contentType = String(req.headers['content-type'] ?? '');
    let json: unknown;
    if (contentType.includes('application/json') && rawBody.length > 0) {
      try {
        json = JSON.parse(rawBody.toString('utf8'));
      } catch {
        json = undefined;
      }
    }
    const simReq: SimRequest = {
      method: req.method ?? 'GET',
      path: decodeURIComponent(url.pathname),
      query: url.searchParams,
      headers: req.headers,
      rawBody,
      params: {},
      json,
    };
    const isControl = simReq.path.startsWith('/_sim/');
    const entry: JournalEntry = {
      at: Date.now(),
      method: simReq.method,
      path: simReq.path,
      query: url.search,
      status: 0,
      json,
    };
    if (!isControl && this.journal.length < this.journalLimit) this.journal.push(entry);

    const fault = isControl ? undefined : this.takeFault(simReq);
    if (!isControl) await this.applyLatency(simReq);
    if (fault?.delayMs) await sleep(fault.delayMs);
    if (fault?.drop === 'before') {
      entry.fault = 'drop-before';
      req.socket.destroy();
      return;
    }
    if (fault && fault.status !== undefined && !fault.drop) {
      entry.fault = `status-${fault.status}`;
      this.send(res, entry, { status: fault.status, body: fault.body, text: fault.text });
      return;
    }

    let response: SimResponse | undefined;
    try {
      response = isControl ? undefined : await this.before(simReq);
      if (!response) {
        response = await this.dispatch(simReq);
      }
    } finally {
      if (!isControl) this.after(simReq);
    }
    if (fault?.drop === 'after') {
      entry.fault = 'drop-after';
      entry.status = response.status;
      req.socket.destroy();
      return;
    }
    this.send(res, entry, response);
  }

  private async dispatch(req: SimRequest): Promise<SimResponse> {
    for (const route of this.routes) {
      if (route.method !== req.method) continue;
      const match = route.pattern.exec(req.path);
      if (!match) continue;
      route.keys.forEach((key, i) => (req.params[key] = match[i + 1]));
      return route.handler(req);
    }
    return { status: 501, body: { error: `${this.name} simulator does not simulate ${req.method} ${req.path}` } };
  }

  private send(res: http.ServerResponse, entry: JournalEntry, response: SimResponse): void {
    entry.status = response.status;
    const headers: Record<string, string> = { ...(response.headers ?? {}) };
    let payload: Buffer | string;
    if (response.raw) {
      payload = response.raw;
      headers['content-type'] ??= 'application/octet-stream';
    } else if (response.text !== undefined) {
      payload = response.text;
      headers['content-type'] ??= 'text/plain; charset=utf-8';
    } else {
      payload = response.body === undefined ? '' : JSON.stringify(response.body);
      headers['content-type'] ??= 'application/json; charset=utf-8';
    }
    res.writeHead(response.status, headers);
    res.end(payload);
  }
}

/** Parse a listening port/host from the environment for the standalone simulators. */
export function envNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new Error(`${name} must be a number, got "${raw}"`);
  return value;
}
