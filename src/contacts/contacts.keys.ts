/**
 * The Redis keys of contacts pulls, all per app (`<prefix>:{<appId>}:…`, one hash slot per app):
 *
 * | key                          | type   | holds                                                                     |
 * |------------------------------|--------|---------------------------------------------------------------------------|
 * | `contacts:active`            | string | the id of the app's running contacts pull (one at a time)                 |
 * | `contacts:last`              | string | the id of the app's latest contacts pull (what `status` shows after it)   |
 * | `contacts:<id>`              | hash   | the record: state, options, origin, checkpoint (phase, offset), counters  |
 * | `contacts:<id>:done`         | hash   | chat id → outcome, for every contact settled (counted once, never redone) |
 * | `contacts:<id>:creating`     | set    | chat ids whose contact is being created (a crash then still counts it)    |
 * | `contacts:<id>:failures`     | list   | `<chat id>: <reason>` of the contacts ChatWoot or WAHA refused            |
 *
 * A finished pull's keys expire after 31 days.
 */
import { RedisService } from '../redis/redis.service';

export interface ContactsRef {
  appId: string;
  id: string;
}

export class ContactsKeys {
  constructor(private readonly redis: RedisService) {}

  active(appId: string): string {
    return this.redis.appKey(appId, 'contacts', 'active');
  }

  last(appId: string): string {
    return this.redis.appKey(appId, 'contacts', 'last');
  }

  record(run: ContactsRef): string {
    return this.redis.appKey(run.appId, 'contacts', run.id);
  }

  done(run: ContactsRef): string {
    return this.redis.appKey(run.appId, 'contacts', run.id, 'done');
  }

  creating(run: ContactsRef): string {
    return this.redis.appKey(run.appId, 'contacts', run.id, 'creating');
  }

  failures(run: ContactsRef): string {
    return this.redis.appKey(run.appId, 'contacts', run.id, 'failures');
  }
}
