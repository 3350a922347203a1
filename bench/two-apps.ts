/**
 * Scenario 8, fair sharing between apps (issue 19): app A imports 200 chats while app B, added at runtime through
 * /api/apps with a WAHA and a ChatWoot of its own, pulls 20 chats and receives live messages. Each ChatWoot answers
 * after L = 50 ms, so the workers' time, not the CPU, is what the apps share. Measured: B's import rate beside A
 * against B alone (a run of its own), how soon B's pull starts importing, B's live relay latency during it, and A's
 * rate.
 */
import { randomBytes } from 'node:crypto';
import { ImportResult, runImport } from './lib/import-run';
import { Row } from './lib/report';
import { CwStats, Simulators, Stack, startSimulators } from './lib/stack';
import { stopChild } from './lib/proc';
import { eventually, fmt, fmtInt, getJson, log, percentile, postJson, round, sleep } from './lib/util';

const L = 50;
const CHATWOOT = { latencyMs: L, capacity: 64 };
const HISTORY_A = { dmChats: 200, messagesPerChat: 30 };
const HISTORY_B = { dmChats: 20, messagesPerChat: 40 };
const PULL = 'wa/messages pull 30d --progress 0';
const LIVE_CHAT = '4915199990000@c.us';
const LIVE_EVERY_MS = 100;
const ADMIN_TOKEN = randomBytes(24).toString('hex');

function row(figure: string, value: string, raw: number | null, target = '', pass: boolean | null = null): Row {
  return { figure, value, raw, target, pass };
}

interface PullWatch {
  typedAt: number;
  firstCreatedAt?: number;
  finishedAt?: number;
  created: number;
}

/** Polls a ChatWoot simulator for a pull typed at message `typedId` in `conversationId`: first import, report. */
async function watchPull(chatwootUrl: string, conversationId: number, typedId: number, until: () => boolean): Promise<PullWatch> {
  const watch: PullWatch = { typedAt: 0, created: 0 };
  while (!until() || !watch.finishedAt) {
    const stats = await getJson<CwStats>(`${chatwootUrl}/_sim/stats?since_event=${typedId - 1}`);
    watch.typedAt ||= stats.events.find((e) => e.id === typedId)?.at ?? 0;
    if (!watch.firstCreatedAt && stats.messages.withSourceId > 0) watch.firstCreatedAt = Date.now();
    watch.created = stats.messages.withSourceId;
    const done = stats.events.find((e) => e.conversation_id === conversationId && e.id > typedId && /Pull (finished|failed|stopped)/.test(e.content));
    if (done) {
      if (!done.content.includes('Pull finished')) throw new Error(`pull ended: ${done.content}`);
      watch.finishedAt = done.at;
      return watch;
    }
    await sleep(50);
  }
  return watch;
}

async function integrationConversation(chatwootUrl: string): Promise<number> {
  interface State {
    contacts: Array<{ id: number; identifier: string | null }>;
    conversations: Array<{ id: number; meta: { sender: { id?: number } | null } }>;
  }
  return eventually(
    async () => {
      const state = await getJson<State>(`${chatwootUrl}/_sim/state`);
      const contact = state.contacts.find((x) => x.identifier === 'whatsapp.integration');
      return contact ? state.conversations.find((x) => x.meta.sender?.id === contact.id)?.id : undefined;
    },
    { timeoutMs: 30_000, what: "app B's WhatsApp Integration conversation" },
  );
}

/** Sends a live WhatsApp message to B every LIVE_EVERY_MS and notes when each shows in B's ChatWoot. */
class LiveProbe {
  private readonly sent = new Map<string, number>();
  private readonly seen = new Map<string, number>();
  private stopped = false;
  private n = 0;
  private conversationId = 0;

  constructor(private readonly sims: Simulators) {}

