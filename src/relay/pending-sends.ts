/**
 * Agent messages to WhatsApp are sent once, never twice unconfirmed.
 *
 * Each part of an agent message (its text, each attachment) is recorded once WAHA answered with its id. A send that
 * got no answer (a timeout, a dropped connection) may have gone out: it is marked `?<sent at>` and settled before
 * anything is sent again, by whichever comes first:
 * - its echo: WAHA's `message.any` for our own message (fromMe, source api), matched by text, caption or file
 *   name (the WhatsApp relay hands such echoes here instead of importing them);
 * - after WAHA_SEND_GRACE (a WAHA send can take a minute), the chat's own recent messages, listed by WAHA.
 * Only when that listing succeeded and the message is not in it is the part sent again. GOWS before 2026.4.1 does not
 * list the files it sent (see wahaCapabilities.listsSentFiles): a file there is never sent again unconfirmed; the
 * agent is told to check WhatsApp instead.
 */
import { Inject, Injectable } from '@nestjs/common';
import { AppContext } from '../apps/apps.service';
import { ServerProfilesService } from '../apps/server-profiles.service';
import { isUpstreamError, UpstreamError } from '../clients/http/http-error';
import { WahaMessage } from '../clients/waha/waha.types';
import { retryFor } from '../common/backoff';
import { parseMessageId } from '../common/jids';
import { sleep } from '../common/sleep';
import { SERVICE_CONFIG, ServiceConfig } from '../config/config';
import { MessageLedger } from '../conversations/message-ledger.repository';
import { ChatIdentity } from '../conversations/person-resolver';
import { RedisService } from '../redis/redis.service';
import { RelayKeys } from './relay.keys';

/** One part of an agent message, as WhatsApp will show it (what its echo is recognised by). */
export interface SendPart {
  /** The part's key under the agent message (0, 1, … or 'text-only'). */
  key: number | string;
  kind: 'text' | 'file';
  text?: string;
  caption?: string;
  filename?: string;
}

/** Where a part goes and which agent message it belongs to. */
export interface PartContext {
  app: AppContext;
  chatId: string;
  identity: ChatIdentity;
  conversationId: number;
  cwMessageId: number;
  signal?: AbortSignal;
}

/** `sent`: WAHA has it (now or before); `unconfirmed`: it may have gone out and cannot be checked (never resent). */
export type SendOutcome = 'sent' | 'unconfirmed';

interface PendingEntry extends SendPart {
  conversationId: number;
  cwMessageId: number;
  since: number;
}

const PART_TTL_S = 30 * 24 * 3600;
/** How long one try of a part waits out a failing WAHA before the lane tries the message again later. */
const SEND_RETRY_IN_PLACE_MS = 20_000;
const SEND_BACKOFF = { baseMs: 500, maxMs: 20_000 };
const LOOKUP_BACKOFF = { baseMs: 1000, maxMs: 30_000, jitterMs: 250 };
/** Own messages listed from this long before the send (clocks differ; WhatsApp stamps the send). */
const LOOK_BACK_S = 120;
/** Part keys an agent message can have had: its text alone, then up to 15 attachments after it (0 … 15). */
const LEGACY_PART_KEYS = ['text-only', 'voice-text', ...Array.from({ length: 16 }, (_, i) => String(i))];
/** A field of `sent-ids` that says the message's parts were revoked (so the hash is never read as empty). */
const DONE_FIELD = 'revoked';
/** The marker of a part sent whose arrival could not be checked. */
const UNCONFIRMED = 'unconfirmed';

function matches(part: SendPart, message: WahaMessage): boolean {
  const body = (message.body ?? '').trim();
  if (part.kind === 'text') return Boolean(part.text) && body === part.text!.trim();
  if (!message.hasMedia) return false;
  if (part.caption) return body === part.caption.trim();
  return !part.filename || !message.media?.filename || message.media.filename === part.filename;
}

@Injectable()
export class PendingSends {
  private readonly keys: RelayKeys;

  constructor(
    private readonly redis: RedisService,
    private readonly ledger: MessageLedger,
    private readonly profiles: ServerProfilesService,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
  ) {
    this.keys = new RelayKeys(redis);
  }

