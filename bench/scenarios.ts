/**
 * The scenarios of issue #7 (1–6) and #13 (7), with issue #16's bare-client calibration (1, 2), Redis memory (4) and
 * open-loop intake (6). Each returns rows (figure, value, target, verdict) and the raw measurements.
 * Every run starts the service with its default settings unless the scenario says otherwise.
 */
import { createHmac } from 'node:crypto';
import * as http from 'node:http';
import { BareClientResult, runBareClient } from './lib/bare-client';
import { ImportResult, floorMs, runImport, share } from './lib/import-run';
import { Row } from './lib/report';
import { Stack } from './lib/stack';
import { fmt, fmtInt, log, percentile, round } from './lib/util';
import { twoApps } from './two-apps';

export interface ScenarioOutput {
  title: string;
  setup: string;
  rows: Row[];
  details: Record<string, unknown>;
}

/** Results of earlier scenarios in this invocation (3 compares itself with 1). */
export interface Context {
  imports: Map<number, ImportResult>;
}

const MB = 1024 * 1024;

function row(figure: string, value: string, raw: number | null, target = '', pass: boolean | null = null): Row {
  return { figure, value, raw, target, pass };
}

/** A correctness check of the run rather than one of the issue's targets. */
function check(figure: string, value: string, raw: number | null, target: string, pass: boolean): Row {
  return { figure, value, raw, target, pass, check: true };
}

function pct(x: number): string {
  return `${fmt(x * 100, 2)} %`;
}

function rate(run: ImportResult): number {
  return run.created / (run.wallMs / 1000);
}

function summary(run: ImportResult): Record<string, unknown> {
  return {
    ...run,
    floorMs: floorMs(run),
    messagesPerSecond: round(rate(run), 1),
    cpuMsPerMessage: {
      serviceToReport: round(run.cpu.service / run.created, 4),
      serviceWithEchoWebhooks: round(run.cpuWithEchoes.service / run.created, 4),
    },
    machineBusy: {
      /** CPU of all processes of the stack over the wall time, in cores. */
      coresUsed: round(
        (run.cpu.service + run.cpu.chatwoot + run.cpu.waha + run.cpu.redis + run.cpu.bench) / run.cpu.at,
        2,
      ),
      serviceCores: round(run.cpu.service / run.cpu.at, 2),
    },
  };
}

function createdRow(run: ImportResult): Row {
  return check('messages created / in WAHA', `${fmtInt(run.created)} / ${fmtInt(run.total)}`, run.created, 'all', run.created === run.total);
}

function capacityRows(run: ImportResult, bare: BareClientResult): Row[] {
  const efficiency = floorMs(run) / run.wallMs;
  const unavailable = share(run, 503);
  const ratio = bare.wallMs / run.wallMs;
  const bare503 = (bare.byStatus[503] ?? 0) / bare.requests;
  return [
    row('wall time (command → report)', `${fmt(run.wallMs / 1000, 2)} s`, run.wallMs / 1000),
    row('messages/s', fmt(rate(run), 0), rate(run)),
    row(
      'bare client, same load and ChatWoot',
      `${fmt(bare.wallMs / 1000, 2)} s (${pct(bare503)} 503, ${fmt(bare.cpuMs / bare.messages, 2)} ms CPU/message)`,
      bare.wallMs / 1000,
    ),
    row('bare-client time / service time', fmt(ratio, 2), ratio, '≥ 0.85', ratio >= 0.85),
    row('floor max(largest×L, total×L/K)', `${fmt(floorMs(run) / 1000, 2)} s`, floorMs(run) / 1000),
    row('efficiency = floor / actual (reference)', fmt(efficiency, 2), efficiency),
    row(
      'requests answered 503',
      `${pct(unavailable)} (${fmtInt(run.byStatus[503] ?? 0)} of ${fmtInt(run.requests)})`,
      unavailable,
      '≤ 1 %',
      unavailable <= 0.01,
    ),
    row(
      'ChatWoot peak: in service / waiting',
      `${run.peak.active} / ${run.peak.queued} (K = ${run.capacity}, 503 beyond ${run.capacity * 2} waiting)`,
      run.peak.active,
    ),
    serviceCpuRow(run),
    createdRow(run),
  ];
}

