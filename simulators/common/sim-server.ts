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
  /** The percent-decoded path (what the journal shows and `decoded` routing matches). */
  path: string;
  /** The path as sent, still percent-encoded (what `rails` routing matches). */
  rawPath: string;
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
  /** A large body produced while it is sent (a file of gigabytes is never held): piped as it is. */
  stream?: () => NodeJS.ReadableStream;
  headers?: Record<string, string>;
}

export type SimHandler = (req: SimRequest) => SimResponse | Promise<SimResponse>;

export interface FaultRule {
  method?: string;
  /** A path prefix or a regular expression the request path must match. */
  path?: string | RegExp;
  /** How many matching requests the rule applies to (default 1; unlimited with `forMs`). */
  times?: number;
  /**
   * An outage: the rule applies to every matching request for this long from now (a ChatWoot deploy answering 503
   * for minutes, a WAHA that is down), whatever `times` says.
   */
  forMs?: number;
  /** When a `forMs` rule ends (ms since epoch); set when the rule is added. */
  until?: number;
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

/**
 * How a simulator matches paths to routes.
 * - `decoded`: the percent-decoded path; a `:param` is any run of characters but `/`.
 * - `rails`: like Rails' router (actionpack journey): the raw, still percent-encoded path; a `:param` matches
 *   `[^/.?]+` (Journey::Nodes::Symbol::DEFAULT_EXP, turned into `([^/.?]+)` by Journey::Path::Pattern), a `*glob`
 *   anything, every route takes an optional `.:format` suffix (`resources` routes end in `(.:format)`), and the
 *   captured values are percent-decoded afterwards (Journey::Router#find_routes unescapes each match).
 */
export type RoutingStyle = 'decoded' | 'rails';

export interface SimServerOptions {
  routing?: RoutingStyle;
}

interface Route {
  method: string;
  /** The pattern as registered (`/api/:session/chats`), for whoever needs to know which route answered. */
  template: string;
  pattern: RegExp;
  keys: string[];
  /** The same pattern matched leniently on the decoded path (`rails` routing: tells "no such route" apart). */
  lenient?: RegExp;
  handler: SimHandler;
}

const escapeRegex = (part: string): string => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function compile(pattern: string, routing: RoutingStyle): { regex: RegExp; keys: string[] } {
  const keys: string[] = [];
  const source = pattern
    .split('/')
    .map((part) => {
      if (part.startsWith(':')) {
        keys.push(part.slice(1));
        return routing === 'rails' ? '([^/.?]+)' : '([^/]+)';
      }
      if (part.startsWith('*')) {
        keys.push(part.slice(1));
        return '(.+)';
      }
      return escapeRegex(part);
    })
    .join('/');
  if (routing === 'rails') {
    keys.push('format');
    return { regex: new RegExp(`^${source}(?:\\.([^/.?]+))?/?$`), keys };
  }
  return { regex: new RegExp(`^${source}/?$`), keys };
}

function decodeSegment(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}

/**
 * Rails' own 404 (no route, or a RecordNotFound nothing rescues), rendered by its exceptions app
 * (ActionDispatch::PublicExceptions): `{"status":404,"error":"Not Found"}` when the client asks for JSON, the
 * public 404 page otherwise.
 */
export function railsNotFound(req: SimRequest): SimResponse {
  if (String(req.headers.accept ?? '').includes('json'))
    return { status: 404, body: { status: 404, error: 'Not Found' } };
  return {
    status: 404,
    text: '<!doctype html><html><body><h1>The page you were looking for doesn’t exist.</h1></body></html>\n',
    headers: { 'content-type': 'text/html; charset=utf-8' },
  };
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
  private readonly routing: RoutingStyle;
  baseUrl = '';
  /**
   * Serve the API under this path prefix, as behind a reverse proxy that forwards `<prefix>/…` (control routes
   * stay at `/_sim/`). Requests outside the prefix get the proxy's plain 404. Default '' (none).
   */
  pathPrefix = '';

  constructor(
    readonly name: string,
    options: SimServerOptions = {},
  ) {
    this.routing = options.routing ?? 'decoded';
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
    const { regex, keys } = compile(pattern, this.routing);
    const lenient = this.routing === 'rails' ? compile(pattern, 'decoded').regex : undefined;
    this.routes.push({ method, template: pattern, pattern: regex, keys, lenient, handler });
    return this;
  }

  /** Every route as registered (control routes included), in matching order. */
  routeTemplates(): { method: string; template: string }[] {
    return this.routes.map(({ method, template }) => ({ method, template }));
  }

  /** Inject a fault for the next matching requests. Regular expressions only work in-process. */
  addFault(rule: FaultRule): void {
    const path = typeof rule.path === 'string' && rule.path.startsWith('^') ? new RegExp(rule.path) : rule.path;
    if (rule.forMs !== undefined) this.faults.push({ ...rule, path, times: Infinity, until: Date.now() + rule.forMs });
    else this.faults.push({ times: 1, ...rule, path });
  }

  /**
   * The server is stopped (a container restarting): open connections are cut and new ones refused for `forMs`,
   * then it listens again on the same address. Resolves once it is back.
   */
  async down(forMs: number): Promise<void> {
    const { hostname, port } = new URL(this.baseUrl);
    await this.stopListening();
    await sleep(forMs);
    await this.listen(Number(port), hostname);
  }

  /** Every matching request fails as `rule` says for `forMs` (an outage); see FaultRule. */
  outage(forMs: number, rule: Omit<FaultRule, 'forMs' | 'times' | 'until'>): void {
    this.addFault({ ...rule, forMs });
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
    await this.stopListening();
  }

  /** Cuts every connection and stops listening; the simulator's state (and its outgoing webhooks) stay. */
  protected async stopListening(): Promise<void> {
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

  /**
   * Hook for subclasses: a last check of an API request once its route is known (`template` is the route's
   * pattern as registered), before the handler runs; an answer refuses it. Control routes skip it.
   */
  protected async checkRequest(_req: SimRequest, _template: string): Promise<SimResponse | undefined> {
    return undefined;
  }

  /**
   * `rails` routing: a path that fits a route only once its dots count as ordinary characters matches no route
   * in Rails, which answers 404 (ActionController::RoutingError).
   */
  protected noRouteMatches(req: SimRequest): SimResponse {
    return railsNotFound(req);
  }

  private takeFault(req: SimRequest): FaultRule | undefined {
    const now = Date.now();
    if (this.faults.some((f) => f.until !== undefined && f.until <= now)) this.faults = this.faults.filter((f) => f.until === undefined || f.until > now);
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
      path: decodeSegment(url.pathname),
      rawPath: url.pathname,
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
    if (!isControl && this.pathPrefix !== '' && !this.stripPrefix(simReq)) {
      this.send(res, entry, { status: 404, text: 'Not Found\n' });
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

  /** Takes the path prefix off the request's paths; false when the request is outside the prefix. */
  private stripPrefix(req: SimRequest): boolean {
    const prefix = this.pathPrefix.replace(/\/+$/, '');
    const inside = (path: string): boolean => path === prefix || path.startsWith(`${prefix}/`);
    if (!inside(req.path) || !inside(req.rawPath)) return false;
    req.path = req.path.slice(prefix.length) || '/';
    req.rawPath = req.rawPath.slice(prefix.length) || '/';
    return true;
  }

  private async dispatch(req: SimRequest): Promise<SimResponse> {
    const rails = this.routing === 'rails';
    const path = rails ? req.rawPath : req.path;
    let nearMiss = false;
    for (const route of this.routes) {
      if (route.method !== req.method) continue;
      const match = route.pattern.exec(path);
      if (!match) {
        if (route.lenient?.test(req.path)) nearMiss = true;
        continue;
      }
      route.keys.forEach((key, i) => {
        const value = match[i + 1];
        if (value !== undefined) req.params[key] = rails ? decodeSegment(value) : value;
      });
      if (!req.path.startsWith('/_sim/')) {
        const refusal = await this.checkRequest(req, route.template);
        if (refusal) return refusal;
      }
      return route.handler(req);
    }
    if (nearMiss) return this.noRouteMatches(req);
    return { status: 501, body: { error: `${this.name} simulator does not simulate ${req.method} ${req.path}` } };
  }

  private send(res: http.ServerResponse, entry: JournalEntry, response: SimResponse): void {
    entry.status = response.status;
    const headers: Record<string, string> = { ...(response.headers ?? {}) };
    let payload: Buffer | string;
    if (response.stream) {
      headers['content-type'] ??= 'application/octet-stream';
      res.writeHead(response.status, headers);
      const body = response.stream();
      body.on('error', () => res.destroy());
      res.on('close', () => (body as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.());
      body.pipe(res);
      return;
    }
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
