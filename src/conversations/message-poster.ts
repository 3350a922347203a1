/**
 * Posts one composed message into a ChatWoot conversation, with retries, and settles unknown outcomes.
 *
 * A request that timed out or lost its connection may have been written: before posting again, the conversation is
 * searched for the message's `source_id` (after the last message the caller knows it posted). A post that may
 * have happened in an earlier run (`mayExist`) is looked for first, before anything is downloaded or sent. A
 * conversation deleted in ChatWoot (404) is replaced through the caller's `onConversationMissing`.
 *
 * The flow gate (clients/chatwoot) already waits out 429s, flood 422s and 503s; what reaches this loop is what the
 * gate gave up on, or a 5xx, or an unknown outcome.
 */
import { Injectable } from '@nestjs/common';
import { AppContext } from '../apps/apps.service';
import { CwMessage } from '../clients/chatwoot/chatwoot.types';
import { isUpstreamError, UpstreamError } from '../clients/http/http-error';
import { retry } from '../common/backoff';
import { ComposedMessage } from './message-composer';

/** A message that cannot be imported (a permanent ChatWoot refusal, or transient failures past the attempts). */
export class PermanentMessageError extends Error {}

/** Where a message goes; `lastCwId` is the last message the caller posted there (0 when unknown). */
export interface PostTarget {
  conversationId: number;
  lastCwId: number;
}

export interface PostOptions {
  /** The message's `source_id`: how a post of unknown outcome is recognised. */
  sourceId: string;
  /** Posts in all before the message counts as failed. */
  attempts: number;
  signal: AbortSignal;
  /** An earlier run may have posted it already: look before composing and posting. */
  mayExist: boolean;
  /** The conversation is gone (404): find or create it again and return its id. */
  onConversationMissing: () => Promise<number>;
}

/** 500 ms doubling up to 30 s between posts. */
const POST_BACKOFF = { baseMs: 500, maxMs: 30_000, jitterMs: 250 };
/** How far `findPosted` pages (100 messages a page) before it concludes the message is not there. */
const FIND_PAGES = 20;

@Injectable()
export class MessagePoster {
  /**
   * Posts what `compose` builds and returns the ChatWoot message (the one found, when it was already there).
   * `target` is updated when the conversation had to be replaced.
   */
  async post(app: AppContext, target: PostTarget, compose: () => Promise<ComposedMessage>, options: PostOptions): Promise<CwMessage> {
    if (options.mayExist && target.conversationId) {
      const found = await this.findPosted(app, target.conversationId, options.sourceId, target.lastCwId);
      if (found) return found;
    }
    const { message, attachments } = await compose();
    try {
      return await retry(
        async () => {
          try {
            return attachments.length > 0
              ? await app.chatwoot.createMessageWithAttachments(target.conversationId, message, attachments)
              : await app.chatwoot.createMessage(target.conversationId, message);
          } catch (error) {
            if (isUpstreamError(error, 'unknown-outcome')) {
              const found = await this.findPosted(app, target.conversationId, options.sourceId, target.lastCwId).catch(() => undefined);
              if (found) return found;
            } else if (isUpstreamError(error, 'not-found')) {
              // The conversation was deleted in ChatWoot: find or create it again.
              target.conversationId = await options.onConversationMissing();
              target.lastCwId = 0;
            }
            throw error;
          }
        },
        {
          attempts: Math.max(1, options.attempts),
          policy: POST_BACKOFF,
          retryable: (error) => error instanceof UpstreamError && (error.transient || error.kind === 'not-found'),
          signal: options.signal,
        },
      );
    } catch (error) {
      if (options.signal.aborted || !(error instanceof UpstreamError)) throw error;
      throw new PermanentMessageError(error.message);
    }
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
