/**
 * Acceptance-test harness: both simulators in the test process, the built service (dist/main.js) as real child
 * processes on a fresh Redis namespace, everything over HTTP. Several worker processes can be started and killed.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import * as path from 'node:path';
import Redis from 'ioredis';
import { scanKeys, type RedisClient } from '../../src/redis/redis-connection';
import { ChatwootSimOptions, ChatwootSimulator, startChatwootSimulator } from '../../simulators/chatwoot/chatwoot-simulator';
import { versionAtLeast } from '../../simulators/common/versions';
import { startWahaSimulator, WahaSimOptions, WahaSimulator } from '../../simulators/waha/waha-simulator';
import { WANTED_EVENTS } from '../../src/clients/waha/waha-capabilities';
import { eventually, freePort } from './wait';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const MAIN = path.join(__dirname, '..', '..', 'dist', 'main.js');

export { eventually, freePort };

export interface ServiceProcess {
  child: ChildProcess;
  port: number;
  url: string;
  output: string[];
  exited: Promise<number | null>;
}

export interface HarnessOptions {
  waha?: WahaSimOptions;
  chatwoot?: ChatwootSimOptions;
  env?: Record<string, string>;
  appId?: string;
  /** Do not wait for the integration conversation (for tests of start-up itself). */
  skipReady?: boolean;
  /** A Redis of the test's own (e.g. one it restarts); default REDIS_URL. */
  redisUrl?: string;
  /** A replicated Redis of the test's own: the service's settings for it and the test's own connection to it. */
  replicated?: { env: Record<string, string>; connect: () => RedisClient };
  /** The service entry point to run (another release's build, say); default this checkout's dist/main.js. */
  main?: string;
  /** The Redis namespace (QUEUE_PREFIX); default a fresh one per harness. */
  prefix?: string;
  /** Service environment that depends on the running simulators (e.g. a storage host's address). */
  envFrom?: (sims: { cw: ChatwootSimulator; waha: WahaSimulator }) => Record<string, string>;
  /** Prepare Redis or the simulators after they start and before the service does (e.g. load a fixture). */
  beforeService?: (harness: Harness) => Promise<void>;
  /** Run as an operator who opted out (ALLOW_UNSIGNED_WEBHOOKS=true, no secrets); default: signed, as deployed. */
  unsigned?: boolean;
}

/**
 * The webhook secrets and admin token of a test deployment. Secure by default: every harness runs with both webhook
 * secrets set (a ChatWoot before 4.13 cannot sign, so there the `?token=` stands in) and ADMIN_TOKEN for /health.
 */
export interface HarnessSecrets {
  chatwootSecret?: string;
  chatwootToken?: string;
  wahaHmacKey?: string;
  adminToken: string;
}

const random = (bytes = 16): string => randomBytes(bytes).toString('hex');

export class Harness {
  readonly services: ServiceProcess[] = [];
  /** Ids of the messages the test typed as an agent (everything else in ChatWoot came from the service). */
  readonly typed = new Set<number>();
  integrationConversationId = 0;

  private constructor(
    readonly cw: ChatwootSimulator,
    readonly waha: WahaSimulator,
    readonly prefix: string,
    readonly appId: string,
    readonly baseEnv: Record<string, string>,
    readonly redisUrl: string,
    private readonly main: string,
    readonly secrets: HarnessSecrets,
    private readonly connectRedis: () => RedisClient,
  ) {}

