/**
 * The pull engine's control side: start (one per app), status, stop, and the three job kinds.
 *
 * plan → one `pull.chat` job per chat (parallel across chats, BullMQ shares them among every worker process) →
 * the chat that finishes last enqueues `pull.finish` → resolve conversations (--rc), resume queues (--pause),
 * report, release the app's pull slot.
 */
import { BeforeApplicationShutdown, Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { AppContext, AppsService } from '../apps/apps.service';
import { PullOptions } from '../commands/grammar/command.types';
import { describeWindow } from '../commands/grammar/duration';
import { ReplyService } from '../commands/reply.service';
import { SERVICE_CONFIG, ServiceConfig } from '../config/config';
import { chatKind, isIncluded, publicJid } from '../common/jids';
import { TEXTS } from '../config/texts.provider';
import { LOGGER } from '../logging/logger';
import { CommandOrigin, jobId, JobName, QueueName } from '../queue/queue.constants';
import { QueueControlService } from '../queue/queue-control.service';
import { Queues } from '../queue/queues';
import { RedisService } from '../redis/redis.service';
import { Texts } from '../texts/texts';
import { ChatImporter } from './chat-importer';
import { ContactResolver } from './contact-resolver';
import { PullRecord, PullStore } from './pull.store';
import { formatMessageDate } from './message-renderer';

/** A chat import interrupted because the process is shutting down: hand the job back, it is not a failure. */
export class ShutdownError extends Error {
  constructor() {
    super('the service is shutting down');
  }
}

export type StartResult = { started: true; pullId: string } | { started: false; running: PullRecord };

function elapsedText(ms: number): string {
  if (ms < 10_000) return `${(Math.max(0, ms) / 1000).toFixed(1)}s`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  return `${Math.floor(m / 60)}h ${m % 60}m`;
}

@Injectable()
export class PullService implements OnModuleInit, BeforeApplicationShutdown {
  readonly store: PullStore;
  private readonly resolver: ContactResolver;
  private readonly running = new Set<AbortController>();
  private shuttingDown = false;

  constructor(
    private readonly apps: AppsService,
    private readonly queues: Queues,
    private readonly control: QueueControlService,
    private readonly replies: ReplyService,
    redis: RedisService,
    @Inject(TEXTS) private readonly texts: Texts,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.store = new PullStore(redis);
    this.resolver = new ContactResolver(redis, texts, logger);
  }

  onModuleInit(): void {
    this.control.onLeaseExpired = async (pullId) => {
      const record = await this.store.get(pullId);
      if (record) await this.replies.activitySafe(record.origin, this.texts.render('queues.resumedAfterPull', {}));
    };
  }

  /** SIGTERM: stop imports after the message in flight; their jobs go back to the queue for any worker. */
  beforeApplicationShutdown(): void {
    this.shuttingDown = true;
    for (const controller of this.running) controller.abort(new ShutdownError());
  }

  get contactResolver(): ContactResolver {
    return this.resolver;
  }

  scopeText(origin: CommandOrigin, options: PullOptions): string {
    if (options.chat !== 'all') return options.chat;
    if (origin.commandsChat) return this.texts.render('pull.scope.all');
    return origin.contactChatIds.join(', ') || this.texts.render('pull.scope.contact');
  }

  async start(origin: CommandOrigin, options: PullOptions, typedAt: number): Promise<StartResult> {
    const id = `${typedAt.toString(36)}-${randomBytes(3).toString('hex')}`;
    const holder = await this.store.claim(origin.appId, id);
    if (holder) {
      const running = await this.store.get(holder);
      if (running) return { started: false, running };
    }
    const record: PullRecord = {
      id,
      appId: origin.appId,
      state: 'planning',
      scope: this.scopeText(origin, options),
      origin,
      options,
      from: typedAt - options.window.startAgoMs,
      to: typedAt - options.window.endAgoMs,
      createdAt: Date.now(),
      finishedAt: 0,
      chatsTotal: 0,
      chatsDone: 0,
      chatsFailed: 0,
      created: 0,
      exists: 0,
      ignored: 0,
      failed: 0,
      processed: 0,
      first: 0,
      last: 0,
      stop: false,
      pausedQueues: false,
      resolved: 0,
      resolveErrors: 0,
      error: '',
      lastReported: 0,
    };
    await this.store.create(record);
    await this.queues.add(QueueName.Pull, JobName.PullPlan, { appId: origin.appId, pullId: id }, { jobId: jobId('plan', id), attempts: 5, backoff: { type: 'exponential', delay: 2000 } });
    return { started: true, pullId: id };
  }

  async stop(appId: string): Promise<PullRecord | undefined> {
    const active = await this.store.redis.client.get(this.store.activeKey(appId));
    if (!active) return undefined;
    const record = await this.store.get(active);
    if (!record || ['completed', 'stopped', 'failed'].includes(record.state)) return undefined;
    await this.store.requestStop(active);
    if (record.state === 'planning' || record.chatsTotal === 0) {
      // Nothing is importing yet: the plan job sees the flag and finishes the pull itself.
      return record;
    }
    await this.store.set(active, { state: 'stopping' });
    // Chats not started yet finish at once when their job sees the flag; make sure finish runs even if all are done.
    if (record.chatsDone >= record.chatsTotal) await this.enqueueFinish(record);
    return record;
  }

  // ---- texts -------------------------------------------------------------------------------------------

  private counters(record: PullRecord): Record<string, unknown> {
    const elapsedMs = (record.finishedAt || Date.now()) - record.createdAt;
    const rate = elapsedMs > 0 ? (record.processed / (elapsedMs / 1000)).toFixed(1) : '0';
    return {
      created: record.created,
      exists: record.exists,
      ignored: record.ignored,
      failed: record.failed,
      processed: record.processed,
      chats: record.chatsTotal,
      chatsDone: record.chatsDone,
      chatsTotal: record.chatsTotal,
      elapsed: elapsedText(elapsedMs),
      rate,
      earliest: record.first ? formatMessageDate(record.first, this.config.tuning.timeZone) : '',
      latest: record.last ? formatMessageDate(record.last, this.config.tuning.timeZone) : '',
      last: record.last ? formatMessageDate(record.last, this.config.tuning.timeZone) : '',
      scope: record.scope,
      window: describeWindow(record.options.window),
      state: record.state,
    };
  }

  async statusText(appId: string, prefix: string): Promise<string> {
    const record = await this.store.latest(appId);
    if (!record) return this.texts.render('pull.statusNone', { prefix });
    const conversations = await this.store.conversations(record.id);
    const failures = await this.store.failures(record.id);
    const running = !['completed', 'stopped', 'failed'].includes(record.state);
    const vars = this.counters(record);
    let eta = '';
    if (running && record.processed > 0) {
      const estimate = await this.estimateRemaining(record).catch(() => undefined);
      if (estimate !== undefined) eta = elapsedText(estimate);
    }
    return this.texts.render('pull.status', {
      ...vars,
      prefix,
      running,
      conversations: conversations.length,
      resolved: record.options.resolveConversations ? record.resolved : undefined,
      eta,
      failedIds: failures.items.map((f) => f.split(':')[0]),
      failedMore: Math.max(0, failures.total - failures.items.length),
      error: record.error,
    });
  }

  /** Remaining time from the pull's own rate; chats already done say nothing about the rest, so this is rough. */
  private async estimateRemaining(record: PullRecord): Promise<number | undefined> {
    if (record.chatsTotal === 0 || record.chatsDone === 0) return undefined;
    const elapsed = Date.now() - record.createdAt;
    return (elapsed / record.chatsDone) * (record.chatsTotal - record.chatsDone);
  }

  alreadyRunningText(record: PullRecord, prefix: string): string {
    return this.texts.render('pull.alreadyRunning', {
      ...this.counters(record),
      prefix,
      startedAgo: elapsedText(Date.now() - record.createdAt),
    });
  }

  private optionsSummary(options: PullOptions): string {
    const parts: string[] = [];
    if (!options.include.dm) parts.push('no DMs');
    if (options.include.groups) parts.push('groups');
    if (options.include.channels) parts.push('channels');
    if (options.include.status) parts.push('status');
    if (options.include.broadcast) parts.push('broadcast lists');
    if (options.media) parts.push('media');
    if (options.force) parts.push('force');
    if (options.pause) parts.push('queues paused');
    if (options.resolveConversations) parts.push('resolve conversations');
    return parts.join(', ');
  }

  // ---- plan --------------------------------------------------------------------------------------------

  async chatsFor(app: AppContext, record: PullRecord): Promise<Array<{ id: string; name?: string | null }>> {
    const { options, origin } = record;
    if (options.chat !== 'all') return [{ id: publicJid(options.chat) }];
    if (!origin.commandsChat) {
      return [...new Set(origin.contactChatIds.map(publicJid))].filter((id) => chatKind(id) !== 'null').map((id) => ({ id }));
    }
    const chats = await app.waha.chats();
    const fromSec = Math.floor(record.from / 1000);
    const result: Array<{ id: string; name?: string | null; ts: number }> = [];
    const seen = new Set<string>();
    for (const chat of chats) {
      const raw = typeof chat.id === 'string' ? chat.id : chat.id?._serialized;
      if (!raw) continue;
      const id = publicJid(raw);
      if (seen.has(id) || !isIncluded(id, options.include)) continue;
      seen.add(id);
      const ts = Number(chat.conversationTimestamp ?? chat.timestamp ?? 0);
      // A chat whose last activity is older than the window has nothing in it.
      if (ts > 0 && ts < fromSec) continue;
      result.push({ id, name: chat.name, ts });
    }
    return result.sort((a, b) => a.ts - b.ts).map(({ id, name }) => ({ id, name }));
  }

  async plan(pullId: string, finalAttempt: boolean): Promise<void> {
    const record = await this.store.get(pullId);
    if (!record || record.state !== 'planning') return;
    const app = this.apps.require(record.appId);
    const prefix = record.origin.commandsChat ? '' : app.config.commandPrefix;
    this.control.workingPulls.set(pullId, (this.control.workingPulls.get(pullId) ?? 0) + 1);
    try {
      if (record.stop) return await this.finish(pullId);
      const chats = await this.chatsFor(app, record);
      if (record.options.dryRun) return await this.dryRun(app, record, chats);
      if (chats.length === 0) {
        await this.replies.reply(record.origin, this.texts.render('pull.noChats', { window: describeWindow(record.options.window), prefix }));
        await this.store.set(pullId, { state: 'completed', finishedAt: Date.now() });
        await this.store.release(record.appId, pullId);
        return;
      }
      if (record.options.pause && !record.pausedQueues) {
        await this.control.pauseForPull(pullId);
        await this.store.set(pullId, { pausedQueues: 1 });
        await this.replies.activitySafe(record.origin, this.texts.render('pull.pauseNoticeQueuesPaused', {}));
      }
      await this.store.setChats(pullId, chats);
      await this.replies.activitySafe(
        record.origin,
        this.texts.render('pull.started', {
          scope: record.scope,
          window: describeWindow(record.options.window),
          chats: chats.length,
          options: this.optionsSummary(record.options),
          prefix,
        }),
      );
      await this.store.set(pullId, { state: 'running' });
      const attempts = Math.max(1, record.options.attempts);
      await this.queues.pull.addBulk(
        chats.map((chat) => ({
          name: JobName.PullChat,
          data: { appId: record.appId, pullId, chatId: chat.id },
          opts: {
            jobId: jobId('chat', pullId, chat.id),
            attempts,
            backoff: { type: 'exponential', delay: 2000 },
            removeOnComplete: { age: 3 * 24 * 3600, count: 5000 },
            removeOnFail: { age: 31 * 24 * 3600, count: 5000 },
          },
        })),
      );
    } catch (error) {
      if (finalAttempt) await this.fail(record, error);
      throw error;
    } finally {
      this.release(pullId);
    }
  }

  private release(pullId: string): void {
    const n = (this.control.workingPulls.get(pullId) ?? 1) - 1;
    if (n <= 0) this.control.workingPulls.delete(pullId);
    else this.control.workingPulls.set(pullId, n);
  }

  private async dryRun(app: AppContext, record: PullRecord, chats: Array<{ id: string; name?: string | null }>): Promise<void> {
    const rows: Array<{ name: string; count: number }> = [];
    let total = 0;
    const gteSec = Math.floor(record.from / 1000);
    const lteSec = Math.floor(record.to / 1000);
    for (const chat of chats) {
      let count = 0;
      for (let offset = 0; ; offset += 500) {
        const page = await app.waha.messages(chat.id, { limit: 500, offset, sortOrder: 'asc', gteSec, lteSec, downloadMedia: false });
        if (page.length === 0) break;
        count += page.length;
      }
      total += count;
      if (count > 0) rows.push({ name: chat.name ? `${chat.name} (${chat.id})` : chat.id, count });
    }
    const perSecond = 20;
    await this.replies.reply(
      record.origin,
      this.texts.render('pull.dryRun', { rows, total, chats: rows.length, estimate: elapsedText((total / perSecond) * 1000), window: describeWindow(record.options.window) }),
    );
    await this.store.set(record.id, { state: 'completed', finishedAt: Date.now() });
    await this.store.release(record.appId, record.id);
  }

  // ---- chats -------------------------------------------------------------------------------------------

  async importChat(pullId: string, chatId: string, finalAttempt: boolean): Promise<void> {
    if (this.shuttingDown) throw new ShutdownError();
    const record = await this.store.get(pullId);
    if (!record || ['completed', 'stopped', 'failed', 'finishing'].includes(record.state)) return;
    const app = this.apps.require(record.appId);
    this.control.workingPulls.set(pullId, (this.control.workingPulls.get(pullId) ?? 0) + 1);
    const watchdog = new AbortController();
    this.running.add(watchdog);
    let timer: NodeJS.Timeout | undefined;
    const arm = (): void => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => watchdog.abort(new Error(`no progress for ${describeWindow({ startAgoMs: record.options.timeoutMs, endAgoMs: 0 })}`)), record.options.timeoutMs);
    };
    arm();
    try {
      const importer = new ChatImporter(app, this.store, this.resolver, this.texts, this.logger, this.config.tuning.timeZone);
      const outcome = record.stop
        ? 'stopped'
        : await importer.run(record, chatId, watchdog.signal, {
            onProcessed: async (processed) => {
              arm();
              await this.maybeReport(record, processed);
            },
          });
      if (await this.store.chatDone(pullId, chatId, outcome === 'stopped' ? 'stopped' : 'done')) await this.enqueueFinish(record);
    } catch (error) {
      if (watchdog.signal.reason instanceof ShutdownError) throw watchdog.signal.reason;
      this.logger.warn({ err: error, pullId, chatId, finalAttempt }, 'chat import attempt failed');
      if (finalAttempt) {
        await this.store.set(pullId, { error: `${chatId}: ${error instanceof Error ? error.message : String(error)}` });
        if (await this.store.chatDone(pullId, chatId, 'failed')) await this.enqueueFinish(record);
        return;
      }
      throw error;
    } finally {
      if (timer) clearTimeout(timer);
      this.running.delete(watchdog);
      this.release(pullId);
    }
  }

  private async maybeReport(record: PullRecord, processed: number): Promise<void> {
    const every = record.options.progress;
    if (!every || processed % every !== 0) return;
    if (!(await this.store.claimReport(record.id, processed))) return;
    const fresh = await this.store.get(record.id);
    if (!fresh) return;
    const app = this.apps.require(record.appId);
    const stats = app.gate.stats;
    const hint = stats.flood > 0 ? this.texts.render('hint.tooManyMessages', {}) : stats.rateLimited > 0 ? this.texts.render('hint.rateLimited', {}) : stats.unavailable > 0 ? this.texts.render('hint.chatwootSlow', {}) : '';
    await this.replies.activitySafe(record.origin, this.texts.render('pull.progress', { ...this.counters(fresh), hint }));
  }

  private async enqueueFinish(record: PullRecord): Promise<void> {
    await this.queues.add(QueueName.Pull, JobName.PullFinish, { appId: record.appId, pullId: record.id }, { jobId: jobId('finish', record.id), attempts: 10, backoff: { type: 'exponential', delay: 2000 } });
  }

  // ---- finish ------------------------------------------------------------------------------------------

  async finish(pullId: string): Promise<void> {
    const record = await this.store.get(pullId);
    if (!record || ['completed', 'stopped', 'failed'].includes(record.state)) return;
    const app = this.apps.require(record.appId);
    await this.store.set(pullId, { state: 'finishing' });
    if (record.options.resolveConversations && !record.stop) {
      let resolved = 0;
      let errors = 0;
      for (const conversationId of await this.store.conversations(pullId)) {
        try {
          await app.chatwoot.toggleStatus(conversationId, 'resolved');
          resolved++;
        } catch (error) {
          errors++;
          this.logger.warn({ err: error, conversationId }, 'cannot resolve conversation');
        }
      }
      await this.store.set(pullId, { resolved, resolveErrors: errors });
    }
    if (record.pausedQueues && (await this.control.resumeForPull(pullId))) {
      await this.replies.activitySafe(record.origin, this.texts.render('queues.resumedAfterPull', {}));
    }
    const state = record.stop ? 'stopped' : 'completed';
    await this.store.set(pullId, { state, finishedAt: Date.now() });
    const final = (await this.store.get(pullId))!;
    const failedChats = [...(await this.store.chatStates(pullId)).entries()].filter(([, s]) => s === 'failed').map(([id]) => id);
    const vars = {
      ...this.counters(final),
      conversations: (await this.store.conversations(pullId)).length,
      resolved: record.options.resolveConversations && !record.stop ? final.resolved : undefined,
      failedChats,
      prefix: record.origin.commandsChat ? '' : app.config.commandPrefix,
    };
    await this.replies.activitySafe(record.origin, this.texts.render(state === 'stopped' ? 'pull.stopped' : 'pull.completed', vars));
    await this.store.release(record.appId, pullId);
  }

  private async fail(record: PullRecord, error: unknown): Promise<void> {
    const reason = error instanceof Error ? error.message : String(error);
    await this.store.set(record.id, { state: 'failed', error: reason, finishedAt: Date.now() });
    if (record.pausedQueues || (await this.store.get(record.id))?.pausedQueues) await this.control.resumeForPull(record.id);
    const prefix = record.origin.commandsChat ? '' : this.apps.require(record.appId).config.commandPrefix;
    await this.replies.activitySafe(record.origin, this.texts.render('pull.failed', { reason, prefix }));
    await this.store.release(record.appId, record.id);
  }
}
