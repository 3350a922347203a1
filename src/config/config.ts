/**
 * Configuration is read from the environment once, validated, and handed out as a typed object. No other module
 * reads process.env. A missing or malformed value stops the service with one line naming the variable and what
 * it expects.
 */
import * as fs from 'node:fs';
import { MAX_TIMER_MS } from '../common/durations';
import { formatSize } from '../common/sizes';
import { Texts, type TextOverrides } from '../texts/texts';

export type OutgoingMode = 'private-note' | 'message';
export type Role = 'all' | 'api' | 'worker';

export interface AppConfig {
  /** The `{appId}` of the webhook URL. */
  id: string;
  waha: { url: string; apiKey: string; session: string; webhookHmacKey?: string };
  chatwoot: {
    url: string;
    accountId: number;
    token: string;
    inboxId: number;
    inboxIdentifier: string;
    /** Signs webhooks (ChatWoot 4.13+): X-Chatwoot-Signature over "<timestamp>.<body>". */
    webhookSecret?: string;
    /** ChatWoot before 4.13 cannot sign: an unguessable `?token=` on the webhook URL stands in for the signature. */
    webhookToken?: string;
    /** How messages the WhatsApp account itself sent appear in ChatWoot. */
    outgoingMode: OutgoingMode;
    /** A contact reading our message on WhatsApp marks the conversation read (contact last seen) in ChatWoot. */
    markAsRead: boolean;
  };
  /** How agent messages go out on WhatsApp (the options of WAHA's ChatWoot app). */
  replies: ReplyOptions;
  /** SERVER_COMMANDS: `wa/server status|reboot` may be run (default off: a reboot stops WhatsApp for every app on that WAHA). */
  serverCommands: boolean;
  commandPrefix: string;
  /**
   * Hosts media may be downloaded from besides WAHA itself (S3 or CDN hosts WAHA's media URLs point at): `host`,
   * `host:port` or `*.domain`. Everything else is refused.
   */
  mediaHosts: string[];
  /**
   * Who may run commands besides the prefix rule: ChatWoot agent ids or emails (empty = every agent or
   * administrator; bots, Captain and automations never).
   */
  commandAgents: string[];
}

export type LinkPreview = 'off' | 'lg' | 'hg';

export interface ReplyOptions {
  /** AGENT_NAME_PREFIX: `*Agent name*:` on a line before the agent's text (default off). */
  agentNamePrefix: boolean;
  /** LINK_PREVIEW: WhatsApp link previews on agent texts, off, low (lg) or high quality (hg) (default off). */
  linkPreview: LinkPreview;
  /** MARK_READ_ON_REPLY: an agent's reply marks the customer's messages read on WhatsApp (default on). */
  markReadOnReply: boolean;
  /** TYPING_INDICATOR: "typing…" on WhatsApp for a moment before each agent text (default off). */
  typingIndicator: boolean;
}

/** Limits that keep hostile or huge input from exhausting the process (README Security). */
export interface LimitsConfig {
  /** Largest webhook body, in bytes. */
  webhookBodyBytes: number;
  /** Largest media file imported or relayed, in bytes (ChatWoot's own attachment limit by default). */
  mediaMaxBytes: number;
}

/** What protects the HTTP side (README Security). */
export interface SecurityConfig {
  /** Webhooks without secrets accepted (warned at every start and in /health details). */
  allowUnsigned: boolean;
  /** Bearer token for /health details, /metrics and the queue board; unset = all three off. */
  adminToken?: string;
}

export interface TuningConfig {
  /** Chats of one pull worked on at once by one process. */
  pullChatConcurrency: number;
  /** Upper bound of concurrent ChatWoot requests per process (the adaptive limit moves below it). */
  chatwootMaxConcurrency: number;
  /** Requests per rate-limit window ChatWoot allows us (0 = learn it from 429 answers). */
  chatwootRateLimit: number;
  chatwootRateWindowMs: number;
  /** ChatWoot's rolling per-conversation message window (always 1m in ChatWoot; shorter for the simulators). */
  chatwootMessageWindowMs: number;
  httpTimeoutMs: number;
  liveConcurrency: number;
  /** How long `session qr` keeps renewing the QR in ChatWoot before it gives up (QR_WAIT, default 2m). */
  qrWaitMs: number;
  /** Time zone of the original-date line under imported messages (default: the process's). */
  timeZone?: string;
}

