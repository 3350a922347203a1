/**
 * The Redis keys of the WhatsApp → ChatWoot writer, all per app (`<prefix>:{<appId>}:…`):
 *
 * | key                                   | type   | holds                                                        |
 * |---------------------------------------|--------|--------------------------------------------------------------|
 * | `ledger:<person>`                     | hash   | WhatsApp message id → `<conversationId>:<messageId>` (never expires) |
 * | `ledger-rev:<id / 100>`               | hash   | ChatWoot message id % 100 → serialized WhatsApp id (quoting) |
 * | `ledger-rev`                          | hash   | the same, unbucketed, as versions before 2026-12 wrote it (read only) |
 * | `persons`                             | hash   | `@lid` → phone JID and phone JID → `@lid`, as WAHA mapped them |
 * | `conversations`                       | hash   | person → ChatWoot conversation id                            |
 * | `conversation-sources`                | hash   | conversation id → its contact inbox `source_id`              |
 * | `lock:contact:<person>`               | string | who is creating that person's contact right now (60 s)       |
 *
 * A person is a chat's phone JID when WAHA knows it, so an `@lid` chat and the `@c.us` chat of one person share
 * ledger entries and a conversation; any other chat (a group, a channel, an `@lid` WAHA cannot map) is its own person.
 */
import { RedisService } from '../redis/redis.service';

export class ConversationKeys {
  constructor(private readonly redis: RedisService) {}

  ledger(appId: string, person: string): string {
    return this.redis.appKey(appId, 'ledger', person);
  }

  /** The reverse ledger's bucket (see message-ledger.repository.ts), or without one the unbucketed hash of old. */
  ledgerReverse(appId: string, bucket?: number): string {
    return bucket === undefined ? this.redis.appKey(appId, 'ledger-rev') : this.redis.appKey(appId, 'ledger-rev', bucket);
  }

  persons(appId: string): string {
    return this.redis.appKey(appId, 'persons');
  }

  conversations(appId: string): string {
    return this.redis.appKey(appId, 'conversations');
  }

  conversationSources(appId: string): string {
    return this.redis.appKey(appId, 'conversation-sources');
  }

  contactLock(appId: string, person: string): string {
    return this.redis.appKey(appId, 'lock', 'contact', person);
  }
}
