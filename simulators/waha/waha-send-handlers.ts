/**
 * WAHA simulator handlers for what the client sends: sendText / sendImage / sendFile / sendVoice / sendVideo
 * (logged, answered in the configured shape, followed by message.any and an ack), and sendSeen (logged).
 *
 * Core before 2026.6.1 sends no media: sendImage, sendFile and sendVoice throw AvailableInPlusVersion (422) in every
 * Core engine, and sendVideo, which no Core engine implements, NotImplementedByEngineError (501 from 2025.6.6, 422
 * before) (src/core/exceptions.ts; session.abc.ts sendVideo; the engines' Core classes). From 2026.6.1 Plus is in
 * Core (CL 2026.6.1 "WAHA Plus features are now part of the WAHA Core image").
 */
import { SimRequest, SimResponse } from '../common/sim-server';
import { Json, ackJson, messageJson, serializedId, toProtocolJid, toPublicJid } from './waha-format';
import { Kind, KindValue, MsgCore } from './waha-history';
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
    const profile = this.state.profile;
    if (method !== 'sendText' && !profile.mediaSendingAllowed) {
      return method === 'sendVideo' ? profile.notImplemented() : profile.availableInPlus();
    }
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
    const kinds: Record<WahaSentRecord['method'], { kind: KindValue; mimetype: string }> = {
      sendText: { kind: Kind.Text, mimetype: 'text/plain' },
      sendImage: { kind: Kind.Image, mimetype: 'image/jpeg' },
      sendFile: { kind: Kind.Document, mimetype: 'application/octet-stream' },
      // The defaults of VoiceRemoteFile / VideoRemoteFile (src/structures/files.dto.ts).
      sendVoice: { kind: Kind.Voice, mimetype: 'audio/ogg; codecs=opus' },
      sendVideo: { kind: Kind.Video, mimetype: 'video/mp4' },
    };
    const fallbackMime = kinds[method].mimetype;
    const msg = this.writer.addMessage(rawChatId, {
      fromMe: true,
      source: 'api',
      body: method === 'sendText' ? text : method === 'sendVoice' ? null : (caption ?? null),
      kind: kinds[method].kind,
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
      ...(Array.isArray(body.mentions) ? { mentions: body.mentions.map(String) } : {}),
      ...(typeof body.linkPreview === 'boolean' ? { linkPreview: body.linkPreview } : {}),
      ...(typeof body.linkPreviewHighQuality === 'boolean' ? { linkPreviewHighQuality: body.linkPreviewHighQuality } : {}),
      ...(typeof body.convert === 'boolean' ? { convert: body.convert } : {}),
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
      // WPP answers a converted message like WEBJS's (session.wpp.core.ts sendText); the same shape here.
      case 'WPP':
      case 'WEBJS':
        return {
          id: { fromMe: true, remote: msg.chatId, id: msg.waId, _serialized: `true_${msg.chatId}_${msg.waId}` },
          timestamp: msg.timestamp,
          from: this.state.data.me.id,
          to: msg.chatId,
          ack: 0,
          body: msg.body ?? '',
          hasMedia: msg.media !== null,
          type: (json._data as { type?: string }).type ?? 'chat',
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
