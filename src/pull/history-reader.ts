/**
 * Reads one person's WhatsApp history oldest first, whatever order the server answers in, and resumes from a
 * timestamp cursor, so a crash neither skips nor repeats.
 *
 * The server's order is never trusted (WEBJS always answers newest first, NOWEB and GOWS only sort ascending from
 * WAHA 2025.10.5, WPP sorts within the newest offset+limit only; see clients/waha/waha-capabilities.ts):
 *
 * - `ascending`: one chat on a server that sorts ascending. Pages by `filter.timestamp.gte = cursor`, skipping what
 *   the cursor already covers; every page is checked to be in timestamp order, and one that is not throws
 *   `OrderMismatchError` before anything of it is used (the caller then reads the chat with `scan`).
 * - `scan`: any server, any number of chats (an @lid and a phone chat of one person on a server that does not
 *   merge them). First a pass that keeps only (timestamp, id, chat) of every message in the window, newest first
 *   by an `lte` timestamp cursor (offsets move when messages arrive; a cursor does not), then the messages are
 *   fetched back in slices of `batch`, oldest first, by their timestamps. Memory is the index (scan-index.ts):
 *   about 60 bytes a message, never the messages themselves.
 * - `scan` on a server that filters after fetching (WPP): the first pass pages without filters (offsets, newest
 *   first) and remembers each message's position, and slices are fetched back by position.
 *
 * Messages with the same timestamp keep WhatsApp's order: a newest-first listing is the reverse of it, except on
 * WEBJS, whose listing is a stable sort of the chat by timestamp (WebjsClientCore.getMessages), so equal
 * timestamps stay in chat order there.
 */
import { UpstreamError } from '../clients/http/http-error';
import { WahaClient } from '../clients/waha/waha.client';
import { MessagesPageQuery, WahaMessage } from '../clients/waha/waha.types';
import { retryFor } from '../common/backoff';
import { ScanIndex } from './scan-index';

/** Entries of one chat in a slice of the index. */
type IndexSlice = ReadonlyArray<{ ts: number; key: string; seq: number }>;

/** Everything before `ts` is done; at `ts` exactly, these ids are. */
export interface HistoryCursor {
  ts: number;
  ids: ReadonlySet<string>;
}

export interface HistoryPlan {
  chatIds: readonly string[];
  /** Window in unix seconds, both ends inclusive. */
  gteSec: number;
  lteSec: number;
  batch: number;
  strategy: 'ascending' | 'scan';
  /** The server applies timestamp filters after fetching the newest offset+limit messages (WPP). */
  filtersAfterFetch?: boolean;
  /** Equal timestamps in a newest-first listing are in chat order (WEBJS), not reversed. */
  tiesListedInChatOrder?: boolean;
}

/** The server answered a page out of timestamp order although it was asked for ascending order. */
export class OrderMismatchError extends Error {
  constructor(chatId: string) {
    super(`WAHA answered ${chatId} out of timestamp order although asked for oldest first`);
  }
}

function isAscending(page: readonly WahaMessage[]): boolean {
  for (let i = 1; i < page.length; i++) if (page[i].timestamp < page[i - 1].timestamp) return false;
  return true;
}

function isDescending(page: readonly WahaMessage[]): boolean {
  for (let i = 1; i < page.length; i++) if (page[i].timestamp > page[i - 1].timestamp) return false;
  return true;
}

/** How long a failing WAHA is waited out (it restarts, or answers 503), and who is told while it is. */
export interface ReadRetry {
  windowMs: number;
  onWait?: (error: unknown) => void;
}

/** 1 s doubling up to 30 s between tries of a failing page. */
const PAGE_BACKOFF = { baseMs: 1000, maxMs: 30_000, jitterMs: 250 };

export class HistoryReader {
  constructor(
    private readonly client: WahaClient,
    private readonly plan: HistoryPlan,
    private readonly signal?: AbortSignal,
    private readonly retry: ReadRetry = { windowMs: 0 },
  ) {}

