/**
 * WAHA's webhook sender (waha-api.md §7): the event envelope, HMAC-SHA512 over the exact body bytes, the
 * X-Webhook-* headers and retries on network errors and non-2xx answers.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { sleep } from '../common/sim-server';
import { versionAtLeast } from '../common/versions';
import { ulid } from './waha-random';

/** The newest WAHA release the simulator knows, and its default `version`. */
export const WAHA_VERSION = '2026.7.1';

export interface WebhookSettings {
  url?: string;
  /** The release in the User-Agent (`WAHA/<version>`). */
  version: string;
  hmacKey?: string;
  /** Event names, or `*` for all. */
  events: string[];
  attempts: number;
  retryDelayMs: number;
  /** Deliver every event twice (as WAHA does with both a session and a global webhook on the same URL). */
  duplicate: boolean;
  /** Delay before the first attempt, to simulate a webhook racing the API response. */
  delayMs: number;
}

export interface WebhookEnvelope {
  id: string;
  /**
   * When the event was created, ms (`payload._timestampMs`, src/core/abc/manager.abc.ts populateSessionInfo;
   * WAHAWebhook in src/structures/webhooks.dto.ts). Sent since 2025.3.1 ("Add event.timestamp", #755).
   */
  timestamp?: number;
  event: string;
  session: string;
  metadata: Record<string, string> | null;
  me: unknown;
  payload: unknown;
  engine: string;
  environment: Record<string, unknown>;
}

export interface WebhookDelivery {
  envelope: WebhookEnvelope;
  body: string;
  headers: Record<string, string>;
  attempts: number;
  /** Last HTTP status received; null when the last attempt failed at the network level. */
  status: number | null;
  error?: string;
  delivered: boolean;
}

export function signBody(body: string | Buffer, key: string): string {
  return createHmac('sha512', key).update(body).digest('hex');
}

export class WebhookEmitter {
  readonly deliveries: WebhookDelivery[] = [];
  private readonly pending = new Set<Promise<void>>();
  private closed = false;

  constructor(private readonly settings: () => WebhookSettings) {}

  wants(event: string): boolean {
    const { url, events } = this.settings();
    return Boolean(url) && (events.includes('*') || events.includes(event));
  }

  /** Queue one event (and its duplicate when configured); the promise settles when delivery finished. */
  emit(envelope: Omit<WebhookEnvelope, 'id' | 'timestamp'>): Promise<void> {
    if (!this.wants(envelope.event)) return Promise.resolve();
    const copies = this.settings().duplicate ? 2 : 1;
    const runs: Promise<void>[] = [];
    for (let i = 0; i < copies; i++) {
      const now = Date.now();
      const full: WebhookEnvelope = {
        id: `evt_${ulid(now)}`,
        ...(versionAtLeast(this.settings().version, '2025.3.1') ? { timestamp: now } : {}),
        event: envelope.event,
        session: envelope.session,
        metadata: envelope.metadata,
        me: envelope.me,
        payload: envelope.payload,
        engine: envelope.engine,
        environment: envelope.environment,
      };
      runs.push(this.track(this.deliver(full)));
    }
    return Promise.all(runs).then(() => undefined);
  }

  /** Count a promise as pending work for flush(); it must not reject. */
  track(run: Promise<void>): Promise<void> {
    this.pending.add(run);
    void run.finally(() => this.pending.delete(run));
    return run;
  }

  /** Wait until every queued delivery (with its retries) finished. */
  async flush(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }

  clear(): void {
    this.deliveries.length = 0;
  }

  close(): void {
    this.closed = true;
  }

  open(): void {
    this.closed = false;
  }

  private async deliver(envelope: WebhookEnvelope): Promise<void> {
    const settings = this.settings();
    const body = JSON.stringify(envelope);
    const headers: Record<string, string> = {
      'Content-Type': 'application/json',
      'User-Agent': `WAHA/${settings.version}`,
      'X-Webhook-Request-Id': randomUUID(),
      'X-Webhook-Timestamp': String(envelope.timestamp ?? Date.now()),
    };
    if (settings.hmacKey) {
      headers['X-Webhook-Hmac'] = signBody(body, settings.hmacKey);
      headers['X-Webhook-Hmac-Algorithm'] = 'sha512';
    }
    const delivery: WebhookDelivery = { envelope, body, headers, attempts: 0, status: null, delivered: false };
    this.deliveries.push(delivery);
    if (settings.delayMs > 0) await sleep(settings.delayMs);
    const attempts = Math.max(1, settings.attempts);
    for (let attempt = 1; attempt <= attempts && !this.closed && settings.url; attempt++) {
      delivery.attempts = attempt;
      try {
        const response = await fetch(settings.url, {
          method: 'POST',
          headers,
          body,
          signal: AbortSignal.timeout(10_000),
        });
        await response.arrayBuffer().catch(() => undefined);
        delivery.status = response.status;
        delivery.error = undefined;
        if (response.status >= 200 && response.status < 300) {
          delivery.delivered = true;
          return;
        }
      } catch (error) {
        delivery.status = null;
        delivery.error = error instanceof Error ? error.message : String(error);
      }
      if (attempt < attempts && !this.closed) await sleep(settings.retryDelayMs);
    }
  }
}
