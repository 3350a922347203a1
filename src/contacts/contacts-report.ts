/** What `wa/contacts` says in ChatWoot: started or resumed, progress, the end, and the status. */
import { Inject, Injectable } from '@nestjs/common';
import { AppContext } from '../apps/apps.service';
import { formatElapsed } from '../common/durations';
import { TEXTS } from '../config/texts.provider';
import { ReplyService } from '../integration-chat/reply.service';
import { Texts } from '../texts/texts';
import { ContactsOptions } from './contacts-options';
import { ContactsRecord, ContactsRunRepository, isContactsTerminal } from './contacts-run.repository';
import { ContactsRef } from './contacts.keys';

@Injectable()
export class ContactsReport {
  constructor(
    private readonly runs: ContactsRunRepository,
    private readonly replies: ReplyService,
    @Inject(TEXTS) private readonly texts: Texts,
  ) {}

  /** The options in the order they are typed, for `started` and `status`. */
  options(options: ContactsOptions): string {
    const words: string[] = [];
    if (options.avatar !== 'no') words.push(this.texts.render('contacts.option.avatar', { mode: options.avatar }));
    if (options.updateNames !== 'no') words.push(this.texts.render('contacts.option.names', { mode: options.updateNames }));
    if (options.groups) words.push(this.texts.render('contacts.option.groups'));
    if (options.lids) words.push(this.texts.render('contacts.option.lids'));
    if (!options.attributes) words.push(this.texts.render('contacts.option.noAttributes'));
    return words.join(', ');
  }

  counters(record: ContactsRecord) {
    const elapsedMs = (record.finishedAt || Date.now()) - record.createdAt;
    return {
      processed: record.processed,
      created: record.created,
      updated: record.updated,
      renamed: record.renamed,
      skipped: record.skipped,
      errors: record.errors,
      avatars: record.avatars,
      elapsed: formatElapsed(elapsedMs),
      rate: elapsedMs > 0 ? (record.processed / (elapsedMs / 1000)).toFixed(1) : '0',
      state: record.state,
      options: this.options(record.options),
    };
  }

  started(record: ContactsRecord, prefix: string, resumed: boolean): string {
    return this.texts.render(resumed ? 'contacts.resumed' : 'contacts.started', { ...this.counters(record), prefix });
  }

  async progress(ref: ContactsRef, mark: number): Promise<void> {
    if (!(await this.runs.claimReport(ref, mark))) return;
    const record = await this.runs.get(ref);
    if (record) await this.replies.activitySafe(record.origin, this.texts.render('contacts.progress', this.counters(record)));
  }

  /** The final report, in the conversation the pull was started (or last resumed) from. */
  async ended(app: AppContext, ref: ContactsRef): Promise<void> {
    const record = await this.runs.get(ref);
    if (!record) return;
    const prefix = record.origin.commandsChat ? '' : app.config.commandPrefix;
    const failures = await this.runs.failures(ref);
    const vars = { ...this.counters(record), prefix, error: record.error, failures: failures.items, failuresMore: Math.max(0, failures.total - failures.items.length) };
    const key = record.state === 'completed' ? 'contacts.completed' : record.state === 'stopped' ? 'contacts.stopped' : 'contacts.failed';
    await this.replies.activitySafe(record.origin, this.texts.render(key, vars));
  }

  async status(record: ContactsRecord, prefix: string, board?: string): Promise<string> {
    const failures = await this.runs.failures(record);
    return this.texts.render('contacts.status', {
      ...this.counters(record),
      prefix,
      running: !isContactsTerminal(record.state),
      resumable: record.state === 'stopped' || record.state === 'failed',
      error: record.error,
      failures: failures.items,
      failuresMore: Math.max(0, failures.total - failures.items.length),
      board,
    });
  }
}