  /** One page from WAHA, waiting out transient failures for the retry window. */
  private readonly waha = {
    messages: (chatId: string, query: MessagesPageQuery, signal?: AbortSignal): Promise<WahaMessage[]> =>
      retryFor(() => this.client.messages(chatId, query, signal), {
        windowMs: this.retry.windowMs,
        policy: PAGE_BACKOFF,
        retryable: (error) => error instanceof UpstreamError && error.transient,
        signal,
        onRetry: (error) => this.retry.onWait?.(error),
      }),
  };

  /** Pages of messages in import order, after the cursor. Stop iterating to stop reading. */
  read(cursor: HistoryCursor): AsyncGenerator<WahaMessage[]> {
    if (this.plan.strategy === 'ascending' && this.plan.chatIds.length === 1) return this.ascending(this.plan.chatIds[0], cursor);
    return this.scan(cursor);
  }

  private done(cursor: HistoryCursor, message: WahaMessage): boolean {
    return message.timestamp < cursor.ts || (message.timestamp === cursor.ts && cursor.ids.has(message.id));
  }

  private async *ascending(chatId: string, start: HistoryCursor): AsyncGenerator<WahaMessage[]> {
    const { batch, lteSec } = this.plan;
    let ts = Math.max(start.ts, this.plan.gteSec);
    let doneAt = new Set(start.ts === ts ? start.ids : []);
    let offset = 0;
    for (;;) {
      const page = await this.waha.messages(chatId, { limit: batch, offset, sortOrder: 'asc', gteSec: ts, lteSec, downloadMedia: false }, this.signal);
      if (page.length === 0) return;
      if (!isAscending(page)) throw new OrderMismatchError(chatId);
      const fresh = page.filter((m) => !this.done({ ts, ids: doneAt }, m));
      if (fresh.length === 0) {
        // A run of equal timestamps longer than a page: look further along it.
        offset += batch;
        continue;
      }
      yield fresh;
      const last = fresh[fresh.length - 1].timestamp;
      if (last > ts) {
        ts = last;
        doneAt = new Set();
      }
      for (const m of fresh) if (m.timestamp === ts) doneAt.add(m.id);
      offset = 0;
    }
  }

  private async *scan(start: HistoryCursor): AsyncGenerator<WahaMessage[]> {
    const fromSec = Math.max(start.ts, this.plan.gteSec);
    const index = new ScanIndex();
    for (const chat of this.plan.chatIds) {
      if (this.plan.filtersAfterFetch) await this.indexUnfiltered(chat, fromSec, start, index);
      else await this.indexFiltered(chat, fromSec, start, index);
    }
    index.sort(!this.plan.tiesListedInChatOrder);
    for (let i = 0; i < index.length; i += this.plan.batch) {
      const messages = await this.fetchSlice(index, i, Math.min(index.length, i + this.plan.batch));
      if (messages.length > 0) yield messages;
    }
  }

  private wanted(start: HistoryCursor, m: WahaMessage, fromSec: number): boolean {
    return m.timestamp >= fromSec && m.timestamp <= this.plan.lteSec && !this.done(start, m);
  }

  /** Newest first with an `lte` cursor that moves down to the oldest timestamp seen. */
  private async indexFiltered(chat: string, fromSec: number, start: HistoryCursor, index: ScanIndex): Promise<void> {
    const { batch } = this.plan;
    let lteSec = this.plan.lteSec;
    let offset = 0;
    // Ids already indexed at `lteSec`: the pages after the cursor moves start with them again (lte is inclusive).
    let atCursor = new Set<string>();
    for (;;) {
      const page = await this.waha.messages(chat, { limit: batch, offset, sortOrder: 'desc', gteSec: fromSec, lteSec, downloadMedia: false }, this.signal);
      if (page.length === 0) return;
      let added = 0;
      for (const m of page) {
        if (atCursor.has(m.id) || !this.wanted(start, m, fromSec)) continue;
        index.add(m.timestamp, m.id, chat, index.added);
        if (m.timestamp === lteSec) atCursor.add(m.id);
        added++;
      }
      const oldest = page[page.length - 1].timestamp;
      if (added > 0 && isDescending(page) && oldest < lteSec) {
        lteSec = oldest;
        offset = 0;
        atCursor = new Set(page.filter((m) => m.timestamp === oldest).map((m) => m.id));
      } else {
        offset += batch;
      }
    }
  }

