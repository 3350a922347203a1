/**
 * The process's Prometheus metrics (prom-client), served at `/metrics` behind ADMIN_TOKEN (health/metrics.controller.ts).
 * One registry per process, like the log: every worker process is scraped on its own. The counters here are
 * incremented where the work happens (the HTTP clients, the pull's commit, the live relays); what is read on demand
 * (queue depths, the flow gate, the running pull, Redis) is collected at scrape time by the health layer.
 *
 * Names: `wa_bridge_*`; labels: `app` (APP_ID), `direction` (`in` = WhatsApp → ChatWoot, `out` = ChatWoot →
 * WhatsApp), `source` (`pull` or `live`), `outcome` (`created`, `exists`, `ignored`, `sent`, `failed`).
 */
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export type Upstream = 'waha' | 'chatwoot';

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const LAG_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600];

/** An HTTP answer as a label: 429, 422 and 503 (ChatWoot's throttles and capacity) by number, the rest by class. */
export function statusLabel(status: number | undefined, code?: string): string {
  if (status === undefined) return code === 'ECONNABORTED' || code === 'ETIMEDOUT' || /timeout/i.test(code ?? '') ? 'timeout' : 'network';
  if (status === 429 || status === 422 || status === 503) return String(status);
  return `${Math.floor(status / 100)}xx`;
}

export class Metrics {
  readonly registry = new Registry();

  readonly messages = new Counter({
    name: 'wa_bridge_messages_total',
    help: 'Messages handled, by app, direction (in: WhatsApp to ChatWoot, out: ChatWoot to WhatsApp), source and outcome',
    labelNames: ['app', 'direction', 'source', 'outcome'] as const,
    registers: [this.registry],
  });

  readonly relayLag = new Histogram({
    name: 'wa_bridge_relay_lag_seconds',
    help: 'From the webhook to the message written on the other side, live relay',
    labelNames: ['app', 'direction'] as const,
    buckets: LAG_BUCKETS,
    registers: [this.registry],
  });

  readonly upstreamResponses = new Counter({
    name: 'wa_bridge_upstream_responses_total',
    help: "Answers of WAHA and ChatWoot: 429, 422 and 503 by number, the rest by class, timeouts and network errors",
    labelNames: ['upstream', 'status'] as const,
    registers: [this.registry],
  });

  readonly upstreamSeconds = new Histogram({
    name: 'wa_bridge_upstream_request_seconds',
    help: 'HTTP request duration to WAHA and ChatWoot',
    labelNames: ['upstream'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });

  private defaults = false;

  /** Node's own metrics (event loop lag, heap, CPU), started only when /metrics is served. */
  withProcessMetrics(): this {
    if (!this.defaults) {
      collectDefaultMetrics({ register: this.registry, prefix: 'wa_bridge_' });
      this.defaults = true;
    }
    return this;
  }
}

export const METRICS = new Metrics();
