/**
 * Imports one chat of a pull: pages WAHA oldest first within the window, and posts each message into the chat's
 * ChatWoot conversation one at a time, so ChatWoot's arrival order is WhatsApp's order.
 *
 * Reading: history-reader.ts gives the messages oldest first on any WAHA engine and version.
 *
 * Checkpoint: a timestamp cursor (the last timestamp done, and the ids done at it) advances with every message in
 * the same Redis step as the ledger and the counters, so a retried or restarted job resumes at the first message
 * not yet done, even when new messages arrived meanwhile.
 *
 * Unknown outcomes: each post is marked in the checkpoint right before it goes out, and the commit clears the mark.
 * Only that one message can have been posted without being committed (a job that died mid-request), so a run that
 * finds a mark looks for the message first, once ChatWoot cannot still be working on it (the poster's `earlier`).
 * Transient failures of ChatWoot or WAHA are waited out for RETRY_WINDOW; only permanent refusals count as
 * --attempts.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { AppContext } from '../apps/apps.service';
import { chatIdOf, chatKind, parseMessageId } from '../common/jids';
import { ConversationResolver } from '../conversations/conversation-resolver';
import { MessageComposer } from '../conversations/message-composer';
import { MessageLedger } from '../conversations/message-ledger.repository';
import { MessagePoster, PermanentMessageError, PostTarget } from '../conversations/message-poster';
import { ChatIdentity, PersonResolver } from '../conversations/person-resolver';
import { LOGGER } from '../logging/logger';
import { ServerProfilesService } from '../apps/server-profiles.service';
import { SERVICE_CONFIG, ServiceConfig } from '../config/config';
import { ChatCheckpoint, ChatCheckpointRepository } from './chat-checkpoint.repository';
import { HistoryPlan, HistoryReader, OrderMismatchError } from './history-reader';
import { PullRecord, PullRecordRepository } from './pull-record.repository';
import { isChatFinished } from './pull-state';

export interface ImportHooks {
  /** Called after every committed message with the pull-wide processed count. */
  onProcessed(processed: number): Promise<void>;
  /**
   * Called while an outage is waited out (ChatWoot or WAHA failing transiently, with the error) or a post of unknown
   * outcome is given time to land (no error): that is progress too.
   */
  onWaiting(error?: unknown): void;
}

