/**
 * WAHA simulator handlers for chats and their messages: the chat list and overview, paged message history with
 * the dotted filter.* params, one message by id, and the media files downloads left behind.
 *
 * How GET …/messages orders and pages depends on the engine and the release; sources are devlikeapro/waha files at
 * "[core] 2026.2.1" unless said otherwise:
 * - WEBJS: always newest first, whatever sortOrder says; filters apply before the window, nothing is dropped after
 *   (src/core/engines/webjs/WebjsClientCore.ts getMessages sorts by `t` descending, then slices).
 * - NOWEB: the SQL store orders by messageTimestamp in sortOrder's direction, default desc, then drops records it
 *   cannot show AFTER the page, so pages can be short (NowebPersistentStore.getMessagesByJid, SqlMessagesMethods,
 *   session.noweb.core.ts getChatMessages). Knex reads the direction case-insensitively and anything but asc/desc
 *   as asc (knex/lib/formatter/wrappingFormatter.js `direction`). Before 2025.10.5 it always sorted desc.
 * - GOWS: ascending only for exactly 'asc', else descending (session.gows.core.ts getChatMessages); drops after the
 *   page like NOWEB. Before 2025.10.5 no order was sent; newest first (inferred).
 * - WPP (from 2026.3.1; its code read at a post-2026.2 version, commit 0caae8e4): fetches the newest offset+limit
 *   messages, then filters, then sorts and slices in memory
 *   (session.wpp.core.ts getChatMessages; src/utils/Paginator.ts PaginatorInMemory uses lodash.orderBy, where only
 *   exactly 'desc' is descending), so `asc` pages the newest window and filtered pages can be short or empty.
 * Before 2025.10.5 sortBy and sortOrder were unknown, and unknown query params are stripped (ValidationPipe
 * whitelist), so they are ignored then. Before 2025.4.2 the default limit was 100 and filter.ack did not exist.
 */
import { Readable } from 'node:stream';
import { SimRequest, SimResponse } from '../common/sim-server';
import { ACK_VALUES, FormatContext, chatDisplayName, chatJson, messageJson } from './waha-format';
import { ChatState, MsgCore } from './waha-history';
import { HistoryQueries, PageQuery } from './waha-history-queries';
import { FILE_NOT_FOUND, badRequest, notFound, parseBool, parseNumber } from './waha-http-util';
import { isBrowserEngine } from './waha-profile';
import { SessionGate } from './waha-session-gate';
import { WahaState } from './waha-state';

type Row = { chat: ChatState; last: number };

export class ChatHandlers {
  constructor(
    private readonly state: WahaState,
    private readonly queries: HistoryQueries,
    private readonly gate: SessionGate,
  ) {}

  /**
   * Whether to merge a person's @lid and @c.us chats in /chats and /overview: NOWEB and GOWS from 2026.3.1 unless
   * merge=false (CL 2026.3.1 "NOWEB|GOWS - merge flag to disable merging @lid and @c.us messages and chats").
   */
  private merging(merge: boolean | undefined): boolean {
    const { engine } = this.state.opts;
    return (engine === 'NOWEB' || engine === 'GOWS') && merge !== false && this.state.profile.since('mergedLidChats');
  }

  /** Chats with their last activity; with `merge`, a lid chat is folded into its person's phone chat. */
  private rows(merge: boolean): Row[] {
    const queries = this.queries;
    const byChat = new Map<ChatState, number>();
    for (const chat of this.state.data.chats) {
      const last = queries.lastTimestamp(chat);
      if (last === null) continue;
      const target = (merge ? queries.mergeTarget(chat) : undefined) ?? chat;
      byChat.set(target, Math.max(byChat.get(target) ?? -Infinity, last));
    }
    return [...byChat].map(([chat, last]) => ({ chat, last }));
  }

  /** The newest displayable message of a chat and, merged, of its person's lid chat too. */
  private lastVisible(chat: ChatState, merge: boolean): MsgCore | undefined {
    const candidates = [chat, ...(merge ? this.lidChatsOf(chat) : [])]
      .map((c) => this.queries.lastVisible(c))
      .filter((m): m is MsgCore => m !== undefined);
    return candidates.sort((a, b) => b.timestamp - a.timestamp)[0];
  }

