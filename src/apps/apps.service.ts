/**
 * The apps this deployment serves (one per WAHA session + ChatWoot inbox), each with its WAHA and ChatWoot
 * repositories. Apps that talk to the same ChatWoot share one flow-control gate, because ChatWoot's limits are
 * per client IP and per conversation, not per app.
 */
import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig, SERVICE_CONFIG, ServiceConfig } from '../config/config';
import { ChatwootClient } from '../clients/chatwoot/chatwoot.client';
import { FlowGate } from '../clients/chatwoot/flow-gate';
import { WahaClient } from '../clients/waha/waha.client';
import { RedisService } from '../redis/redis.service';

export interface AppContext {
  config: AppConfig;
  waha: WahaClient;
  chatwoot: ChatwootClient;
  gate: FlowGate;
}

@Injectable()
export class AppsService implements OnApplicationShutdown {
  private readonly apps = new Map<string, AppContext>();
  private readonly gates = new Map<string, FlowGate>();

  constructor(@Inject(SERVICE_CONFIG) readonly config: ServiceConfig, redis: RedisService) {
    for (const app of config.apps) {
      let gate = this.gates.get(app.chatwoot.url);
      if (!gate) {
        gate = new FlowGate({
          maxConcurrency: config.tuning.chatwootMaxConcurrency,
          rateLimit: config.tuning.chatwootRateLimit,
          windowMs: config.tuning.chatwootRateWindowMs,
          floodWindowMs: config.tuning.chatwootMessageWindowMs,
          maxWaitMs: 15 * 60_000,
          redis: redis.client,
          // Shared by every app and process behind this ChatWoot: its limits are per client IP and per conversation.
          keyPrefix: redis.sharedKey(`chatwoot:${new URL(app.chatwoot.url).host.replace(/:/g, '_')}`),
        });
        this.gates.set(app.chatwoot.url, gate);
      }
      this.apps.set(app.id, {
        config: app,
        gate,
        waha: new WahaClient({ ...app.waha, timeoutMs: config.tuning.httpTimeoutMs, mediaHosts: app.mediaHosts }),
        chatwoot: new ChatwootClient({ ...app.chatwoot, timeoutMs: config.tuning.httpTimeoutMs }, gate),
      });
    }
  }

  get(appId: string): AppContext | undefined {
    return this.apps.get(appId);
  }

  require(appId: string): AppContext {
    const app = this.apps.get(appId);
    if (!app) throw new Error(`Unknown app "${appId}"`);
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
    for (const gate of this.gates.values()) gate.close();
  }
}
