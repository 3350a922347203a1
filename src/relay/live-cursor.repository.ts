/**
 * The live writer's cursor in a chat (`<prefix>:{<appId>}:live:<chatId>`): the conversation it writes into, the
 * last message it created there, and the message in flight. Live events are handled one at a time per chat, so
 * a message marked in flight that a crash left behind is looked for in ChatWoot before it is posted again.
 */
import { Injectable } from '@nestjs/common';
import { RedisService } from '../redis/redis.service';
import { RelayKeys } from './relay.keys';

export interface LiveCursor {
  conversationId: number;
  lastCwId: number;
  /** The WhatsApp message being posted, if a post may be under way or was cut short… */
  pending: string;
  /** …and when its request went out (ms). */
  pendingAt: number;
}

@Injectable()
export class LiveCursorRepository {
  private readonly keys: RelayKeys;

  constructor(private readonly redis: RedisService) {
    this.keys = new RelayKeys(redis);
  }

  async get(appId: string, chatId: string): Promise<LiveCursor> {
    const raw = await this.redis.client.hgetall(this.keys.liveCursor(appId, chatId));
    return { conversationId: Number(raw.conversationId ?? 0), lastCwId: Number(raw.lastCwId ?? 0), pending: raw.pending ?? '', pendingAt: Number(raw.pendingAt ?? 0) };
  }

  async set(appId: string, chatId: string, fields: Partial<Record<keyof LiveCursor, string | number>>): Promise<void> {
    const key = this.keys.liveCursor(appId, chatId);
    await this.redis.client.hset(key, fields as Record<string, string | number>);
    // A message marked in flight is posted next: the mark must outlive a failover (see RedisService.replicated).
    if (fields.pending) await this.redis.replicated(key);
  }
}
