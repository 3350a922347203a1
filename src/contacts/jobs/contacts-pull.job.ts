/**
 * `contacts.pull`: one job runs an app's contacts pull, page by page (`GET /api/contacts/all`, then with --groups
 * the groups among the chats), from the checkpoint in its record. Every contact is settled once (the record's
 * `done` hash), so a retry, a resumed pull or a second worker that took over a lost lease goes on where the pull
 * is without creating or counting anything twice.
 *
 * - An outage (WAHA or ChatWoot not answering, 429, 5xx) fails the attempt; the next resumes after 15 s, 30 s, 1 m,
 *   2 m, 4 m, then every 5 m, up to --attempts. After the last, the pull fails with a report saying how to resume.
 * - After --timeout an attempt hands over to the next run of the job without spending an attempt (and lets other
 *   apps' jobs in); so does a worker shutting down.
 * - `wa/contacts stop` sets the record's flag, which is read before every contact.
 */
import { BeforeApplicationShutdown, Inject, Injectable } from '@nestjs/common';
import { DelayedError, Job } from 'bullmq';
import type { Logger } from 'pino';
import { AppContext, AppsService } from '../../apps/apps.service';
import { WahaContact } from '../../clients/waha/waha.types';
import { publicJid } from '../../common/jids';
import { sleep } from '../../common/sleep';
import { PersonResolver } from '../../conversations/person-resolver';
import { LOGGER } from '../../logging/logger';
import { isFinalAttempt, JobHandler } from '../../queue/job-dispatch';
import { JobName } from '../../queue/queue.constants';
import { ContactItem, ContactSync, skipReason } from '../contact-sync';
import { ContactsOptions } from '../contacts-options';
import { ContactsReport } from '../contacts-report';
import { ContactsRunRepository, isContactsTerminal } from '../contacts-run.repository';
import { ContactsRef } from '../contacts.keys';

export interface ContactsPullJobData {
  appId: string;
  runId: string;
}

declare module '../../queue/queue.constants' {
  interface JobDataMap {
    [JobName.ContactsPull]: ContactsPullJobData;
  }
}

/** The attempt hands over: back to the queue at once, no attempt spent. */
class HandOver extends Error {}

function itemOf(contact: WahaContact): ContactItem {
  return { chatId: publicJid(contact.id), name: contact.name, pushname: contact.pushname ?? contact.pushName, isMyContact: contact.isMyContact, isMe: contact.isMe };
}

@Injectable()
export class ContactsPullJob implements JobHandler<JobName.ContactsPull>, BeforeApplicationShutdown {
  readonly jobName = JobName.ContactsPull;
  private shuttingDown = false;

  constructor(
    private readonly apps: AppsService,
    private readonly runs: ContactsRunRepository,
    private readonly sync: ContactSync,
    private readonly report: ContactsReport,
    private readonly persons: PersonResolver,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  beforeApplicationShutdown(): void {
    this.shuttingDown = true;
  }

  async handle(job: Job<ContactsPullJobData>, token?: string): Promise<void> {
    const ref: ContactsRef = { appId: job.data.appId, id: job.data.runId };
    const record = await this.runs.get(ref);
    if (!record || isContactsTerminal(record.state)) return;
    const app = this.apps.get(ref.appId);
    if (!app) {
      await this.runs.finish(ref, 'failed', 'the app is no longer configured');
      return;
    }
    try {
      await this.work(app, ref, record.options, Date.now() + record.options.timeoutMs);
    } catch (error) {
      if (error instanceof HandOver && token) {
        await job.moveToDelayed(Date.now() + 100, token);
        throw new DelayedError();
      }
      if (!isFinalAttempt(job)) {
        this.logger.warn({ appId: ref.appId, runId: ref.id, attempt: job.attemptsMade + 1, err: error }, 'contacts pull attempt failed; the next resumes where it stopped');
        throw error;
      }
      const reason = error instanceof Error ? error.message : String(error);
      if (await this.runs.finish(ref, 'failed', reason)) await this.report.ended(app, ref);
    }
  }

  private async work(app: AppContext, ref: ContactsRef, options: ContactsOptions, handOverAt: number): Promise<void> {
    const session = await app.waha.getSession().catch(() => null);
    const meIds = new Set([session?.me?.id, session?.me?.lid].filter((id): id is string => Boolean(id)).map(publicJid));
    // Every @lid ↔ phone mapping WAHA knows, so each contact gets its `waha_whatsapp_lid` without a call of its own
    // (the lids API, 2025.5.4 on; older WAHA has none and the attribute comes with the chats that carry it).
    await app.waha
      .lids()
      .then((mappings) => this.persons.learn(app, mappings))
      .catch((error: unknown) => this.logger.info({ appId: ref.appId, err: error }, 'lid mappings not listed; contacts get their @lid from their chats'));
    let groups: ContactItem[] | undefined;
    for (;;) {
      const record = await this.runs.get(ref);
      if (!record || isContactsTerminal(record.state)) return;
      if (record.stop) return this.end(app, ref, 'stopped');
      const { phase, offset } = record;
      let items: ContactItem[];
      if (phase === 'contacts') {
        items = (await app.waha.contactsPage({ limit: options.batch, offset })).map(itemOf);
      } else {
        groups ??= await this.groups(app);
        items = groups.slice(offset, offset + options.batch);
      }
      if (items.length === 0) {
        if (phase === 'contacts' && options.groups) {
          await this.runs.advance(ref, 'groups', 0);
          continue;
        }
        return this.end(app, ref, 'completed');
      }
      for (const item of items) {
        if (this.shuttingDown || Date.now() >= handOverAt) throw new HandOver();
        if (await this.runs.stopRequested(ref)) return this.end(app, ref, 'stopped');
        if (await this.runs.isSettled(ref, item.chatId)) continue;
        const skipped = skipReason(item, options, meIds);
        const result = skipped ? { outcome: 'skipped' as const } : await this.sync.sync(app, ref, item, options);
        const processed = await this.runs.settle(ref, item.chatId, result.outcome, result);
        if (processed > 0 && options.progress > 0 && processed % options.progress === 0) await this.report.progress(ref, processed);
        if (!skipped && options.delayContactMs > 0) await sleep(options.delayContactMs);
      }
      await this.runs.advance(ref, phase, offset + items.length);
      if (options.delayBatchMs > 0) await sleep(options.delayBatchMs);
    }
  }

  /** The groups among the chats, in id order (one list per attempt: WAHA has no paged groups list on every version). */
  private async groups(app: AppContext): Promise<ContactItem[]> {
    const chats = await app.waha.chats();
    const groups = new Map<string, ContactItem>();
    for (const chat of chats) {
      const raw = typeof chat.id === 'string' ? chat.id : chat.id?._serialized;
      if (!raw?.endsWith('@g.us')) continue;
      groups.set(raw, { chatId: raw, name: chat.name });
    }
    return [...groups.values()].sort((a, b) => (a.chatId < b.chatId ? -1 : a.chatId > b.chatId ? 1 : 0));
  }

  private async end(app: AppContext, ref: ContactsRef, state: 'completed' | 'stopped'): Promise<void> {
    if (await this.runs.finish(ref, state)) await this.report.ended(app, ref);
  }
}
