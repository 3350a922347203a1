/**
 * WAHA simulator handlers for chats and their messages: the chat list and overview, paged message history with
 * the dotted filter.* params, one message by id, and the media files downloads left behind.
 */
import { SimRequest, SimResponse } from '../common/sim-server';
import { ACK_VALUES, chatDisplayName, chatJson, messageJson } from './waha-format';
import { ChatState } from './waha-history';
import { HistoryQueries } from './waha-history-queries';
import { FILE_NOT_FOUND, badRequest, notFound, parseBool, parseNumber } from './waha-http-util';
import { mediaBytes } from './waha-media';
import { SessionGate } from './waha-session-gate';
import { WahaState } from './waha-state';

export class ChatHandlers {
  constructor(
    private readonly state: WahaState,
    private readonly queries: HistoryQueries,
    private readonly gate: SessionGate,
  ) {}

  async listChats(req: SimRequest): Promise<SimResponse> {
    const guard = await this.gate.guardSession(req.params.session);
    if (guard) return guard;
    const sortBy = req.query.get('sortBy');
    const allowed = ['conversationTimestamp', 'id', 'name'];
    if (sortBy !== null && !allowed.includes(sortBy)) {
      return badRequest([`sortBy must be one of the following values: ${allowed.join(', ')}`]);
    }
    const limit = parseNumber(req.query.get('limit'));
    const offset = parseNumber(req.query.get('offset'));
    if (limit === 'invalid') return badRequest(['limit must be a number conforming to the specified constraints']);
    if (offset === 'invalid') return badRequest(['offset must be a number conforming to the specified constraints']);
    const engine = this.state.opts.engine;
    const field = sortBy ?? (engine === 'GOWS' ? 'id' : 'conversationTimestamp');
    const orderParam = req.query.get('sortOrder');
    const desc = orderParam !== null ? orderParam.toLowerCase() === 'desc' : field === 'conversationTimestamp';
    const ctx = this.queries.formatContext(false);
    const rows = this.state.data.chats
      .map((chat) => ({ chat, last: this.queries.lastTimestamp(chat) }))
      .filter((row): row is { chat: ChatState; last: number } => row.last !== null);
    const key = (row: { chat: ChatState; last: number }): string | number =>
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
      const lastMessage = engine === 'WEBJS' ? this.queries.lastVisible(chat) : undefined;
      return chatJson(chat, ctx, last, lastMessage ? messageJson(lastMessage, ctx) : null);
    });
    return { status: 200, body };
  }

  async overview(session: string, limit: number, offset: number, ids: string[]): Promise<SimResponse> {
    const guard = await this.gate.guardSession(session);
    if (guard) return guard;
    const queries = this.queries;
    const ctx = queries.formatContext(false);
    let chats = this.state.data.chats.filter((chat) => queries.lastTimestamp(chat) !== null);
    if (this.state.opts.engine === 'NOWEB') {
      chats = chats.filter((chat) => !chat.id.endsWith('@broadcast') && !chat.id.endsWith('@newsletter'));
    }
    if (ids.length > 0) {
      const wanted = new Set(ids.map((id) => queries.resolveChat(id, true).chat).filter((c) => c !== undefined));
      chats = chats.filter((chat) => wanted.has(chat));
    }
    chats.sort((a, b) => (queries.lastTimestamp(b) ?? 0) - (queries.lastTimestamp(a) ?? 0) || a.index - b.index);
    const body = chats.slice(offset, offset + limit).map((chat) => {
      const last = queries.lastVisible(chat);
      const lastJson = last ? messageJson(last, ctx) : null;
      return {
        id: chat.id,
        name: chat.name,
        picture: null,
        lastMessage: lastJson,
        _chat: chatJson(chat, ctx, queries.lastTimestamp(chat) ?? 0, lastJson),
      };
    });
    return { status: 200, body };
  }

  async listMessages(req: SimRequest, session: string, rawChatId: string): Promise<SimResponse> {
    const guard = await this.gate.guardSession(session);
    if (guard) return guard;
    const q = req.query;
    const errors: string[] = [];
    const limit = parseNumber(q.get('limit'));
    const offset = parseNumber(q.get('offset'));
    const gte = parseNumber(q.get('filter.timestamp.gte'));
    const lte = parseNumber(q.get('filter.timestamp.lte'));
    const downloadMedia = parseBool(q.get('downloadMedia'));
    const merge = parseBool(q.get('merge'));
    const fromMe = parseBool(q.get('filter.fromMe'));
    const sortBy = q.get('sortBy');
    const ackName = q.get('filter.ack');
    if (limit === 'invalid') errors.push('limit must be a number conforming to the specified constraints');
    if (offset === 'invalid') errors.push('offset must be a number conforming to the specified constraints');
    if (gte === 'invalid') errors.push('filter.timestamp.gte must be a number conforming to the specified constraints');
    if (lte === 'invalid') errors.push('filter.timestamp.lte must be a number conforming to the specified constraints');
    if (downloadMedia === 'invalid') errors.push('downloadMedia must be a boolean value');
    if (merge === 'invalid') errors.push('merge must be a boolean value');
    if (fromMe === 'invalid') errors.push('filter.fromMe must be a boolean value');
    if (sortBy !== null && sortBy !== 'timestamp' && sortBy !== 'messageTimestamp') {
      errors.push('sortBy must be one of the following values: timestamp, messageTimestamp');
    }
    const ackNames = Object.keys(ACK_VALUES);
    if (ackName !== null && !ackNames.includes(ackName)) {
      errors.push(`filter.ack must be one of the following values: ${ackNames.join(', ')}`);
    }
    if (errors.length > 0) return badRequest(errors);

    const engine = this.state.opts.engine;
    const chatId = rawChatId;
    let target: ChatState | 'all' | undefined;
    if (chatId === 'all') {
      if (engine === 'WEBJS') {
        return {
          status: 422,
          body: {
            message: "The method is not implemented by the engine. Can not get messages from 'all' in WEBJS",
            error: 'Unprocessable Entity',
            statusCode: 422,
          },
        };
      }
      target = 'all';
    } else {
      target = this.queries.resolveChat(chatId, merge !== false).chat;
    }
    if (!target) return { status: 200, body: [] };
    const page = this.queries.page(target, {
      gte: gte as number | undefined,
      lte: lte as number | undefined,
      fromMe: fromMe as boolean | undefined,
      ack: ackName !== null ? ACK_VALUES[ackName] : undefined,
      offset: Math.max(0, Math.floor((offset as number | undefined) ?? 0)),
      limit: Math.max(0, Math.floor((limit as number | undefined) ?? 10)),
      desc: engine === 'WEBJS' ? true : q.get('sortOrder') !== 'asc',
      hidden: engine === 'WEBJS' ? 'before' : 'after',
    });
    const ctx = this.queries.formatContext(downloadMedia !== false);
    return { status: 200, body: page.map((msg) => messageJson(msg, ctx)) };
  }

  async messageById(req: SimRequest): Promise<SimResponse> {
    const guard = await this.gate.guardSession(req.params.session);
    if (guard) return guard;
    const downloadMedia = parseBool(req.query.get('downloadMedia'));
    const merge = parseBool(req.query.get('merge'));
    if (downloadMedia === 'invalid') return badRequest(['downloadMedia must be a boolean value']);
    const messageId = req.params.messageId;
    const full = /^(true|false)_/.test(messageId);
    if (!full && this.state.opts.engine === 'WEBJS') return notFound('Message not found');
    const msg = this.queries.lookup(messageId);
    if (!msg) return notFound('Message not found');
    if (req.params.chatId !== 'all') {
      const chat = this.queries.resolveChat(req.params.chatId, merge !== false).chat;
      if (chat !== msg.chat) return notFound('Message not found');
    }
    return { status: 200, body: messageJson(msg, this.queries.formatContext(downloadMedia !== false)) };
  }

  /** A media file: only after its message was downloaded with media, and until `mediaTtlMs` passed. */
  file(req: SimRequest): SimResponse {
    const state = this.state;
    if (req.params.session !== state.opts.session) return FILE_NOT_FOUND;
    const name = req.params.file;
    const dot = name.lastIndexOf('.');
    if (dot <= 0) return FILE_NOT_FOUND;
    const waId = name.slice(0, dot);
    const ext = name.slice(dot + 1);
    const msg = this.queries.lookupWaId(waId);
    if (!msg?.media || msg.media.error || msg.media.ext !== ext) return FILE_NOT_FOUND;
    const downloadedAt = state.downloads.get(waId);
    if (downloadedAt === undefined) return FILE_NOT_FOUND;
    const ttl = state.opts.mediaTtlMs;
    if (ttl && Date.now() - downloadedAt >= ttl) {
      state.downloads.delete(waId);
      return FILE_NOT_FOUND;
    }
    const bytes = msg.media.data ?? mediaBytes(msg.media.mimetype, msg.media.size, state.data.spec.seed, waId);
    return {
      status: 200,
      raw: bytes,
      headers: { 'content-type': msg.media.mimetype.split(';')[0], 'content-length': String(bytes.length) },
    };
  }
}
