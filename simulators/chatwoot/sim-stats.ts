/**
 * The ChatWoot simulator's cheap counters for benchmarks (`GET /_sim/stats`): requests by status, messages
 * created, peak load, rate-limit windows, and the latest messages that were not imported.
 */
import { SimConversation, SimMessage } from './chatwoot-types';

/** Messages without a source_id (agent messages, activities, replies) kept for `/_sim/stats`. */
const STATS_EVENTS_KEPT = 200;

/** A message that was not imported (no source_id), as `/_sim/stats` lists it; `at` is in milliseconds. */
export interface SimStatsEvent {
  id: number;
  conversation_id: number;
  message_type: number;
  private: boolean;
  at: number;
  content: string;
}

/** Cheap counters for benchmarks: `GET /_sim/stats` (reset with `POST /_sim/stats/reset`). */
export interface SimStats {
  since: number;
  /** API requests that reached the request pipeline (control routes excluded). */
  requests: number;
  /** Answers by HTTP status (503 capacity, 429 rate limit, and every API route's answer). */
  byStatus: Record<string, number>;
  /** Messages stored: all of them, and those with a source_id (what an import creates). */
  messages: { created: number; withSourceId: number };
  /** Most requests holding a slot / waiting for one at the same time. */
  peak: { active: number; queued: number };
  /** Rate-limit windows seen (epoch-aligned index → requests let through / answered 429); the latest 100. */
  rateWindows: Record<string, { accepted: number; limited: number }>;
}

/** Holds the counters since start or the last `reset()`; every part of the simulator counts through it. */
export class StatsRecorder {
  private stats: SimStats = StatsRecorder.emptyStats();
  private readonly statsEvents: SimStatsEvent[] = [];

  private static emptyStats(): SimStats {
    return {
      since: Date.now(),
      requests: 0,
      byStatus: {},
      messages: { created: 0, withSourceId: 0 },
      peak: { active: 0, queued: 0 },
      rateWindows: {},
    };
  }

  /** The counters, with copies of the two maps (the other members are shared, as they always were). */
  snapshot(): SimStats {
    return {
      ...this.stats,
      byStatus: { ...this.stats.byStatus },
      rateWindows: { ...this.stats.rateWindows },
    };
  }

  /** The kept non-imported messages with an id above `sinceEventId`. */
  eventsSince(sinceEventId: number): SimStatsEvent[] {
    return this.statsEvents.filter((e) => e.id > sinceEventId);
  }

  reset(): void {
    this.stats = StatsRecorder.emptyStats();
    this.statsEvents.length = 0;
  }

  countRequest(): void {
    this.stats.requests++;
  }

  notePeak(active: number, queued: number): void {
    const peak = this.stats.peak;
    peak.active = Math.max(peak.active, active);
    peak.queued = Math.max(peak.queued, queued);
  }

  countStatus(status: number): void {
    this.stats.byStatus[status] = (this.stats.byStatus[status] ?? 0) + 1;
  }

  countWindow(index: number, allowed: boolean): void {
    const windows = this.stats.rateWindows;
    let window = windows[index];
    if (!window) {
      window = windows[index] = { accepted: 0, limited: 0 };
      const keys = Object.keys(windows);
      if (keys.length > 100) delete windows[Math.min(...keys.map(Number))];
    }
    if (allowed) window.accepted++;
    else window.limited++;
  }

  /** A message was stored: counted, and kept as an event when it has no source_id. */
  countMessage(message: SimMessage, conversation: SimConversation): void {
    this.stats.messages.created++;
    if (message.sourceId !== null) {
      this.stats.messages.withSourceId++;
    } else {
      this.statsEvents.push({
        id: message.id,
        conversation_id: conversation.displayId,
        message_type: message.messageType,
        private: message.private,
        at: message.createdAt,
        content: (message.content ?? '').slice(0, 500),
      });
      if (this.statsEvents.length > STATS_EVENTS_KEPT * 2) this.statsEvents.splice(0, STATS_EVENTS_KEPT);
    }
  }
}
