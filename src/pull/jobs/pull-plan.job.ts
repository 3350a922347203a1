/**
 * `pull.plan`: decides which chats a pull imports and starts one `pull.chat` job per chat (BullMQ shares them among
 * every worker process). Also answers a dry run and a pull with nothing to do, and pauses the live queues (--pause).
 */
import { Inject, Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import type { Logger } from 'pino';
import { AppContext, AppsService } from '../../apps/apps.service';
import { ServerProfilesService } from '../../apps/server-profiles.service';
import { chatKind, isIncluded, publicJid } from '../../common/jids';
import { TEXTS } from '../../config/texts.provider';
import { PersonResolver } from '../../conversations/person-resolver';
import { ReplyService } from '../../integration-chat/reply.service';
import { LOGGER } from '../../logging/logger';
import { isFinalAttempt, JobHandler } from '../../queue/job-dispatch';
import { jobIds } from '../../queue/job-options';
import { JobName } from '../../queue/queue.constants';
import { Queues } from '../../queue/queues';
import { Texts } from '../../texts/texts';
import { describeWindow } from '../pull-options';
import { FairShare } from '../fair-share';
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
  /** Names the chat's job and checkpoint. */
  id: string;
  /** The chats to read for it (one person's @lid and phone chats, when the server keeps them apart). */
  chatIds: string[];
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
    private readonly profiles: ServerProfilesService,
    private readonly persons: PersonResolver,
    private readonly fairShare: FairShare,
    @Inject(TEXTS) private readonly texts: Texts,
    @Inject(LOGGER) private readonly logger: Logger,
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
      // Ranked after the chats already started, so imports of several apps alternate (fair-share.ts).
      const ranks = await this.fairShare.ranks(chats.length);
      await this.queues.addBulk(
        JobName.PullChat,
        chats.map((chat, i) => ({
          data: { appId: record.appId, pullId: record.id, chatId: chat.id, ...(chat.chatIds.length > 1 ? { chatIds: chat.chatIds } : {}) },
          jobId: jobIds.pullChat(record.id, chat.id),
          priority: ranks[i],
        })),
        { attempts: Math.max(1, record.options.attempts) },
      );
    } catch (error) {
      if (isFinalAttempt(job)) await this.fail(record, error);
      throw error;
    } finally {
      release();
    }
  }

  /**
   * The chats of the pull's scope that may have messages in its window, one job per person, least recently active
   * first. An @lid chat and the phone chat of one person (mapped through WAHA's lids API) are one person: on a server
   * that merges their histories (see wahaCapabilities) the job reads one of them, elsewhere both, merged by time.
   */
  private async chatsFor(app: AppContext, record: PullRecord): Promise<PlannedChat[]> {
    const { options, origin } = record;
    const capabilities = await this.profiles.capabilities(app);
    if (capabilities.lidsApi) {
      await app.waha
        .lids()
        .then((mappings) => this.persons.learn(app, mappings))
        .catch((error: unknown) => this.logger.warn({ appId: app.config.id, err: error }, 'cannot list @lid mappings: each @lid chat is looked up on its own'));
    }
    let listed: Array<{ id: string; name?: string | null; ts: number }>;
    if (options.chat !== 'all') listed = [{ id: publicJid(options.chat), ts: 0 }];
    else if (!origin.commandsChat) listed = [...new Set(origin.contactChatIds.map(publicJid))].filter((id) => chatKind(id) !== 'null').map((id) => ({ id, ts: 0 }));
    else listed = await this.listChats(app, record);
    const groups = new Map<string, { ids: string[]; name?: string | null; ts: number }>();
    for (const chat of listed) {
      const identity = await this.persons.identity(app, chat.id);
      const group = groups.get(identity.person) ?? { ids: [], name: chat.name, ts: 0 };
      // Asked for one chat (or a contact): its other id counts too, so the person is imported whole.
      for (const id of options.chat !== 'all' || !origin.commandsChat ? [chat.id, ...identity.aliases] : [chat.id]) {
        if (!group.ids.includes(id)) group.ids.push(id);
      }
      group.name ??= chat.name;
      group.ts = Math.max(group.ts, chat.ts);
      groups.set(identity.person, group);
    }
    return [...groups.entries()]
      .sort(([, a], [, b]) => a.ts - b.ts)
      .map(([person, group]) => {
        // The phone chat names the job when the person has one; a merging server reads only that one.
        const main = group.ids.includes(person) ? person : group.ids[0];
        const chatIds = capabilities.mergesLidHistories ? [main] : [main, ...group.ids.filter((id) => id !== main)];
        return { id: main, chatIds, name: group.name };
      });
  }

  /** Every chat of the session of the kinds asked for, whose last activity is not older than the window. */
  private async listChats(app: AppContext, record: PullRecord): Promise<Array<{ id: string; name?: string | null; ts: number }>> {
    const chats = await app.waha.chats();
    const fromSec = Math.floor(record.from / 1000);
    const result: Array<{ id: string; name?: string | null; ts: number }> = [];
    const seen = new Set<string>();
    for (const chat of chats) {
      const raw = typeof chat.id === 'string' ? chat.id : chat.id?._serialized;
      if (!raw) continue;
      const id = publicJid(raw);
      if (seen.has(id) || !isIncluded(id, record.options.include)) continue;
      seen.add(id);
      const ts = Number(chat.conversationTimestamp ?? chat.timestamp ?? 0);
      // A chat whose last activity is older than the window has nothing in it.
      if (ts > 0 && ts < fromSec) continue;
      result.push({ id, name: chat.name, ts });
    }
    return result;
  }

  /** Counts what would be imported, imports nothing. */
  private async dryRun(app: AppContext, record: PullRecord, chats: PlannedChat[]): Promise<void> {
    const rows: Array<{ name: string; count: number }> = [];
    let total = 0;
    const gteSec = Math.floor(record.from / 1000);
    const lteSec = Math.floor(record.to / 1000);
    for (const chat of chats) {
      let count = 0;
      for (const chatId of chat.chatIds) {
        for (let offset = 0; ; offset += DRY_RUN_PAGE) {
          const page = await app.waha.messages(chatId, { limit: DRY_RUN_PAGE, offset, sortOrder: 'asc', gteSec, lteSec, downloadMedia: false });
          if (page.length === 0) break;
          count += page.length;
        }
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