/** How long faults are waited out, and how ownership and unknown outcomes are settled (see README Reliability). */
export interface ReliabilityConfig {
  /** Transient errors (429, 5xx, timeouts, refused connections) are retried this long, then dead-lettered. */
  retryWindowMs: number;
  /** Dead letters are kept this long for `wa/queue retry`. */
  deadLetterTtlMs: number;
  /** A live lane's owner lease, renewed while its owner lives. */
  laneLeaseMs: number;
  /** How often workers look for lanes whose owner died. */
  laneSweepMs: number;
  /** A ChatWoot post whose answer was lost is looked for only this long after it was sent (it may still be running). */
  chatwootGraceMs: number;
  /** A WAHA send whose answer was lost is looked for (or its webhook waited for) this long after it was sent. */
  wahaSendGraceMs: number;
}

/** A Redis server's address (a cluster's seed node or a sentinel). */
export interface HostPort {
  host: string;
  port: number;
}

/**
 * Which Redis the service uses: one server (REDIS_URL), a Redis Cluster (REDIS_CLUSTER_NODES: seed nodes; REDIS_URL
 * then only carries the user, password and TLS) or a master found through Sentinel (REDIS_SENTINELS and
 * REDIS_SENTINEL_NAME; REDIS_URL likewise carries the master's credentials and TLS).
 */
export type RedisTopology =
  | { kind: 'single'; url: string }
  | { kind: 'cluster'; nodes: HostPort[]; url: string }
  | { kind: 'sentinel'; sentinels: HostPort[]; name: string; url: string };

/**
 * How long a write that must survive a failover waits for replicas (Redis `WAIT`): the mark of a post or send in
 * flight, before the request leaves. Replicas 0 = never wait (one Redis has no replica to lose writes to).
 */
export interface RedisReplicationConfig {
  replicas: number;
  timeoutMs: number;
}

export interface ServiceConfig {
  port: number;
  redis: RedisTopology;
  redisReplication: RedisReplicationConfig;
  logLevel: string;
  role: Role;
  queuePrefix: string;
  textsFile?: string;
  /** The operator's TEXTS_FILE, read and checked once (unknown keys, broken templates and stray variables stop start-up). */
  textOverrides: TextOverrides;
  /** The apps of the environment or APPS_FILE, which seed the apps registry in Redis (apps.registry.ts). */
  apps: AppConfig[];
  /** The same apps as entries (what APPS_FILE says, or the APP_ID of the environment). */
  appEntries: AppEntry[];
  /** The environment's app fields: what an entry's missing fields fall back to. */
  appDefaults: AppEntry;
  tuning: TuningConfig;
  reliability: ReliabilityConfig;
  limits: LimitsConfig;
  security: SecurityConfig;
  /** Where operators reach this service (PUBLIC_URL), for links to the queue board in replies; unset = no links. */
  publicUrl?: string;
}

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function read(env: Env, name: string): string | undefined {
  const value = env[name];
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  return trimmed === '' ? undefined : trimmed;
}

function required(env: Env, name: string, what: string): string {
  const value = read(env, name);
  if (value === undefined) throw new ConfigError(`${name} is missing: expected ${what}`);
  return value;
}

function url(env: Env, name: string, fallback?: string): string {
  const value = read(env, name) ?? fallback;
  if (value === undefined) throw new ConfigError(`${name} is missing: expected an http(s) URL like http://localhost:3000`);
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new ConfigError(`${name} is malformed: expected an http(s) URL like http://localhost:3000, got "${value}"`);
  }
  if (!['http:', 'https:', 'redis:', 'rediss:'].includes(parsed.protocol)) {
    throw new ConfigError(`${name} is malformed: unsupported scheme "${parsed.protocol}"`);
  }
  return value.replace(/\/+$/, '');
}

