/**
 * `pull.plan`: decides which chats a pull imports and starts one `pull.chat` job per chat (BullMQ shares them among
 * every worker process). Also answers a dry run and a pull with nothing to do, and pauses the live queues (--pause).
 */
import { Inject, Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import { AppContext, AppsService } from '../../apps/apps.service';
import { chatKind, isIncluded, publicJid } from '../../common/jids';
import { TEXTS } from '../../config/texts.provider';
import { ReplyService } from '../../integration-chat/reply.service';
import { isFinalAttempt, JobHandler } from '../../queue/job-dispatch';
import { jobIds } from '../../queue/job-options';
import { JobName } from '../../queue/queue.constants';
import { Queues } from '../../queue/queues';
import { Texts } from '../../texts/texts';
import { describeWindow } from '../pull-options';
import { PullPauseService } from '../pull-pause.service';
import { PullRecord, PullRecordRepository } from '../pull-record.repository';
import { PullReport } from '../pull-report';
import { PullFinishJob } from './pull-finish.job';

export interface PullPlanJobData {
  appId: string;
  pullId: string;
}

declare module '../../queue/queue.constants' {
  interface JobDataMap {
    [JobName.PullPlan]: PullPlanJobData;
  }
}

export interface PlannedChat {
  id: string;
  name?: string | null;
}

/** The pace a dry run's estimate assumes. */
const DRY_RUN_MESSAGES_PER_SECOND = 20;
const DRY_RUN_PAGE = 500;

@Injectable()
export class PullPlanJob implements JobHandler<JobName.PullPlan> {
  readonly jobName = JobName.PullPlan;

  constructor(
    private readonly apps: AppsService,
    private readonly queues: Queues,
    private readonly records: PullRecordRepository,
    private readonly pause: PullPauseService,
    private readonly replies: ReplyService,
    private readonly report: PullReport,
    private readonly finish: PullFinishJob,
    @Inject(TEXTS) private readonly texts: Texts,
  ) {}

  async handle(job: Job<PullPlanJobData>): Promise<void> {
    const pull = { appId: job.data.appId, id: job.data.pullId };
    const record = await this.records.get(pull);
    if (!record || record.state !== 'planning') return;
    const app = this.apps.require(record.appId);
    const prefix = record.origin.commandsChat ? '' : app.config.commandPrefix;
    const release = this.pause.track(pull);
    try {
      // Stopped before it was planned: nothing ran, finish at once.
      if (record.stop) return await this.finish.finish(pull);
      const chats = await this.chatsFor(app, record);
      if (record.options.dryRun) return await this.dryRun(app, record, chats);
      if (chats.length === 0) {
        await this.replies.reply(record.origin, this.texts.render('pull.noChats', { window: describeWindow(record.options.window), prefix }));
        await this.records.set(pull, { state: 'completed', finishedAt: Date.now() });
        await this.records.release(pull);
        return;
      }
      if (record.options.pause && !record.pausedQueues) {
        await this.pause.pause(pull);
        await this.records.set(pull, { pausedQueues: 1 });
        await this.replies.activitySafe(record.origin, this.texts.render('pull.pauseNoticeQueuesPaused'));
      }
      await this.records.setChats(pull, chats);
      await this.replies.activitySafe(record.origin, this.report.started(record, chats.length, prefix));
      await this.records.set(pull, { state: 'running' });
      await this.queues.addBulk(
        JobName.PullChat,
        chats.map((chat) => ({ data: { appId: record.appId, pullId: record.id, chatId: chat.id }, jobId: jobIds.pullChat(record.id, chat.id) })),
        { attempts: Math.max(1, record.options.attempts) },
      );
    } catch (error) {
      if (isFinalAttempt(job)) await this.fail(record, error);
      throw error;
    } finally {
      release();
    }
  }

  /** The chats of the pull's scope that may have messages in its window, least recently active first. */
  private async chatsFor(app: AppContext, record: PullRecord): Promise<PlannedChat[]> {
    const { options, origin } = record;
    if (options.chat !== 'all') return [{ id: publicJid(options.chat) }];
    if (!origin.commandsChat) {
      return [...new Set(origin.contactChatIds.map(publicJid))].filter((id) => chatKind(id) !== 'null').map((id) => ({ id }));
    }
    const chats = await app.waha.chats();
    const fromSec = Math.floor(record.from / 1000);
    const result: Array<PlannedChat & { ts: number }> = [];
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

  /** Counts what would be imported, imports nothing. */
  private async dryRun(app: AppContext, record: PullRecord, chats: PlannedChat[]): Promise<void> {
    const rows: Array<{ name: string; count: number }> = [];
    let total = 0;
    const gteSec = Math.floor(record.from / 1000);
    const lteSec = Math.floor(record.to / 1000);
    for (const chat of chats) {
      let count = 0;
      for (let offset = 0; ; offset += DRY_RUN_PAGE) {
        const page = await app.waha.messages(chat.id, { limit: DRY_RUN_PAGE, offset, sortOrder: 'asc', gteSec, lteSec, downloadMedia: false });
        if (page.length === 0) break;
        count += page.length;
      }
      total += count;
      if (count > 0) rows.push({ name: chat.name ? `${chat.name} (${chat.id})` : chat.id, count });
    }
    await this.replies.reply(record.origin, this.report.dryRun(record, rows, total, DRY_RUN_MESSAGES_PER_SECOND));
    await this.records.set(record, { state: 'completed', finishedAt: Date.now() });
    await this.records.release(record);
  }

  /** The plan failed for good: say so, and give back the queues and the app's slot. */
  private async fail(record: PullRecord, error: unknown): Promise<void> {
    const reason = error instanceof Error ? error.message : String(error);
    await this.records.set(record, { state: 'failed', error: reason, finishedAt: Date.now() });
    if (record.pausedQueues || (await this.records.get(record))?.pausedQueues) await this.pause.resume(record);
    const prefix = record.origin.commandsChat ? '' : this.apps.require(record.appId).config.commandPrefix;
    await this.replies.activitySafe(record.origin, this.texts.render('pull.failed', { reason, prefix }));
    await this.records.release(record);
  }
}