  private lidChatsOf(chat: ChatState): ChatState[] {
    const lid = this.state.data.pnToLid.get(chat.id);
    const lidChat = lid === undefined ? undefined : this.state.data.byId.get(lid);
    return lidChat && this.queries.mergeTarget(lidChat) === chat ? [lidChat] : [];
  }

  async listChats(req: SimRequest): Promise<SimResponse> {
    const guard = await this.gate.guardStore(req.params.session);
    if (guard) return guard;
    const sortBy = req.query.get('sortBy');
    const allowed = ['conversationTimestamp', 'id', 'name'];
    if (sortBy !== null && !allowed.includes(sortBy)) {
      return badRequest([`sortBy must be one of the following values: ${allowed.join(', ')}`]);
    }
    const limit = parseNumber(req.query.get('limit'));
    const offset = parseNumber(req.query.get('offset'));
    const merge = parseBool(req.query.get('merge'));
    if (limit === 'invalid') return badRequest(['limit must be a number conforming to the specified constraints']);
    if (offset === 'invalid') return badRequest(['offset must be a number conforming to the specified constraints']);
    if (merge === 'invalid') return badRequest(['merge must be a boolean value']);
    const engine = this.state.opts.engine;
    const field = sortBy ?? (engine === 'GOWS' ? 'id' : 'conversationTimestamp');
    const orderParam = req.query.get('sortOrder');
    const desc = orderParam !== null ? orderParam.toLowerCase() === 'desc' : field === 'conversationTimestamp';
    const ctx = this.queries.formatContext(false);
    // NOWEB still lists a person's @lid and @c.us chats apart (its merge covers /messages and /overview); GOWS
    // lists them as one chat under the phone id (CL 2026.3.1 "GOWS - merge @lid and @c.us in /messages, /overview,
    // /chats").
    const merged = engine === 'GOWS' && this.merging(merge);
    const rows = this.rows(merged);
    const key = (row: Row): string | number =>
      field === 'conversationTimestamp'
        ? row.last
        : field === 'id'
          ? row.chat.id
          : (chatDisplayName(row.chat, engine) ?? '');
    rows.sort((a, b) => {
      const ka = key(a);
      const kb = key(b);
      const cmp = typeof ka === 'number' && typeof kb === 'number' ? ka - kb : String(ka).localeCompare(String(kb));
      return (desc ? -cmp : cmp) || a.chat.index - b.chat.index;
    });
    const start = offset ?? 0;
    const selected = rows.slice(start, limit === undefined ? undefined : start + limit);
    const body = selected.map(({ chat, last }) => {
      const lastMessage = isBrowserEngine(engine) ? this.lastVisible(chat, merged) : undefined;
      return chatJson(chat, ctx, last, lastMessage ? messageJson(lastMessage, ctx) : null);
    });
    return { status: 200, body };
  }

  async overview(session: string, limit: number, offset: number, ids: string[], merge?: boolean): Promise<SimResponse> {
    const guard = await this.gate.guardStore(session);
    if (guard) return guard;
    const queries = this.queries;
    const ctx = queries.formatContext(false);
    // NOWEB and GOWS show a person's @lid and @c.us chats as one from 2026.3.1 (CL 2026.3.1 "NOWEB - merge @lid and
    // @c.us messages in /overview and /messages", "GOWS - merge @lid and @c.us in /messages, /overview, /chats").
    const merged = this.merging(merge);
    let rows = this.rows(merged);
    if (this.state.opts.engine === 'NOWEB') {
      rows = rows.filter(({ chat }) => !chat.id.endsWith('@broadcast') && !chat.id.endsWith('@newsletter'));
    }
    if (ids.length > 0) {
      const wanted = new Set(
        ids
          .flatMap((id) => queries.chatsFor(id, true))
          .map((chat) => (merged ? queries.mergeTarget(chat) : undefined) ?? chat),
      );
      rows = rows.filter(({ chat }) => wanted.has(chat));
    }
    rows.sort((a, b) => b.last - a.last || a.chat.index - b.chat.index);
    const body = rows.slice(offset, offset + limit).map(({ chat, last }) => {
      const lastMessage = this.lastVisible(chat, merged);
      const lastJson = lastMessage ? messageJson(lastMessage, ctx) : null;
      return {
        id: chat.id,
        name: chat.name,
        picture: null,
        lastMessage: lastJson,
        _chat: chatJson(chat, ctx, last, lastJson),
      };
    });
    return { status: 200, body };
  }