function integer(env: Env, name: string, fallback: number | undefined, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const raw = read(env, name);
  if (raw === undefined) {
    if (fallback === undefined) throw new ConfigError(`${name} is missing: expected an integer ≥ ${min}`);
    return fallback;
  }
  if (!/^-?\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigError(`${name} is malformed: expected an integer from ${min} to ${max}, got "${raw}"`);
  }
  return Number(raw);
}

function oneOf<T extends string>(env: Env, name: string, choices: readonly T[], fallback: T): T {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  if (!choices.includes(raw as T)) {
    throw new ConfigError(`${name} is malformed: expected one of ${choices.join(', ')}, got "${raw}"`);
  }
  return raw as T;
}

function boolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  const value = raw.toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(value)) return true;
  if (['false', '0', 'no', 'off'].includes(value)) return false;
  throw new ConfigError(`${name} is malformed: expected true or false, got "${raw}"`);
}

/**
 * A duration. Those that become timers (`timer`) must stay below setTimeout's limit (about 24.8 days), past which
 * Node fires at once: they are capped at MAX_TIMER_MS with a clear error.
 */
function durationMs(env: Env, name: string, fallback: number, timer = true): number {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  const match = /^(\d+)(ms|s|m|h|d)?$/.exec(raw);
  if (!match) throw new ConfigError(`${name} is malformed: expected a duration like 60s, 1m, 1h or 7d, got "${raw}"`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[match[2] ?? 'ms'] ?? 1;
  const value = Number(match[1]) * unit;
  if (timer && value > MAX_TIMER_MS) throw new ConfigError(`${name} is too long: at most 24d, got "${raw}"`);
  return value;
}

/** A size with its unit (`4mb`, `512kb`, `40mb`, `1gb`, `1000b`): a bare number is refused, it was meant in bytes too rarely. */
export function parseSize(raw: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)$/i.exec(raw.trim());
  if (!match) return undefined;
  const unit = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 }[match[2].toLowerCase() as 'b' | 'kb' | 'mb' | 'gb'];
  return Math.floor(Number(match[1]) * unit);
}

function size(env: Env, name: string, fallback: string, min: number, max: number): number {
  const raw = read(env, name) ?? fallback;
  const value = parseSize(raw);
  const range = `from ${formatSize(min)} to ${formatSize(max)}`;
  if (value === undefined) throw new ConfigError(`${name} is malformed: expected a size with its unit like ${fallback} (b, kb, mb or gb), ${range}, got "${raw}"`);
  if (value < min || value > max) throw new ConfigError(`${name} is out of range: expected ${range}, got "${raw}"`);
  return value;
}

function timeZone(env: Env, name: string): string | undefined {
  const raw = read(env, name);
  if (raw === undefined) return undefined;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: raw });
  } catch {
    throw new ConfigError(`${name} is malformed: expected an IANA time zone like Europe/Berlin, got "${raw}"`);
  }
  return raw;
}

const HOST_PATTERN = /^(\*\.)?[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:]+\](:\d{1,5})?$/;

function hostList(env: Env, name: string): string[] {
  const raw = read(env, name);
  if (raw === undefined) return [];
  const hosts = raw.split(',').map((h) => h.trim()).filter(Boolean);
  const bad = hosts.filter((h) => !HOST_PATTERN.test(h));
  if (bad.length > 0) throw new ConfigError(`${name} is malformed: expected host names like s3.example.com, host:port or *.example.com, separated by commas, got "${bad.join(', ')}"`);
  return hosts;
}

const AGENT_PATTERN = /^\d+$|^[^\s@,]+@[^\s@,]+$/;

function agentList(env: Env, name: string): string[] {
  const raw = read(env, name);
  if (raw === undefined) return [];
  const agents = raw.split(',').map((a) => a.trim().toLowerCase()).filter(Boolean);
  const bad = agents.filter((a) => !AGENT_PATTERN.test(a));
  if (bad.length > 0) throw new ConfigError(`${name} is malformed: expected ChatWoot agent ids or emails separated by commas, got "${bad.join(', ')}"`);
  return agents;
}

/** A webhook token must not be guessable: at least this many characters. */
const MIN_TOKEN_LENGTH = 24;

