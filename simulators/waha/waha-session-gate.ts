/**
 * What stands in front of the WAHA simulator's handlers: the API key on /api and /health (plain or `sha512:`
 * hashed, header or query), the session guard (404 unknown session, 422 when not WORKING after the configured
 * wait), and the session info the /api/sessions routes answer.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { SimRequest, SimResponse, sleep } from '../common/sim-server';
import { Json } from './waha-format';
import { WahaEvents } from './waha-events';
import { WahaState } from './waha-state';

export class SessionGate {
  constructor(
    private readonly state: WahaState,
    private readonly events: WahaEvents,
  ) {}

  /** The server's `before()` hook: 401 without the right API key on a protected path. */
  authorize(req: SimRequest): SimResponse | undefined {
    const protectedPath = req.path.startsWith('/api/') || req.path === '/api' || req.path === '/health';
    if (!protectedPath) return undefined;
    const header = req.headers['x-api-key'];
    const fromHeader = Array.isArray(header) ? header[0] : header;
    const fromQuery = req.query.get('x-api-key');
    req.query.delete('x-api-key');
    const expected = this.state.opts.apiKey;
    if (expected === '') return undefined;
    const given = fromHeader ?? fromQuery ?? undefined;
    if (given === undefined || !this.keyMatches(given, expected)) {
      return { status: 401, body: { message: 'Unauthorized', statusCode: 401 } };
    }
    return undefined;
  }

  private keyMatches(given: string, expected: string): boolean {
    const digest = (value: string): Buffer => createHash('sha256').update(value).digest();
    if (expected.startsWith('sha512:')) {
      const hashed = createHash('sha512').update(given).digest('hex');
      return timingSafeEqual(digest(hashed), digest(expected.slice('sha512:'.length).toLowerCase()));
    }
    return timingSafeEqual(digest(given), digest(expected));
  }

  /** 404 for an unknown session; 422 (after the configured wait) when it is not WORKING. */
  async guardSession(name: string): Promise<SimResponse | undefined> {
    const state = this.state;
    if (name !== state.opts.session) {
      return {
        status: 404,
        body: {
          message: `We didn't find a session with name '${name}'.\nPlease start it first by using POST /api/sessions/${name}/start request`,
          error: 'Not Found',
          statusCode: 404,
        },
      };
    }
    const deadline = Date.now() + state.opts.statusWaitMs;
    while (state.status !== 'WORKING' && Date.now() < deadline) await sleep(Math.min(100, state.opts.statusWaitMs));
    if (state.status !== 'WORKING') {
      return {
        status: 422,
        body: {
          error: 'Session status is not as expected. Try again later or restart the session',
          session: name,
          status: state.status,
          expected: ['WORKING'],
        },
      };
    }
    return undefined;
  }

  /**
   * The session guard, then NOWEB's store: without `config.noweb.store.enabled` the in-memory store refuses chats,
   * messages, contacts and lids with 400 (src/core/engines/noweb/store/NowebInMemoryStore.ts, BadRequestException).
   */
  async guardStore(name: string): Promise<SimResponse | undefined> {
    const guard = await this.guardSession(name);
    if (guard) return guard;
    const { engine, nowebStore } = this.state.opts;
    if (engine !== 'NOWEB' || nowebStore) return undefined;
    return {
      status: 400,
      body: {
        statusCode: 400,
        message:
          'Enable NOWEB store "config.noweb.store.enabled=True" and "config.noweb.store.full_sync=True" when starting a new session. Read more: https://waha.devlike.pro/docs/engines/noweb#store',
        error: 'Bad Request',
      },
    };
  }

  /**
   * GET /api/sessions(/{session}): SessionInfo; the detailed one adds `engine: {engine, …engine info}`
   * (src/core/manager.core.ts fetchEngineInfo): WEBJS and WPP `{WWebVersion, state}`, GOWS `{grpc, gows}` (their
   * values here are approximations), NOWEB nothing more.
   */
  sessionInfo(withEngine: boolean): Json {
    const { opts, status } = this.state;
    const webhooks = opts.webhookUrl
      ? [
          {
            url: opts.webhookUrl,
            events: opts.webhookEvents,
            retries: {
              policy: 'constant',
              delaySeconds: (opts.webhookRetries.delayMs ?? 100) / 1000,
              attempts: opts.webhookRetries.attempts ?? 3,
            },
          },
        ]
      : [];
    const info: Json = {
      name: opts.session,
      status,
      config: {
        metadata: opts.metadata,
        webhooks,
        ...(opts.engine === 'NOWEB'
          ? { noweb: { markOnline: true, store: { enabled: opts.nowebStore, fullSync: opts.nowebStore } } }
          : {}),
      },
      me: this.events.meOrNull(),
      presence: status === 'WORKING' ? 'online' : null,
      timestamps: { activity: this.state.lastActivity },
    };
    if (withEngine) {
      const working = status === 'WORKING';
      switch (opts.engine) {
        case 'WEBJS':
        case 'WPP':
          info.engine = { engine: opts.engine, WWebVersion: '2.3000.1025062854', state: working ? 'CONNECTED' : null };
          break;
        case 'GOWS':
          info.engine = {
            engine: 'GOWS',
            grpc: { client: working ? 'READY' : 'IDLE', stream: working ? 'READY' : 'IDLE' },
            gows: { found: true, connected: working, authenticated: working },
          };
          break;
        case 'NOWEB':
          info.engine = { engine: 'NOWEB' };
          break;
      }
    }
    return info;
  }
}
