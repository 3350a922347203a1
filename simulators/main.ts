/**
 * `npm run sim`: both simulators as standalone HTTP servers, for the demo, the benchmark, or poking at by hand.
 *
 * SIM_WAHA_PORT (3101), SIM_CHATWOOT_PORT (3102), SIM_BRIDGE_URL (where webhooks go, default http://127.0.0.1:3000),
 * SIM_APP_ID (app_demo), SIM_CHATWOOT_LATENCY_MS (0), SIM_CHATWOOT_CAPACITY (32), SIM_MESSAGES_PER_MINUTE (200),
 * SIM_RATE_LIMIT (requests per window, unset = off), SIM_RATE_LIMIT_PERIOD (the window in seconds, 60),
 * SIM_DM_CHATS / SIM_GROUPS / SIM_MESSAGES_PER_CHAT / SIM_DAYS (history size), SIM_SEED (42), and for exact
 * benchmark histories SIM_CHANNELS (1), SIM_INCLUDE_STATUS (1), SIM_BROADCAST_LISTS (1), SIM_MEDIA_RATIO (0.15),
 * SIM_HIDDEN_RATIO (0.04), SIM_RECENT_MESSAGES_PER_CHAT (3), SIM_INCLUDE_NULL_CHAT (1); SIM_JOURNAL_LIMIT
 * (requests kept in each simulator's journal, 100000; 0 = none); SIM_ONLY (`waha` or `chatwoot`: start just that
 * one, so each can run in its own process; port 0 = any free port). Profiles: SIM_WAHA_ENGINE (NOWEB), SIM_WAHA_VERSION
 * (2026.7.1), SIM_WAHA_TIER (PLUS), SIM_WAHA_MEDIA_STORAGE (local), SIM_WAHA_PATH_PREFIX (''), SIM_NOWEB_STORE (1),
 * SIM_SPLIT_PERSONS (0), SIM_CHATWOOT_VERSION (4.15.1). Prints one JSON line with the URLs once listening.
 * Requests are checked against the OpenAPI documents in ../shared/specs (SIM_SPECS_DIR to point elsewhere).
 */
import { envNumber } from './common/sim-server';
import { startChatwootSimulator } from './chatwoot/chatwoot-simulator';
import { startWahaSimulator } from './waha/waha-simulator';

async function main(): Promise<void> {
  const bridge = (process.env.SIM_BRIDGE_URL ?? 'http://127.0.0.1:3000').replace(/\/+$/, '');
  const appId = process.env.SIM_APP_ID ?? 'app_demo';
  const session = process.env.SIM_SESSION ?? 'default';
  const rate = process.env.SIM_RATE_LIMIT ? envNumber('SIM_RATE_LIMIT', 0) : 0;
  const ratePeriodSec = envNumber('SIM_RATE_LIMIT_PERIOD', 60);
  const flag = (name: string, fallback: boolean): boolean => {
    const raw = process.env[name];
    return raw === undefined || raw === '' ? fallback : !['0', 'false', 'no'].includes(raw.toLowerCase());
  };
  const oneOf = <T extends string>(name: string, allowed: readonly T[]): T | undefined => {
    const raw = process.env[name];
    if (raw === undefined || raw === '') return undefined;
    if (!(allowed as readonly string[]).includes(raw))
      throw new Error(`${name} must be one of ${allowed.join(', ')}, got "${raw}"`);
    return raw as T;
  };
  const only = process.env.SIM_ONLY ?? '';
  if (!['', 'waha', 'chatwoot'].includes(only)) throw new Error(`SIM_ONLY must be waha or chatwoot, got "${only}"`);
  const journalLimit = envNumber('SIM_JOURNAL_LIMIT', 100_000);
  const chatwoot =
    only === 'waha'
      ? undefined
      : await startChatwootSimulator(
          {
            webhookUrl: `${bridge}/webhooks/chatwoot/${session}/${appId}`,
            webhookSecret: process.env.SIM_CHATWOOT_WEBHOOK_SECRET || undefined,
            latencyMs: envNumber('SIM_CHATWOOT_LATENCY_MS', 0),
            capacity: envNumber('SIM_CHATWOOT_CAPACITY', 32),
            messagesPerMinute: envNumber('SIM_MESSAGES_PER_MINUTE', 200),
            rateLimit: rate > 0 ? { limit: rate, periodSec: ratePeriodSec } : null,
            version: process.env.SIM_CHATWOOT_VERSION || undefined,
          },
          envNumber('SIM_CHATWOOT_PORT', 3102),
        );
  const waha =
    only === 'chatwoot'
      ? undefined
      : await startWahaSimulator(
          {
            session,
            webhookUrl: `${bridge}/webhooks/waha/${appId}`,
            webhookHmacKey: process.env.SIM_WAHA_HMAC_KEY || undefined,
            engine: oneOf('SIM_WAHA_ENGINE', ['NOWEB', 'WEBJS', 'GOWS', 'WPP'] as const),
            version: process.env.SIM_WAHA_VERSION || undefined,
            tier: oneOf('SIM_WAHA_TIER', ['CORE', 'PLUS'] as const),
            mediaStorage: oneOf('SIM_WAHA_MEDIA_STORAGE', ['local', 's3'] as const),
            pathPrefix: process.env.SIM_WAHA_PATH_PREFIX || undefined,
            nowebStore: flag('SIM_NOWEB_STORE', true),
            history: {
              seed: envNumber('SIM_SEED', 42),
              dmChats: envNumber('SIM_DM_CHATS', 6),
              groups: envNumber('SIM_GROUPS', 2),
              messagesPerChat: envNumber('SIM_MESSAGES_PER_CHAT', 20),
              days: envNumber('SIM_DAYS', 21),
              channels: envNumber('SIM_CHANNELS', 1),
              includeStatus: flag('SIM_INCLUDE_STATUS', true),
              broadcastLists: envNumber('SIM_BROADCAST_LISTS', 1),
              mediaRatio: envNumber('SIM_MEDIA_RATIO', 0.15),
              hiddenRatio: envNumber('SIM_HIDDEN_RATIO', 0.04),
              recentMessagesPerChat: envNumber('SIM_RECENT_MESSAGES_PER_CHAT', 3),
              includeNullChat: flag('SIM_INCLUDE_NULL_CHAT', true),
              splitPersons: envNumber('SIM_SPLIT_PERSONS', 0),
            },
          },
          envNumber('SIM_WAHA_PORT', 3101),
        );
  if (chatwoot) chatwoot.journalLimit = journalLimit;
  if (waha) waha.journalLimit = journalLimit;
  process.stdout.write(
    `${JSON.stringify({ waha: waha?.url, wahaApiKey: waha?.apiKey, chatwoot: chatwoot?.url, chatwootToken: chatwoot?.token, accountId: chatwoot?.accountId, inboxId: chatwoot?.inboxId })}\n`,
  );
  const stop = (): void => {
    void Promise.all([chatwoot?.close(), waha?.close()]).then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`Simulators failed to start: ${String(error)}\n`);
  process.exit(1);
});