/** How busy the service process was: a Node process does its JavaScript on one core. */
function serviceCpuRow(run: ImportResult): Row {
  const cores = run.cpu.service / run.cpu.at;
  return row(
    'service CPU during the import (incl. echo webhooks)',
    `${fmt(cores, 2)} cores, ${fmt(run.cpu.service / run.created, 2)} ms/message`,
    cores,
  );
}

const PARALLEL = { dmChats: 100, messagesPerChat: 100 };

const BARE_SETUP =
  'bare client: raw node:http keep-alive, K requests in flight, each chat sequential, the idle chat with the most ' +
  'messages left first, same simulators and echo webhooks (read and dropped), in its own process';

/** The bare-client calibration of the same load on the same ChatWoot profile (bench/lib/bare-client.ts). */
async function calibrate(history: { dmChats: number; messagesPerChat: number }, chatwoot: { latencyMs: number; capacity: number }): Promise<BareClientResult> {
  const bare = await runBareClient({ history, chatwoot });
  log(`  bare client K=${chatwoot.capacity}: ${fmt(bare.wallMs / 1000)} s for ${fmtInt(bare.messages)} messages, ${bare.byStatus[503] ?? 0} × 503`);
  return bare;
}

export async function parallelImport(ctx: Context): Promise<ScenarioOutput> {
  const run = await runImport({
    label: 'K=32',
    history: PARALLEL,
    chatwoot: { latencyMs: 20, capacity: 32 },
    timeoutMs: 300_000,
  });
  ctx.imports.set(1, run);
  const bare = await calibrate(PARALLEL, { latencyMs: 20, capacity: 32 });
  return {
    title: 'Parallel import',
    setup: `${run.chats} chats, ${fmtInt(run.total)} messages (largest chat ${run.largestChat}), ChatWoot L = 20 ms, K = 32; service defaults; ${BARE_SETUP}`,
    rows: capacityRows(run, bare),
    details: { ...summary(run), bareClient: bare },
  };
}

export async function smallChatwoot(ctx: Context): Promise<ScenarioOutput> {
  const run = await runImport({
    label: 'K=8',
    history: PARALLEL,
    chatwoot: { latencyMs: 20, capacity: 8 },
    timeoutMs: 400_000,
  });
  ctx.imports.set(2, run);
  const bare = await calibrate(PARALLEL, { latencyMs: 20, capacity: 8 });
  return {
    title: 'Smaller ChatWoot',
    setup: `same import, ChatWoot K = 8 (503 beyond 16 waiting); same service defaults, no tuning; bare client with K = 8 in flight`,
    rows: capacityRows(run, bare),
    details: { ...summary(run), bareClient: bare },
  };
}

export async function sequentialReference(ctx: Context): Promise<ScenarioOutput> {
  const run = await runImport({
    label: 'sequential',
    history: PARALLEL,
    chatwoot: { latencyMs: 20, capacity: 32 },
    serviceEnv: { PULL_CHAT_CONCURRENCY: '1' },
    timeoutMs: 900_000,
  });
  ctx.imports.set(3, run);
  const parallel = ctx.imports.get(1);
  const rows = [
    row('wall time (command → report)', `${fmt(run.wallMs / 1000, 2)} s`, run.wallMs / 1000),
    row('messages/s', fmt(rate(run), 0), rate(run)),
    row('wall ms per message (L = 20 ms)', fmt(run.wallMs / run.created, 2), run.wallMs / run.created),
    // With one chat at a time the requests are strictly one after the other: more in flight means more than one chat.
    check('ChatWoot peak requests in flight', String(run.peak.active), run.peak.active, '1 (one chat)', run.peak.active === 1),
  ];
  if (parallel) {
    const speedup = rate(parallel) / rate(run);
    rows.push(row('speedup of run 1 over run 3', `${fmt(speedup, 1)}×`, speedup, '≥ 20×', speedup >= 20));
    const ideal = (parallel.total * parallel.latencyMs) / parallel.wallMs;
    rows.push(
      row(
        'run 1 vs a strictly sequential floor',
        `${fmt(ideal, 1)}× (total × L = ${fmt((parallel.total * parallel.latencyMs) / 1000, 1)} s)`,
        ideal,
      ),
    );
  } else {
    rows.push(row('speedup of run 1 over run 3', 'run 1 not in this invocation', null, '≥ 20×', null));
  }
  rows.push(createdRow(run));
  return {
    title: 'Sequential reference',
    setup: `same import, K = 32, PULL_CHAT_CONCURRENCY=1 (one chat at a time)`,
    rows,
    details: { ...summary(run), speedupOver1: parallel ? round(rate(parallel) / rate(run), 2) : null },
  };
}