  /** Sends the part unless it was sent; settles an earlier send of unknown outcome before sending again. */
  async sendOnce(ctx: PartContext, part: SendPart, send: () => Promise<{ id: string | undefined }>): Promise<SendOutcome> {
    const marker = this.marker(ctx, part);
    const value = await this.redis.client.get(marker);
    if (value === UNCONFIRMED) return 'unconfirmed';
    if (value && !value.startsWith('?')) return 'sent';
    if (value) {
      const settled = await this.settle(ctx, part, Number(value.slice(1)));
      if (settled) return settled;
    }
    for (;;) {
      ctx.signal?.throwIfAborted();
      const sentAt = Date.now();
      // Marked pending before it leaves (the mark and the entry its echo is matched against): a process killed while
      // WAHA sends (a send can take a minute) leaves both, the echo settles it, or the lane's next owner lists the
      // chat, instead of sending it again.
      await this.markPending(ctx, part, sentAt);
      let sent: { id: string | undefined };
      try {
        sent = await retryFor(send, {
          windowMs: SEND_RETRY_IN_PLACE_MS,
          policy: SEND_BACKOFF,
          retryable: (error) => error instanceof UpstreamError && error.transient && error.kind !== 'unknown-outcome',
          signal: ctx.signal,
        });
      } catch (error) {
        if (!isUpstreamError(error, 'unknown-outcome')) {
          // WAHA answered: nothing went out, and a later try need not wait to settle it.
          await this.redis.client.multi().del(marker).hdel(this.keys.pendingSends(ctx.app.config.id, ctx.chatId), `${ctx.cwMessageId}:${part.key}`).exec();
          throw error;
        }
        const settled = await this.settle(ctx, part, sentAt);
        if (settled) return settled;
        // WAHA listed the chat and the part is not there: it did not go out.
        continue;
      }
      await this.confirm(ctx, part, sent.id);
      return 'sent';
    }
  }

  /**
   * An own message WhatsApp shows (a `message.any` echo): if it is a part whose send had no answer, that send is
   * settled with it and true is returned (the echo is not a new message to import).
   */
  async settleByEcho(app: AppContext, chatId: string, identity: ChatIdentity, message: WahaMessage): Promise<boolean> {
    const key = this.keys.pendingSends(app.config.id, chatId);
    const entries = await this.redis.client.hgetall(key);
    for (const raw of Object.values(entries)) {
      const entry = JSON.parse(raw) as PendingEntry;
      if (message.timestamp * 1000 < entry.since - LOOK_BACK_S * 1000 || !matches(entry, message)) continue;
      await this.confirm({ app, chatId, identity, conversationId: entry.conversationId, cwMessageId: entry.cwMessageId }, entry, message.id);
      return true;
    }
    return false;
  }

  /** Whether the part went out (confirmed, or sent without a way to confirm it), not merely attempted. */
  async wasSent(ctx: Pick<PartContext, 'app' | 'cwMessageId'>, key: SendPart['key']): Promise<boolean> {
    const value = await this.redis.client.get(this.keys.sentPart(ctx.app.config.id, ctx.cwMessageId, key));
    return value !== null && !value.startsWith('?');
  }

  /**
   * The serialized WhatsApp ids of the parts of an agent message that went out, in part order. Messages sent before
   * `sent-ids` existed are read from their part markers (`sent:<id>:<part>`, kept as long): the text, and up to
   * ChatWoot's 15 attachments (NUMBER_OF_PERMITTED_ATTACHMENTS in its MessageBuilder) after it.
   */
  async sentIds(appId: string, cwMessageId: number, chatId: string | undefined): Promise<Array<{ key: string; fullId: string }>> {
    const order = (key: string): number => (key === 'text-only' ? -1 : Number.isFinite(Number(key)) ? Number(key) : -2);
    const recorded = await this.redis.client.hgetall(this.keys.sentIds(appId, cwMessageId));
    let parts = Object.entries(recorded)
      .filter(([key]) => key !== DONE_FIELD)
      .map(([key, fullId]) => ({ key, fullId }));
    if (parts.length === 0 && !(await this.redis.client.exists(this.keys.sentIds(appId, cwMessageId)))) {
      const keys = [...LEGACY_PART_KEYS];
      const values = await this.redis.client.mget(keys.map((key) => this.keys.sentPart(appId, cwMessageId, key)));
      parts = keys.flatMap((key, i) => {
        const id = values[i];
        if (!id || id.startsWith('?') || id === UNCONFIRMED || id === '1') return [];
        if (id.includes('_')) return [{ key, fullId: id }];
        return chatId ? [{ key, fullId: `true_${chatId}_${id}` }] : [];
      });
    }
    return parts.sort((a, b) => order(a.key) - order(b.key));
  }

