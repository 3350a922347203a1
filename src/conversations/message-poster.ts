/**
 * Posts one composed message into a ChatWoot conversation, with retries, and never posts twice.
 *
 * - A request that timed out or lost its connection (unknown outcome) may have been written, or may still be
 *   running in ChatWoot. It is posted again only after a lookup of the message's `source_id` in the conversation has
 *   succeeded and not found it, and only once the original request cannot still be running (`graceMs` after it
 *   was sent). A failing lookup is retried with backoff; if it keeps failing, the error is thrown and the caller
 *   keeps its own mark (the pull's checkpoint, the live cursor) so the next attempt settles it first (`earlier`).
 * - Transient failures (429, 5xx, 503, refused connections) are retried with capped backoff for `retryWindowMs`
 *   from the first one, then thrown as they are (the caller decides: the pull waits them out, a live lane tries
 *   again later); they never count as attempts.
 * - Permanent refusals (other 4xx) are tried `attempts` times, then `PermanentMessageError`.
 * - A conversation deleted in ChatWoot (404) is replaced through the caller's `onConversationMissing`.
 *
 * The flow gate (clients/chatwoot) already waits out 429s, flood 422s and 503s up to its own limit; what reaches this
 * loop is what the gate gave up on, or a 5xx, or an unknown outcome.
 */
import { Injectable } from '@nestjs/common';
import { AppContext } from '../apps/apps.service';
import { CwMessage } from '../clients/chatwoot/chatwoot.types';
import { isUpstreamError, UpstreamError } from '../clients/http/http-error';
import { backoffDelay, retryFor } from '../common/backoff';
import { sleep } from '../common/sleep';
import { ComposedMessage } from './message-composer';

/** A message that cannot be imported: ChatWoot refused it `attempts` times. */
export class PermanentMessageError extends Error {}

/** Where a message goes; `lastCwId` is the last message the caller posted there (0 when unknown). */
export interface PostTarget {
  conversationId: number;
  lastCwId: number;
}

export interface PostOptions {
  /** The message's `source_id`: how a post of unknown outcome is recognised. */
  sourceId: string;
  /** Permanent refusals before the message counts as failed. */
  attempts: number;
  /** Transient failures are retried this long from the first one, then thrown. */
  retryWindowMs: number;
  /** A post of unknown outcome is looked for this long after it was sent, not sooner. */
  graceMs: number;
  signal: AbortSignal;
  /** An earlier attempt may have posted it, its request sent at `since` (ms): settle that before posting. */
  earlier?: { since: number };
  /** The conversation is gone (404): find or create it again and return its id. */
  onConversationMissing: () => Promise<number>;
  /** Told before each wait (a watchdog counts waiting out an outage as progress). */
  onWait?: (error: unknown) => void;
  /**
   * Awaited right before each request goes out: the caller marks the post in flight durably (a process killed
   * after the request left must leave the mark behind, or the next one would post again).
   */
  onSend?: (sentAt: number) => Promise<void> | void;
}

/** 500 ms doubling up to 30 s between posts. */
const POST_BACKOFF = { baseMs: 500, maxMs: 30_000, jitterMs: 250 };
/** How far `findPosted` pages (100 messages a page) before it concludes the message is not there. */
const FIND_PAGES = 20;

function transient(error: unknown): boolean {
  return error instanceof UpstreamError && error.transient;
}

@Injectable()
export class MessagePoster {
  /**
   * Posts what `compose` builds and returns the ChatWoot message (the one found, when it was already there).
   * `target` is updated when the conversation had to be replaced.
   */
  async post(app: AppContext, target: PostTarget, compose: () => Promise<ComposedMessage>, options: PostOptions): Promise<CwMessage> {
    if (options.earlier && target.conversationId) {
      const found = await this.settle(app, target, options, options.earlier.since);
      if (found) return found;
    }
    const { message, attachments } = await compose();
    const started = Date.now();
    let refusals = 0;
    for (let attempt = 0; ; attempt++) {
      options.signal.throwIfAborted();
      const sentAt = Date.now();
      await options.onSend?.(sentAt);
      try {
        return attachments.length > 0
          ? await app.chatwoot.createMessageWithAttachments(target.conversationId, message, attachments)
          : await app.chatwoot.createMessage(target.conversationId, message);
      } catch (error) {
        if (!(error instanceof UpstreamError) || options.signal.aborted) throw error;
        if (error.kind === 'unknown-outcome') {
          const found = await this.settle(app, target, options, sentAt);
          if (found) return found;
          continue;
        }
        if (error.kind === 'not-found') {
          // The conversation was deleted in ChatWoot: find or create it again.
          target.conversationId = await options.onConversationMissing();
          target.lastCwId = 0;
          continue;
        }
        if (error.transient) {
          if (Date.now() - started > options.retryWindowMs) throw error;
        } else if (++refusals >= Math.max(1, options.attempts)) {
          throw new PermanentMessageError(error.message);
        }
        options.onWait?.(error);
        await sleep(backoffDelay(attempt, POST_BACKOFF), options.signal);
      }
    }
  }

  /**
   * Waits until a post sent at `since` cannot still be running, then looks for it (retrying a failing lookup for
   * the retry window). The message found, or undefined when the lookup succeeded and it is not there.
   */
  private async settle(app: AppContext, target: PostTarget, options: PostOptions, since: number): Promise<CwMessage | undefined> {
    const wait = since + options.graceMs - Date.now();
    if (wait > 0) {
      options.onWait?.(undefined);
      await sleep(wait, options.signal);
    }
    return retryFor(() => this.findPosted(app, target.conversationId, options.sourceId, target.lastCwId), {
      windowMs: options.retryWindowMs,
      policy: POST_BACKOFF,
      retryable: (error) => transient(error) || isUpstreamError(error, 'unknown-outcome'),
      signal: options.signal,
      onRetry: (error) => options.onWait?.(error),
    });
  }

  /** Looks for a message with this source_id posted after `afterId` (or among the latest when unknown). */
  async findPosted(app: AppContext, conversationId: number, sourceId: string, afterId: number): Promise<CwMessage | undefined> {
    let cursor = afterId;
    for (let page = 0; page < FIND_PAGES; page++) {
      const messages = await app.chatwoot.listMessages(conversationId, cursor ? { after: cursor } : {});
      const found = messages.find((m) => m.source_id === sourceId);
      if (found) return found;
      if (!cursor || messages.length < 100) return undefined;
      cursor = messages[messages.length - 1].id;
    }
    return undefined;
  }
}