function token(env: Env, name: string): string | undefined {
  const value = read(env, name);
  if (value !== undefined && value.length < MIN_TOKEN_LENGTH) {
    throw new ConfigError(`${name} is too short: expected at least ${MIN_TOKEN_LENGTH} random characters (e.g. openssl rand -hex 24)`);
  }
  return value;
}

const APP_ID_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

function appFrom(env: Env, where: string): AppConfig {
  const prefix = where ? `${where}: ` : '';
  try {
    const id = required(env, 'APP_ID', 'the {appId} of the webhook URL (letters, digits, _ . -)');
    if (!APP_ID_PATTERN.test(id)) throw new ConfigError(`APP_ID is malformed: expected letters, digits, _ . - (max 64), got "${id}"`);
    const session = read(env, 'WAHA_SESSION') ?? 'default';
    const prefixValue = env.COMMAND_PREFIX === undefined ? 'wa/' : env.COMMAND_PREFIX.trim();
    return {
      id,
      waha: {
        url: url(env, 'WAHA_URL'),
        apiKey: required(env, 'WAHA_API_KEY', 'the WAHA API key (X-Api-Key)'),
        session,
        webhookHmacKey: read(env, 'WAHA_WEBHOOK_HMAC_KEY'),
      },
      chatwoot: {
        url: url(env, 'CHATWOOT_URL'),
        accountId: integer(env, 'CHATWOOT_ACCOUNT_ID', undefined, 1),
        token: required(env, 'CHATWOOT_ACCOUNT_TOKEN', 'a ChatWoot user access token (Profile → Access Token)'),
        inboxId: integer(env, 'CHATWOOT_INBOX_ID', undefined, 1),
        inboxIdentifier: required(env, 'CHATWOOT_INBOX_IDENTIFIER', "the API inbox's identifier (Inbox settings → Configuration)"),
        webhookSecret: read(env, 'CHATWOOT_WEBHOOK_SECRET'),
        webhookToken: token(env, 'CHATWOOT_WEBHOOK_TOKEN'),
        outgoingMode: oneOf(env, 'CHATWOOT_OUTGOING_MODE', ['private-note', 'message'] as const, 'private-note'),
        markAsRead: boolean(env, 'CHATWOOT_MARK_AS_READ', true),
      },
      replies: {
        agentNamePrefix: boolean(env, 'AGENT_NAME_PREFIX', false),
        linkPreview: oneOf(env, 'LINK_PREVIEW', ['off', 'lg', 'hg'] as const, 'off'),
        markReadOnReply: boolean(env, 'MARK_READ_ON_REPLY', true),
        typingIndicator: boolean(env, 'TYPING_INDICATOR', false),
      },
      serverCommands: boolean(env, 'SERVER_COMMANDS', false),
      commandPrefix: prefixValue,
      mediaHosts: hostList(env, 'MEDIA_HOSTS'),
      commandAgents: agentList(env, 'COMMAND_AGENTS'),
    };
  } catch (error) {
    if (error instanceof ConfigError) throw new ConfigError(prefix + error.message);
    throw error;
  }
}

/** The fields of one app, by their environment names: what an APPS_FILE entry and the apps admin API set. */
export const APP_FIELDS = [
  'APP_ID',
  'WAHA_URL',
  'WAHA_API_KEY',
  'WAHA_SESSION',
  'WAHA_WEBHOOK_HMAC_KEY',
  'CHATWOOT_URL',
  'CHATWOOT_ACCOUNT_ID',
  'CHATWOOT_ACCOUNT_TOKEN',
  'CHATWOOT_INBOX_ID',
  'CHATWOOT_INBOX_IDENTIFIER',
  'CHATWOOT_WEBHOOK_SECRET',
  'CHATWOOT_WEBHOOK_TOKEN',
  'CHATWOOT_OUTGOING_MODE',
  'CHATWOOT_MARK_AS_READ',
  'AGENT_NAME_PREFIX',
  'LINK_PREVIEW',
  'MARK_READ_ON_REPLY',
  'TYPING_INDICATOR',
  'SERVER_COMMANDS',
  'COMMAND_PREFIX',
  'MEDIA_HOSTS',
  'COMMAND_AGENTS',
] as const;

export type AppField = (typeof APP_FIELDS)[number];

