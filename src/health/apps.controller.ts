/**
 * The apps admin API: `GET/POST /api/apps`, `GET/PUT/DELETE /api/apps/{id}` with `Authorization: Bearer
 * <ADMIN_TOKEN>` (off without ADMIN_TOKEN). Bodies use the APPS_FILE field names (`APP_ID`, `WAHA_URL`, …) and are
 * validated as the environment is; fields left out fall back to the environment, as in APPS_FILE. Secrets are
 * write-only: answers say which are set, never their values, and a PUT that leaves one out keeps it.
 *
 * Changes go to the registry in Redis; every process serves them within seconds (apps.service.ts). Removing an app
 * stops its history and contacts pulls first (their reports still reach its ChatWoot) and keeps its ledger, unless
 * `?purge=true` deletes every key of the app.
 */
import { BadRequestException, Body, ConflictException, Controller, Delete, ForbiddenException, Get, Headers, HttpCode, Inject, NotFoundException, Param, Post, Put, Query, UnauthorizedException } from '@nestjs/common';
import type { Logger } from 'pino';
import { AppsService } from '../apps/apps.service';
import type { StoredApp } from '../apps/apps.registry';
import { sleep } from '../common/sleep';
import { APP_FIELDS, APP_SECRET_FIELDS, AppConfig, AppEntry, appEntry, appFromEntry, ConfigError, requireAppSecrets, SERVICE_CONFIG, ServiceConfig, sessionTakenBy } from '../config/config';
import { ContactsService } from '../contacts/contacts.service';
import { LOGGER } from '../logging/logger';
import { isTerminal } from '../pull/pull-state';
import { PullService } from '../pull/pull.service';
import { scanKeys } from '../redis/redis-connection';
import { RedisService } from '../redis/redis.service';
import { adminAccess } from './admin-auth';

/** How long a DELETE waits for the app's pull to stop (its chats finish the message in flight) before it goes on. */
const STOP_WAIT_MS = 30_000;

type AppView = Record<string, unknown>;

