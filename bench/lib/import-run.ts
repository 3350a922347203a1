/**
 * One measured history import: start a stack, type `wa/messages pull 30d --progress 0` as an agent in the WhatsApp
 * Integration conversation, and wait for the "Pull finished" activity. Both moments are the ChatWoot simulator's
 * own timestamps of the two messages (so polling does not blur the wall time). CPU and memory come from /proc.
 */
import { RssSampler, memory } from './proc';
import { CpuSnapshot, CwStats, Stack, StackOptions, cpuDelta } from './stack';
import { log, sleep } from './util';

export const PULL_COMMAND = 'wa/messages pull 30d --progress 0';

export interface ImportResult {
  label: string;
  chats: number;
  /** Messages WAHA holds in the window (what the import must create). */
  total: number;
  largestChat: number;
  latencyMs: number;
  capacity: number;
  wallMs: number;
  /** Messages the import created in ChatWoot (those with a source_id). */
  created: number;
  /** ChatWoot API requests from the command to the report, and their answers by status. */
  requests: number;
  byStatus: Record<string, number>;
  peak: { active: number; queued: number };
  rateWindows: Record<string, { accepted: number; limited: number }>;
  /** Epoch ms of the command and of the completion report (ChatWoot simulator clock). */
  typedAt: number;
  finishedAt: number;
  report: string;
  /** CPU ms of each process from the command to the report, and until ChatWoot's echo webhooks were delivered. */
  cpu: CpuSnapshot;
  cpuWithEchoes: CpuSnapshot;
  /** Peak RSS of the service in bytes: the kernel's VmHWM, and the largest 100 ms sample. */
  serviceHwm: number;
  serviceRssSampled: number;
  serviceRssAtStart: number;
  /** The service's largest RSS of each second from the command on, in MB. */
  serviceRssPerSecondMb: number[];
  /** Redis used_memory growth from before the command to after the echoes (what the import left in Redis). */
  redisMemoryDelta: number;
  /** Echo webhooks ChatWoot still had to deliver when the report came. */
  echoesPendingAtReport: number;
}

export interface ImportOptions extends StackOptions {
  timeoutMs: number;
}

export async function runImport(opts: ImportOptions): Promise<ImportResult> {
  const stack = await Stack.start(opts);
  try {
    const chats = await stack.wahaChats();
    const counts = chats.map((c) => c.messages);
    const total = counts.reduce((a, b) => a + b, 0);
    const largestChat = Math.max(...counts);
    log(`  ${opts.label}: ${chats.length} chats, ${total} messages (largest chat ${largestChat}); service up`);
    // Let start-up traffic (integration set-up, echo webhooks) settle, then count from zero.
    await sleep(500);
    await stack.resetCwStats();
    const rssAtStart = memory(stack.service.pid).rss;
    const redisBefore = await stack.redisUsedMemory();
    const sampler = new RssSampler(stack.service.pid).start();
    const cpuBefore = await stack.cpu();
    const typed = await stack.agentMessage(PULL_COMMAND);
    const deadline = Date.now() + opts.timeoutMs;
    let finished: { at: number; content: string } | undefined;
    let typedAt = 0;
    let stats: CwStats | undefined;
    let lastLog = Date.now();
    while (!finished) {
      if (stack.service.process.exitCode !== null) throw new Error(`the service exited:\n${stack.service.tail.join('\n')}`);
      if (Date.now() > deadline) {
        throw new Error(
          `${opts.label}: no "Pull finished" after ${opts.timeoutMs} ms (created ${stats?.messages.withSourceId ?? '?'} of ${total})`,
        );
      }
      await sleep(100);
      stats = await stack.cwStats(typed.id - 1);
      typedAt = stats.events.find((e) => e.id === typed.id)?.at ?? typedAt;
      for (const event of stats.events) {
        if (event.conversation_id !== stack.integrationConversationId || event.id <= typed.id) continue;
        if (event.content.includes('Pull finished')) finished = event;
        else if (/Pull (failed|stopped)/.test(event.content)) throw new Error(`${opts.label}: ${event.content}`);
      }
      if (Date.now() - lastLog > 15_000) {
        lastLog = Date.now();
        log(`    … ${stats.messages.withSourceId}/${total} created, ${stats.requests} requests`);
      }
    }
    const cpuAtReport = await stack.cpu();
    const atReport = stats!;
    // ChatWoot sends a message_created webhook for every imported message; they are part of the service's work.
    const drainDeadline = Date.now() + 180_000;
    let pending = atReport.webhooks.pending;
    while (pending > 0 && Date.now() < drainDeadline) {
      await sleep(100);
      pending = (await stack.cwStats(Number.MAX_SAFE_INTEGER)).webhooks.pending;
    }
    const cpuAfterEchoes = await stack.cpu();
    // Completed jobs are removed a moment after they finish: give BullMQ that moment before reading Redis.
    await sleep(2000);
    const redisAfter = await stack.redisUsedMemory();
    const sampled = sampler.stop();
    const hwm = memory(stack.service.pid).hwm;
    return {
      label: opts.label,
      chats: chats.length,
      total,
      largestChat,
      latencyMs: opts.chatwoot.latencyMs,
      capacity: opts.chatwoot.capacity,
      wallMs: finished.at - typedAt,
      created: atReport.messages.withSourceId,
      requests: atReport.requests,
      byStatus: atReport.byStatus,
      peak: atReport.peak,
      rateWindows: atReport.rateWindows,
      typedAt,
      finishedAt: finished.at,
      report: finished.content,
      cpu: cpuDelta(cpuBefore, cpuAtReport),
      cpuWithEchoes: cpuDelta(cpuBefore, cpuAfterEchoes),
      serviceHwm: hwm,
      serviceRssSampled: sampled,
      serviceRssAtStart: rssAtStart,
      serviceRssPerSecondMb: [...sampler.perSecondMb].map((mb) => mb ?? 0),
      echoesPendingAtReport: atReport.webhooks.pending,
      redisMemoryDelta: redisAfter - redisBefore,
    };
  } finally {
    await stack.stop();
  }
}

/** The floor: max(largest chat × L, total × L / K), in ms. */
export function floorMs(run: ImportResult): number {
  return Math.max(run.largestChat * run.latencyMs, (run.total * run.latencyMs) / run.capacity);
}

export function share(run: ImportResult, status: number): number {
  return run.requests > 0 ? (run.byStatus[status] ?? 0) / run.requests : 0;
}