export async function costAndMemory(): Promise<ScenarioOutput> {
  const chatwoot = { latencyMs: 0, capacity: 1000 };
  const small = await runImport({
    label: '10k',
    history: { dmChats: 10, messagesPerChat: 1_000 },
    chatwoot,
    timeoutMs: 300_000,
  });
  const large = await runImport({
    label: '100k',
    history: { dmChats: 10, messagesPerChat: 10_000 },
    chatwoot,
    timeoutMs: 900_000,
  });
  const perMessage = large.cpuWithEchoes.service / large.created;
  const perMessageImportOnly = large.cpu.service / large.created;
  const growth = (large.serviceHwm - small.serviceHwm) / small.serviceHwm;
  const redisPerMessage = large.redisMemoryDelta / large.created;
  return {
    title: 'Cost and memory',
    setup:
      `10 chats × ~10,000 messages (${fmtInt(large.total)}) and 10 × ~1,000 (${fmtInt(small.total)}), L = 0, K = 1000, ` +
      'each on a fresh service process. CPU per message: the service from the command until ChatWoot had delivered ' +
      'the message_created webhook it sends back for every imported message (in brackets: until the report only); ' +
      'peak RSS: VmHWM of the service process',
    rows: [
      row('wall time, 100k run', `${fmt(large.wallMs / 1000, 1)} s (${fmt(rate(large), 0)} msg/s)`, large.wallMs / 1000),
      row(
        'service CPU per imported message',
        `${fmt(perMessage, 3)} ms (${fmt(perMessageImportOnly, 3)} ms)`,
        perMessage,
        '≤ 0.3 ms',
        perMessage <= 0.3,
      ),
      row('peak RSS, 100k messages', `${fmt(large.serviceHwm / MB, 1)} MB`, large.serviceHwm / MB, '≤ 150 MB', large.serviceHwm <= 150 * MB),
      row('peak RSS, 10k messages', `${fmt(small.serviceHwm / MB, 1)} MB`, small.serviceHwm / MB),
      row(
        'RSS of the idle service before the command',
        `${fmt(large.serviceRssAtStart / MB, 1)} MB`,
        large.serviceRssAtStart / MB,
        '≤ 90 MB',
        large.serviceRssAtStart <= 90 * MB,
      ),
      row('RSS growth 10k → 100k', pct(growth), growth, '≤ 10 %', growth <= 0.1),
      row(
        'Redis memory per imported message (used_memory delta)',
        `${fmt(redisPerMessage, 0)} bytes (${fmt(large.redisMemoryDelta / MB, 1)} MB)`,
        redisPerMessage,
        '≤ 100 bytes',
        redisPerMessage <= 100,
      ),
      createdRow(large),
    ],
    details: { run10k: summary(small), run100k: summary(large) },
  };
}

