/**
 * What each app's WAHA, ChatWoot and Redis are: versions, whether Redis keeps what is written, WAHA's engine and tier, NOWEB's store. Asked at start-up and
 * again every few minutes (a WAHA upgrade or a session on another engine changes what the bridge must do), kept in
 * memory; callers read `waha(app)` and act on `wahaCapabilities(profile)`.
 *
 * A send that answers "available only in Plus version" downgrades the app's media sends at once, whatever the
 * version said.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { engineName, missingEvents, sessionEngine, WahaCapabilities, wahaCapabilities, WahaProfile } from '../clients/waha/waha-capabilities';
import { LOGGER } from '../logging/logger';
import { RedisDurability, RedisDurabilityCheck } from '../redis/redis-durability';
import { AppContext } from './apps.service';

export interface ChatwootProfile {
  version: string | null;
}

export interface ServerProfiles {
  waha: WahaProfile;
  chatwoot: ChatwootProfile;
  /** Whether the Redis the bridge writes to keeps it (null when it could not be read). */
  redis: RedisDurability | null;
  /** Events the session's webhook to this app does not send (undefined: no session webhook points here). */
  missingEvents?: string[];
  /** Why a server could not be asked, if it could not. */
  errors: string[];
  detectedAt: number;
}

const FRESH_MS = 5 * 60_000;

@Injectable()
export class ServerProfilesService {
  private readonly known = new Map<string, ServerProfiles>();
  private readonly pending = new Map<string, Promise<ServerProfiles>>();
  private readonly mediaSendsRefused = new Set<string>();
  private readonly orderUntrusted = new Set<string>();

  constructor(
    private readonly durability: RedisDurabilityCheck,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** The app's servers as last seen (asked again when older than a few minutes, or when `refresh`). */
  async profiles(app: AppContext, refresh = false): Promise<ServerProfiles> {
    const id = app.config.id;
    const known = this.known.get(id);
    if (known && !refresh && Date.now() - known.detectedAt < FRESH_MS) return known;
    let pending = this.pending.get(id);
    if (!pending) {
      pending = this.detect(app).finally(() => this.pending.delete(id));
      this.pending.set(id, pending);
    }
    return pending;
  }

  async waha(app: AppContext): Promise<WahaProfile> {
    return (await this.profiles(app)).waha;
  }

  async capabilities(app: AppContext): Promise<WahaCapabilities> {
    const capabilities = wahaCapabilities(await this.waha(app));
    if (this.mediaSendsRefused.has(app.config.id)) capabilities.mediaSends = false;
    return capabilities;
  }

  /** WAHA answered a history page out of order although asked for oldest first: sort every chat here from now on. */
  distrustOrder(app: AppContext): void {
    this.orderUntrusted.add(app.config.id);
  }

  orderDistrusted(app: AppContext): boolean {
    return this.orderUntrusted.has(app.config.id);
  }

  /** WAHA refused a media send as a Plus feature: send text only from now on (until a detection says otherwise). */
  mediaSendsRefusedBy(app: AppContext): void {
    this.mediaSendsRefused.add(app.config.id);
  }

  private async detect(app: AppContext): Promise<ServerProfiles> {
    const previous = this.known.get(app.config.id);
    const errors: string[] = [];
    const note = (what: string) => (error: unknown) => {
      errors.push(`${what}: ${error instanceof Error ? error.message : String(error)}`);
      return null;
    };
    const [version, session, chatwoot, redis] = await Promise.all([
      app.waha.serverVersion().catch(note('WAHA version')),
      app.waha.getSession().catch(note('WAHA session')),
      app.chatwoot.serverVersion().catch(note('ChatWoot version')),
      this.durability.check().catch(note('Redis persistence settings')),
    ]);
    const engine = sessionEngine(session) ?? engineName(version?.engine) ?? previous?.waha.engine ?? null;
    const store = session?.config?.noweb?.store;
    const waha: WahaProfile = {
      version: version?.version ?? previous?.waha.version ?? null,
      engine,
      tier: version?.tier === 'CORE' || version?.tier === 'PLUS' ? version.tier : (previous?.waha.tier ?? null),
      nowebStore:
        engine === 'NOWEB' && store ? { enabled: store.enabled === true, fullSync: store.fullSync === true || store.full_sync === true } : previous?.waha.nowebStore,
    };
    const missing = session ? missingEvents(session.config?.webhooks, app.config.id) : previous?.missingEvents;
    const profiles: ServerProfiles = {
      waha,
      chatwoot: { version: chatwoot?.version ?? previous?.chatwoot.version ?? null },
      redis: redis ?? previous?.redis ?? null,
      ...(missing !== undefined ? { missingEvents: missing } : {}),
      errors,
      detectedAt: Date.now(),
    };
    if (version) this.mediaSendsRefused.delete(app.config.id);
    this.known.set(app.config.id, profiles);
    if (errors.length > 0) this.logger.warn({ appId: app.config.id, errors }, 'could not ask every server what it is');
    return profiles;
  }
}
