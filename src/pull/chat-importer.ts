/**
 * Imports one chat of a pull: pages WAHA oldest first within the window, and posts each message into the chat's
 * ChatWoot conversation one at a time, so ChatWoot's arrival order is WhatsApp's order.
 *
 * Checkpoint: (page offset, index in page) advance with every message in the same Redis step as the ledger and the
 * counters, so a retried or restarted job resumes at the first message not yet done. Offsets advance by the page
 * size, never by what a page returned, because WAHA drops non-displayable records after paging (a short page is
 * not the end; an empty one is).
 *
 * Unknown outcomes: a request that timed out or lost its connection is settled by looking for the message's
 * `source_id` in the conversation before posting again. Only the message at a chat's checkpoint can have been posted
 * without being committed (a job that died mid-request), so a run looks for it once, before its first post, instead
 * of marking every message "in flight" in Redis.
 */
import type { Logger } from 'pino';
import { AppContext } from '../apps/apps.service';
import { CwAttachmentUpload, CwMessage, CwNewMessage } from '../clients/chatwoot/chatwoot.types';
import { UpstreamError } from '../clients/http/http-error';
import { WahaMessage } from '../clients/waha/waha.types';
import { chatIdOf, chatKind, parseMessageId, phoneDigits, publicJid } from '../common/jids';
import { Texts } from '../texts/texts';
import { ContactResolver } from './contact-resolver';
import { MediaOutcome, renderMessage } from './message-renderer';
import { ChatCheckpoint, PullRecord, PullStore } from './pull.store';
import { sleep } from '../common/sleep';

export interface ImportHooks {
  /** Called after every committed message with the pull-wide processed count. */
  onProcessed(processed: number): Promise<void>;
}

export class PermanentMessageError extends Error {}

const EXTENSIONS: Record<string, string> = {
  'image/jpeg': 'jpeg',
  'image/png': 'png',
  'image/webp': 'webp',
  'audio/ogg': 'oga',
  'audio/mpeg': 'mp3',
  'video/mp4': 'mp4',
  'application/pdf': 'pdf',
};

const participantNames = new Map<string, string>();

export class ChatImporter {
  constructor(
    private readonly app: AppContext,
    private readonly store: PullStore,
    private readonly resolver: ContactResolver,
    private readonly texts: Texts,
    private readonly logger: Logger,
    private readonly timeZone?: string,
  ) {}

  async run(record: PullRecord, chatId: string, signal: AbortSignal, hooks: ImportHooks): Promise<'done' | 'stopped'> {
    const options = record.options;
    const gteSec = Math.floor(record.from / 1000);
    const lteSec = Math.floor(record.to / 1000);
    let cp = await this.store.checkpoint(record.id, chatId);
    if (['done', 'failed', 'stopped'].includes(cp.state)) return 'done';
    const chatName = await this.store.chatName(record.id, chatId);
    const log = this.logger.child({ pullId: record.id, chatId });
    let pageOffset = cp.pageOffset;
    // The first message of a run may have been posted by a run that died before committing it.
    let atCheckpoint = true;
    for (;;) {
      if ((await this.store.get(record.id))?.stop) return 'stopped';
      const page = await this.app.waha.messages(
        chatId,
        { limit: options.batch, offset: pageOffset, sortOrder: 'asc', gteSec, lteSec, downloadMedia: false },
        signal,
      );
      if (page.length === 0) return 'done';
      const ids = page.map((m) => parseMessageId(m.id).waId);
      const replyIds = page.map((m) => m.replyTo?.id).filter((v): v is string => Boolean(v)).map((id) => parseMessageId(id).waId);
      const known = await this.store.ledgerLookup(record.appId, [...new Set([...ids, ...replyIds])]);
      const startIndex = pageOffset === cp.pageOffset ? cp.pageIndex : 0;
      for (let i = startIndex; i < page.length; i++) {
        signal.throwIfAborted();
        const message = page[i];
        const waId = ids[i];
        const last = i + 1 >= page.length;
        const next = { nextOffset: last ? pageOffset + options.batch : pageOffset, nextIndex: last ? 0 : i + 1 };
        const base = { waId, timestamp: message.timestamp, ...next };
        let result: { processed: number; stop: boolean };
        if (chatKind(chatIdOf(message)) === 'null') {
          result = await this.store.commit(record, chatId, 'ignored', base);
        } else if (!options.force && known.has(waId)) {
          result = await this.store.commit(record, chatId, 'exists', base);
        } else {
          cp = await this.ensureConversation(record, chatId, chatName, cp);
          try {
            const replyTo = message.replyTo?.id ? known.get(parseMessageId(message.replyTo.id).waId) : undefined;
            const created = await this.importMessage(record, chatId, message, cp, replyTo?.messageId, signal, {
              mayExist: atCheckpoint && cp.conversationId > 0,
            });
            cp.lastCwId = created.id;
            cp.conversationId = created.conversation_id || cp.conversationId;
            known.set(waId, { conversationId: cp.conversationId, messageId: created.id });
            result = await this.store.commit(record, chatId, 'created', {
              ...base,
              fullId: message.id,
              conversationId: cp.conversationId,
              cwMessageId: created.id,
            });
          } catch (error) {
            if (signal.aborted || !(error instanceof PermanentMessageError)) throw error;
            log.warn({ err: error, messageId: message.id }, 'message failed for good');
            result = await this.store.commit(record, chatId, 'failed', { ...base, failure: `${message.id}: ${error.message}` });
          }
        }
        cp.pageOffset = next.nextOffset;
        cp.pageIndex = next.nextIndex;
        cp.pending = '';
        atCheckpoint = false;
        await hooks.onProcessed(result.processed);
        if (result.stop) return 'stopped';
      }
      pageOffset += options.batch;
    }
  }

