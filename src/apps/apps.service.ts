/**
 * The apps this deployment serves (one per WAHA session + ChatWoot inbox), each with its WAHA and ChatWoot
 * repositories. Apps that talk to the same ChatWoot share one flow-control gate, because ChatWoot's limits are
 * per client IP and per conversation, not per app.
 *
 * The apps live in the registry in Redis (apps.registry.ts), seeded from APPS_FILE or the environment and changed
 * through `/api/apps`. Every process reads the registry's version every APPS_POLL_MS and reloads on a change, so an
 * app added, changed or removed anywhere is served (or no longer served) everywhere within seconds, without a
 * restart. Listeners (`onChange`) hear which apps came and went, to set them up or let go of them.
 */
import { Inject, Injectable, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import type { Logger } from 'pino';
import { AppConfig, appFromEntry, SERVICE_CONFIG, ServiceConfig } from '../config/config';
import { ChatwootClient } from '../clients/chatwoot/chatwoot.client';
import { FlowGate } from '../clients/chatwoot/flow-gate';
import { WahaClient } from '../clients/waha/waha.client';
import { UnknownAppError } from '../common/unknown-app';
import { LOGGER } from '../logging/logger';
import { RedisService } from '../redis/redis.service';
import { AppsRegistry } from './apps.registry';

export interface AppContext {
  config: AppConfig;
  waha: WahaClient;
  chatwoot: ChatwootClient;
  gate: FlowGate;
}

/** What a reload changed: apps new or changed (their new contexts), and the ids of apps no longer served. */
export interface AppsChange {
  added: AppContext[];
  removed: string[];
}

/** How often every process looks for changes to the registry. */
export const APPS_POLL_MS = 2_000;

@Injectable()
export class AppsService implements OnModuleInit, OnApplicationShutdown {
  private apps = new Map<string, AppContext>();
  private readonly gates = new Map<string, FlowGate>();
  private readonly listeners: Array<(change: AppsChange) => void> = [];
  readonly registry: AppsRegistry;
  private version = '';
  private timer?: NodeJS.Timeout;
  private refreshing?: Promise<void>;

  constructor(
    @Inject(SERVICE_CONFIG) readonly config: ServiceConfig,
    private readonly redis: RedisService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.registry = new AppsRegistry(redis);
    // The seeds, until the registry is read (before any worker or webhook runs).
    for (const app of config.apps) this.apps.set(app.id, this.context(app));
  }

  async onModuleInit(): Promise<void> {
    const seeded = await this.registry.seed(this.config.apps.map((app, i) => ({ id: app.id, entry: this.config.appEntries[i] })));
    if (seeded.length > 0) this.logger.info({ apps: seeded }, 'apps seeded into the registry from the configuration');
    await this.refresh();
    this.timer = setInterval(() => {
      this.refresh().catch((error: unknown) => this.logger.warn({ err: error }, 'cannot read the apps registry; serving the apps as last read'));
    }, APPS_POLL_MS);
    this.timer.unref();
  }

  /** Reads the registry when its version moved and applies what changed (at most one reload at a time). */
  refresh(): Promise<void> {
    this.refreshing ??= this.reload().finally(() => (this.refreshing = undefined));
    return this.refreshing;
  }

  private async reload(): Promise<void> {
    const version = await this.registry.version();
    if (version === this.version) return;
    const next = new Map<string, AppContext>();
    const added: AppContext[] = [];
    for (const stored of await this.registry.list()) {
      const current = this.apps.get(stored.id);
      let config: AppConfig;
      try {
        config = appFromEntry(stored.entry, this.config.appDefaults, `app "${stored.id}"`);
      } catch (error) {
        // The environment it falls back to changed under it: keep serving it as it was, and say why.
        this.logger.error({ appId: stored.id, err: error }, 'app in the registry is not valid here; keeping it as last loaded');
        if (current) next.set(stored.id, current);
        continue;
      }
      if (current && JSON.stringify(current.config) === JSON.stringify(config)) {
        next.set(stored.id, current);
        continue;
      }
      const context = this.context(config);
      next.set(stored.id, context);
      added.push(context);
    }
    const removed = [...this.apps.keys()].filter((id) => !next.has(id));
    this.apps = next;
    this.version = version;
    if (added.length === 0 && removed.length === 0) return;
    this.logger.info({ added: added.map((a) => a.config.id), removed }, 'apps changed');
    for (const listener of this.listeners) listener({ added, removed });
  }

  /** Hears every later change (apps added or changed, apps removed). */
  onChange(listener: (change: AppsChange) => void): void {
    this.listeners.push(listener);
  }

  private context(app: AppConfig): AppContext {
    let gate = this.gates.get(app.chatwoot.url);
    if (!gate) {
      const tuning = this.config.tuning;
      gate = new FlowGate({
        maxConcurrency: tuning.chatwootMaxConcurrency,
        rateLimit: tuning.chatwootRateLimit,
        windowMs: tuning.chatwootRateWindowMs,
        floodWindowMs: tuning.chatwootMessageWindowMs,
        maxWaitMs: 15 * 60_000,
        redis: this.redis.client,
        // Shared by every app and process behind this ChatWoot: its limits are per client IP and per conversation.
        keyPrefix: this.redis.sharedKey(`chatwoot:${new URL(app.chatwoot.url).host.replace(/:/g, '_')}`),
      });
      this.gates.set(app.chatwoot.url, gate);
    }
    const timeoutMs = this.config.tuning.httpTimeoutMs;
    return {
      config: app,
      gate,
      waha: new WahaClient({ ...app.waha, timeoutMs, mediaHosts: app.mediaHosts }),
      chatwoot: new ChatwootClient({ ...app.chatwoot, timeoutMs }, gate),
    };
  }

  get(appId: string): AppContext | undefined {
    return this.apps.get(appId);
  }

  /** The app, or UnknownAppError (a job of an app removed meanwhile is dropped by its processor). */
  require(appId: string): AppContext {
    const app = this.apps.get(appId);
    if (!app) throw new UnknownAppError(appId);
    return app;
  }

  /** The app a ChatWoot webhook URL `/webhooks/chatwoot/{session}/{appId}` names, if it exists and matches. */
  forWebhook(session: string, appId: string): AppContext | undefined {
    const app = this.apps.get(appId);
    return app && app.config.waha.session === session ? app : undefined;
  }

  bySession(session: string): AppContext[] {
    return [...this.apps.values()].filter((a) => a.config.waha.session === session);
  }

  all(): AppContext[] {
    return [...this.apps.values()];
  }

  onApplicationShutdown(): void {
    if (this.timer) clearInterval(this.timer);
    for (const gate of this.gates.values()) gate.close();
  }
}
