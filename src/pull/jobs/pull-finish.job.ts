/**
 * `pull.finish`: runs once, after the pull's last chat (or at once for a stop with nothing running): resolves the
 * imported conversations (--rc), resumes the live queues (--pause), posts the final report, frees the app's slot.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { Job } from 'bullmq';
import type { Logger } from 'pino';
import { AppsService } from '../../apps/apps.service';
import { ReplyService } from '../../integration-chat/reply.service';
import { LOGGER } from '../../logging/logger';
import { JobHandler } from '../../queue/job-dispatch';
import { jobIds } from '../../queue/job-options';
import { JobName } from '../../queue/queue.constants';
import { Queues } from '../../queue/queues';
import { TEXTS } from '../../config/texts.provider';
import { Texts } from '../../texts/texts';
import { ChatCheckpointRepository } from '../chat-checkpoint.repository';
import { PullRef } from '../pull.keys';
import { PullPauseService } from '../pull-pause.service';
import { PullRecordRepository } from '../pull-record.repository';
import { PullReport } from '../pull-report';
import { isTerminal } from '../pull-state';

export interface PullFinishJobData {
  appId: string;
  pullId: string;
}

declare module '../../queue/queue.constants' {
  interface JobDataMap {
    [JobName.PullFinish]: PullFinishJobData;
  }
}

/** Enqueues the pull's finish step (once: its id dedupes). */
export async function enqueuePullFinish(queues: Queues, pull: PullRef): Promise<void> {
  await queues.add(JobName.PullFinish, { appId: pull.appId, pullId: pull.id }, jobIds.pullFinish(pull.id));
}

@Injectable()
export class PullFinishJob implements JobHandler<JobName.PullFinish> {
  readonly jobName = JobName.PullFinish;

  constructor(
    private readonly apps: AppsService,
    private readonly records: PullRecordRepository,
    private readonly checkpoints: ChatCheckpointRepository,
    private readonly pause: PullPauseService,
    private readonly replies: ReplyService,
    private readonly report: PullReport,
    @Inject(TEXTS) private readonly texts: Texts,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async handle(job: Job<PullFinishJobData>): Promise<void> {
    await this.finish({ appId: job.data.appId, id: job.data.pullId });
  }

  async finish(pull: PullRef): Promise<void> {
    const record = await this.records.get(pull);
    if (!record || isTerminal(record.state)) return;
    const app = this.apps.require(record.appId);
    await this.records.set(pull, { state: 'finishing' });
    if (record.options.resolveConversations && !record.stop) {
      let resolved = 0;
      let errors = 0;
      for (const conversationId of await this.records.conversations(pull)) {
        try {
          await app.chatwoot.toggleStatus(conversationId, 'resolved');
          resolved++;
        } catch (error) {
          errors++;
          this.logger.warn({ err: error, conversationId }, 'cannot resolve conversation');
        }
      }
      await this.records.set(pull, { resolved, resolveErrors: errors });
    }
    if (record.pausedQueues && (await this.pause.resume(pull))) {
      await this.replies.activitySafe(record.origin, this.texts.render('queues.resumedAfterPull'));
    }
    await this.records.set(pull, { state: record.stop ? 'stopped' : 'completed', finishedAt: Date.now() });
    const final = (await this.records.get(pull))!;
    const states = await this.checkpoints.states(pull, await this.records.chatIds(pull));
    const failedChats = [...states.entries()].filter(([, state]) => state === 'failed').map(([id]) => id);
    await this.replies.activitySafe(record.origin, this.report.finished(final, { conversations: (await this.records.conversations(pull)).length, failedChats }));
    await this.records.release(pull);
  }
}