@Injectable()
export class ChatImporter {
  constructor(
    private readonly records: PullRecordRepository,
    private readonly checkpoints: ChatCheckpointRepository,
    private readonly persons: PersonResolver,
    private readonly resolver: ConversationResolver,
    private readonly ledger: MessageLedger,
    private readonly composer: MessageComposer,
    private readonly poster: MessagePoster,
    private readonly profiles: ServerProfilesService,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  /**
   * Imports the chat (one person: `chatIds` holds its @lid and phone chats when the server keeps them apart) from
   * its checkpoint to the end of the window. `chatId` names the job and its checkpoint.
   */
  async run(app: AppContext, record: PullRecord, chatId: string, chatIds: readonly string[], signal: AbortSignal, hooks: ImportHooks): Promise<'done' | 'stopped'> {
    const cp = await this.checkpoints.get(record, chatId);
    if (isChatFinished(cp.state)) return 'done';
    const capabilities = await this.profiles.capabilities(app);
    const engine = (await this.profiles.waha(app)).engine;
    const plan: HistoryPlan = {
      chatIds,
      gteSec: Math.floor(record.from / 1000),
      lteSec: Math.floor(record.to / 1000),
      batch: record.options.batch,
      strategy: capabilities.sortsAscending && !this.profiles.orderDistrusted(app) ? 'ascending' : 'scan',
      filtersAfterFetch: capabilities.filtersAfterFetch,
      tiesListedInChatOrder: engine === 'WEBJS',
    };
    try {
      return await this.importFrom(app, record, chatId, this.reader(app, plan, signal, hooks), cp, signal, hooks);
    } catch (error) {
      if (!(error instanceof OrderMismatchError)) throw error;
      // Nothing of the page out of order was used: read the chat again, sorting it ourselves.
      this.logger.warn({ appId: app.config.id, chatId, err: error }, 'WAHA does not sort this history oldest first: reading it newest first and sorting it here');
      this.profiles.distrustOrder(app);
      const fresh = await this.checkpoints.get(record, chatId);
      return this.importFrom(app, record, chatId, this.reader(app, { ...plan, strategy: 'scan' }, signal, hooks), fresh, signal, hooks);
    }
  }

  /** A reader whose WAHA calls wait out transient failures (WAHA restarting) for RETRY_WINDOW. */
  private reader(app: AppContext, plan: HistoryPlan, signal: AbortSignal, hooks: ImportHooks): HistoryReader {
    return new HistoryReader(app.waha, plan, signal, { windowMs: this.config.reliability.retryWindowMs, onWait: (error) => hooks.onWaiting(error) });
  }

  private async importFrom(
    app: AppContext,
    record: PullRecord,
    chatId: string,
    reader: HistoryReader,
    start: ChatCheckpoint,
    signal: AbortSignal,
    hooks: ImportHooks,
  ): Promise<'done' | 'stopped'> {
    const options = record.options;
    let cp = start;
    const chatName = await this.records.chatName(record, chatId);
    const identity = await this.persons.identity(app, chatId);
    const log = this.logger.child({ pullId: record.id, chatId });
    // The first message a run posts may have been posted by a run that died before committing it (everything
    // before it is committed: in the ledger, or counted as skipped): the checkpoint says when it was sent.
    let earlier: { since: number } | undefined = cp.inflight ? { since: cp.inflight.since } : cp.legacy ? { since: 0 } : undefined;
    if ((await this.records.get(record))?.stop) return 'stopped';
    for await (const page of reader.read({ ts: cp.cursorTs, ids: new Set(cp.cursorIds) })) {
      const ids = page.map((m) => parseMessageId(m.id).waId);
      const replyIds = page
        .map((m) => m.replyTo?.id)
        .filter((v): v is string => Boolean(v))
        .map((id) => parseMessageId(id).waId);
      const known = await this.ledger.lookup(record.appId, identity, [...new Set([...ids, ...replyIds])]);
      for (let i = 0; i < page.length; i++) {
        signal.throwIfAborted();
        const message = page[i];
        const waId = ids[i];
        const base = { waId, fullId: message.id, timestamp: message.timestamp };
        let result: { processed: number; stop: boolean };
        if (chatKind(chatIdOf(message)) === 'null') {
          result = await this.checkpoints.commit(record, chatId, identity, 'ignored', base);
        } else if (!options.force && known.has(waId)) {
          result = await this.checkpoints.commit(record, chatId, identity, 'exists', base);
        } else {
          cp = await this.ensureConversation(app, record, chatId, identity, chatName, cp);
          const earlierPost = earlier;
          earlier = undefined;
          try {
            const replyTo = message.replyTo?.id ? known.get(parseMessageId(message.replyTo.id).waId) : undefined;
            const target: PostTarget = { conversationId: cp.conversationId, lastCwId: cp.lastCwId };
            const sourceId = options.force ? `${message.id}#${record.id}` : message.id;
            const created = await this.poster.post(
              app,
              target,
              () => this.composer.compose(app, chatId, message, { media: options.media, mediaTimeoutMs: options.timeoutMediaMs, inReplyTo: replyTo?.messageId, withDate: true, sourceId }),
              {
                sourceId,
                attempts: options.attempts,
                retryWindowMs: this.config.reliability.retryWindowMs,
                graceMs: this.config.reliability.chatwootGraceMs,
                signal,
                earlier: earlierPost,
                onConversationMissing: () => this.replaceConversation(app, record, identity, chatName, chatId),
                onWait: (error) => hooks.onWaiting(error),
                onSend: (sentAt) => this.checkpoints.markInflight(record, chatId, sourceId, sentAt),
              },
            );
            cp.lastCwId = created.id;
            cp.conversationId = created.conversation_id || target.conversationId;
            known.set(waId, { conversationId: cp.conversationId, messageId: created.id });
            result = await this.checkpoints.commit(record, chatId, identity, 'created', {
              ...base,
              conversationId: cp.conversationId,
              cwMessageId: created.id,
            });
          } catch (error) {
            if (signal.aborted || !(error instanceof PermanentMessageError)) throw error;
            log.warn({ err: error, messageId: message.id }, 'message failed for good');
            result = await this.checkpoints.commit(record, chatId, identity, 'failed', { ...base, failure: `${message.id}: ${error.message}` });
          }
        }
        await hooks.onProcessed(result.processed);
        if (result.stop) return 'stopped';
      }
      if ((await this.records.get(record))?.stop) return 'stopped';
    }
    return 'done';
  }

  private async ensureConversation(app: AppContext, record: PullRecord, chatId: string, identity: ChatIdentity, chatName: string | undefined, cp: ChatCheckpoint): Promise<ChatCheckpoint> {
    if (cp.conversationId) return cp;
    const resolved = await this.resolver.resolve(app, identity, chatName);
    await this.checkpoints.set(record, chatId, { conversationId: resolved.conversationId });
    return { ...cp, conversationId: resolved.conversationId };
  }

  /** The chat's conversation was deleted in ChatWoot: find or create it again, and start its checkpoint over there. */
  private async replaceConversation(app: AppContext, record: PullRecord, identity: ChatIdentity, chatName: string | undefined, chatId: string): Promise<number> {
    await this.resolver.forget(record.appId, identity);
    const resolved = await this.resolver.resolve(app, identity, chatName);
    await this.checkpoints.set(record, chatId, { conversationId: resolved.conversationId, lastCwId: 0 });
    return resolved.conversationId;
  }
}
