/**
 * WAHA simulator handlers for what the client sends: sendText / sendImage / sendFile (logged, answered in the
 * configured shape, followed by message.any and an ack), and sendSeen (logged).
 */
import { SimRequest, SimResponse } from '../common/sim-server';
import { Json, ackJson, messageJson, serializedId, toProtocolJid, toPublicJid } from './waha-format';
import { Kind, MsgCore } from './waha-history';
import { HistoryQueries } from './waha-history-queries';
import { badRequest, isRecord, str } from './waha-http-util';
import { MessageWriter } from './waha-message-writer';
import { SessionGate } from './waha-session-gate';
import { WahaSentRecord } from './waha-sim-types';
import { WahaState } from './waha-state';
import { WahaEvents } from './waha-events';

export class SendHandlers {
  constructor(
    private readonly state: WahaState,
    private readonly queries: HistoryQueries,
    private readonly writer: MessageWriter,
    private readonly events: WahaEvents,
    private readonly gate: SessionGate,
  ) {}

  async sendMessage(req: SimRequest, method: WahaSentRecord['method']): Promise<SimResponse> {
    if (!isRecord(req.json)) return badRequest(['chatId must be a string']);
    const body = req.json;
    const session = str(body.session) ?? 'default';
    const guard = await this.gate.guardSession(session);
    if (guard) return guard;
    const rawChatId = str(body.chatId);
    const errors: string[] = [];
    if (!rawChatId) errors.push('chatId must be a string');
    const text = str(body.text);
    const caption = str(body.caption);
    const replyTo = str(body.reply_to);
    let file: { mimetype?: string; url?: string; data?: string; filename?: string | null } | undefined;
    if (method === 'sendText') {
      if (text === undefined) errors.push('text must be a string');
    } else if (!isRecord(body.file) || (str(body.file.url) === undefined && str(body.file.data) === undefined)) {
      errors.push('file must contain url or data');
    } else {
      file = {
        mimetype: str(body.file.mimetype),
        url: str(body.file.url),
        data: str(body.file.data),
        filename: str(body.file.filename) ?? null,
      };
    }
    if (errors.length > 0 || !rawChatId) return badRequest(errors);
    const fallbackMime = method === 'sendImage' ? 'image/jpeg' : 'application/octet-stream';
    const msg = this.writer.addMessage(rawChatId, {
      fromMe: true,
      source: 'api',
      body: method === 'sendText' ? text : (caption ?? null),
      kind: method === 'sendText' ? Kind.Text : method === 'sendImage' ? Kind.Image : Kind.Document,
      media: file ? { ...file, mimetype: file.mimetype ?? fallbackMime } : undefined,
      replyTo,
    });
    const id = serializedId(msg);
    this.state.sentLog.push({
      method,
      session,
      chatId: msg.chatId,
      id,
      waId: msg.waId,
      ...(method === 'sendText' ? { text } : caption !== undefined ? { caption } : {}),
      ...(msg.media && file
        ? { file: { mimetype: msg.media.mimetype, filename: msg.media.filename, url: file.url, size: msg.media.size } }
        : {}),
      ...(replyTo !== undefined ? { reply_to: replyTo } : {}),
      at: Date.now(),
    });
    const response = this.sendResponse(msg);
    const events = this.events;
    // Real WAHA emits message.any for API sends around the time it answers, then acks arrive.
    void events.emitter.track(
      events.emitMessageEvents(msg).then(async () => {
        msg.ack = 2;
        if (events.emitter.wants('message.ack'))
          await events.emit('message.ack', ackJson(msg, this.queries.formatContext(false)));
      }),
    );
    return { status: 201, body: response };
  }

  private sendResponse(msg: MsgCore): Json {
    const ctx = this.queries.formatContext(false);
    if (this.state.opts.sendResponse === 'message') return messageJson(msg, ctx);
    const json = messageJson(msg, ctx);
    switch (this.state.opts.engine) {
      case 'NOWEB': {
        const data = json._data as { message?: unknown };
        return {
          key: { remoteJid: toProtocolJid(msg.chatId), fromMe: true, id: msg.waId },
          message: data.message,
          messageTimestamp: String(msg.timestamp),
          status: 'PENDING',
        };
      }
      case 'GOWS':
        return { id: json.id, _data: json._data };
      case 'WEBJS':
        return {
          id: { fromMe: true, remote: msg.chatId, id: msg.waId, _serialized: `true_${msg.chatId}_${msg.waId}` },
          timestamp: msg.timestamp,
          from: this.state.data.me.id,
          to: msg.chatId,
          ack: 0,
          body: msg.body ?? '',
          hasMedia: msg.media !== null,
          type: msg.kind === Kind.Text ? 'chat' : msg.kind === Kind.Image ? 'image' : 'document',
        };
    }
  }

  async sendSeen(req: SimRequest): Promise<SimResponse> {
    const body = isRecord(req.json) ? req.json : {};
    const session = str(body.session) ?? 'default';
    const guard = await this.gate.guardSession(session);
    if (guard) return guard;
    const chatId = str(body.chatId);
    if (!chatId) return badRequest(['chatId must be a string']);
    const single = str(body.messageId);
    const ids = Array.isArray(body.messageIds)
      ? body.messageIds.filter((v): v is string => typeof v === 'string')
      : single !== undefined
        ? [single]
        : undefined;
    this.state.seenLog.push({
      session,
      chatId: toPublicJid(chatId),
      ...(ids ? { messageIds: ids } : {}),
      ...(str(body.participant) ? { participant: str(body.participant) } : {}),
      at: Date.now(),
    });
    return { status: 201 };
  }
}
