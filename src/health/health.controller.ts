/**
 * One health contract for orchestrators and operators:
 * - `GET /health/live`: 200 while the process runs (restart it when this fails);
 * - `GET /health/ready`: 200 only when webhooks can be written durably (Redis answers), else 503;
 * - `GET /health`: the same status code as ready, with `{"status":"ok"|"degraded"|"down"}` and nothing else.
 *   `degraded`: Redis answers but WAHA or ChatWoot does not, or webhooks are accepted unsigned. Details (apps,
 *   sessions, versions found, warnings, upstream errors) only with `Authorization: Bearer <ADMIN_TOKEN>`: they name
 *   sessions and webhook paths. Without ADMIN_TOKEN details are off; a wrong Bearer token is answered 401.
 * WAHA and ChatWoot reachability (cached for a few seconds) never fail readiness: the service keeps accepting
 * webhooks while an upstream is down.
 */
import { Controller, Get, Headers, HttpCode, HttpException, HttpStatus, Inject, UnauthorizedException } from '@nestjs/common';
import { AppsService } from '../apps/apps.service';
import { wahaCapabilities } from '../clients/waha/waha-capabilities';
import { IntegrationChatService } from '../integration-chat/integration-chat.service';
import { ServerReportService } from '../integration-chat/server-report';
import { ServerProfilesService } from '../apps/server-profiles.service';
import { RedisDurabilityCheck } from '../redis/redis-durability';
import { RedisService } from '../redis/redis.service';
import { SERVICE_CONFIG, ServiceConfig } from '../config/config';
import { adminAccess } from './admin-auth';

type Status = 'ok' | 'degraded' | 'down';

/** One upstream as the health details show it: reachable and what it said, or why not. */
type Reachability = { reachable: true; [detail: string]: unknown } | { reachable: false; error: string };

interface AppDetails {
  waha: Reachability;
  chatwoot: Reachability;
  integrationConversation: unknown;
  servers: unknown;
}

interface Details {
  at: number;
  value: Record<string, AppDetails>;
}

function unreachable(error: unknown): Reachability {
  return { reachable: false, error: error instanceof Error ? error.message : String(error) };
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
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
  ) {}

  @Get('live')
  @HttpCode(200)
  live(): { status: Status } {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready(): Promise<{ status: Status }> {
    if (!(await this.redis.ping())) throw new HttpException({ status: 'down' }, HttpStatus.SERVICE_UNAVAILABLE);
    return { status: 'ok' };
  }

  @Get()
  async health(@Headers('authorization') authorization?: string): Promise<Record<string, unknown>> {
    const admin = this.isAdmin(authorization);
    const redis = await this.redis.ping();
    const apps = redis || admin ? await this.details() : {};
    const warnings = this.warnings();
    const upstreamDown = Object.values(apps).some((app) => !app.waha.reachable || !app.chatwoot.reachable);
    const status: Status = !redis ? 'down' : upstreamDown || warnings.length > 0 ? 'degraded' : 'ok';
    let body: Record<string, unknown> = { status };
    if (admin) {
      // Whether Redis keeps the ledger and queues through a restart: the settings to change, if any.
      const durability = redis ? await this.durability.check().then((found) => ({ aof: found.aof, maxmemoryPolicy: found.maxmemoryPolicy, fix: found.fixes }), () => undefined) : undefined;
      body = { status, redis: redis ? 'up' : 'down', redisDurability: durability, warnings, apps };
    }
    if (!redis) throw new HttpException(body, HttpStatus.SERVICE_UNAVAILABLE);
    return body;
  }

  /** True with the right bearer token; a wrong one is refused rather than answered like an anonymous call. */
  private isAdmin(authorization: string | undefined): boolean {
    // Without ADMIN_TOKEN, or without a Bearer token (a proxy's Basic header), the caller is anonymous.
    const access = adminAccess(this.config.security.adminToken, authorization);
    if (access === 'bad') throw new UnauthorizedException('Bad admin token');
    return access === 'ok';
  }

  private warnings(): string[] {
    return this.config.security.allowUnsigned ? ['ALLOW_UNSIGNED_WEBHOOKS=true: webhooks are accepted without signatures; anyone who can reach this service can post them'] : [];
  }

  private async details(): Promise<Record<string, AppDetails>> {
    if (this.cache && Date.now() - this.cache.at < 5_000) return this.cache.value;
    const value: Record<string, AppDetails> = {};
    await Promise.all(
      this.apps.all().map(async (app) => {
        const [waha, chatwoot] = await Promise.all([
          app.waha.getSession().then((s): Reachability => ({ reachable: true, session: s.name, status: s.status }), unreachable),
          app.chatwoot.getInbox(app.config.chatwoot.inboxId).then((i): Reachability => ({ reachable: true, inbox: i.name }), unreachable),
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