  async listMessages(req: SimRequest, session: string, rawChatId: string): Promise<SimResponse> {
    const guard = await this.gate.guardStore(session);
    if (guard) return guard;
    const profile = this.state.profile;
    const q = req.query;
    const errors: string[] = [];
    const limit = parseNumber(q.get('limit'));
    const offset = parseNumber(q.get('offset'));
    const gte = parseNumber(q.get('filter.timestamp.gte'));
    const lte = parseNumber(q.get('filter.timestamp.lte'));
    const downloadMedia = parseBool(q.get('downloadMedia'));
    const merge = profile.since('mergedLidChats') ? parseBool(q.get('merge')) : undefined;
    const fromMe = parseBool(q.get('filter.fromMe'));
    const sorting = profile.since('sortOrder');
    const sortBy = sorting ? q.get('sortBy') : null;
    const sortOrder = sorting ? q.get('sortOrder') : null;
    const ackName = profile.since('ackFilterAndLimit10') ? q.get('filter.ack') : null;
    if (limit === 'invalid') errors.push('limit must be a number conforming to the specified constraints');
    if (offset === 'invalid') errors.push('offset must be a number conforming to the specified constraints');
    if (gte === 'invalid') errors.push('filter.timestamp.gte must be a number conforming to the specified constraints');
    if (lte === 'invalid') errors.push('filter.timestamp.lte must be a number conforming to the specified constraints');
    if (downloadMedia === 'invalid') errors.push('downloadMedia must be a boolean value');
    if (merge === 'invalid') errors.push('merge must be a boolean value');
    if (fromMe === 'invalid') errors.push('filter.fromMe must be a boolean value');
    const sortFields = profile.since('sortByMessageTimestamp') ? ['timestamp', 'messageTimestamp'] : ['timestamp'];
    if (sortBy !== null && !sortFields.includes(sortBy)) {
      errors.push(`sortBy must be one of the following values: ${sortFields.join(', ')}`);
    }
    const ackNames = Object.keys(ACK_VALUES);
    if (ackName !== null && !ackNames.includes(ackName)) {
      errors.push(`filter.ack must be one of the following values: ${ackNames.join(', ')}`);
    }
    if (errors.length > 0) return badRequest(errors);

    const engine = this.state.opts.engine;
    let target: ChatState[] | 'all';
    if (rawChatId === 'all') {
      // NotImplementedByEngineError (WebjsClientCore / session.wpp.core.ts): 501 from 2025.6.6, 422 before.
      if (isBrowserEngine(engine)) return profile.notImplemented(`Can not get messages from 'all' in ${engine}`);
      target = 'all';
    } else {
      target = this.queries.chatsFor(rawChatId, merge !== false);
      if (target.length === 0) return { status: 200, body: [] };
    }
    const query: PageQuery = {
      gte: gte as number | undefined,
      lte: lte as number | undefined,
      fromMe: fromMe as boolean | undefined,
      ack: ackName !== null ? ACK_VALUES[ackName] : undefined,
      offset: Math.max(0, Math.floor((offset as number | undefined) ?? 0)),
      limit: Math.max(
        0,
        Math.floor((limit as number | undefined) ?? (profile.since('ackFilterAndLimit10') ? 10 : 100)),
      ),
      desc: true,
      hidden: 'after',
    };
    const ctx = this.queries.formatContext(downloadMedia !== false);
    switch (engine) {
      case 'WEBJS':
        return this.answer({ ...query, desc: true, stableTies: true, hidden: 'before' }, target, ctx);
      case 'WPP':
        return { status: 200, body: this.wppPage(target, query, sortOrder ?? 'desc').map((m) => messageJson(m, ctx)) };
      case 'NOWEB':
        return this.answer({ ...query, desc: (sortOrder ?? 'desc').toLowerCase() === 'desc' }, target, ctx);
      case 'GOWS':
        return this.answer({ ...query, desc: sortOrder !== 'asc' }, target, ctx);
    }
  }

