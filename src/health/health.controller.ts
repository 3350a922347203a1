/**
 * `GET /health`: 200 once Redis answers and the configuration is loaded (it is, or the process would not run).
 * WAHA and ChatWoot reachability are reported as details (cached for a few seconds) but do not fail the check:
 * the service keeps accepting webhooks while an upstream is down.
 */
import { Controller, Get, HttpException, HttpStatus } from '@nestjs/common';
import { AppsService } from '../apps/apps.service';
import { wahaCapabilities } from '../clients/waha/waha-capabilities';
import { IntegrationChatService } from '../integration-chat/integration-chat.service';
import { ServerReportService } from '../integration-chat/server-report';
import { ServerProfilesService } from '../apps/server-profiles.service';
import { RedisDurabilityCheck } from '../redis/redis-durability';
import { RedisService } from '../redis/redis.service';

interface Details {
  at: number;
  value: Record<string, unknown>;
}

@Controller('health')
export class HealthController {
  private cache?: Details;

  constructor(
    private readonly redis: RedisService,
    private readonly apps: AppsService,
    private readonly integration: IntegrationChatService,
    private readonly profiles: ServerProfilesService,
    private readonly reports: ServerReportService,
    private readonly durability: RedisDurabilityCheck,
  ) {}

  @Get()
  async health(): Promise<Record<string, unknown>> {
    const redis = await this.redis.ping();
    const apps = await this.details();
    // Whether Redis keeps the ledger and queues through a restart: the settings to change, if any.
    const durability = redis ? await this.durability.check().then((found) => ({ aof: found.aof, maxmemoryPolicy: found.maxmemoryPolicy, fix: found.fixes }), () => undefined) : undefined;
    const body = { status: redis ? 'ok' : 'error', redis: redis ? 'up' : 'down', redisDurability: durability, apps };
    if (!redis) throw new HttpException(body, HttpStatus.SERVICE_UNAVAILABLE);
    return body;
  }

  private async details(): Promise<Record<string, unknown>> {
    if (this.cache && Date.now() - this.cache.at < 5_000) return this.cache.value;
    const value: Record<string, unknown> = {};
    await Promise.all(
      this.apps.all().map(async (app) => {
        const [waha, chatwoot] = await Promise.all([
          app.waha.getSession().then(
            (s) => ({ reachable: true, session: s.name, status: s.status }),
            (e: unknown) => ({ reachable: false, error: e instanceof Error ? e.message : String(e) }),
          ),
          app.chatwoot.getInbox(app.config.chatwoot.inboxId).then(
            (i) => ({ reachable: true, inbox: i.name }),
            (e: unknown) => ({ reachable: false, error: e instanceof Error ? e.message : String(e) }),
          ),
        ]);
        const profiles = await this.profiles.profiles(app).catch(() => undefined);
        const report = profiles ? await this.reports.report(app) : undefined;
        value[app.config.id] = {
          waha,
          chatwoot,
          integrationConversation: this.integration.state.get(app.config.id) ?? { ready: false },
          // What was found, what the bridge does because of it, and what will not work (as in the start-up report).
          servers: profiles && report ? { waha: profiles.waha, chatwoot: profiles.chatwoot, capabilities: wahaCapabilities(profiles.waha), adaptations: report.adaptations, problems: report.problems } : undefined,
        };
      }),
    );
    this.cache = { at: Date.now(), value };
    return value;
  }
}