/** Fields that are never shown back (the admin API accepts them and answers only whether they are set). */
export const APP_SECRET_FIELDS: readonly AppField[] = ['WAHA_API_KEY', 'WAHA_WEBHOOK_HMAC_KEY', 'CHATWOOT_ACCOUNT_TOKEN', 'CHATWOOT_WEBHOOK_SECRET', 'CHATWOOT_WEBHOOK_TOKEN'];

/** One app as written in APPS_FILE or sent to the admin API; fields left out fall back to the environment. */
export type AppEntry = Partial<Record<AppField, string>>;

/** An entry's fields as strings (JSON numbers and booleans are accepted); unknown fields are refused. */
export function appEntry(raw: unknown, where: string): AppEntry {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigError(`${where} is not an object`);
  const entry: AppEntry = {};
  const unknown: string[] = [];
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    if (!(APP_FIELDS as readonly string[]).includes(key)) {
      unknown.push(key);
      continue;
    }
    if (value === null || value === undefined) continue;
    entry[key as AppField] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  if (unknown.length > 0) throw new ConfigError(`${where} has unknown fields ${unknown.map((k) => `"${k}"`).join(', ')}: expected fields among ${APP_FIELDS.join(', ')}`);
  return entry;
}

/** The app an entry describes, its missing fields taken from `defaults` (the environment), validated like it. */
export function appFromEntry(entry: AppEntry, defaults: AppEntry, where: string): AppConfig {
  return appFrom({ ...defaults, APP_ID: undefined, ...entry }, where);
}

/** The environment's values of the app fields (what entries fall back to). */
export function appDefaults(env: Env): AppEntry {
  const defaults: AppEntry = {};
  for (const field of APP_FIELDS) if (env[field] !== undefined) defaults[field] = env[field];
  return defaults;
}

/** The app among `apps` (other than `app` itself) on the same WAHA server and session, if any. */
export function sessionTakenBy(apps: readonly AppConfig[], app: AppConfig): string | undefined {
  const session = (a: AppConfig): string => `${a.waha.url.toLowerCase()} ${a.waha.session}`;
  return apps.find((other) => other.id !== app.id && session(other) === session(app))?.id;
}

function appsFromFile(env: Env, file: string): { apps: AppConfig[]; entries: AppEntry[] } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(`APPS_FILE is malformed: cannot read a JSON list of apps from "${file}" (${(error as Error).message})`);
  }
  if (!Array.isArray(parsed)) {
    throw new ConfigError('APPS_FILE is malformed: expected a JSON list of apps with the same fields as the environment ([] when every app is added through /api/apps)');
  }
  const entries = parsed.map((raw: unknown, index) => {
    try {
      return appEntry(raw, `entry ${index}`);
    } catch (error) {
      throw new ConfigError(`APPS_FILE is malformed: ${(error as Error).message}`);
    }
  });
  // Fields an entry leaves out fall back to the environment, so shared values (one WAHA, one ChatWoot) are written once.
  const defaults = appDefaults(env);
  const apps = entries.map((entry, index) => appFromEntry(entry, defaults, `APPS_FILE entry ${index}`));
  const seen = new Set<string>();
  for (const [index, app] of apps.entries()) {
    if (seen.has(app.id)) throw new ConfigError(`APPS_FILE is malformed: APP_ID "${app.id}" appears twice`);
    seen.add(app.id);
    // One WAHA session is one WhatsApp account: two apps on it would import each other's messages.
    const other = sessionTakenBy(apps.slice(0, index), app);
    if (other) throw new ConfigError(`APPS_FILE is malformed: apps "${other}" and "${app.id}" both use WAHA session "${app.waha.session}" on ${app.waha.url}; give each app its own session`);
  }
  return { apps, entries };
}

/**
 * Roles that receive webhooks refuse to start while one of them is open, unless the operator opts out. The
 * refusal names the first missing variable and the way out.
 */
function requireWebhookSecrets(apps: readonly AppConfig[], role: Role, allowUnsigned: boolean, fromFile: boolean): void {
  if (role === 'worker' || allowUnsigned) return;
  for (const app of apps) requireAppSecrets(app, fromFile ? ` for app "${app.id}" (APPS_FILE)` : '');
}