@Controller('api/apps')
export class AppsController {
  constructor(
    private readonly apps: AppsService,
    private readonly pulls: PullService,
    private readonly contacts: ContactsService,
    private readonly redis: RedisService,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @Get()
  async list(@Headers('authorization') authorization?: string): Promise<AppView[]> {
    this.admit(authorization);
    return (await this.apps.registry.list()).map((stored) => this.view(stored));
  }

  @Get(':id')
  async show(@Param('id') id: string, @Headers('authorization') authorization?: string): Promise<AppView> {
    this.admit(authorization);
    return this.view(await this.stored(id));
  }

  @Post()
  @HttpCode(201)
  async create(@Body() body: unknown, @Headers('authorization') authorization?: string): Promise<AppView> {
    this.admit(authorization);
    const entry = this.entryOf(body);
    const app = this.validate(entry);
    const taken = (): ConflictException => new ConflictException(`App "${app.id}" exists already: change it with PUT /api/apps/${app.id}`);
    // The id first: a second POST of the same app is told the app exists, not that its session is taken.
    if (await this.apps.registry.get(app.id)) throw taken();
    await this.refuseSharedSession(app);
    if (!(await this.apps.registry.create(app.id, { ...entry, APP_ID: app.id }))) throw taken();
    await this.apps.refresh();
    this.logger.info({ appId: app.id }, 'app added through the admin API');
    return this.view(await this.stored(app.id));
  }

  @Put(':id')
  async update(@Param('id') id: string, @Body() body: unknown, @Headers('authorization') authorization?: string): Promise<AppView> {
    this.admit(authorization);
    const current = await this.stored(id);
    const given = this.entryOf(body);
    if (given.APP_ID !== undefined && given.APP_ID !== id) throw new BadRequestException(`APP_ID "${given.APP_ID}" differs from the app in the URL ("${id}"): an app's id cannot change; add a new app and remove this one`);
    // Secrets are write-only: one left out keeps its value.
    const kept = Object.fromEntries(APP_SECRET_FIELDS.filter((f) => given[f] === undefined && current.entry[f] !== undefined).map((f) => [f, current.entry[f]]));
    const entry: AppEntry = { ...kept, ...given, APP_ID: id };
    const app = this.validate(entry);
    await this.refuseSharedSession(app);
    if (!(await this.apps.registry.update(id, entry))) throw new NotFoundException(`No app "${id}"`);
    await this.apps.refresh();
    this.logger.info({ appId: id }, 'app changed through the admin API');
    return this.view(await this.stored(id));
  }

  @Delete(':id')
  async remove(@Param('id') id: string, @Query('purge') purge: string | undefined, @Headers('authorization') authorization?: string): Promise<Record<string, unknown>> {
    this.admit(authorization);
    await this.stored(id);
    const pullStopped = await this.stopPulls(id);
    if (!(await this.apps.registry.remove(id))) throw new NotFoundException(`No app "${id}"`);
    await this.apps.refresh();
    const purged = purge === 'true' ? await this.purge(id) : undefined;
    this.logger.info({ appId: id, purged, pullStopped }, 'app removed through the admin API');
    return { removed: id, pullStopped, ...(purged === undefined ? { ledgerKept: true } : { purgedKeys: purged }) };
  }

  /** 401 without the right Bearer token; 403 while ADMIN_TOKEN is not set (the API is off). */
  private admit(authorization: string | undefined): void {
    if (!this.config.security.adminToken) throw new ForbiddenException('The apps API is off: set ADMIN_TOKEN and call it with Authorization: Bearer <ADMIN_TOKEN>');
    if (adminAccess(this.config.security.adminToken, authorization) !== 'ok') throw new UnauthorizedException('Authorization: Bearer <ADMIN_TOKEN> required');
  }

  private async stored(id: string): Promise<StoredApp> {
    const stored = await this.apps.registry.get(id);
    if (!stored) throw new NotFoundException(`No app "${id}"`);
    return stored;
  }

  private entryOf(body: unknown): AppEntry {
    try {
      return appEntry(body, 'The body');
    } catch (error) {
      throw new BadRequestException(error instanceof Error ? error.message : String(error));
    }
  }

  /** Validated as the environment is (the same messages), with both webhook secrets unless the operator opted out. */
  private validate(entry: AppEntry): AppConfig {
    try {
      const app = appFromEntry(entry, this.config.appDefaults, 'The body');
      if (!this.config.security.allowUnsigned) requireAppSecrets(app);
      return app;
    } catch (error) {
      if (error instanceof ConfigError) throw new BadRequestException(error.message);
      throw error;
    }
  }

  /** One WAHA session is one WhatsApp account: two apps on it would import each other's messages. */
  private async refuseSharedSession(app: AppConfig): Promise<void> {
    // The apps as every process serves them, read afresh (an entry not valid here is not served, so holds nothing).
    await this.apps.refresh();
    const other = sessionTakenBy(this.apps.all().map((served) => served.config), app);
    if (other) throw new ConflictException(`App "${other}" already uses WAHA session "${app.waha.session}" on ${app.waha.url}: give each app its own session`);
  }

  /** Stops the app's pulls and waits (up to STOP_WAIT_MS) for the history pull to end; true when nothing runs. */
  private async stopPulls(id: string): Promise<boolean> {
    await this.contacts.stop(id).catch((error: unknown) => this.logger.warn({ appId: id, err: error }, 'cannot stop the contacts pull of a removed app'));
    const running = await this.pulls.stop(id);
    if (!running) return true;
    const deadline = Date.now() + STOP_WAIT_MS;
    while (Date.now() < deadline) {
      const record = await this.pulls.latest(id);
      if (!record || record.id !== running.id || isTerminal(record.state)) return true;
      await sleep(500);
    }
    return false;
  }

  /** Deletes every key of the app (`<prefix>:{<appId>}:…`): its ledger, pulls, lanes and dead letters. */
  private async purge(id: string): Promise<number> {
    let count = 0;
    for await (const keys of scanKeys(this.redis.client, `${this.redis.appKey(id)}:*`)) {
      await Promise.all(keys.map((key) => this.redis.client.del(key)));
      count += keys.length;
    }
    return count;
  }

  private view(stored: StoredApp): AppView {
    const fields: AppView = {};
    for (const field of APP_FIELDS) {
      if (stored.entry[field] !== undefined && !APP_SECRET_FIELDS.includes(field)) fields[field] = stored.entry[field];
    }
    const secrets = Object.fromEntries(APP_SECRET_FIELDS.map((f) => [f, stored.entry[f] !== undefined || this.config.appDefaults[f] !== undefined]));
    const served = this.apps.get(stored.id);
    const session = served?.config.waha.session ?? stored.entry.WAHA_SESSION ?? this.config.appDefaults.WAHA_SESSION ?? 'default';
    return {
      ...fields,
      secretsSet: secrets,
      source: stored.source,
      served: served !== undefined,
      webhooks: { waha: `/webhooks/waha/${stored.id}`, chatwoot: `/webhooks/chatwoot/${session}/${stored.id}` },
    };
  }
}