export async function rateLimited(): Promise<ScenarioOutput> {
  const limit = 100;
  const periodSec = 10;
  const run = await runImport({
    label: 'rate-limited',
    history: { dmChats: 6, messagesPerChat: 100 },
    chatwoot: { latencyMs: 20, capacity: 32, rateLimit: { limit, periodSec } },
    serviceEnv: { CHATWOOT_RATE_LIMIT_WINDOW: `${periodSec}s` },
    timeoutMs: 600_000,
  });
  const first = Math.floor(run.typedAt / 1000 / periodSec);
  const last = Math.floor(run.finishedAt / 1000 / periodSec);
  const windows = Object.entries(run.rateWindows)
    .map(([index, w]) => ({ index: Number(index), ...w }))
    .sort((a, b) => a.index - b.index);
  const full = windows.filter((w) => w.index > first && w.index < last);
  const achieved = full.length > 0 ? full.reduce((n, w) => n + w.accepted, 0) / full.length / limit : NaN;
  const limited = share(run, 429);
  return {
    title: 'Rate-limited ChatWoot',
    setup:
      `${run.chats} chats, ${fmtInt(run.total)} messages; ChatWoot allows ${limit} requests per ${periodSec} s window ` +
      `(600/min), L = 20 ms, K = 32; service CHATWOOT_RATE_LIMIT_WINDOW=${periodSec}s, limit learnt from 429s`,
    rows: [
      row('wall time (command → report)', `${fmt(run.wallMs / 1000, 1)} s`, run.wallMs / 1000),
      row(
        'requests per full window / allowed',
        `${fmt(achieved, 2)} (${full.map((w) => w.accepted).join(', ')})`,
        achieved,
        '≥ 0.9',
        Number.isFinite(achieved) ? achieved >= 0.9 : null,
      ),
      row(
        'requests answered 429',
        `${pct(limited)} (${fmtInt(run.byStatus[429] ?? 0)} of ${fmtInt(run.requests)})`,
        limited,
        '≤ 2 %',
        limited <= 0.02,
      ),
      createdRow(run),
    ],
    details: { ...summary(run), windows, fullWindows: full.length },
  };
}