  async ensureConversation(record: Pick<PullRecord, 'id'>, chatId: string, chatName: string | undefined, cp: ChatCheckpoint): Promise<ChatCheckpoint> {
    if (cp.conversationId) return cp;
    const resolved = await this.resolver.resolve(this.app, chatId, chatName);
    await this.store.setCheckpoint(record.id, chatId, { conversationId: resolved.conversationId });
    return { ...cp, conversationId: resolved.conversationId };
  }

  private sourceId(record: Pick<PullRecord, 'id' | 'options'>, message: WahaMessage): string {
    return record.options.force ? `${message.id}#${record.id}` : message.id;
  }

  /** Renders and posts one message (settling an in-flight attempt first). Shared by the pull and the live relay. */
  async importMessage(
    record: Pick<PullRecord, 'id' | 'appId' | 'options'>,
    chatId: string,
    message: WahaMessage,
    cp: ChatCheckpoint,
    inReplyTo: number | undefined,
    signal: AbortSignal,
    opts: { withDate?: boolean; mayExist?: boolean; markPending?: boolean } = {},
  ): Promise<CwMessage> {
    const sourceId = this.sourceId(record, message);
    if (opts.mayExist || (opts.markPending && cp.pending === message.id)) {
      const found = await this.findPosted(cp.conversationId, sourceId, cp.lastCwId);
      if (found) return found;
    }
    const { media, attachments } = await this.media(record, chatId, message);
    const rendered = renderMessage(
      message,
      {
        chatKind: chatKind(chatId),
        participant: await this.participant(message),
        inReplyTo,
        outgoingMode: this.app.config.chatwoot.outgoingMode,
        media,
        withDate: opts.withDate ?? true,
        timeZone: this.timeZone,
        sourceId,
      },
      this.texts,
    );
    if (opts.markPending) await this.store.setCheckpoint(record.id, chatId, { pending: message.id, pendingAt: Date.now() });
    return this.post(record, chatId, cp, rendered, attachments, sourceId, signal);
  }

