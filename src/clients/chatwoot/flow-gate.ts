/**
 * Flow control for every request this process sends to ChatWoot.
 *
 * - Capacity: an adaptive concurrency limit (additive increase while latency stays near its baseline,
 *   multiplicative decrease on 503s, timeouts and latency growth). Live relay traffic goes ahead of bulk imports.
 * - Rack::Attack (429 `Retry later`, fixed windows aligned to the epoch): every process waits for the next window
 *   (with jitter), and the number of requests the window allowed is remembered in Redis so later windows are paced
 *   just below it instead of hitting the limit again.
 * - The per-conversation flood limit (422 `Too many messages`, a rolling minute): that conversation waits until its
 *   oldest message leaves the window, then is paced at the rate ChatWoot accepted.
 *
 * Requests refused for one of these reasons were not processed by ChatWoot, so the gate retries them itself.
 * Everything else is thrown to the caller.
 */
import type { RedisClient } from '../../redis/redis-connection';
import { isUpstreamError, UpstreamError } from '../http/http-error';
import { backoffDelay } from '../../common/backoff';
import { sleep } from '../../common/sleep';
import { reportWait } from '../../common/wait-reporter';

export type Priority = 'live' | 'bulk';

/** A flood 422 without a conversation to pace: back off 1 s, 2 s, … up to 32 s. */
const FLOOD_BACKOFF = { baseMs: 1000, maxMs: 32_000, jitterMs: 250 };
/** 503 and refused connections: 200 ms doubling up to 10 s. */
const UNAVAILABLE_BACKOFF = { baseMs: 200, maxMs: 10_000, jitterMs: 250 };

export interface FlowGateOptions {
  maxConcurrency: number;
  /** Requests per window ChatWoot allows; 0 = unknown, learn it from 429s. */
  rateLimit: number;
  windowMs: number;
  /** ChatWoot's per-conversation flood window (rolling; one minute in ChatWoot). */
  floodWindowMs?: number;
  /** Give up on one request after waiting this long in total for limits. */
  maxWaitMs: number;
  redis?: RedisClient;
  /** Prefix of the keys every process behind the same ChatWoot shares (blocked-until, learned limit, windows). */
  keyPrefix: string;
  now?: () => number;
}

export interface FlowStats {
  requests: number;
  rateLimited: number;
  flood: number;
  unavailable: number;
  limit: number;
  inFlight: number;
}

interface Waiter {
  resolve: () => void;
}

export class FlowGate {
  readonly stats: FlowStats;

  /** Requests per window ChatWoot allows: RATE_LIMIT, or what its 429s taught (0 while unknown). */
  get rateLimit(): number {
    return this.learnedLimit;
  }

  private limit: number;
  private inFlight = 0;
  private readonly waiting: Record<Priority, Waiter[]> = { live: [], bulk: [] };
  private baselineMs = 0;
  private ewmaMs = 0;
  private blockedUntil = 0;
  private learnedLimit: number;
  private windowIndex = -1;
  private windowCount = 0;
  private readonly conversations = new Map<string, { sent: number[]; paceLimit: number; blockedUntil: number }>();
  private poller?: NodeJS.Timeout;
  private readonly now: () => number;
  private readonly floodWindow: number;

  constructor(private readonly options: FlowGateOptions) {
    this.now = options.now ?? Date.now;
    this.floodWindow = options.floodWindowMs ?? 60_000;
    this.limit = Math.min(16, options.maxConcurrency);
    this.learnedLimit = options.rateLimit;
    this.stats = { requests: 0, rateLimited: 0, flood: 0, unavailable: 0, limit: this.limit, inFlight: 0 };
    if (options.redis) {
      this.poller = setInterval(() => void this.pollShared(), 500);
      this.poller.unref();
    }
  }

  close(): void {
    if (this.poller) clearInterval(this.poller);
  }