  /** Every part of the message is done with: the bridge deleted it in ChatWoot because WhatsApp deleted it. */
  async forgetAllSent(appId: string, cwMessageId: number): Promise<void> {
    const ids = this.keys.sentIds(appId, cwMessageId);
    await this.redis.client.multi().del(ids).hset(ids, DONE_FIELD, '1').expire(ids, PART_TTL_S).exec();
  }

  /** A part is done with (revoked): it is no longer one to revoke. The hash stays, empty, so the fallback is not read. */
  async forgetSent(appId: string, cwMessageId: number, key: string): Promise<void> {
    const ids = this.keys.sentIds(appId, cwMessageId);
    await this.redis.client.multi().hset(ids, DONE_FIELD, '1').hdel(ids, key).expire(ids, PART_TTL_S).exec();
  }

  private marker(ctx: PartContext, part: SendPart): string {
    return this.keys.sentPart(ctx.app.config.id, ctx.cwMessageId, part.key);
  }

  private async markPending(ctx: PartContext, part: SendPart, since: number): Promise<void> {
    const entry: PendingEntry = { ...part, conversationId: ctx.conversationId, cwMessageId: ctx.cwMessageId, since };
    await this.redis.client
      .multi()
      .set(this.marker(ctx, part), `?${since}`, 'EX', PART_TTL_S)
      .hset(this.keys.pendingSends(ctx.app.config.id, ctx.chatId), `${ctx.cwMessageId}:${part.key}`, JSON.stringify(entry))
      .exec();
    // The send leaves next: the mark must outlive a failover of this app's master (see RedisService.replicated).
    await this.redis.replicated(this.marker(ctx, part));
  }

  private async confirm(ctx: PartContext, part: SendPart, id: string | undefined): Promise<void> {
    const fullId = id ? (id.includes('_') ? id : `true_${ctx.chatId}_${id}`) : undefined;
    const appId = ctx.app.config.id;
    const write = this.redis.client
      .multi()
      .set(this.marker(ctx, part), id ?? '1', 'EX', PART_TTL_S)
      .hdel(this.keys.pendingSends(appId, ctx.chatId), `${ctx.cwMessageId}:${part.key}`);
    if (fullId) write.hset(this.keys.sentIds(appId, ctx.cwMessageId), String(part.key), fullId).expire(this.keys.sentIds(appId, ctx.cwMessageId), PART_TTL_S);
    await write.exec();
    if (!id || !fullId) return;
    await this.ledger.record(ctx.app.config.id, ctx.identity, { waId: parseMessageId(fullId).waId, fullId, conversationId: ctx.conversationId, messageId: ctx.cwMessageId });
  }

  /**
   * Waits for the echo until WAHA cannot still be sending, then looks in the chat's own recent messages. 'sent' when
   * found, 'unconfirmed' when it cannot be checked, undefined when WAHA listed the chat and it is not there.
   */
  private async settle(ctx: PartContext, part: SendPart, since: number): Promise<SendOutcome | undefined> {
    const marker = this.marker(ctx, part);
    const deadline = since + this.config.reliability.wahaSendGraceMs;
    for (;;) {
      const value = await this.redis.client.get(marker);
      if (value && !value.startsWith('?')) return value === UNCONFIRMED ? 'unconfirmed' : 'sent';
      const left = deadline - Date.now();
      if (left <= 0) break;
      await sleep(Math.min(1000, left), ctx.signal);
    }
    if (part.kind === 'file' && !(await this.profiles.capabilities(ctx.app)).listsSentFiles) {
      await this.redis.client.set(marker, UNCONFIRMED, 'EX', PART_TTL_S);
      return 'unconfirmed';
    }
    const own = await retryFor(
      () => ctx.app.waha.messages(ctx.chatId, { limit: 100, offset: 0, sortOrder: 'desc', fromMe: true, gteSec: Math.floor(since / 1000) - LOOK_BACK_S, downloadMedia: false }, ctx.signal),
      { windowMs: this.config.reliability.retryWindowMs, policy: LOOKUP_BACKOFF, retryable: (error) => error instanceof UpstreamError && error.transient, signal: ctx.signal },
    );
    for (const message of own) {
      if (!matches(part, message)) continue;
      // Another agent message may have said the same: only an echo nobody claimed yet is ours.
      if (await this.ledger.has(ctx.app.config.id, ctx.identity, parseMessageId(message.id).waId)) continue;
      await this.confirm(ctx, part, message.id);
      return 'sent';
    }
    return undefined;
  }
}