  static async start(opts: HarnessOptions = {}): Promise<Harness> {
    const prefix = opts.prefix ?? `t${Date.now().toString(36)}${Math.random().toString(36).slice(2, 7)}`;
    const appId = opts.appId ?? 'app_test';
    const signs = versionAtLeast(opts.chatwoot?.version ?? '4.15.1', '4.13.0');
    const secrets: HarnessSecrets = opts.unsigned
      ? { adminToken: random() }
      : {
          chatwootSecret: opts.chatwoot?.webhookSecret ?? `cw-${random()}`,
          chatwootToken: signs ? undefined : random(24),
          wahaHmacKey: opts.waha?.webhookHmacKey ?? `waha-${random()}`,
          adminToken: random(),
        };
    const cw = await startChatwootSimulator({ latencyMs: 0, messagesPerMinute: 0, ...opts.chatwoot, webhookSecret: secrets.chatwootSecret });
    // Subscribed to what the README's set-up lists, unless a test says otherwise.
    const waha = await startWahaSimulator({ webhookEvents: [...WANTED_EVENTS], ...opts.waha, webhookHmacKey: secrets.wahaHmacKey });
    const port = await freePort();
    const secretEnv: Record<string, string> = opts.unsigned
      ? { ALLOW_UNSIGNED_WEBHOOKS: 'true' }
      : {
          ...(signs ? { CHATWOOT_WEBHOOK_SECRET: secrets.chatwootSecret! } : { CHATWOOT_WEBHOOK_TOKEN: secrets.chatwootToken! }),
          WAHA_WEBHOOK_HMAC_KEY: secrets.wahaHmacKey!,
        };
    const env: Record<string, string> = {
      PORT: String(port),
      REDIS_URL: opts.redisUrl ?? REDIS_URL,
      QUEUE_PREFIX: prefix,
      APP_ID: appId,
      WAHA_URL: waha.url,
      WAHA_API_KEY: waha.apiKey,
      WAHA_SESSION: waha.session,
      CHATWOOT_URL: cw.url,
      CHATWOOT_ACCOUNT_ID: String(cw.accountId),
      CHATWOOT_ACCOUNT_TOKEN: cw.token,
      CHATWOOT_INBOX_ID: String(cw.inboxId),
      CHATWOOT_INBOX_IDENTIFIER: opts.chatwoot?.inboxIdentifier ?? 'inbox-ident-1',
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn',
      HTTP_TIMEOUT: '5s',
      // A post or send whose answer was lost is looked for once it cannot still be running. The simulators finish a
      // request within its latency and faults (seconds), so the graces here are short; the defaults (60 s, 90 s)
      // fit real servers, and the chaos suite's long-fault tests run with them.
      CHATWOOT_UNKNOWN_OUTCOME_GRACE: '6s',
      WAHA_SEND_GRACE: '6s',
      ...secretEnv,
      ADMIN_TOKEN: secrets.adminToken,
      ...opts.replicated?.env,
      ...opts.env,
      ...opts.envFrom?.({ cw, waha }),
    };
    const redisUrl = opts.redisUrl ?? REDIS_URL;
    const connect = opts.replicated?.connect ?? ((): RedisClient => new Redis(redisUrl));
    const harness = new Harness(cw, waha, prefix, appId, env, redisUrl, opts.main ?? MAIN, secrets, connect);
    const token = secrets.chatwootToken ? `?token=${secrets.chatwootToken}` : '';
    cw.configure({ webhookUrl: `http://127.0.0.1:${port}/webhooks/chatwoot/${waha.session}/${appId}${token}` });
    waha.configure({ webhookUrl: `http://127.0.0.1:${port}/webhooks/waha/${appId}` });
    await opts.beforeService?.(harness);
    await harness.spawn({ PORT: String(port) });
    if (!opts.skipReady) await harness.ready();
    return harness;
  }

  /** A key of the test app, as the service names it: `<prefix>:{<appId>}:<parts…>` (a `*` part makes a pattern). */
  key(...parts: Array<string | number>): string {
    return [`${this.prefix}:{${this.appId}}`, ...parts].join(':');
  }

  get url(): string {
    return this.services[0].url;
  }