  private answer(query: PageQuery, target: ChatState[] | 'all', ctx: FormatContext): SimResponse {
    return { status: 200, body: this.queries.page(target, query).map((msg) => messageJson(msg, ctx)) };
  }

  /** WPP: the newest offset+limit messages, then filters, then lodash.orderBy and the slice. */
  private wppPage(target: ChatState[] | 'all', query: PageQuery, sortOrder: string): MsgCore[] {
    const window = this.queries.page(target, {
      offset: 0,
      limit: query.offset + query.limit,
      desc: true,
      hidden: 'before',
    });
    const kept = window.filter(
      (m) =>
        (query.gte === undefined || m.timestamp >= query.gte) &&
        (query.lte === undefined || m.timestamp <= query.lte) &&
        (query.fromMe === undefined || m.fromMe === query.fromMe) &&
        (query.ack === undefined || m.ack === query.ack),
    );
    const desc = sortOrder === 'desc';
    const sorted = kept
      .map((m, i) => ({ m, i }))
      .sort((a, b) => (desc ? b.m.timestamp - a.m.timestamp : a.m.timestamp - b.m.timestamp) || a.i - b.i)
      .map(({ m }) => m);
    return sorted.slice(query.offset, query.offset + query.limit);
  }

  async messageById(req: SimRequest): Promise<SimResponse> {
    const guard = await this.gate.guardStore(req.params.session);
    if (guard) return guard;
    const downloadMedia = parseBool(req.query.get('downloadMedia'));
    const merge = this.state.profile.since('mergedLidChats') ? parseBool(req.query.get('merge')) : undefined;
    if (downloadMedia === 'invalid') return badRequest(['downloadMedia must be a boolean value']);
    const engine = this.state.opts.engine;
    const messageId = req.params.messageId;
    const full = /^(true|false)_/.test(messageId);
    if (!full && isBrowserEngine(engine)) return notFound('Message not found');
    const msg = this.queries.lookup(messageId);
    if (!msg) return notFound('Message not found');
    // WPP looks the id up alone (wpp.getMessageById, session.wpp.core.ts); the others within the chat(s).
    if (req.params.chatId !== 'all' && engine !== 'WPP') {
      const chats = this.queries.chatsFor(req.params.chatId, merge !== false);
      if (!chats.includes(msg.chat)) return notFound('Message not found');
    }
    return { status: 200, body: messageJson(msg, this.queries.formatContext(downloadMedia !== false)) };
  }

  /** A media file: only after its message was downloaded with media, and until `mediaTtlMs` passed. */
  file(req: SimRequest): SimResponse {
    if (req.params.session !== this.state.opts.session) return FILE_NOT_FOUND;
    const name = req.params.filename;
    const dot = name.lastIndexOf('.');
    if (dot <= 0) return FILE_NOT_FOUND;
    const streamed = this.queries.streamedFile(name.slice(0, dot), name.slice(dot + 1));
    if (streamed) {
      const headers: Record<string, string> = { 'content-type': streamed.mimetype.split(';')[0] };
      if (!streamed.chunked) headers['content-length'] = String(streamed.size);
      return { status: 200, headers, stream: () => zeros(streamed.size) };
    }
    const file = this.queries.mediaFile(name.slice(0, dot), name.slice(dot + 1), true);
    if (!file) return FILE_NOT_FOUND;
    return {
      status: 200,
      raw: file.bytes,
      headers: { 'content-type': file.mimetype.split(';')[0], 'content-length': String(file.bytes.length) },
    };
  }
}

/** `size` bytes of zeros, produced 64 KB at a time as the client reads (backpressure holds the rest). */
function zeros(size: number): Readable {
  const chunk = Buffer.alloc(64 * 1024);
  let left = size;
  return new Readable({
    read() {
      if (left <= 0) return void this.push(null);
      const n = Math.min(left, chunk.length);
      left -= n;
      this.push(n === chunk.length ? chunk : chunk.subarray(0, n));
    },
  });
}