  start(): Promise<void> {
    const sender = (async () => {
      while (!this.stopped) {
        const marker = `live-${++this.n}`;
        this.sent.set(marker, Date.now());
        await postJson(`${this.sims.wahaUrl}/_sim/receive`, { chatId: LIVE_CHAT, body: marker });
        await sleep(LIVE_EVERY_MS);
      }
    })();
    const watcher = (async () => {
      while (!this.stopped || this.seen.size < this.sent.size) {
        await this.look();
        await sleep(25);
      }
    })();
    return Promise.all([sender, watcher]).then(() => undefined);
  }

  private async look(): Promise<void> {
    if (!this.conversationId) {
      const state = await getJson<{ conversations: Array<{ id: number; meta: { sender: { identifier?: string } | null } }> }>(`${this.sims.chatwootUrl}/_sim/state`);
      this.conversationId = state.conversations.find((c) => c.meta.sender?.identifier === LIVE_CHAT)?.id ?? 0;
      if (!this.conversationId) return;
    }
    const response = await fetch(`${this.sims.chatwootUrl}/_sim/transcript?conversation_id=${this.conversationId}`);
    const text = await response.text();
    const now = Date.now();
    for (const marker of text.match(/live-\d+/g) ?? []) if (!this.seen.has(marker)) this.seen.set(marker, now);
  }

  /** Stops sending, waits (up to 30 s) for what was sent, and returns each message's latency in ms. */
  async stop(running: Promise<void>): Promise<number[]> {
    this.stopped = true;
    await Promise.race([running, sleep(30_000)]);
    return [...this.sent].map(([marker, at]) => (this.seen.get(marker) ?? Number.POSITIVE_INFINITY) - at);
  }
}