/** An app that receives webhooks needs both secrets (unless ALLOW_UNSIGNED_WEBHOOKS): the refusal names the way out. */
export function requireAppSecrets(app: AppConfig, where = ''): void {
  const optOut = 'or set ALLOW_UNSIGNED_WEBHOOKS=true to accept unsigned webhooks (not for a network others can reach)';
  if (!app.chatwoot.webhookSecret && !app.chatwoot.webhookToken) {
    throw new ConfigError(`CHATWOOT_WEBHOOK_SECRET is missing${where}: anyone could post ChatWoot webhooks; set the inbox webhook's secret (ChatWoot 4.13+) or CHATWOOT_WEBHOOK_TOKEN (older ChatWoot), ${optOut}`);
  }
  if (!app.waha.webhookHmacKey) {
    throw new ConfigError(`WAHA_WEBHOOK_HMAC_KEY is missing${where}: anyone could post WAHA webhooks; set the same key as WAHA's webhook hmac.key, ${optOut}`);
  }
}

function readTextOverrides(file: string): TextOverrides {
  if (!fs.existsSync(file)) throw new ConfigError(`TEXTS_FILE is malformed: "${file}" does not exist`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(`TEXTS_FILE is malformed: cannot read a JSON object of texts from "${file}" (${(error as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(`TEXTS_FILE is malformed: expected a JSON object of text keys and templates in "${file}"`);
  }
  try {
    Texts.load(parsed);
  } catch (error) {
    throw new ConfigError(`TEXTS_FILE is malformed: ${(error as Error).message}`);
  }
  return parsed;
}

function hostPorts(env: Env, name: string): HostPort[] | undefined {
  const value = read(env, name);
  if (value === undefined) return undefined;
  return value.split(',').map((item) => {
    const match = /^\s*([^\s:,]+|\[[0-9a-fA-F:]+\]):(\d{1,5})\s*$/.exec(item);
    const port = match ? Number(match[2]) : 0;
    if (!match || port < 1 || port > 65535) {
      throw new ConfigError(`${name} is malformed: expected host:port,host:port,… (e.g. redis-1:6379,redis-2:6379), got "${item.trim()}"`);
    }
    return { host: match[1].replace(/^\[|\]$/g, ''), port };
  });
}

function redisTopology(env: Env): RedisTopology {
  const redisUrl = url(env, 'REDIS_URL', 'redis://127.0.0.1:6379');
  if (!/^rediss?:/.test(redisUrl)) throw new ConfigError(`REDIS_URL is malformed: expected redis://[user:password@]host:port[/db] or rediss://…, got "${redisUrl}"`);
  const nodes = hostPorts(env, 'REDIS_CLUSTER_NODES');
  const sentinels = hostPorts(env, 'REDIS_SENTINELS');
  const name = read(env, 'REDIS_SENTINEL_NAME');
  if (nodes && sentinels) throw new ConfigError('REDIS_CLUSTER_NODES and REDIS_SENTINELS are both set: choose a Redis Cluster or a Sentinel-managed master, not both');
  if (nodes) {
    if (new URL(redisUrl).pathname.length > 1) throw new ConfigError('REDIS_URL names a database, but a Redis Cluster has only database 0: remove the /<db> from REDIS_URL');
    return { kind: 'cluster', nodes, url: redisUrl };
  }
  if (sentinels) {
    if (!name) throw new ConfigError('REDIS_SENTINEL_NAME is missing: expected the master group name the sentinels monitor (e.g. mymaster)');
    return { kind: 'sentinel', sentinels, name, url: redisUrl };
  }
  if (name) throw new ConfigError('REDIS_SENTINEL_NAME is set but REDIS_SENTINELS is not: expected the sentinels as host:port,host:port');
  return { kind: 'single', url: redisUrl };
}

export function loadConfig(env: Env = process.env): ServiceConfig {
  const logLevel = (read(env, 'LOG_LEVEL') ?? 'info').toLowerCase();
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new ConfigError(`LOG_LEVEL is malformed: expected one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  }
  const appsFile = read(env, 'APPS_FILE');
  const seeds = appsFile ? appsFromFile(env, appsFile) : { apps: [appFrom(env, '')], entries: [{ APP_ID: read(env, 'APP_ID') }] };
  const apps = seeds.apps;
  const role = oneOf(env, 'ROLE', ['all', 'api', 'worker'] as const, 'all');
  const allowUnsigned = boolean(env, 'ALLOW_UNSIGNED_WEBHOOKS', false);
  requireWebhookSecrets(apps, role, allowUnsigned, appsFile !== undefined);
  const queuePrefix = read(env, 'QUEUE_PREFIX') ?? 'wcb';
  if (!/^[A-Za-z0-9_-]+$/.test(queuePrefix)) {
    throw new ConfigError(`QUEUE_PREFIX is malformed: expected letters, digits, _ or -, got "${queuePrefix}"`);
  }
  const redis = redisTopology(env);
  const textsFile = read(env, 'TEXTS_FILE');
  const textOverrides = textsFile ? readTextOverrides(textsFile) : {};
  return {
    port: integer(env, 'PORT', 3000, 0, 65535),
    redis,
    redisReplication: {
      replicas: integer(env, 'REDIS_WAIT_REPLICAS', redis.kind === 'single' ? 0 : 1, 0, 16),
      timeoutMs: durationMs(env, 'REDIS_WAIT_TIMEOUT', 500),
    },
    logLevel,
    role,
    queuePrefix,
    textsFile,
    textOverrides,
    apps,
    appEntries: seeds.entries,
    appDefaults: appDefaults(env),
    tuning: {
      pullChatConcurrency: integer(env, 'PULL_CHAT_CONCURRENCY', 32, 1, 1000),
      chatwootMaxConcurrency: integer(env, 'CHATWOOT_MAX_CONCURRENCY', 48, 1, 1000),
      chatwootRateLimit: integer(env, 'CHATWOOT_RATE_LIMIT', 0, 0),
      chatwootRateWindowMs: durationMs(env, 'CHATWOOT_RATE_LIMIT_WINDOW', 60_000),
      chatwootMessageWindowMs: durationMs(env, 'CHATWOOT_MESSAGE_WINDOW', 60_000),
      httpTimeoutMs: durationMs(env, 'HTTP_TIMEOUT', 30_000),
      liveConcurrency: integer(env, 'LIVE_CONCURRENCY', 16, 1, 1000),
      qrWaitMs: durationMs(env, 'QR_WAIT', 120_000),
      timeZone: timeZone(env, 'TIMEZONE'),
    },
    reliability: {
      retryWindowMs: durationMs(env, 'RETRY_WINDOW', 3_600_000),
      deadLetterTtlMs: durationMs(env, 'DEAD_LETTER_TTL', 7 * 86_400_000, false),
      laneLeaseMs: durationMs(env, 'LANE_LEASE', 30_000),
      laneSweepMs: durationMs(env, 'LANE_SWEEP_INTERVAL', 10_000),
      chatwootGraceMs: durationMs(env, 'CHATWOOT_UNKNOWN_OUTCOME_GRACE', 60_000),
      wahaSendGraceMs: durationMs(env, 'WAHA_SEND_GRACE', 90_000),
    },
    limits: {
      // A ChatWoot message may hold 150,000 characters and its webhook carries the text three times, JSON-escaped.
      webhookBodyBytes: size(env, 'WEBHOOK_BODY_LIMIT', '4mb', 64 * 1024, 64 * 1024 ** 2),
      // ChatWoot's own upload limit: MAXIMUM_FILE_UPLOAD_SIZE, 40 MB unless an administrator changed it.
      // At most 512 MB: a file is held in memory while it is passed on (once as it arrives, once as the upload).
      mediaMaxBytes: size(env, 'MEDIA_MAX_SIZE', '40mb', 1024, 512 * 1024 ** 2),
    },
    security: {
      allowUnsigned,
      adminToken: token(env, 'ADMIN_TOKEN'),
    },
    publicUrl: read(env, 'PUBLIC_URL') === undefined ? undefined : url(env, 'PUBLIC_URL'),
  };
}

export const SERVICE_CONFIG = Symbol('SERVICE_CONFIG');
