/**
 * Delivers ChatWoot webhooks the way the API-inbox channel does: JSON POSTs, 5 s timeout, never retried, signed
 * with `X-Chatwoot-Signature: sha256=HMAC(secret, "<timestamp>.<body>")` when the inbox has a secret. Deliveries run
 * one at a time in enqueue order, detached from the API request that caused them.
 */
import { createHmac, randomUUID } from 'node:crypto';
import type { JsonObject } from './chatwoot-types';

export const WEBHOOK_TIMEOUT_MS = 5_000;

export interface WebhookDelivery {
  /** The `X-Chatwoot-Delivery` id. */
  id: string;
  event: string;
  url: string;
  body: JsonObject;
  /** HTTP status of the receiver's answer; 0 when no answer came (refused, timeout). */
  status: number;
  error?: string;
  signed: boolean;
  at: number;
  durationMs: number;
}

interface PendingDelivery {
  event: string;
  url: string;
  secret?: string;
  body: JsonObject;
  payload: string;
}

export type WebhookFailureListener = (event: string, body: JsonObject, error: string) => void;

export function signWebhook(secret: string, timestamp: string, payload: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${payload}`).digest('hex')}`;
}

export class WebhookDispatcher {
  readonly deliveries: WebhookDelivery[] = [];
  /** Deliveries kept in `deliveries`; older ones are dropped so a long benchmark stays small. */
  deliveryLimit = 20_000;
  private readonly queue: PendingDelivery[] = [];
  private pumping = false;
  private generation = 0;
  private idleWaiters: Array<() => void> = [];

  constructor(private readonly onFailure: WebhookFailureListener) {}

  get pending(): number {
    return this.queue.length + (this.pumping ? 1 : 0);
  }

  enqueue(event: string, body: JsonObject, url: string | undefined, secret: string | undefined): void {
    if (!url) return;
    this.queue.push({ event, url, secret, body, payload: JSON.stringify(body) });
    if (!this.pumping) void this.pump();
  }

  /** Resolves when nothing is queued or in flight; rejects after `timeoutMs`. */
  async waitForIdle(timeoutMs = 10_000): Promise<void> {
    if (this.pending === 0) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.idleWaiters = this.idleWaiters.filter((w) => w !== done);
        reject(new Error(`webhooks still pending after ${timeoutMs} ms (${this.pending} left)`));
      }, timeoutMs);
      const done = (): void => {
        clearTimeout(timer);
        resolve();
      };
      this.idleWaiters.push(done);
    });
  }

  /** Forget queued deliveries and the record; a delivery in flight finishes unrecorded. */
  reset(): void {
    this.generation++;
    this.queue.length = 0;
    this.deliveries.length = 0;
    this.notifyIdleIfDone();
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      for (let next = this.queue.shift(); next; next = this.queue.shift()) {
        await this.deliver(next);
      }
    } finally {
      this.pumping = false;
      this.notifyIdleIfDone();
    }
  }

  private notifyIdleIfDone(): void {
    if (this.pending > 0) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const waiter of waiters) waiter();
  }

  private async deliver(item: PendingDelivery): Promise<void> {
    const generation = this.generation;
    const id = randomUUID();
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/json',
      'x-chatwoot-delivery': id,
    };
    if (item.secret) {
      const timestamp = String(Math.floor(Date.now() / 1000));
      headers['x-chatwoot-timestamp'] = timestamp;
      headers['x-chatwoot-signature'] = signWebhook(item.secret, timestamp, item.payload);
    }
    const started = Date.now();
    let status = 0;
    let error: string | undefined;
    try {
      const response = await fetch(item.url, {
        method: 'POST',
        headers,
        body: item.payload,
        signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS),
      });
      status = response.status;
      await response.arrayBuffer();
      if (status < 200 || status >= 300) error = `${status} ${response.statusText}`.trim();
    } catch (caught) {
      const name = (caught as { name?: string }).name;
      error = name === 'TimeoutError' ? 'Net::ReadTimeout' : describe(caught);
    }
    if (generation !== this.generation) return;
    this.record({
      id,
      event: item.event,
      url: item.url,
      body: item.body,
      status,
      error,
      signed: Boolean(item.secret),
      at: started,
      durationMs: Date.now() - started,
    });
    if (error !== undefined) this.onFailure(item.event, item.body, error);
  }

  private record(delivery: WebhookDelivery): void {
    this.deliveries.push(delivery);
    if (this.deliveries.length > this.deliveryLimit * 2) {
      this.deliveries.splice(0, this.deliveries.length - this.deliveryLimit);
    }
  }
}

function describe(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code) return `${cause.code}: ${cause.message ?? ''}`.trim();
  return error instanceof Error ? error.message : String(error);
}