export async function twoApps(): Promise<{ setup: string; rows: Row[]; details: Record<string, unknown> }> {
  const alone: ImportResult = await runImport({ label: 'B alone', history: HISTORY_B, chatwoot: CHATWOOT, timeoutMs: 300_000 });
  const aloneRate = alone.created / (alone.wallMs / 1000);
  log(`  B alone: ${alone.created} messages in ${fmt(alone.wallMs / 1000, 1)} s`);

  const stack = await Stack.start({ label: 'two apps', history: HISTORY_A, chatwoot: CHATWOOT, serviceEnv: { ADMIN_TOKEN } });
  let sims: Simulators | undefined;
  try {
    sims = await startSimulators({ history: HISTORY_B, chatwoot: CHATWOOT }, stack.serviceUrl, 'app_b');
    const added = await fetch(`${stack.serviceUrl}/api/apps`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` },
      body: JSON.stringify({
        APP_ID: 'app_b',
        WAHA_URL: sims.wahaUrl,
        WAHA_API_KEY: String(sims.wahaInfo.wahaApiKey),
        CHATWOOT_URL: sims.chatwootUrl,
        CHATWOOT_ACCOUNT_ID: Number(sims.cwInfo.accountId),
        CHATWOOT_ACCOUNT_TOKEN: String(sims.cwInfo.chatwootToken),
        CHATWOOT_INBOX_ID: Number(sims.cwInfo.inboxId),
        CHATWOOT_INBOX_IDENTIFIER: 'inbox-ident-1',
        CHATWOOT_WEBHOOK_SECRET: sims.secrets.chatwoot,
        WAHA_WEBHOOK_HMAC_KEY: sims.secrets.waha,
      }),
    });
    if (added.status !== 201) throw new Error(`POST /api/apps answered ${added.status}: ${await added.text()}`);
    const conversationB = await integrationConversation(sims.chatwootUrl);
    const totalA = (await stack.wahaChats()).reduce((n, c) => n + c.messages, 0);
    const totalB = alone.total;

    await stack.resetCwStats();
    const typedA = await stack.agentMessage(PULL);
    const watchingA = watchPull(stack.chatwootUrl, stack.integrationConversationId, typedA.id, () => true);
    await eventually(async () => (await stack.cwStats(Number.MAX_SAFE_INTEGER)).messages.withSourceId >= 600, { timeoutMs: 60_000, what: "A's import under way" });

    const typedB = await postJson<{ id: number }>(`${sims.chatwootUrl}/_sim/agent-message`, { conversation_id: conversationB, content: PULL });
    const typedBAt = Date.now();
    const watchingB = watchPull(sims.chatwootUrl, conversationB, typedB.id, () => true);
    // Live traffic in a chat the pull does not import (a chat being imported holds its live messages until its
    // history is in, to keep WhatsApp's order): it starts once B's pull was planned.
    await eventually(async () => (await getJson<CwStats>(`${sims!.chatwootUrl}/_sim/stats?since_event=${Number.MAX_SAFE_INTEGER}`)).messages.withSourceId > 0, { timeoutMs: 30_000, what: "B's import under way" });
    const probe = new LiveProbe(sims);
    const probing = probe.start();
    const b = await watchingB;
    const aAtB = (await stack.cwStats(Number.MAX_SAFE_INTEGER)).messages.withSourceId;
    const latencies = (await probe.stop(probing)).sort((x, y) => x - y);
    const a = await watchingA;

    // Everything B's ChatWoot holds with a WhatsApp id: B's history and the live messages.
    const createdB = (await getJson<CwStats>(`${sims.chatwootUrl}/_sim/stats?since_event=${Number.MAX_SAFE_INTEGER}`)).messages.withSourceId;
    const importedB = createdB - latencies.filter((ms) => Number.isFinite(ms)).length;
    const rateB = totalB / ((b.finishedAt! - b.typedAt) / 1000);
    const ratio = rateB / aloneRate;
    const startDelay = (b.firstCreatedAt ?? Number.NaN) - typedBAt;
    const rateA = a.created / ((a.finishedAt! - a.typedAt) / 1000);
    const p50 = percentile(latencies, 50);
    const p99 = percentile(latencies, 99);
    const lost = latencies.filter((ms) => !Number.isFinite(ms)).length;
    return {
      setup:
        `A: ${HISTORY_A.dmChats} chats × ${HISTORY_A.messagesPerChat} (${fmtInt(totalA)} messages); B, added through /api/apps: ${HISTORY_B.dmChats} chats × ` +
        `${HISTORY_B.messagesPerChat} (${fmtInt(totalB)}), its pull typed once A had imported 600; each app its own ChatWoot (L = ${L} ms, K = ${CHATWOOT.capacity}) ` +
        `and WAHA; one service process with the default PULL_CHAT_CONCURRENCY (32); during B's pull, B receives a live message every ${LIVE_EVERY_MS} ms in a chat it does not import`,
      rows: [
        row('B alone: messages/s', fmt(aloneRate, 0), aloneRate),
        row('B beside A: messages/s', fmt(rateB, 0), rateB),
        row('B beside A / B alone', fmt(ratio, 2), ratio, '≥ 0.5', ratio >= 0.5),
        row("B's pull: command → first message imported", `${fmt(startDelay / 1000, 2)} s`, startDelay / 1000, '≤ 5 s', startDelay <= 5000),
        row(`A's import done when B's finished`, `${fmtInt(aAtB)} of ${fmtInt(totalA)}`, aAtB),
        row('A: messages/s over its whole import', fmt(rateA, 0), rateA),
        row(`B's live relay latency p50 / max (${latencies.length} messages)`, `${fmt(p50, 0)} ms / ${fmt(latencies[latencies.length - 1], 0)} ms`, p50),
        row("B's live relay latency p99", `${fmt(p99, 0)} ms`, p99, '< 2 s', p99 < 2000 && lost === 0),
        { figure: 'messages created / in WAHA (A, B)', value: `${fmtInt(a.created)} / ${fmtInt(totalA)}, ${fmtInt(importedB)} / ${fmtInt(totalB)}`, raw: null, target: 'all', pass: a.created === totalA && importedB === totalB, check: true },
      ],
      details: { aloneRate: round(aloneRate, 1), rateB: round(rateB, 1), ratio: round(ratio, 3), startDelayMs: startDelay, rateA: round(rateA, 1), aAtB, totalA, totalB, liveLatenciesMs: latencies, lost },
    };
  } finally {
    if (sims) await Promise.all([stopChild(sims.chatwoot), stopChild(sims.waha)]);
    await stack.stop();
  }
}