  async run<T>(priority: Priority, fn: () => Promise<T>, conversationKey?: string): Promise<T> {
    const started = this.now();
    let attempt = 0;
    for (;;) {
      await this.waitForWindow();
      if (conversationKey) await this.waitForConversation(conversationKey);
      await this.acquire(priority);
      const sentAt = this.now();
      try {
        this.stats.requests++;
        const result = await fn();
        // Only accepted messages count toward the conversation's window, as in ChatWoot.
        if (conversationKey) this.recordSend(conversationKey, this.now());
        this.onSuccess(this.now() - sentAt);
        return result;
      } catch (error) {
        if (!isUpstreamError(error)) throw error;
        const retryIn = this.onFailure(error, conversationKey, attempt);
        if (retryIn === undefined || this.now() - started + retryIn > this.options.maxWaitMs) throw error;
        reportWait(error);
        attempt++;
        await sleep(retryIn);
      } finally {
        this.release();
      }
    }
  }

  private acquire(priority: Priority): Promise<void> {
    if (this.inFlight < Math.floor(this.limit)) {
      this.inFlight++;
      this.stats.inFlight = this.inFlight;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting[priority].push({ resolve }));
  }

  private release(): void {
    this.inFlight--;
    while (this.inFlight < Math.floor(this.limit)) {
      const next = this.waiting.live.shift() ?? this.waiting.bulk.shift();
      if (!next) break;
      this.inFlight++;
      next.resolve();
    }
    this.stats.inFlight = this.inFlight;
  }

  private onSuccess(latencyMs: number): void {
    this.ewmaMs = this.ewmaMs === 0 ? latencyMs : this.ewmaMs * 0.9 + latencyMs * 0.1;
    if (this.baselineMs === 0 || latencyMs < this.baselineMs) this.baselineMs = latencyMs;
    // Let the baseline drift up slowly so one lucky fast answer does not pin it forever.
    this.baselineMs = this.baselineMs * 0.999 + this.ewmaMs * 0.001;
    if (this.ewmaMs > this.baselineMs * 2 + 5) {
      this.limit = Math.max(1, this.limit * 0.98);
    } else if (this.inFlight >= Math.floor(this.limit) - 1) {
      this.limit = Math.min(this.options.maxConcurrency, this.limit + 1 / this.limit);
    }
    this.stats.limit = Math.floor(this.limit);
  }

  /** How long to wait before retrying, or undefined to throw. */
  private onFailure(error: UpstreamError, conversationKey: string | undefined, attempt: number): number | undefined {
    const jitter = Math.random() * 250;
    switch (error.kind) {
      case 'rate-limited': {
        this.stats.rateLimited++;
        const windowMs = this.options.windowMs;
        const nextWindow = Math.ceil((this.now() + 1) / windowMs) * windowMs;
        this.block(nextWindow + jitter + Math.random() * 750);
        if (this.options.rateLimit === 0 && this.windowCount > 0) {
          // The window allowed about this many requests from us: pace future windows just below it.
          const learned = Math.max(1, Math.floor(this.windowCount * 0.97));
          this.learnedLimit = this.learnedLimit === 0 ? learned : Math.min(this.learnedLimit, learned);
          void this.options.redis?.set(`${this.options.keyPrefix}:learned-limit`, this.learnedLimit, 'EX', 3600).catch(() => undefined);
        }
        return this.blockedUntil - this.now();
      }
      case 'flood': {
        this.stats.flood++;
        if (!conversationKey) return backoffDelay(attempt, FLOOD_BACKOFF);
        const state = this.conversation(conversationKey);
        const horizon = this.now() - this.floodWindow;
        state.sent = state.sent.filter((t) => t > horizon);
        state.paceLimit = Math.max(1, state.sent.length);
        state.blockedUntil = (state.sent[0] ?? this.now()) + this.floodWindow + jitter;
        return Math.max(0, state.blockedUntil - this.now());
      }
      case 'unavailable': {
        this.stats.unavailable++;
        this.limit = Math.max(1, this.limit * 0.7);
        this.stats.limit = Math.floor(this.limit);
        return backoffDelay(attempt, UNAVAILABLE_BACKOFF);
      }
      case 'unknown-outcome':
        // A timeout means ChatWoot is saturated: back off capacity, but let the caller decide about the request.
        this.limit = Math.max(1, this.limit * 0.7);
        this.stats.limit = Math.floor(this.limit);
        return undefined;
      case 'auth':
      case 'client':
      case 'not-found':
      case 'server':
        return undefined;
    }
  }

