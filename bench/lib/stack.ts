/**
 * One benchmark stack: the fake WAHA and the fake ChatWoot each in its own process (dist-sim/main.js with
 * SIM_ONLY), the built service (dist/main.js) as a third process on a fresh QUEUE_PREFIX of the shared Redis, and
 * accessors for what the measurements need (simulator counters, CPU of every process, Redis keys).
 */
import type { ChatwootSimulator } from '../../simulators/chatwoot/chatwoot-simulator';
import { randomBytes } from 'node:crypto';
import * as path from 'node:path';
import Redis from 'ioredis';
import { Child, cpuMs, cpuTimes, spawnNode, stopChild } from './proc';
import { eventually, freePort, getJson, postJson } from './util';

export const ROOT = path.resolve(__dirname, '..', '..', '..');
export const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const SIM_MAIN = path.join(ROOT, 'dist-sim', 'main.js');
const SERVICE_MAIN = path.join(ROOT, 'dist', 'main.js');

export interface HistoryOptions {
  dmChats: number;
  messagesPerChat: number;
  /** Messages spread over this many days (keep it inside the pull window). Default 20. */
  days?: number;
  /** The simulated WAHA's engine and version (default: the simulator's, NOWEB on a current version). */
  engine?: 'WEBJS' | 'NOWEB' | 'GOWS' | 'WPP';
  version?: string;
}

export interface ChatwootOptions {
  latencyMs: number;
  capacity: number;
  rateLimit?: { limit: number; periodSec: number };
  /** Sign webhooks with this inbox secret (the service gets it as CHATWOOT_WEBHOOK_SECRET). */
  webhookSecret?: string;
}

export interface StackOptions {
  /** Names CPU profiles (BENCH_CPU_PROF) and log lines. */
  label: string;
  history: HistoryOptions;
  chatwoot: ChatwootOptions;
  /** Extra service environment (tuning); every run starts from the defaults otherwise. */
  serviceEnv?: Record<string, string>;
  /** Wait for the WhatsApp Integration conversation (default true). */
  integration?: boolean;
}

/** What the ChatWoot simulator's `GET /_sim/stats` answers (its own type, so the two cannot drift apart). */
export type CwStats = ReturnType<ChatwootSimulator['statsSnapshot']>;
export type CwStatsEvent = CwStats['events'][number];

export interface WahaChat {
  id: string;
  kind: string;
  messages: number;
}

/** CPU milliseconds used so far by each process of the stack (Redis is shared, so it is a delta source too). */
export interface CpuSnapshot {
  at: number;
  service: number;
  /** The kernel's share of `service` (system time: syscalls, and on loopback the peer's TCP receive path too). */
  serviceSystem: number;
  chatwoot: number;
  waha: number;
  redis: number;
  bench: number;
}

const APP_ID = 'app_bench';
const SESSION = 'default';

/**
 * `node` flags for the service: BENCH_SERVICE_NODE_ARGS (space-separated, e.g. `--max-semi-space-size=8`) and,
 * with BENCH_CPU_PROF=<dir>, a V8 CPU profile per service process written there when it exits.
 */
