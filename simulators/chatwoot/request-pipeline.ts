/**
 * What every ChatWoot API request goes through before its route: a Puma-like capacity slot (with a proxy queue
 * that answers 503 when full), Rack::Attack-like fixed windows (429), the configured latency served while holding
 * the slot, and `api_access_token` auth. Also the per-account contact search limit.
 */
import { SimRequest, SimResponse, sleep } from '../common/sim-server';
import { FifoSemaphore, FixedWindowCounter } from './capacity';
import { NOT_FOUND_BODY } from './chatwoot-types';
import { StatsRecorder } from './sim-stats';
import { ResolvedOptions } from './simulator-types';

const TEXT_PLAIN = { 'content-type': 'text/plain' };

export class RequestPipeline {
  private readonly slots: FifoSemaphore;
  private readonly holding = new WeakSet<SimRequest>();
  private readonly requestWindow = new FixedWindowCounter();
  private readonly searchWindow = new FixedWindowCounter();

  /** `latencyMs` is read when a request got its slot, so a change applies to requests already queued. */
  constructor(
    private readonly options: ResolvedOptions,
    private readonly stats: StatsRecorder,
    private readonly latencyMs: () => number,
  ) {
    this.slots = new FifoSemaphore(options.capacity);
  }

  /** Requests holding a slot / waiting for one. */
  get load(): { active: number; queued: number } {
    return { active: this.slots.inUse, queued: this.slots.queued };
  }

  setCapacity(capacity: number): void {
    this.slots.setCapacity(capacity);
  }

  /** Forgets both rate-limit windows. */
  reset(): void {
    this.requestWindow.reset();
    this.searchWindow.reset();
  }

  /** The server's `before()` hook: an answer refuses the request; undefined lets it through, holding a slot. */
  async admit(req: SimRequest): Promise<SimResponse | undefined> {
    this.stats.countRequest();
    const admission = this.slots.acquire(this.options.capacity * 2);
    this.stats.notePeak(this.slots.inUse, this.slots.queued);
    const admitted = await admission;
    if (!admitted) {
      this.stats.countStatus(503);
      return { status: 503, text: 'Service Unavailable\n', headers: TEXT_PLAIN };
    }
    this.holding.add(req);
    const rateLimit = this.options.rateLimit;
    if (rateLimit) {
      const now = Date.now();
      const allowed = this.requestWindow.hit(rateLimit.limit, rateLimit.periodSec, now);
      this.stats.countWindow(Math.floor(now / 1000 / rateLimit.periodSec), allowed);
      if (!allowed) {
        this.stats.countStatus(429);
        return { status: 429, text: 'Retry later\n', headers: TEXT_PLAIN };
      }
    }
    const latencyMs = this.latencyMs();
    if (latencyMs > 0) await sleep(latencyMs);
    const refused = this.authenticate(req);
    if (refused) this.stats.countStatus(refused.status);
    return refused;
  }

  /** The server's `after()` hook: gives the slot back. */
  release(req: SimRequest): void {
    if (this.holding.delete(req)) this.slots.release();
  }

  /** RATE_LIMIT_CONTACT_SEARCH (fixed window per account per minute): the 429 answer once it is spent. */
  contactSearchRefusal(): SimResponse | undefined {
    const limit = this.options.contactSearchPerMinute;
    if (limit !== null && !this.searchWindow.hit(limit, 60)) {
      return { status: 429, text: 'Retry later\n', headers: TEXT_PLAIN };
    }
    return undefined;
  }

  private authenticate(req: SimRequest): SimResponse | undefined {
    if (!req.path.startsWith('/api/')) return undefined;
    const header = req.headers['api_access_token'];
    const token = Array.isArray(header) ? header[0] : header;
    if (token === undefined || token === '') {
      return { status: 401, body: { errors: ['You need to sign in or sign up before continuing.'] } };
    }
    if (token !== this.options.token) return { status: 401, body: { error: 'Invalid Access Token' } };
    const account = /^\/api\/v1\/accounts\/([^/]+)/.exec(req.path);
    if (account) {
      if (!/^\d+$/.test(account[1])) return { status: 404, body: NOT_FOUND_BODY };
      if (Number(account[1]) !== this.options.accountId) {
        return { status: 401, body: { error: 'You are not authorized to access this account' } };
      }
    }
    return undefined;
  }
}
