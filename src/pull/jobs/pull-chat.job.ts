/**
 * `pull.chat`: imports one chat of a pull (see chat-importer.ts), under a watchdog that aborts the try when it
 * makes no progress for --timeout (the job is then retried from its checkpoint), and posts progress reports. The
 * chat that finishes last enqueues `pull.finish`. At SIGTERM the import stops after the message in flight and the
 * job goes back to the queue (the processor turns `ShutdownError` into a delay that spends no attempt).
 */
import { BeforeApplicationShutdown, Inject, Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import type { Logger } from 'pino';
import { AppsService } from '../../apps/apps.service';
import { isUpstreamError, UpstreamError } from '../../clients/http/http-error';
import { reportingWaits } from '../../common/wait-reporter';
import { ReplyService } from '../../integration-chat/reply.service';
import { LOGGER } from '../../logging/logger';
import { isFinalAttempt, JobHandler } from '../../queue/job-dispatch';
import { JobName } from '../../queue/queue.constants';
import { Queues } from '../../queue/queues';
import { ChatCheckpointRepository } from '../chat-checkpoint.repository';
import { ChatImporter } from '../chat-importer';
import { FairShare } from '../fair-share';
import { PullPauseService } from '../pull-pause.service';
import { PullRecord, PullRecordRepository } from '../pull-record.repository';
import { PullReport } from '../pull-report';
import { isTerminal } from '../pull-state';
import { enqueuePullFinish } from './pull-finish.job';

export interface PullChatJobData {
  appId: string;
  pullId: string;
  /** Names the job and its checkpoint: the person's chat (its phone chat when there is one). */
  chatId: string;
  /** The chats of the person to read, when the server keeps an @lid and a phone chat apart; default [chatId]. */
  chatIds?: string[];
}

declare module '../../queue/queue.constants' {
  interface JobDataMap {
    [JobName.PullChat]: PullChatJobData;
  }
}

/** How long an import waits for an upstream before the agent is told (a blip is not worth a message). */
const OUTAGE_NOTICE_AFTER_MS = 30_000;

/** A chat import interrupted because the process is shutting down: hand the job back, it is not a failure. */
export class ShutdownError extends Error {
  constructor() {
    super('the service is shutting down');
  }
}

@Injectable()
export class PullChatJob implements JobHandler<JobName.PullChat>, BeforeApplicationShutdown {
  readonly jobName = JobName.PullChat;
  private readonly running = new Set<AbortController>();
  private shuttingDown = false;

  constructor(
    private readonly apps: AppsService,
    private readonly queues: Queues,
    private readonly records: PullRecordRepository,
    private readonly checkpoints: ChatCheckpointRepository,
    private readonly importer: ChatImporter,
    private readonly pause: PullPauseService,
    private readonly fairShare: FairShare,
    private readonly replies: ReplyService,
    private readonly report: PullReport,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /** SIGTERM: stop imports after the message in flight; their jobs go back to the queue for any worker. */
  beforeApplicationShutdown(): void {
    this.shuttingDown = true;
    for (const controller of this.running) controller.abort(new ShutdownError());
  }

  async handle(job: Job<PullChatJobData>): Promise<void> {
    if (this.shuttingDown) throw new ShutdownError();
    const { chatId } = job.data;
    const pull = { appId: job.data.appId, id: job.data.pullId };
    const record = await this.records.get(pull);
    if (!record || isTerminal(record.state) || record.state === 'finishing') return;
    const app = this.apps.require(record.appId);
    await this.fairShare.started(job.opts.priority);
    const release = this.pause.track(pull);
    const watchdog = new AbortController();
    this.running.add(watchdog);
    let timer: NodeJS.Timeout | undefined;
    const arm = (): void => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => watchdog.abort(new Error(this.report.noProgress(record.options.timeoutMs))), record.options.timeoutMs);
    };
    arm();
    // Since when this try has been waiting for an upstream without importing anything.
    let waitingSince: number | undefined;
    // Waiting out an outage (ChatWoot deploying, WAHA restarting) is not "no progress": RETRY_WINDOW bounds it. The
    // ChatWoot client's own waits (503, 429) are reported through reportingWaits.
    const onWaiting = (error?: unknown): void => {
      arm();
      // Pacing (429 windows, "Too many messages") is reported by the progress hints, not as an outage.
      if (!isUpstreamError(error) || error.kind === 'rate-limited' || error.kind === 'flood') return;
      waitingSince ??= Date.now();
      if (Date.now() - waitingSince >= OUTAGE_NOTICE_AFTER_MS) void this.noticeOutage(record, error);
    };
    try {
      const outcome = record.stop
        ? 'stopped'
        : await reportingWaits(onWaiting, () => this.importer.run(app, record, chatId, job.data.chatIds ?? [chatId], watchdog.signal, {
            onProcessed: async (processed) => {
              arm();
              waitingSince = undefined;
              await this.maybeReport(record, processed);
            },
            onWaiting,
          }));
      if (await this.checkpoints.finish(pull, chatId, outcome === 'stopped' ? 'stopped' : 'done')) await enqueuePullFinish(this.queues, pull);
    } catch (error) {
      if (watchdog.signal.reason instanceof ShutdownError) throw watchdog.signal.reason;
      const finalAttempt = isFinalAttempt(job);
      this.logger.warn({ err: error, pullId: pull.id, chatId, finalAttempt }, 'chat import attempt failed');
      if (!finalAttempt) throw error;
      await this.records.set(pull, { error: `${chatId}: ${error instanceof Error ? error.message : String(error)}` });
      if (await this.checkpoints.finish(pull, chatId, 'failed')) await enqueuePullFinish(this.queues, pull);
    } finally {
      if (timer) clearTimeout(timer);
      this.running.delete(watchdog);
      release();
    }
  }

  /**
   * An import has waited for ChatWoot or WAHA for a while: the agent is told once (per pull and quarter of an
   * hour) that it waits and goes on by itself; the final report names the outage too. While ChatWoot itself is down
   * the notice cannot be posted, and the right to post it is given back for a later try.
   */
  private async noticeOutage(record: PullRecord, error: UpstreamError): Promise<void> {
    const what = this.report.upstreamName(error.upstream);
    try {
      if (!(await this.records.claimOutageNotice(record, `${what}: ${error.message}`))) return;
      const posted = await this.replies.activitySafe(record.origin, this.report.waiting(what, error.message));
      if (!posted) await this.records.releaseOutageNotice(record);
    } catch (failure) {
      this.logger.warn({ err: failure, pullId: record.id }, 'cannot tell the agent that the import waits');
    }
  }

  /** Every --progress messages (pull-wide), one worker wins the right to post the report. */
  private async maybeReport(record: PullRecord, processed: number): Promise<void> {
    const every = record.options.progress;
    if (!every || processed % every !== 0) return;
    if (!(await this.records.claimReport(record, processed))) return;
    const fresh = await this.records.get(record);
    if (!fresh) return;
    await this.replies.activitySafe(record.origin, this.report.progress(fresh, this.apps.require(record.appId).gate.stats));
  }
}