export async function webhookIntake(): Promise<ScenarioOutput> {
  const secret = 'bench-webhook-secret';
  const stack = await Stack.start({
    label: 'intake',
    history: { dmChats: 1, messagesPerChat: 10 },
    chatwoot: { latencyMs: 0, capacity: 32, webhookSecret: secret },
    // Intake only: no worker drains the lanes, so every accepted webhook is still in Redis afterwards.
    serviceEnv: { ROLE: 'api' },
    integration: false,
  });
  try {
    const url = new URL(stack.webhookUrl);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
    const body = (id: number, conversation: number): string =>
      JSON.stringify({
        event: 'message_created',
        id,
        content: `Agent reply ${id}: thanks, we will get back to you shortly.`,
        content_type: 'text',
        content_attributes: {},
        message_type: 'outgoing',
        private: false,
        source_id: null,
        created_at: new Date().toISOString(),
        sender: { id: 1, name: 'Sim Agent', type: 'user' },
        inbox: { id: 1, name: 'WhatsApp (simulated)' },
        account: { id: 1, name: 'Simulated Account' },
        conversation: {
          id: conversation,
          inbox_id: 1,
          status: 'open',
          meta: {
            sender: {
              id: conversation,
              name: `Customer ${conversation}`,
              identifier: null,
              custom_attributes: { waha_whatsapp_chat_id: `49151${String(conversation).padStart(7, '0')}@c.us` },
            },
          },
        },
      });
    /** Latency counts from `due`, when the schedule said to send (an open loop must not hide its own lag). */
    const post = (payload: string, due: bigint): Promise<{ status: number; ms: number; action: string }> =>
      new Promise((resolve, reject) => {
        const timestamp = String(Math.floor(Date.now() / 1000));
        const signature = `sha256=${createHmac('sha256', secret).update(`${timestamp}.${payload}`).digest('hex')}`;
        const started = due;
        const req = http.request(
          {
            host: url.hostname,
            port: url.port,
            path: url.pathname,
            method: 'POST',
            agent,
            headers: {
              'content-type': 'application/json',
              'content-length': Buffer.byteLength(payload),
              'x-chatwoot-timestamp': timestamp,
              'x-chatwoot-signature': signature,
            },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => {
              const ms = Number(process.hrtime.bigint() - started) / 1e6;
              let action = '';
              try {
                action = String((JSON.parse(Buffer.concat(chunks).toString()) as { action?: string }).action ?? '');
              } catch {
                action = '';
              }
              resolve({ status: res.statusCode ?? 0, ms, action });
            });
          },
        );
        req.on('error', reject);
        req.end(payload);
      });
    type Result = { status: number; ms: number; action: string };
    /** Open loop: request i goes out at i / rate seconds, whether or not the earlier ones were answered. */
    const openLoop = (payloads: string[], perSecond: number): Promise<Result[]> =>
      new Promise((resolve, reject) => {
        const results: Result[] = new Array(payloads.length);
        const t0 = process.hrtime.bigint();
        const stepNs = BigInt(Math.round(1e9 / perSecond));
        let sent = 0;
        let done = 0;
        const tick = (): void => {
          const now = process.hrtime.bigint();
          for (let due = t0 + BigInt(sent) * stepNs; sent < payloads.length && due <= now; due = t0 + BigInt(sent) * stepNs) {
            const i = sent++;
            post(payloads[i], due).then((r) => {
              results[i] = r;
              if (++done === payloads.length) resolve(results);
            }, reject);
          }
          if (sent < payloads.length) setTimeout(tick, 1);
        };
        tick();
      });
    const RATE = 2_000;
    const COUNT = 10_000;
    const CONVERSATIONS = 500;
    // Warm-up on other conversations (JIT, connection pool), not counted.
    const warm = Array.from({ length: 2_000 }, (_, i) => body(900_000 + i, 90_000 + (i % 50)));
    await openLoop(warm, RATE);
    const payloads = Array.from({ length: COUNT }, (_, i) => body(100_000 + i, 10_000 + (i % CONVERSATIONS)));
    const cpuBefore = await stack.cpu();
    const started = Date.now();
    const results = await openLoop(payloads, RATE);
    const wallMs = Date.now() - started;
    const cpuAfter = await stack.cpu();
    agent.destroy();
    const latencies = results.map((r) => r.ms).sort((a, b) => a - b);
    const ok = results.filter((r) => r.status === 200 && r.action === 'relay').length;
    let enqueued = 0;
    for (const key of await stack.keys(`{${stack.appId}}:lane:inbox:*`)) {
      const conversation = Number(/:conv-(\d+)$/.exec(key)?.[1] ?? 0);
      if (conversation >= 10_000 && conversation < 10_000 + CONVERSATIONS) enqueued += await stack.redis.llen(key);
    }
    const p50 = percentile(latencies, 50);
    const p99 = percentile(latencies, 99);
    log(`  intake: p50 ${fmt(p50)} ms, p99 ${fmt(p99)} ms, ${ok} answered 200 relay, ${enqueued} in Redis`);
    return {
      title: 'Webhook intake',
      setup:
        `${fmtInt(COUNT)} signed ChatWoot message_created webhooks (agent replies in ${CONVERSATIONS} customer conversations) ` +
        `sent open-loop at a fixed ${fmtInt(RATE)}/s over keep-alive connections (latency from each request's scheduled time), ` +
        `after ${fmtInt(warm.length)} warm-up ones; service ROLE=api so the lanes stay in Redis`,
      rows: [
        row('ack latency p50', `${fmt(p50, 2)} ms`, p50),
        row('ack latency p99', `${fmt(p99, 2)} ms`, p99, '≤ 20 ms', p99 <= 20),
        row('ack latency max', `${fmt(latencies[latencies.length - 1], 2)} ms`, latencies[latencies.length - 1]),
        row('answered per second (offered 2,000/s)', `${fmtInt(COUNT / (wallMs / 1000))} webhooks/s`, COUNT / (wallMs / 1000)),
        row(
          'answered 200 / enqueued in Redis',
          `${fmtInt(ok)} / ${fmtInt(enqueued)} of ${fmtInt(COUNT)}`,
          enqueued,
          'all',
          ok === COUNT && enqueued === COUNT,
        ),
      ],
      details: {
        count: COUNT,
        offeredPerSecond: RATE,
        wallMs,
        p50,
        p90: percentile(latencies, 90),
        p99,
        p999: percentile(latencies, 99.9),
        max: latencies[latencies.length - 1],
        statuses: results.reduce<Record<string, number>>((m, r) => ((m[r.status] = (m[r.status] ?? 0) + 1), m), {}),
        enqueued,
        /** p50 / p99 of each block of 1,000 webhooks in sending order (is the tail steady or one burst?). */
        blocks: Array.from({ length: Math.ceil(COUNT / 1000) }, (_, b) => {
          const block = results.slice(b * 1000, (b + 1) * 1000).map((r) => r.ms).sort((x, y) => x - y);
          return { p50: round(percentile(block, 50)), p99: round(percentile(block, 99)) };
        }),
        serviceCpuMsPerWebhook: round((cpuAfter.service - cpuBefore.service) / COUNT, 4),
        redisCpuMsPerWebhook: round((cpuAfter.redis - cpuBefore.redis) / COUNT, 4),
        clientCpuMsPerWebhook: round((cpuAfter.bench - cpuBefore.bench) / COUNT, 4),
        serviceCores: round((cpuAfter.service - cpuBefore.service) / wallMs, 2),
      },
    };
  } finally {
    await stack.stop();
  }
}

