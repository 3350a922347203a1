/**
 * The Redis keys of history pulls. Per app (`<prefix>:{<appId>}:…`) unless noted:
 *
 * | key                              | type   | holds                                                                  |
 * |----------------------------------|--------|------------------------------------------------------------------------|
 * | `pull:active`                    | string | the id of the app's running pull (one at a time)                       |
 * | `pull:last`                      | string | the id of the app's latest pull (what `status` shows after it ended)   |
 * | `pull:<id>`                      | hash   | the pull record: state, window, options, origin, live counters         |
 * | `pull:<id>:chats`                | hash   | planned chat id → chat name; `>@lid` → the chat whose job reads it      |
 * | `pull:<id>:chat:<chatId>`        | hash   | a chat's checkpoint: timestamp cursor (+ ids done at it), conversation, state |
 * | `pull:<id>:convs`                | set    | conversations the pull wrote into (for --rc and the report)            |
 * | `pull:<id>:failures`             | list   | `<message id>: <error>` of messages that failed for good               |
 * | `pull:<id>:lease`                | string | --pause: alive while a worker runs the pull (renewed every 5 s)        |
 * | `pull:<id>:outage-noticed`       | string | set for 15 min once the agent was told the import waits for an upstream |
 * | `{queues}:paused-by-pull` shared | string | `<appId>/<pullId>` of the pull that paused the live queues             |
 * | `{queues}:pull-clock` shared     | string | the rank of the latest chat job started, any app (fair-share.ts)       |
 */
import { RedisService } from '../redis/redis.service';

/** Names a pull: the app it belongs to (its keys' hash tag) and its id. */
export interface PullRef {
  appId: string;
  id: string;
}

export class PullKeys {
  constructor(private readonly redis: RedisService) {}

  active(appId: string): string {
    return this.redis.appKey(appId, 'pull', 'active');
  }

  last(appId: string): string {
    return this.redis.appKey(appId, 'pull', 'last');
  }

  record(pull: PullRef): string {
    return this.redis.appKey(pull.appId, 'pull', pull.id);
  }

  chats(pull: PullRef): string {
    return this.redis.appKey(pull.appId, 'pull', pull.id, 'chats');
  }

  checkpoint(pull: PullRef, chatId: string): string {
    return this.redis.appKey(pull.appId, 'pull', pull.id, 'chat', chatId);
  }

  conversations(pull: PullRef): string {
    return this.redis.appKey(pull.appId, 'pull', pull.id, 'convs');
  }

  failures(pull: PullRef): string {
    return this.redis.appKey(pull.appId, 'pull', pull.id, 'failures');
  }

  outageNoticed(pull: PullRef): string {
    return this.redis.appKey(pull.appId, 'pull', pull.id, 'outage-noticed');
  }

  lease(pull: PullRef): string {
    return this.redis.appKey(pull.appId, 'pull', pull.id, 'lease');
  }

  /** Shared by every app: BullMQ's pause is global, so is the pull that holds it. */
  pausedBy(): string {
    return this.redis.sharedKey('queues', 'paused-by-pull');
  }
}
