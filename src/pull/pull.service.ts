/**
 * The pull's command side: start (one pull per app at a time), stop, and status. The work itself is done by the
 * jobs in ./jobs: plan → one `pull.chat` per chat → the last chat enqueues `pull.finish`.
 */
import { Inject, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { SERVICE_CONFIG, ServiceConfig } from '../config/config';
import { CommandOrigin } from '../integration-chat/command-origin';
import { boardLink } from '../queue/board-links';
import { jobIds } from '../queue/job-options';
import { JobName, QueueName } from '../queue/queue.constants';
import { Queues } from '../queue/queues';
import { enqueuePullFinish } from './jobs/pull-finish.job';
import { PullOptions } from './pull-options';
import { PullPauseService } from './pull-pause.service';
import { PullRecord, PullRecordRepository } from './pull-record.repository';
import { PullReport } from './pull-report';
import { isTerminal } from './pull-state';

export type StartResult = { started: true; pullId: string } | { started: false; running: PullRecord };

@Injectable()
export class PullService {
  constructor(
    private readonly queues: Queues,
    private readonly records: PullRecordRepository,
    private readonly pause: PullPauseService,
    private readonly report: PullReport,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
  ) {}

  async start(origin: CommandOrigin, options: PullOptions, typedAt: number): Promise<StartResult> {
    const id = `${typedAt.toString(36)}-${randomBytes(3).toString('hex')}`;
    const holder = await this.records.claim(origin.appId, id);
    if (holder) {
      const running = await this.records.get({ appId: origin.appId, id: holder });
      if (running) return { started: false, running };
    }
    const record: PullRecord = {
      id,
      appId: origin.appId,
      state: 'planning',
      scope: this.report.scope(origin, options),
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
      outage: '',
    };
    await this.records.create(record);
    await this.queues.add(JobName.PullPlan, { appId: origin.appId, pullId: id }, jobIds.pullPlan(id));
    return { started: true, pullId: id };
  }

  /** Asks the app's running pull to stop after the current page; the record of the pull asked, if one runs. */
  async stop(appId: string): Promise<PullRecord | undefined> {
    const id = await this.records.activeId(appId);
    if (!id) return undefined;
    const pull = { appId, id };
    const record = await this.records.get(pull);
    if (!record || isTerminal(record.state)) return undefined;
    await this.records.requestStop(pull);
    if (record.state === 'planning' || record.chatsTotal === 0) {
      // Nothing is importing yet: the plan job sees the flag and finishes the pull itself.
      return record;
    }
    await this.records.set(pull, { state: 'stopping' });
    // Chats not started yet finish at once when their job sees the flag; make sure finish runs even if all are done.
    if (record.chatsDone >= record.chatsTotal) await enqueuePullFinish(this.queues, pull);
    return record;
  }

  /** `wa/messages status`: the running pull, else the latest one, else a hint to start one. */
  async statusText(appId: string, prefix: string): Promise<string> {
    const record = await this.records.latest(appId);
    if (!record) return this.report.none(prefix);
    const [conversations, failures] = await Promise.all([this.records.conversations(record), this.records.failures(record)]);
    // The pull's jobs on the queue board: its plan job, which lists what it planned, and the queue with its chats.
    const publicUrl = this.config.publicUrl;
    const board = publicUrl && this.config.security.adminToken ? { plan: boardLink(publicUrl, QueueName.Pull, jobIds.pullPlan(record.id)), queue: boardLink(publicUrl, QueueName.Pull) } : undefined;
    return this.report.status(record, { conversations: conversations.length, failures, etaMs: this.report.estimateRemaining(record), prefix, board });
  }

  /** The running pull, else the latest one (for /metrics). */
  latest(appId: string): Promise<PullRecord | undefined> {
    return this.records.latest(appId);
  }

  alreadyRunningText(record: PullRecord, prefix: string): string {
    return this.report.alreadyRunning(record, prefix);
  }

  /** An agent resumed every live queue by hand: the pull that paused them no longer resumes them at its end. */
  async releasePauseHold(): Promise<void> {
    await this.pause.releaseHold();
  }
}
