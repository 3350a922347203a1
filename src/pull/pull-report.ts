/**
 * What a pull says in ChatWoot: the counters every report shares, and the texts of its start, progress, status,
 * end and refusals. Nothing here changes state.
 */
import { Inject, Injectable } from '@nestjs/common';
import { FlowStats } from '../clients/chatwoot/flow-gate';
import { formatDuration, formatElapsed } from '../common/durations';
import { SERVICE_CONFIG, ServiceConfig } from '../config/config';
import { TEXTS } from '../config/texts.provider';
import { formatMessageDate } from '../conversations/message-renderer';
import { CommandOrigin } from '../integration-chat/command-origin';
import { TextKey, Texts } from '../texts/texts';
import { describeWindow, PullOptions } from './pull-options';
import { PullRecord } from './pull-record.repository';
import { isTerminal } from './pull-state';

/** The options named in `pull.started`, in this order, when set. */
const OPTION_NAMES: Array<[(options: PullOptions) => boolean, TextKey]> = [
  [(o) => !o.include.dm, 'pull.option.noDm'],
  [(o) => o.include.groups, 'pull.option.groups'],
  [(o) => o.include.channels, 'pull.option.channels'],
  [(o) => o.include.status, 'pull.option.status'],
  [(o) => o.include.broadcast, 'pull.option.broadcast'],
  [(o) => o.media, 'pull.option.media'],
  [(o) => o.force, 'pull.option.force'],
  [(o) => o.pause, 'pull.option.pause'],
  [(o) => o.resolveConversations, 'pull.option.resolve'],
];

@Injectable()
export class PullReport {
  constructor(
    @Inject(TEXTS) private readonly texts: Texts,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
  ) {}

  /** What the pull covers: the chat asked for, every chat, or the customer conversation's contact. */
  scope(origin: CommandOrigin, options: PullOptions): string {
    if (options.chat !== 'all') return options.chat;
    if (origin.commandsChat) return this.texts.render('pull.scope.all');
    return origin.contactChatIds.join(', ') || this.texts.render('pull.scope.contact');
  }

  /** The counters every report shows. */
  counters(record: PullRecord) {
    const elapsedMs = (record.finishedAt || Date.now()) - record.createdAt;
    const rate = elapsedMs > 0 ? (record.processed / (elapsedMs / 1000)).toFixed(1) : '0';
    const date = (seconds: number): string => (seconds ? formatMessageDate(seconds, this.config.tuning.timeZone) : '');
    return {
      created: record.created,
      exists: record.exists,
      ignored: record.ignored,
      failed: record.failed,
      processed: record.processed,
      chats: record.chatsTotal,
      chatsDone: record.chatsDone,
      chatsTotal: record.chatsTotal,
      elapsed: formatElapsed(elapsedMs),
      rate,
      earliest: date(record.first),
      latest: date(record.last),
      last: date(record.last),
      scope: record.scope,
      window: describeWindow(record.options.window),
      state: record.state,
    };
  }

  started(record: PullRecord, chats: number, prefix: string): string {
    const options = OPTION_NAMES.filter(([set]) => set(record.options))
      .map(([, key]) => this.texts.render(key))
      .join(', ');
    return this.texts.render('pull.started', { scope: record.scope, window: describeWindow(record.options.window), chats, options, prefix });
  }

  /** A progress report, with advice when ChatWoot is pushing back. */
  progress(record: PullRecord, gate: FlowStats): string {
    const hint = gate.flood > 0 ? this.texts.render('hint.tooManyMessages') : gate.rateLimited > 0 ? this.texts.render('hint.rateLimited') : gate.unavailable > 0 ? this.texts.render('hint.chatwootSlow') : '';
    return this.texts.render('pull.progress', { ...this.counters(record), hint });
  }

  status(record: PullRecord, extra: { conversations: number; failures: { items: string[]; total: number }; etaMs?: number; prefix: string; board?: { plan: string; queue: string } }): string {
    const running = !isTerminal(record.state);
    return this.texts.render('pull.status', {
      ...this.counters(record),
      prefix: extra.prefix,
      running,
      conversations: extra.conversations,
      resolved: record.options.resolveConversations ? record.resolved : undefined,
      eta: running && extra.etaMs !== undefined ? formatElapsed(extra.etaMs) : '',
      failedIds: extra.failures.items.map((f) => f.split(':')[0]),
      failedMore: Math.max(0, extra.failures.total - extra.failures.items.length),
      error: record.error,
      board: extra.board,
    });
  }

  /** Remaining time from the pull's own pace; chats already done say little about the rest, so it is rough. */
  estimateRemaining(record: PullRecord): number | undefined {
    if (record.processed === 0 || record.chatsTotal === 0 || record.chatsDone === 0) return undefined;
    const elapsed = Date.now() - record.createdAt;
    return (elapsed / record.chatsDone) * (record.chatsTotal - record.chatsDone);
  }

  none(prefix: string): string {
    return this.texts.render('pull.statusNone', { prefix });
  }

  alreadyRunning(record: PullRecord, prefix: string): string {
    return this.texts.render('pull.alreadyRunning', { ...this.counters(record), prefix, startedAgo: formatElapsed(Date.now() - record.createdAt) });
  }

  finished(record: PullRecord, extra: { conversations: number; failedChats: string[] }): string {
    const stopped = record.state === 'stopped';
    return this.texts.render(stopped ? 'pull.stopped' : 'pull.completed', {
      ...this.counters(record),
      conversations: extra.conversations,
      resolved: record.options.resolveConversations && !record.stop ? record.resolved : undefined,
      failedChats: extra.failedChats,
      outage: record.outage || undefined,
    });
  }

  /** How the agent knows an upstream: 'ChatWoot' or 'WhatsApp (WAHA)'. */
  upstreamName(upstream: 'waha' | 'chatwoot'): string {
    return this.texts.render(upstream === 'waha' ? 'upstream.waha' : 'upstream.chatwoot');
  }

  /** An import waits for an upstream (what, its error). */
  waiting(what: string, reason: string): string {
    return this.texts.render('pull.waiting', { what, reason, window: formatDuration(this.config.reliability.retryWindowMs) });
  }

  noProgress(timeoutMs: number): string {
    return this.texts.render('pull.noProgress', { timeout: describeWindow({ startAgoMs: timeoutMs, endAgoMs: 0 }) });
  }

  dryRun(record: PullRecord, rows: Array<{ name: string; count: number }>, total: number, perSecond: number): string {
    return this.texts.render('pull.dryRun', { rows, total, chats: rows.length, estimate: formatElapsed((total / perSecond) * 1000), window: describeWindow(record.options.window) });
  }
}