  /** WPP: no server-side filters (they apply after its fetch); offsets newest first until the window's start. */
  private async indexUnfiltered(chat: string, fromSec: number, start: HistoryCursor, index: ScanIndex): Promise<void> {
    const { batch } = this.plan;
    for (let offset = 0; ; offset += batch) {
      const page = await this.waha.messages(chat, { limit: batch, offset, sortOrder: 'desc', downloadMedia: false }, this.signal);
      if (page.length === 0) return;
      // A message listed twice (messages arriving meanwhile push older ones down a page) is dropped by `sort`.
      page.forEach((m, i) => {
        if (this.wanted(start, m, fromSec)) index.add(m.timestamp, m.id, chat, offset + i);
      });
      if (page[page.length - 1].timestamp < fromSec && isDescending(page)) return;
    }
  }

  /** The messages of index positions [from, to), in index order (one that vanished meanwhile is left out). */
  private async fetchSlice(index: ScanIndex, from: number, to: number): Promise<WahaMessage[]> {
    const found = new Map<string, WahaMessage>();
    const byChat = new Map<string, number[]>();
    for (let i = from; i < to; i++) {
      const chat = index.chatAt(i);
      const positions = byChat.get(chat);
      if (positions) positions.push(i);
      else byChat.set(chat, [i]);
    }
    for (const [chat, positions] of byChat) {
      const entries = positions.map((i) => index.at(i));
      const wanted = new Set(entries.map((e) => e.key));
      const take = (page: readonly WahaMessage[]): void => {
        for (const m of page) {
          const key = ScanIndex.key(m.id, chat);
          if (wanted.delete(key)) found.set(`${chat} ${key}`, m);
        }
      };
      if (this.plan.filtersAfterFetch) await this.fetchByPosition(chat, entries, wanted, take);
      else await this.fetchByTime(chat, entries, wanted, take, index);
    }
    const messages: WahaMessage[] = [];
    for (let i = from; i < to; i++) {
      const entry = index.at(i);
      const message = found.get(`${entry.chat} ${entry.key}`);
      if (message) messages.push(message);
    }
    return messages;
  }

  private async fetchByTime(chat: string, entries: IndexSlice, wanted: Set<string>, take: (page: readonly WahaMessage[]) => void, index: ScanIndex): Promise<void> {
    const gteSec = Math.min(...entries.map((e) => e.ts));
    const lteSec = Math.max(...entries.map((e) => e.ts));
    // Everything of this chat between the two timestamps, slice or not, so one page holds them all (the index is
    // sorted by timestamp: that is one stretch of it).
    let span = 0;
    for (let i = index.firstAtOrAfter(gteSec); i < index.length && index.tsAt(i) <= lteSec; i++) if (index.chatAt(i) === chat) span++;
    // A little more than the span: NOWEB and GOWS drop hidden records after paging, so a page of `span` records
    // may show fewer; a short page is not the end, an empty one is.
    const limit = Math.max(span, entries.length) + Math.ceil(span / 10) + 1;
    for (let offset = 0, pages = 0; wanted.size > 0 && pages < 50; offset += limit, pages++) {
      const page = await this.waha.messages(chat, { limit, offset, sortOrder: 'desc', gteSec, lteSec, downloadMedia: false }, this.signal);
      take(page);
      if (page.length === 0) return;
    }
  }

  /** WPP: by listing position, widened when messages arrived meanwhile (they push older ones further down). */
  private async fetchByPosition(chat: string, entries: IndexSlice, wanted: Set<string>, take: (page: readonly WahaMessage[]) => void): Promise<void> {
    const first = Math.min(...entries.map((e) => e.seq));
    const last = Math.max(...entries.map((e) => e.seq));
    const limit = last - first + 1 + this.plan.batch;
    for (let offset = first, pages = 0; wanted.size > 0 && pages < 20; offset += limit - this.plan.batch, pages++) {
      const page = await this.waha.messages(chat, { limit, offset, sortOrder: 'desc', downloadMedia: false }, this.signal);
      take(page);
      if (page.length === 0) return;
    }
  }
}