  /** Headers of a ChatWoot webhook signed as the simulator signs it (or carrying nothing when unsigned). */
  chatwootHeaders(body: string, timestamp = Math.floor(Date.now() / 1000)): Record<string, string> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    const secret = this.secrets.chatwootSecret;
    if (secret && !this.secrets.chatwootToken) {
      headers['x-chatwoot-timestamp'] = String(timestamp);
      headers['x-chatwoot-signature'] = 'sha256=' + createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
    }
    return headers;
  }

  /** The ChatWoot webhook URL of the test app (with its `?token=` where ChatWoot cannot sign). */
  get chatwootWebhookUrl(): string {
    const token = this.secrets.chatwootToken ? `?token=${this.secrets.chatwootToken}` : '';
    return `${this.url}/webhooks/chatwoot/${this.waha.session}/${this.appId}${token}`;
  }

  /**
   * Posts a ChatWoot message webhook as ChatWoot would send it for this app's inbox, typed by an agent unless the
   * body says otherwise (`inbox`, `sender`), signed. Returns the HTTP answer.
   */
  async postChatwootWebhook(fields: Record<string, unknown>): Promise<Response> {
    const body = JSON.stringify({ inbox: { id: this.cw.inboxId, name: 'WhatsApp' }, sender: { id: 1, name: 'Agent', email: 'agent@example.com', type: 'user' }, ...fields });
    return fetch(this.chatwootWebhookUrl, { method: 'POST', headers: this.chatwootHeaders(body), body });
  }

  /** Headers of a WAHA webhook signed with the app's HMAC key. */
  wahaHeaders(body: string, key = this.secrets.wahaHmacKey): Record<string, string> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (key) headers['x-webhook-hmac'] = createHmac('sha512', key).update(body).digest('hex');
    return headers;
  }

  /** `GET /health` with the admin token: the details an operator sees. */
  async healthDetails<T = Record<string, unknown>>(): Promise<{ status: number; body: T }> {
    const response = await fetch(`${this.url}/health`, { headers: { authorization: `Bearer ${this.secrets.adminToken}` } });
    return { status: response.status, body: (await response.json()) as T };
  }

  /** Starts one more service process (ROLE=worker unless given). */
  async spawn(env: Record<string, string> = {}): Promise<ServiceProcess> {
    const port = env.PORT ? Number(env.PORT) : await freePort();
    const child = spawn(process.execPath, [this.main], { env: { ...process.env, ...this.baseEnv, ...env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
    const output: string[] = [];
    const echo = process.env.TEST_SERVICE_OUTPUT === '1';
    child.stdout?.on('data', (d: Buffer) => (echo ? process.stderr.write(d) : output.push(d.toString())));
    child.stderr?.on('data', (d: Buffer) => (echo ? process.stderr.write(d) : output.push(d.toString())));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const service: ServiceProcess = { child, port, url: `http://127.0.0.1:${port}`, output, exited };
    this.services.push(service);
    await eventually(
      async () => {
        if (child.exitCode !== null) throw new Error(`service exited: ${output.join('')}`);
        const response = await fetch(`${service.url}/health`);
        return response.ok;
      },
      { timeoutMs: 20_000, what: 'service health', intervalMs: 100 },
    );
    return service;
  }

  async ready(): Promise<void> {
    const conversation = await eventually(
      () => {
        const contact = this.cw.findContact((c) => c.identifier === 'whatsapp.integration');
        if (!contact) return undefined;
        return this.cw.conversations().find((c) => (c.meta.sender as { id?: number } | null)?.id === contact.id);
      },
      { what: 'integration conversation', timeoutMs: 20_000 },
    );
    this.integrationConversationId = conversation.id;
  }

  /** Types a message as an agent in a conversation (fires the webhook). */
  async type(content: string, conversationId = this.integrationConversationId): Promise<number> {
    const message = await this.cw.agentMessage(conversationId, content);
    this.typed.add(message.id);
    return message.id;
  }

  /** Messages the service posted into a conversation after the given message id. */
  repliesAfter(messageId: number, conversationId = this.integrationConversationId): Array<{ content: string; message_type: number; private: boolean }> {
    return this.cw
      .messages(conversationId)
      .filter((m) => m.id > messageId && !this.typed.has(m.id))
      .map((m) => ({ content: m.content ?? '', message_type: m.message_type, private: m.private }));
  }

  async waitReply(messageId: number, match: (content: string) => boolean = () => true, conversationId = this.integrationConversationId, timeoutMs = 20_000): Promise<string> {
    const found = await eventually(() => this.repliesAfter(messageId, conversationId).find((m) => match(m.content)), { timeoutMs, what: `a reply after message ${messageId}` });
    return found.content;
  }

  async redis<T>(fn: (redis: RedisClient) => Promise<T>): Promise<T> {
    const redis = this.connectRedis();
    try {
      return await fn(redis);
    } finally {
      redis.disconnect();
    }
  }

  async kill(service: ServiceProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (service.child.exitCode === null) service.child.kill(signal);
    await service.exited;
    this.services.splice(this.services.indexOf(service), 1);
  }

  async stop(): Promise<void> {
    await Promise.all(this.services.map((s) => this.kill(s, 'SIGTERM')));
    await this.cw.close();
    await this.waha.close();
    await this.redis(async (redis) => {
      // BullMQ's keys are `{<prefix>}:…` on a cluster.
      for (const pattern of [`${this.prefix}:*`, `{${this.prefix}}:*`]) {
        for await (const keys of scanKeys(redis, pattern)) await Promise.all(keys.map((key) => redis.del(key)));
      }
    });
  }
}
