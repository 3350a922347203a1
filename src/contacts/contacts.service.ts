/**
 * `wa/contacts pull|status|stop`: one contacts pull per app at a time. A pull that stopped or failed is resumed from
 * its checkpoint by the same `pull` (same options), since everything it did is settled; other options start anew.
 */
import { Inject, Injectable } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { SERVICE_CONFIG, ServiceConfig } from '../config/config';
import { CommandOrigin } from '../integration-chat/command-origin';
import { boardLink } from '../queue/board-links';
import { jobIds } from '../queue/job-options';
import { JobName, QueueName } from '../queue/queue.constants';
import { Queues } from '../queue/queues';
import { ContactsOptions, sameContactsOptions } from './contacts-options';
import { ContactsReport } from './contacts-report';
import { ContactsRecord, ContactsRunRepository, isContactsTerminal } from './contacts-run.repository';

export type ContactsStart = { kind: 'started' | 'resumed'; record: ContactsRecord } | { kind: 'running'; record: ContactsRecord };

@Injectable()
export class ContactsService {
  constructor(
    private readonly runs: ContactsRunRepository,
    private readonly queues: Queues,
    private readonly report: ContactsReport,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
  ) {}

  async start(origin: CommandOrigin, options: ContactsOptions): Promise<ContactsStart> {
    const appId = origin.appId;
    const latest = await this.runs.latest(appId);
    const resumable = latest && (latest.state === 'stopped' || latest.state === 'failed') && sameContactsOptions(latest.options, options) ? latest : undefined;
    const id = resumable?.id ?? `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
    const holder = await this.runs.claim(appId, id);
    if (holder) {
      const running = await this.runs.get({ appId, id: holder });
      if (running) return { kind: 'running', record: running };
    }
    let run = 1;
    if (resumable) {
      // The new attempts, timeout, delays and page size apply; what was settled stays settled.
      await this.runs.set(resumable, { options });
      run = await this.runs.resume(resumable, origin);
    } else {
      await this.runs.create({
        id,
        appId,
        state: 'running',
        origin,
        options,
        createdAt: Date.now(),
        finishedAt: 0,
        phase: 'contacts',
        offset: 0,
        runs: 1,
        stop: false,
        error: '',
        lastReported: 0,
        processed: 0,
        created: 0,
        updated: 0,
        renamed: 0,
        skipped: 0,
        errors: 0,
        avatars: 0,
      });
    }
    await this.queues.add(JobName.ContactsPull, { appId, runId: id }, jobIds.contactsPull(appId, id, run), { attempts: options.attempts });
    const record = (await this.runs.get({ appId, id }))!;
    return { kind: resumable ? 'resumed' : 'started', record };
  }

  /**
   * Asks the running pull to stop before its next contact. A pull waiting out an outage between attempts has no
   * worker to see the flag: its job is taken off the queue and the pull ends here. Undefined when none runs.
   */
  async stop(appId: string): Promise<{ record: ContactsRecord; ended: boolean } | undefined> {
    const id = await this.runs.activeId(appId);
    if (!id) return undefined;
    const ref = { appId, id };
    const record = await this.runs.get(ref);
    if (!record || isContactsTerminal(record.state)) return undefined;
    await this.runs.requestStop(ref);
    const job = await this.queues.contacts.getJob(jobIds.contactsPull(appId, id, record.runs));
    const state = job ? await job.getState() : 'unknown';
    if (job && state === 'delayed') {
      // remove() refuses a job a worker has just taken: that worker then sees the flag.
      const removed = await job.remove().then(
        () => true,
        () => false,
      );
      if (removed) return { record, ended: await this.runs.finish(ref, 'stopped') };
    }
    return { record, ended: false };
  }

  async statusText(appId: string, prefix: string): Promise<string | undefined> {
    const record = await this.runs.latest(appId);
    if (!record) return undefined;
    const publicUrl = this.config.publicUrl;
    const board = publicUrl && this.config.security.adminToken ? boardLink(publicUrl, QueueName.Contacts, jobIds.contactsPull(appId, record.id, record.runs)) : undefined;
    return this.report.status(record, prefix, board);
  }

  latest(appId: string): Promise<ContactsRecord | undefined> {
    return this.runs.latest(appId);
  }
}