  /** Posts with retries; throws PermanentMessageError when the message cannot be imported. */
  private async post(
    record: Pick<PullRecord, 'id' | 'appId' | 'options'>,
    chatId: string,
    cp: ChatCheckpoint,
    message: CwNewMessage,
    attachments: CwAttachmentUpload[],
    sourceId: string,
    signal: AbortSignal,
  ): Promise<CwMessage> {
    const attempts = Math.max(1, record.options.attempts);
    let lastError: unknown;
    for (let attempt = 0; attempt < attempts; attempt++) {
      signal.throwIfAborted();
      try {
        return attachments.length > 0
          ? await this.app.chatwoot.createMessageWithAttachments(cp.conversationId, message, attachments)
          : await this.app.chatwoot.createMessage(cp.conversationId, message);
      } catch (error) {
        lastError = error;
        if (!(error instanceof UpstreamError)) throw error;
        if (error.kind === 'unknown-outcome') {
          const found = await this.findPosted(cp.conversationId, sourceId, cp.lastCwId).catch(() => undefined);
          if (found) return found;
        } else if (error.kind === 'not-found') {
          // The conversation was deleted in ChatWoot: find or create it again.
          await this.resolver.forget(record.appId, chatId);
          const resolved = await this.resolver.resolve(this.app, chatId, await this.store.chatName(record.id, chatId));
          cp.conversationId = resolved.conversationId;
          cp.lastCwId = 0;
          await this.store.setCheckpoint(record.id, chatId, { conversationId: resolved.conversationId, lastCwId: 0 });
          continue;
        } else if (!error.transient) {
          throw new PermanentMessageError(error.message);
        }
        await sleep(Math.min(30_000, 500 * 2 ** attempt) + Math.random() * 250, signal);
      }
    }
    throw new PermanentMessageError(lastError instanceof Error ? lastError.message : String(lastError));
  }

  /** Looks for a message with this source_id posted after `afterId` (or among the latest when unknown). */
  async findPosted(conversationId: number, sourceId: string, afterId: number): Promise<CwMessage | undefined> {
    let cursor = afterId;
    for (let page = 0; page < 20; page++) {
      const messages = await this.app.chatwoot.listMessages(conversationId, cursor ? { after: cursor } : {});
      const found = messages.find((m) => m.source_id === sourceId);
      if (found) return found;
      if (!cursor || messages.length < 100) return undefined;
      cursor = messages[messages.length - 1].id;
    }
    return undefined;
  }

  private async participant(message: WahaMessage): Promise<string | undefined> {
    const jid = message.participant ?? parseMessageId(message.id).participant;
    if (!jid) return undefined;
    const key = `${this.app.config.id}|${jid}`;
    const cached = participantNames.get(key);
    if (cached) return cached;
    const contact = await this.app.waha.contact(publicJid(jid)).catch(() => null);
    const name = contact?.name || contact?.pushname || contact?.pushName || message._data?.pushName || message._data?.notifyName;
    const digits = phoneDigits(jid);
    const label = name ? (digits ? `${name} (+${digits})` : name) : digits ? `+${digits}` : publicJid(jid);
    if (participantNames.size > 50_000) participantNames.clear();
    participantNames.set(key, label);
    return label;
  }

  private async media(record: Pick<PullRecord, 'options'>, chatId: string, message: WahaMessage): Promise<{ media: MediaOutcome; attachments: CwAttachmentUpload[] }> {
    if (!message.hasMedia) return { media: 'none', attachments: [] };
    if (!record.options.media) return { media: 'not-requested', attachments: [] };
    const timeout = record.options.timeoutMediaMs;
    try {
      const full = await this.app.waha.messageWithMedia(message.id, chatId, timeout);
      const url = full?.media?.url;
      if (!url) return { media: 'unavailable', attachments: [] };
      const file = await this.app.waha.download(url, timeout);
      if (!file) return { media: 'unavailable', attachments: [] };
      const mimetype = full.media?.mimetype ?? file.mimetype ?? 'application/octet-stream';
      const ext = EXTENSIONS[mimetype] ?? mimetype.split('/')[1]?.split(';')[0] ?? 'bin';
      const filename = full.media?.filename || `${parseMessageId(message.id).waId}.${ext}`;
      return { media: 'attached', attachments: [{ filename, mimetype, data: file.data }] };
    } catch (error) {
      this.logger.warn({ err: error, messageId: message.id }, 'media could not be downloaded');
      return { media: 'unavailable', attachments: [] };
    }
  }
}
