/**
 * The Redis keys of the live relay.
 *
 * Per app (`<prefix>:{<appId>}:…`):
 * | key                                | type   | holds                                                               |
 * |------------------------------------|--------|---------------------------------------------------------------------|
 * | `lane:<queue>:<lane key>`          | list   | the lane's events, oldest first (JSON)                              |
 * | `lane-owner:<queue>:<lane key>`    | string | the token of the drain job working the lane (30 s, renewed)         |
 * | `lane-kicked:<queue>:<lane key>`   | string | set while a drain job of the lane waits to start (10 min)           |
 * | `lane-failing:<queue>:<lane key>`  | hash   | the head's first failure and tries, while it keeps failing          |
 * | `dead:<queue>`                     | zset   | events that failed for good (by time), for `wa/queue retry`         |
 * | `seen:<dedupe key>`                | string | a webhook event already accepted (two days), so retries are dropped |
 * | `live:<chatId>`                    | hash   | the live writer's cursor in a chat: conversation, last message, the message in flight |
 * | `sent:<ChatWoot message id>:<part>`| string | the WhatsApp id of each part of an agent message already sent (30 days); `?<ms>` while a send's outcome is unknown |
 * | `pending-sends:<chatId>`           | hash   | parts whose send had no answer: what was sent, to recognise its echo |
 * | `marked-failed:<ChatWoot message id>` | string | an agent message the bridge marked failed in ChatWoot (dead letter TTL) |
 * | `sent-ids:<ChatWoot message id>`  | hash   | part → serialized WhatsApp id of each part sent (30 days): what an agent's delete revokes |
 * | `bridge-deleted:<ChatWoot message id>` | string | a message the bridge deleted in ChatWoot because it was deleted in WhatsApp (2 days) |
 * | `read-marked`                      | hash   | conversation → last ChatWoot message marked read by the contact     |
 * | `attachments-refused-noted`        | hash   | conversations told once that WAHA Core does not send attachments   |
 *
 * Shared by every app, placed by queue (`<prefix>:{lanes:<queue>}:…`):
 * | `index`                            | set    | lane ids with events (what the sweeper and `wa/queue status` walk)  |
 * | `ready`                            | list   | lane ids that need a drain job (the kicker's work list)            |
 * | `seq`                              | string | a counter that makes each drain job id new                          |
 *
 * A lane id is `<appId>|<lane key>`, e.g. `app_main|chat-4915112345678@c.us` or `app_main|conv-42`.
 */
import { QueueName } from '../queue/queue.constants';
import { RedisService } from '../redis/redis.service';

export type LaneId = `${string}|${string}`;

export function laneId(appId: string, key: string): LaneId {
  return `${appId}|${key}`;
}

export function parseLaneId(lane: string): { appId: string; key: string } {
  const at = lane.indexOf('|');
  return { appId: lane.slice(0, at), key: lane.slice(at + 1) };
}

export class RelayKeys {
  constructor(private readonly redis: RedisService) {}

  laneList(queue: QueueName, lane: LaneId): string {
    const { appId, key } = parseLaneId(lane);
    return this.redis.appKey(appId, 'lane', queue, key);
  }

  laneOwner(queue: QueueName, lane: LaneId): string {
    const { appId, key } = parseLaneId(lane);
    return this.redis.appKey(appId, 'lane-owner', queue, key);
  }

  laneKicked(queue: QueueName, lane: LaneId): string {
    const { appId, key } = parseLaneId(lane);
    return this.redis.appKey(appId, 'lane-kicked', queue, key);
  }

  /** The failure record of a lane's head (first failure, tries), while it keeps failing. */
  laneFailing(queue: QueueName, lane: LaneId): string {
    const { appId, key } = parseLaneId(lane);
    return this.redis.appKey(appId, 'lane-failing', queue, key);
  }

  /** Events that failed for good, by time, for `wa/queue retry` (kept DEAD_LETTER_TTL). */
  deadLetters(appId: string, queue: QueueName): string {
    return this.redis.appKey(appId, 'dead', queue);
  }

  seen(appId: string, dedupeKey: string): string {
    return this.redis.appKey(appId, 'seen', dedupeKey);
  }

  laneIndex(queue: QueueName): string {
    return this.redis.sharedKey(`lanes:${queue}`, 'index');
  }

  readyLanes(queue: QueueName): string {
    return this.redis.sharedKey(`lanes:${queue}`, 'ready');
  }

  laneSeq(queue: QueueName): string {
    return this.redis.sharedKey(`lanes:${queue}`, 'seq');
  }

  liveCursor(appId: string, chatId: string): string {
    return this.redis.appKey(appId, 'live', chatId);
  }

  sentPart(appId: string, cwMessageId: number, part: number | string): string {
    return this.redis.appKey(appId, 'sent', cwMessageId, part);
  }

  /** Conversations already told that WAHA does not deliver attachments (told once each). */
  attachmentsRefusedNoted(appId: string): string {
    return this.redis.appKey(appId, 'attachments-refused-noted');
  }

  /** Agent message parts whose send to WAHA had no answer, per chat: `<cw message>:<part>` → what was sent, when. */
  pendingSends(appId: string, chatId: string): string {
    return this.redis.appKey(appId, 'pending-sends', chatId);
  }

  /** An agent message marked failed in ChatWoot when it became a dead letter: marked sent again once it goes out. */
  markedFailed(appId: string, cwMessageId: number): string {
    return this.redis.appKey(appId, 'marked-failed', cwMessageId);
  }

  /** The serialized WhatsApp ids of an agent message's parts, by part: what deleting it in ChatWoot revokes. */
  sentIds(appId: string, cwMessageId: number): string {
    return this.redis.appKey(appId, 'sent-ids', cwMessageId);
  }

  /** A ChatWoot message the bridge deleted because it was deleted in WhatsApp (its message_updated is no agent's). */
  bridgeDeleted(appId: string, cwMessageId: number): string {
    return this.redis.appKey(appId, 'bridge-deleted', cwMessageId);
  }

  readMarked(appId: string): string {
    return this.redis.appKey(appId, 'read-marked');
  }
}
