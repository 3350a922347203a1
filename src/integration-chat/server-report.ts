/**
 * The start-up report: which WAHA and ChatWoot the app talks to, what the bridge does differently because of them,
 * what will not work below a version floor, and whether Redis keeps what the bridge writes (AOF, noeviction). Posted in the WhatsApp Integration conversation once per change of
 * what was found (remembered in Redis, so several workers starting together post it once), and shown in /health.
 */
import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import type { Logger } from 'pino';
import { AppContext, AppsService } from '../apps/apps.service';
import { ServerProfiles, ServerProfilesService } from '../apps/server-profiles.service';
import { compareVersions, wahaCapabilities } from '../clients/waha/waha-capabilities';
import { SERVICE_CONFIG, ServiceConfig } from '../config/config';
import { TEXTS } from '../config/texts.provider';
import { LOGGER } from '../logging/logger';
import { RedisService } from '../redis/redis.service';
import { TextKey, Texts } from '../texts/texts';
import { IntegrationChatService } from './integration-chat.service';

export interface ServerReport {
  /** What was found and what follows from it, as text keys: what "a change" means. */
  facts: string;
  text: string;
  adaptations: TextKey[];
  problems: TextKey[];
  /** Redis settings to change so it keeps the bridge's keys (`appendonly yes`, `maxmemory-policy noeviction`). */
  redisFixes: string[];
}

/** ChatWoot floors: source_id on API messages (3.4.0, #8359), signed API inbox webhooks (4.13.0, #13892). */
const CHATWOOT_FLOORS = { sourceId: '3.4.0', signedWebhooks: '4.13.0' } as const;

export function serverReport(profiles: ServerProfiles, texts: Texts): ServerReport {
  const { waha, chatwoot } = profiles;
  const can = wahaCapabilities(waha);
  const adaptations: TextKey[] = [];
  const problems: TextKey[] = [];
  if (waha.engine === 'WPP') adaptations.push('server.adapt.wpp');
  else if (!can.sortsAscending) adaptations.push('server.adapt.sortHere');
  adaptations.push(can.mergesLidHistories ? 'server.adapt.lidsMerged' : 'server.adapt.lidsJoined');
  if (!can.mediaSends) adaptations.push('server.adapt.textOnly');
  if (!can.historyFilters) problems.push('server.problem.noFilters');
  if (!can.lidsApi) problems.push('server.problem.noLids');
  if (!can.readsHistory) problems.push('server.problem.nowebStore');
  else if (waha.engine === 'NOWEB' && waha.nowebStore?.fullSync === false) problems.push('server.problem.nowebShallow');
  if (chatwoot.version && compareVersions(chatwoot.version, CHATWOOT_FLOORS.sourceId) < 0) problems.push('server.problem.chatwootSourceId');
  if (chatwoot.version && compareVersions(chatwoot.version, CHATWOOT_FLOORS.signedWebhooks) < 0) problems.push('server.problem.chatwootUnsigned');
  const unknown = texts.render('server.unknown');
  const wahaName = waha.version ? texts.render('server.waha', { version: waha.version, engine: waha.engine ?? unknown, tier: waha.tier ?? undefined }) : unknown;
  const redis = profiles.redis;
  const redisProblems: string[] = [];
  if (redis && !redis.aof) redisProblems.push(texts.render('server.problem.redisNoAof', { rdb: redis.rdb === true || undefined }));
  if (redis && redis.maxmemoryPolicy !== 'noeviction') redisProblems.push(texts.render('server.problem.redisEviction', { policy: redis.maxmemoryPolicy }));
  const events = profiles.missingEvents && profiles.missingEvents.length > 0 ? [texts.render('server.problem.missingEvents', { events: profiles.missingEvents.map((e) => `\`${e}\``) })] : [];
  const unreachable = profiles.errors.map((error) => {
    const [what, ...reason] = error.split(': ');
    return texts.render('server.problem.unreachable', { what, reason: reason.join(': ') });
  });
  const text = texts.render('server.report', {
    waha: wahaName,
    chatwoot: chatwoot.version ?? unknown,
    adaptations: adaptations.map((key) => texts.render(key)),
    problems: [...problems.map((key) => texts.render(key)), ...events, ...redisProblems, ...unreachable],
  });
  const facts = JSON.stringify({ waha: [waha.version, waha.engine, waha.tier, waha.nowebStore ?? null], chatwoot: chatwoot.version, redis: redis?.fixes ?? null, adaptations, problems, missingEvents: profiles.missingEvents ?? null, unreachable: profiles.errors.length > 0 });
  return { facts, text, adaptations, problems, redisFixes: redis?.fixes ?? [] };
}

const RECHECK_MS = 10 * 60_000;
const RETRY_MS = 15_000;

@Injectable()
export class ServerReportService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(
    private readonly apps: AppsService,
    private readonly profiles: ServerProfilesService,
    private readonly integration: IntegrationChatService,
    private readonly redis: RedisService,
    @Inject(TEXTS) private readonly texts: Texts,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** The app's report as of the last detection. */
  async report(app: AppContext): Promise<ServerReport> {
    return serverReport(await this.profiles.profiles(app), this.texts);
  }

  onApplicationBootstrap(): void {
    if (this.config.role === 'api') return;
    for (const app of this.apps.all()) this.schedule(app, 0);
    this.apps.onChange(({ added }) => added.forEach((app) => this.schedule(app, 0)));
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
  }

  private schedule(app: AppContext, delayMs: number): void {
    if (this.stopped) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      // An app changed or removed through /api/apps: this loop ends (a changed app has a loop of its own).
      if (this.apps.get(app.config.id) !== app) return;
      this.check(app).then(
        (posted) => this.schedule(app, posted === undefined ? RETRY_MS : RECHECK_MS),
        (error: unknown) => {
          this.logger.warn({ appId: app.config.id, err: error }, 'server report failed');
          this.schedule(app, RETRY_MS);
        },
      );
    }, delayMs);
    timer.unref();
    this.timers.add(timer);
  }

  /**
   * Posts the report when what was found changed since the last post (SET … GET swaps the remembered facts
   * atomically, so of several workers only the first posts). Undefined when the conversation is not there yet.
   */
  async check(app: AppContext): Promise<boolean | undefined> {
    const conversationId = await this.integration.conversationId(app);
    if (!conversationId) return undefined;
    const report = serverReport(await this.profiles.profiles(app, true), this.texts);
    const key = this.redis.appKey(app.config.id, 'server-report');
    const previous = await this.redis.client.set(key, report.facts, 'GET');
    if (previous === report.facts) return false;
    try {
      await this.integration.notify(app, report.text);
    } catch (error) {
      // Not posted: forget the facts so the next check tries again.
      await this.redis.client.del(key).catch(() => undefined);
      throw error;
    }
    this.logger.info({ appId: app.config.id, adaptations: report.adaptations, problems: report.problems }, 'server report posted');
    return true;
  }
}