/**
 * Issue 13: a newest-first engine (WEBJS) is read in two passes, an index of (timestamp, id) first, so its memory
 * must stay close to an engine that pages oldest first (NOWEB 2025.10.5+): one chat of 100,000 messages on each.
 */
export async function newestFirstMemory(): Promise<ScenarioOutput> {
  const chatwoot = { latencyMs: 0, capacity: 1000 };
  const history = { dmChats: 1, messagesPerChat: 100_000 };
  const ascending = await runImport({ label: '100k NOWEB', history: { ...history, engine: 'NOWEB', version: '2026.7.1' }, chatwoot, timeoutMs: 900_000 });
  const newestFirst = await runImport({ label: '100k WEBJS', history: { ...history, engine: 'WEBJS', version: '2026.7.1' }, chatwoot, timeoutMs: 900_000 });
  const extra = (newestFirst.serviceHwm - ascending.serviceHwm) / MB;
  return {
    title: 'Newest-first engine memory',
    setup: `one chat of ${fmtInt(ascending.total)} messages, L = 0, K = 1000, on NOWEB 2026.7.1 (sorted oldest first by WAHA) and on WEBJS (newest first, sorted here); peak RSS: VmHWM of the service process`,
    rows: [
      row('peak RSS, NOWEB (oldest first)', `${fmt(ascending.serviceHwm / MB, 1)} MB`, ascending.serviceHwm / MB),
      row('peak RSS, WEBJS (newest first)', `${fmt(newestFirst.serviceHwm / MB, 1)} MB`, newestFirst.serviceHwm / MB),
      row('extra memory of the newest-first engine', `${fmt(extra, 1)} MB`, extra, '≤ 50 MB', extra <= 50),
      row('wall time NOWEB / WEBJS', `${fmt(ascending.wallMs / 1000, 1)} s / ${fmt(newestFirst.wallMs / 1000, 1)} s`, newestFirst.wallMs / 1000),
      createdRow(ascending),
      createdRow(newestFirst),
    ],
    details: { nowebRun: summary(ascending), webjsRun: summary(newestFirst) },
  };
}

export const SCENARIOS: Record<number, { title: string; run: (ctx: Context) => Promise<ScenarioOutput> }> = {
  1: { title: 'Parallel import', run: parallelImport },
  2: { title: 'Smaller ChatWoot', run: smallChatwoot },
  3: { title: 'Sequential reference', run: sequentialReference },
  4: { title: 'Cost and memory', run: costAndMemory },
  5: { title: 'Rate-limited ChatWoot', run: rateLimited },
  6: { title: 'Webhook intake', run: webhookIntake },
  7: { title: 'Newest-first engine memory', run: newestFirstMemory },
  8: { title: 'Two apps: fair sharing', run: async () => ({ title: 'Two apps: fair sharing', ...(await twoApps()) }) },
};
