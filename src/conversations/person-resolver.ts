/**
 * Who a chat is: the canonical person whose ledger entries and conversation it shares.
 *
 * WhatsApp addresses one person by a phone JID (`49151…@c.us`) and, since 2024, by a privacy id (`…@lid`). WAHA maps
 * one to the other through its lids API (`GET /api/{session}/lids/{lid}`, see clients/waha). The person is the
 * phone JID when WAHA knows it, so messages seen under either id are found in one place; otherwise the chat id
 * itself (groups, channels, an `@lid` WAHA cannot map yet). When a mapping is learned later, the `@lid` stays an
 * alias of the phone JID, so what was recorded under it is still found.
 *
 * Mappings are remembered in Redis (they do not change) and in memory for a minute; an `@lid` WAHA could not map is
 * asked again after a few minutes.
 */
import { Injectable } from '@nestjs/common';
import { AppContext } from '../apps/apps.service';
import { phoneDigits, publicJid } from '../common/jids';
import { RedisService } from '../redis/redis.service';
import { ConversationKeys } from './conversations.keys';

export interface ChatIdentity {
  /** The chat id, in its public form. */
  chatId: string;
  /** Canonical id of the person (or group, channel…): where new ledger entries and the conversation go. */
  person: string;
  /** Other ids of the same person whose entries count as the person's. */
  aliases: string[];
  /** Phone JID (`…@c.us`), when known. */
  jid?: string;
  lid?: string;
  /** Phone digits, when known. */
  phone?: string;
}

const CACHE_MS = 60_000;
const UNMAPPED_RETRY_MS = 5 * 60_000;
const CACHE_LIMIT = 50_000;

/** Every id under which a person's entries may be kept: the person first. */
export function identityKeys(identity: ChatIdentity): string[] {
  return [identity.person, ...identity.aliases];
}

@Injectable()
export class PersonResolver {
  private readonly keys: ConversationKeys;
  private readonly cache = new Map<string, { identity: ChatIdentity; until: number }>();

  constructor(private readonly redis: RedisService) {
    this.keys = new ConversationKeys(redis);
  }

  /** Remembers every @lid ↔ phone mapping WAHA listed (its lids API), so later look-ups need no call. */
  async learn(app: AppContext, mappings: ReadonlyArray<{ lid: string; pn: string | null }>): Promise<void> {
    const pairs: string[] = [];
    for (const { lid, pn } of mappings) {
      if (!pn || !lid.endsWith('@lid')) continue;
      const jid = publicJid(pn);
      pairs.push(lid, jid, jid, lid);
    }
    for (let i = 0; i < pairs.length; i += 2000) await this.redis.client.hset(this.keys.persons(app.config.id), ...pairs.slice(i, i + 2000));
    for (const key of this.cache.keys()) if (key.startsWith(`${app.config.id}|`)) this.cache.delete(key);
  }

  async identity(app: AppContext, rawChatId: string): Promise<ChatIdentity> {
    const chatId = publicJid(rawChatId);
    const cacheKey = `${app.config.id}|${chatId}`;
    const cached = this.cache.get(cacheKey);
    if (cached && cached.until > Date.now()) return cached.identity;
    const { identity, stableMs } = await this.lookup(app, chatId);
    if (this.cache.size > CACHE_LIMIT) this.cache.clear();
    this.cache.set(cacheKey, { identity, until: Date.now() + stableMs });
    return identity;
  }

  private async lookup(app: AppContext, chatId: string): Promise<{ identity: ChatIdentity; stableMs: number }> {
    const persons = this.keys.persons(app.config.id);
    if (chatId.endsWith('@lid')) {
      let jid = (await this.redis.client.hget(persons, chatId)) ?? undefined;
      if (!jid) {
        const mapping = await app.waha.lid(chatId).catch(() => null);
        jid = mapping?.pn ? publicJid(mapping.pn) : undefined;
        if (jid) await this.redis.client.hset(persons, chatId, jid, jid, chatId);
      }
      if (!jid) return { identity: { chatId, person: chatId, aliases: [], lid: chatId }, stableMs: UNMAPPED_RETRY_MS };
      return { identity: { chatId, person: jid, aliases: [chatId], jid, lid: chatId, phone: phoneDigits(jid) }, stableMs: CACHE_MS };
    }
    const phone = phoneDigits(chatId);
    if (!phone) return { identity: { chatId, person: chatId, aliases: [] }, stableMs: CACHE_MS };
    const lid = (await this.redis.client.hget(persons, chatId)) ?? undefined;
    return { identity: { chatId, person: chatId, aliases: lid ? [lid] : [], jid: chatId, lid, phone }, stableMs: CACHE_MS };
  }
}