function serviceNodeArgs(label: string): string[] {
  const args = (process.env.BENCH_SERVICE_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const dir = process.env.BENCH_CPU_PROF;
  if (dir) {
    const name = `service-${label.replace(/[^\w.-]+/g, '_')}-${Date.now()}.cpuprofile`;
    args.push('--cpu-prof', '--cpu-prof-dir', path.resolve(dir), '--cpu-prof-name', name);
  }
  return args;
}

/** The two simulators of a stack, each in its own process; `bridgeUrl` receives their webhooks. */
export interface Simulators {
  waha: Child;
  wahaUrl: string;
  chatwoot: Child;
  chatwootUrl: string;
  wahaInfo: Record<string, unknown>;
  cwInfo: Record<string, unknown>;
  secrets: { chatwoot: string; waha: string };
}

/** A WAHA and a ChatWoot simulator for one app (`appId`), sending their webhooks to the service at `bridgeUrl`. */
export async function startSimulators(opts: Pick<StackOptions, 'history' | 'chatwoot'>, bridgeUrl: string, appId = APP_ID): Promise<Simulators> {
  const simEnv = {
    SIM_BRIDGE_URL: bridgeUrl,
    SIM_APP_ID: appId,
    SIM_SESSION: SESSION,
    SIM_JOURNAL_LIMIT: '0',
  };
  // Secure by default, as deployed: both webhooks signed (verifying them is part of what is measured).
  const secrets = { chatwoot: opts.chatwoot.webhookSecret ?? randomBytes(16).toString('hex'), waha: randomBytes(16).toString('hex') };
  const h = opts.history;
  const waha = spawnNode('WAHA simulator', SIM_MAIN, {
    ...simEnv,
    SIM_ONLY: 'waha',
    SIM_WAHA_PORT: '0',
    SIM_WAHA_HMAC_KEY: secrets.waha,
    SIM_DM_CHATS: String(h.dmChats),
    SIM_MESSAGES_PER_CHAT: String(h.messagesPerChat),
    SIM_DAYS: String(h.days ?? 20),
    SIM_GROUPS: '0',
    SIM_CHANNELS: '0',
    SIM_INCLUDE_STATUS: '0',
    SIM_BROADCAST_LISTS: '0',
    SIM_MEDIA_RATIO: '0',
    SIM_HIDDEN_RATIO: '0',
    SIM_INCLUDE_NULL_CHAT: '0',
    ...(h.engine ? { SIM_WAHA_ENGINE: h.engine } : {}),
    ...(h.version ? { SIM_WAHA_VERSION: h.version } : {}),
  });
  const c = opts.chatwoot;
  const chatwoot = spawnNode('ChatWoot simulator', SIM_MAIN, {
    ...simEnv,
    SIM_ONLY: 'chatwoot',
    SIM_CHATWOOT_PORT: '0',
    SIM_CHATWOOT_LATENCY_MS: String(c.latencyMs),
    SIM_CHATWOOT_CAPACITY: String(c.capacity),
    SIM_MESSAGES_PER_MINUTE: '0',
    SIM_RATE_LIMIT: c.rateLimit ? String(c.rateLimit.limit) : '',
    SIM_RATE_LIMIT_PERIOD: c.rateLimit ? String(c.rateLimit.periodSec) : '60',
    SIM_CHATWOOT_WEBHOOK_SECRET: secrets.chatwoot,
  });
  try {
    const [wahaInfo, cwInfo] = await Promise.all([waha.firstJson, chatwoot.firstJson]);
    return { waha, chatwoot, wahaUrl: String(wahaInfo.waha), chatwootUrl: String(cwInfo.chatwoot), wahaInfo, cwInfo, secrets };
  } catch (error) {
    await Promise.all([stopChild(chatwoot), stopChild(waha)]);
    throw error;
  }
}

export class Stack {
  integrationConversationId = 0;

  private constructor(
    readonly prefix: string,
    readonly waha: Child,
    readonly wahaUrl: string,
    readonly chatwoot: Child,
    readonly chatwootUrl: string,
    readonly service: Child,
    readonly serviceUrl: string,
    readonly redis: Redis,
  ) {}

  static async start(opts: StackOptions): Promise<Stack> {
    const prefix = `bench${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
    const servicePort = await freePort();
    const serviceUrl = `http://127.0.0.1:${servicePort}`;
    const redis = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 2 });
    await redis.connect();
    const sims = await startSimulators(opts, serviceUrl);
    const { waha, chatwoot, wahaUrl, chatwootUrl, wahaInfo, cwInfo, secrets } = sims;
    const service = spawnNode(
      'service',
      SERVICE_MAIN,
      {
        PORT: String(servicePort),
        REDIS_URL,
        QUEUE_PREFIX: prefix,
        APP_ID: APP_ID,
        WAHA_URL: wahaUrl,
        WAHA_API_KEY: String(wahaInfo.wahaApiKey),
        WAHA_SESSION: SESSION,
        CHATWOOT_URL: chatwootUrl,
        CHATWOOT_ACCOUNT_ID: String(cwInfo.accountId),
        CHATWOOT_ACCOUNT_TOKEN: String(cwInfo.chatwootToken),
        CHATWOOT_INBOX_ID: String(cwInfo.inboxId),
        CHATWOOT_INBOX_IDENTIFIER: 'inbox-ident-1',
        CHATWOOT_WEBHOOK_SECRET: secrets.chatwoot,
        WAHA_WEBHOOK_HMAC_KEY: secrets.waha,
        LOG_LEVEL: process.env.BENCH_LOG_LEVEL || 'warn',
        ...opts.serviceEnv,
      },
      serviceNodeArgs(opts.label),
    );
    const stack = new Stack(prefix, waha, wahaUrl, chatwoot, chatwootUrl, service, serviceUrl, redis);
    try {
      await eventually(
        async () => {
          if (service.process.exitCode !== null) throw new Error(`the service exited:\n${service.tail.join('\n')}`);
          return (await fetch(`${serviceUrl}/health`)).ok;
        },
        { timeoutMs: 30_000, what: 'the service to answer /health' },
      );
      if (opts.integration !== false) await stack.waitIntegration();
    } catch (error) {
      await stack.stop();
      throw error;
    }
    return stack;
  }

  get appId(): string {
    return APP_ID;
  }

  get webhookUrl(): string {
    return `${this.serviceUrl}/webhooks/chatwoot/${SESSION}/${APP_ID}`;
  }

  private async waitIntegration(): Promise<void> {
    interface State {
      contacts: Array<{ id: number; identifier: string | null }>;
      conversations: Array<{ id: number; meta: { sender: { id?: number } | null } }>;
    }
    this.integrationConversationId = await eventually(
      async () => {
        if (this.service.process.exitCode !== null) throw new Error(`the service exited:\n${this.service.tail.join('\n')}`);
        const state = await getJson<State>(`${this.chatwootUrl}/_sim/state`);
        const contact = state.contacts.find((x) => x.identifier === 'whatsapp.integration');
        return contact ? state.conversations.find((x) => x.meta.sender?.id === contact.id)?.id : undefined;
      },
      { timeoutMs: 30_000, what: 'the WhatsApp Integration conversation' },
    );
  }

  async wahaChats(): Promise<WahaChat[]> {
    return getJson<WahaChat[]>(`${this.wahaUrl}/_sim/chats`);
  }

  async cwStats(sinceEvent = 0): Promise<CwStats> {
    return getJson<CwStats>(`${this.chatwootUrl}/_sim/stats?since_event=${sinceEvent}`);
  }

  async resetCwStats(): Promise<void> {
    await postJson(`${this.chatwootUrl}/_sim/stats/reset`, {});
  }

  /** Types a message as a ChatWoot agent (the simulator stores it and sends the message_created webhook). */
  async agentMessage(content: string, conversationId = this.integrationConversationId): Promise<{ id: number }> {
    return postJson<{ id: number }>(`${this.chatwootUrl}/_sim/agent-message`, { conversation_id: conversationId, content });
  }

  async cpu(): Promise<CpuSnapshot> {
    const usage = process.cpuUsage();
    const service = cpuTimes(this.service.pid);
    return {
      at: Date.now(),
      service: service.user + service.system,
      serviceSystem: service.system,
      chatwoot: cpuMs(this.chatwoot.pid),
      waha: cpuMs(this.waha.pid),
      redis: await this.redisCpuMs(),
      bench: (usage.user + usage.system) / 1000,
    };
  }

  /** Redis's `used_memory` (bytes): what everything in it takes, this run's keys included. */
  async redisUsedMemory(): Promise<number> {
    const info = await this.redis.info('memory');
    return Number(/^used_memory:(\d+)/m.exec(info)?.[1] ?? NaN);
  }

  private async redisCpuMs(): Promise<number> {
    try {
      const info = await this.redis.info('cpu');
      const read = (name: string): number => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? NaN);
      return (read('used_cpu_user') + read('used_cpu_sys')) * 1000;
    } catch {
      return NaN;
    }
  }

  /** Every key of this run's namespace matching `pattern` (after the prefix). */
  async keys(pattern: string): Promise<string[]> {
    const found: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await this.redis.scan(cursor, 'MATCH', `${this.prefix}:${pattern}`, 'COUNT', 1000);
      cursor = next;
      found.push(...keys);
    } while (cursor !== '0');
    return found;
  }

  async stop(): Promise<void> {
    await stopChild(this.service, 30_000);
    await Promise.all([stopChild(this.chatwoot), stopChild(this.waha)]);
    try {
      const keys = await this.keys('*');
      for (let i = 0; i < keys.length; i += 1000) await this.redis.del(...keys.slice(i, i + 1000));
    } finally {
      this.redis.disconnect();
    }
  }
}

export function cpuDelta(a: CpuSnapshot, b: CpuSnapshot): CpuSnapshot {
  return {
    at: b.at - a.at,
    service: b.service - a.service,
    serviceSystem: b.serviceSystem - a.serviceSystem,
    chatwoot: b.chatwoot - a.chatwoot,
    waha: b.waha - a.waha,
    redis: b.redis - a.redis,
    bench: b.bench - a.bench,
  };
}
