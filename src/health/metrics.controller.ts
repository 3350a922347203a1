/**
 * `GET /metrics`: Prometheus text format, behind `Authorization: Bearer <ADMIN_TOKEN>` (the admin contract of
 * /health); 404 while ADMIN_TOKEN is unset, 401 without or with a wrong token. Each process serves its own
 * counters (metrics/metrics.ts); what is read at scrape time is collected here, per app:
 * - `wa_bridge_queue_waiting`, `wa_bridge_dead_letters` per queue;
 * - the ChatWoot flow gate: `wa_bridge_chatwoot_concurrency_limit`, `…_in_flight`, `…_rate_limit` (learned);
 * - the latest pull: `wa_bridge_pull_running`, `…_processed`, `…_created`, `…_failed`, `…_chats_done`, `…_chats_total`;
 * - `wa_bridge_redis_up`.
 */
import { Controller, Get, Header, Headers, Inject, NotFoundException, UnauthorizedException } from '@nestjs/common';
import { Gauge } from 'prom-client';
import { AppsService } from '../apps/apps.service';
import { SERVICE_CONFIG, ServiceConfig } from '../config/config';
import { METRICS } from '../metrics/metrics';
import { PullService } from '../pull/pull.service';
import { QueueControlService } from '../queue/queue-control.service';
import { RedisService } from '../redis/redis.service';
import { adminAccess } from './admin-auth';

type Collect = (gauge: Gauge) => Promise<void>;

/** A collector that cannot answer in this time (Redis down: BullMQ's connection waits) is skipped, not the scrape. */
const COLLECT_TIMEOUT_MS = 2_000;

function bounded<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('collector timed out')), COLLECT_TIMEOUT_MS);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

@Controller('metrics')
export class MetricsController {
  /** What several gauges read (queue status, the latest pull), read once per scrape: cleared when a scrape starts. */
  private readonly memo = new Map<string, Promise<unknown>>();

  constructor(
    private readonly apps: AppsService,
    private readonly control: QueueControlService,
    private readonly pulls: PullService,
    private readonly redis: RedisService,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
  ) {
    if (!config.security.adminToken) return;
    METRICS.withProcessMetrics();
    const gauge = (name: string, help: string, labelNames: string[], collect: Collect): void => {
      if (METRICS.registry.getSingleMetric(name)) return;
      new Gauge({
        name,
        help,
        labelNames,
        registers: [METRICS.registry],
        collect: async function (this: Gauge) {
          try {
            await bounded(collect(this));
          } catch {
            // Left as last read; wa_bridge_redis_up says why.
          }
        },
      });
    };
    gauge('wa_bridge_queue_waiting', 'Events waiting in each live queue and jobs in the others', ['app', 'queue'], async (g) => {
      for (const app of this.apps.all()) for (const q of await this.queueStatus(app.config.id)) g.set({ app: app.config.id, queue: q.name }, q.waiting);
    });
    gauge('wa_bridge_dead_letters', 'Events that failed for good, kept for wa/queue retry', ['app', 'queue'], async (g) => {
      for (const app of this.apps.all()) for (const q of await this.queueStatus(app.config.id)) g.set({ app: app.config.id, queue: q.name }, q.dead);
    });
    const flow = (name: string, help: string, read: (app: ReturnType<AppsService['all']>[number]) => number): void =>
      gauge(name, help, ['app'], async (g) => {
        for (const app of this.apps.all()) g.set({ app: app.config.id }, read(app));
      });
    flow('wa_bridge_chatwoot_concurrency_limit', "The flow gate's adaptive limit of concurrent ChatWoot requests", (app) => app.gate.stats.limit);
    flow('wa_bridge_chatwoot_in_flight', 'ChatWoot requests in flight', (app) => app.gate.stats.inFlight);
    flow('wa_bridge_chatwoot_rate_limit', "Requests per window ChatWoot allows: CHATWOOT_RATE_LIMIT or what its 429s taught (0: unknown)", (app) => app.gate.rateLimit);
    const pull = (field: 'processed' | 'created' | 'failed' | 'chatsDone' | 'chatsTotal', name: string, help: string): void =>
      gauge(name, help, ['app'], async (g) => {
        for (const app of this.apps.all()) {
          const record = await this.latestPull(app.config.id);
          if (record) g.set({ app: app.config.id }, record[field]);
        }
      });
    gauge('wa_bridge_pull_running', 'Whether a pull is running', ['app'], async (g) => {
      for (const app of this.apps.all()) {
        const record = await this.latestPull(app.config.id);
        g.set({ app: app.config.id }, record && !record.finishedAt ? 1 : 0);
      }
    });
    pull('processed', 'wa_bridge_pull_processed', 'Messages the latest pull has gone through');
    pull('created', 'wa_bridge_pull_created', 'Messages the latest pull created in ChatWoot');
    pull('failed', 'wa_bridge_pull_failed', 'Messages the latest pull could not import');
    pull('chatsDone', 'wa_bridge_pull_chats_done', 'Chats the latest pull finished');
    pull('chatsTotal', 'wa_bridge_pull_chats_total', 'Chats the latest pull planned');
    gauge('wa_bridge_redis_up', 'Whether Redis answers', [], async (g) => {
      g.set((await this.redis.ping()) ? 1 : 0);
    });
  }

  private once<T>(key: string, read: () => Promise<T>): Promise<T> {
    const hit = this.memo.get(key) as Promise<T> | undefined;
    if (hit) return hit;
    const value = read();
    this.memo.set(key, value);
    return value;
  }

  private queueStatus(appId: string): ReturnType<QueueControlService['status']> {
    return this.once(`queues:${appId}`, () => this.control.status('all', appId));
  }

  private latestPull(appId: string): ReturnType<PullService['latest']> {
    return this.once(`pull:${appId}`, () => this.pulls.latest(appId));
  }

  @Get()
  @Header('Content-Type', METRICS.registry.contentType)
  @Header('Cache-Control', 'no-store')
  async metrics(@Headers('authorization') authorization?: string): Promise<string> {
    const expected = this.config.security.adminToken;
    if (!expected) throw new NotFoundException('Metrics are off: set ADMIN_TOKEN');
    if (adminAccess(expected, authorization) !== 'ok') throw new UnauthorizedException('Authorization: Bearer <ADMIN_TOKEN> required');
    this.memo.clear();
    return METRICS.registry.metrics();
  }
}