  private block(until: number): void {
    if (until <= this.blockedUntil) return;
    this.blockedUntil = until;
    void this.options.redis
      ?.set(`${this.options.keyPrefix}:blocked-until`, String(Math.round(until)), 'PX', Math.max(1, Math.round(until - this.now())))
      .catch(() => undefined);
  }

  private async pollShared(): Promise<void> {
    const redis = this.options.redis;
    if (!redis || redis.status !== 'ready') return;
    try {
      const [blocked, learned] = await redis.mget(`${this.options.keyPrefix}:blocked-until`, `${this.options.keyPrefix}:learned-limit`);
      if (blocked) this.blockedUntil = Math.max(this.blockedUntil, Number(blocked));
      if (learned && this.options.rateLimit === 0) {
        const value = Number(learned);
        this.learnedLimit = this.learnedLimit === 0 ? value : Math.min(this.learnedLimit, value);
      }
    } catch {
      // Shared hints are an optimisation; a failed poll only means this process learns on its own.
    }
  }

  private async waitForWindow(): Promise<void> {
    for (;;) {
      const now = this.now();
      if (now < this.blockedUntil) {
        await sleep(this.blockedUntil - now);
        continue;
      }
      const windowMs = this.options.windowMs;
      const index = Math.floor(now / windowMs);
      if (index !== this.windowIndex) {
        this.windowIndex = index;
        this.windowCount = 0;
      }
      const limit = this.learnedLimit;
      if (limit > 0) {
        const count = await this.countShared(index);
        if (count > limit) {
          await sleep((index + 1) * windowMs - now + Math.random() * 200);
          continue;
        }
      }
      this.windowCount++;
      return;
    }
  }

  private async countShared(index: number): Promise<number> {
    const redis = this.options.redis;
    if (!redis || redis.status !== 'ready') return this.windowCount + 1;
    try {
      const key = `${this.options.keyPrefix}:window:${index}`;
      const [[, count]] = (await redis.multi().incr(key).pexpire(key, this.options.windowMs * 2).exec()) as [[unknown, number]];
      return count;
    } catch {
      return this.windowCount + 1;
    }
  }

  private conversation(key: string): { sent: number[]; paceLimit: number; blockedUntil: number } {
    let state = this.conversations.get(key);
    if (!state) {
      state = { sent: [], paceLimit: 0, blockedUntil: 0 };
      this.conversations.set(key, state);
      if (this.conversations.size > 10_000) {
        const oldest = this.conversations.keys().next().value;
        if (oldest !== undefined) this.conversations.delete(oldest);
      }
    }
    return state;
  }

  private recordSend(key: string, at: number): void {
    const state = this.conversation(key);
    state.sent.push(at);
    if (state.sent.length > 4000) state.sent.splice(0, state.sent.length - 4000);
  }

  private async waitForConversation(key: string): Promise<void> {
    const state = this.conversations.get(key);
    if (!state) return;
    for (;;) {
      const now = this.now();
      if (now < state.blockedUntil) {
        await sleep(state.blockedUntil - now);
        continue;
      }
      if (state.paceLimit === 0) return;
      const horizon = now - this.floodWindow;
      while (state.sent.length > 0 && state.sent[0] <= horizon) state.sent.shift();
      if (state.sent.length < state.paceLimit) return;
      await sleep(state.sent[0] + this.floodWindow - now + 5);
    }
  }
}
