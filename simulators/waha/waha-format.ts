/**
 * Wire shapes: how WAHA serialises messages and chats for each engine (see waha-api.md §3, §4.3, §8).
 * NOWEB and GOWS report `from` = the chat; WEBJS reports the sender. `_data` is the raw engine record.
 */
import { ChatState, History, Kind, Me, MsgCore } from './waha-history';
import { isBrowserEngine } from './waha-profile';

/**
 * WPP (wppconnect in a browser, like WEBJS) exists from 2026.3.1: CL 2026.3.1 "WPP - Add WPP engine - fix #101".
 * Modelled from its engine (session.wpp.core.ts, a post-2026.2 version): /messages paging (waha-chat-handlers.ts),
 * get-by-id ignoring the chat, `all` refused, acks with `_data`, the envelope's engine, sends answered like WEBJS.
 * Approximated: its message, chat and `_data` fields are WEBJS's (both are WhatsApp Web models), its engine info
 * and browser path, and its Core refusals (sendImage/sendFile/sendVoice, like the other engines).
 */
export type WahaEngine = 'NOWEB' | 'WEBJS' | 'GOWS' | 'WPP';

export const ACK_NAMES: Record<string, string> = {
  '-1': 'ERROR',
  '0': 'PENDING',
  '1': 'SERVER',
  '2': 'DEVICE',
  '3': 'READ',
  '4': 'PLAYED',
};
export const ACK_VALUES: Record<string, number> = { ERROR: -1, PENDING: 0, SERVER: 1, DEVICE: 2, READ: 3, PLAYED: 4 };

export type Json = Record<string, unknown>;

/** A (truncated) base64 JPEG, standing for the thumbnail WhatsApp Web keeps in a location's body. */
const LOCATION_THUMBNAIL = '/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0aHBwgJC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/';

export interface FormatContext {
  engine: WahaEngine;
  me: Me;
  session: string;
  /** Base for media URLs (WAHA_BASE_URL). */
  baseUrl: string;
  downloadMedia: boolean;
  history: History;
  /** Called for every media file "downloaded" while formatting (starts its lifetime). */
  onDownload?: (msg: MsgCore) => void;
  /** Where a downloaded file is: default the local storage's /api/files URL; with S3 a presigned URL and its key. */
  mediaLocation?: (msg: MsgCore) => { url: string; s3?: { Bucket: string; Key: string } };
}

/** Public (`@c.us`) → protocol (`@s.whatsapp.net`) form; groups, lids, newsletters and broadcasts pass through. */
export function toProtocolJid(jid: string): string {
  return jid.endsWith('@c.us') ? `${jid.slice(0, -'@c.us'.length)}@s.whatsapp.net` : jid;
}

/** Any user JID form → public form: `:device` stripped, `@s.whatsapp.net` → `@c.us`, bare digits → `@c.us`. */
export function toPublicJid(jid: string): string {
  const trimmed = jid.trim();
  if (/^\+?\d+$/.test(trimmed)) return `${trimmed.replace('+', '')}@c.us`;
  const at = trimmed.indexOf('@');
  if (at < 0) return trimmed;
  const user = trimmed.slice(0, at).split(':')[0];
  const server = trimmed.slice(at + 1);
  if (server === 's.whatsapp.net') return `${user}@c.us`;
  if (server === 'lid' || server === 'c.us') return `${user}@${server}`;
  return trimmed;
}

export function serializedId(msg: MsgCore): string {
  const base = `${msg.fromMe}_${msg.chatId}_${msg.waId}`;
  return msg.participant && (msg.chat.kind === 'group' || msg.chat.kind === 'status')
    ? `${base}_${msg.participant}`
    : base;
}

export function mediaUrl(ctx: FormatContext, msg: MsgCore): string {
  return `${ctx.baseUrl}/api/files/${ctx.session}/${msg.waId}.${msg.media?.ext ?? 'bin'}`;
}

/**
 * The proto message of NOWEB and GOWS: the kind's content, its contextInfo carrying the forwarded mark and mentions
 * (GOWS spells the JID list `mentionedJID`, Go's initialism), and a view-once message wrapped in viewOnceMessageV2.
 */
function protoContent(msg: MsgCore, engine: WahaEngine): Json {
  const content = kindContent(msg);
  const extra = msg.extra;
  if (extra?.forwarded || extra?.mentions || extra?.statusReply) {
    const key = Object.keys(content)[0];
    const inner = content[key] as Json;
    const mentions = (extra.mentions ?? []).map(toProtocolJid);
    inner.contextInfo = {
      ...((inner.contextInfo) ?? {}),
      ...(extra.forwarded ? { isForwarded: true, forwardingScore: 1 } : {}),
      ...(mentions.length > 0 ? { [engine === 'GOWS' ? 'mentionedJID' : 'mentionedJid']: mentions } : {}),
      ...(extra.statusReply ? { [engine === 'GOWS' ? 'remoteJID' : 'remoteJid']: 'status@broadcast', quotedMessage: { conversation: 'my status' } } : {}),
    };
  }
  if (extra?.viewOnce) {
    const key = Object.keys(content)[0];
    (content[key] as Json).viewOnce = true;
    return { viewOnceMessageV2: { message: content } };
  }
  return content;
}

function kindContent(msg: MsgCore): Json {
  if (msg.extra?.other) return { [msg.extra.other.protoKey]: { title: msg.body ?? undefined } };
  const context = msg.replyTo
    ? {
        contextInfo: {
          stanzaId: msg.replyTo.waId,
          participant: msg.replyTo.participant ? toProtocolJid(msg.replyTo.participant) : undefined,
          quotedMessage: { conversation: msg.replyTo.body ?? '' },
        },
      }
    : {};
  const media = msg.media;
  switch (msg.kind) {
    case Kind.Text: {
      const preview = msg.extra?.preview;
      const linked = preview ? { matchedText: preview.url, canonicalUrl: preview.url, title: preview.title, description: preview.description } : {};
      return msg.replyTo || msg.extra?.forwarded || msg.extra?.mentions || msg.extra?.statusReply || preview
        ? { extendedTextMessage: { text: msg.body ?? '', ...linked, ...context } }
        : { conversation: msg.body ?? '' };
    }
    case Kind.Image:
      return {
        imageMessage: {
          mimetype: media?.mimetype,
          caption: msg.body ?? undefined,
          ...(media?.unreported ? {} : { fileLength: String(media?.size ?? 0) }),
          height: 960,
          width: 1280,
          ...context,
        },
      };
    case Kind.Document:
      return {
        documentMessage: {
          mimetype: media?.mimetype,
          fileName: media?.filename ?? undefined,
          title: media?.filename ?? undefined,
          caption: msg.body ?? undefined,
          ...(media?.unreported ? {} : { fileLength: String(media?.size ?? 0) }),
          ...context,
        },
      };
    case Kind.Video:
      return {
        videoMessage: {
          ...(msg.extra?.gif ? { gifPlayback: true } : {}),
          mimetype: media?.mimetype,
          caption: msg.body ?? undefined,
          ...(media?.unreported ? {} : { fileLength: String(media?.size ?? 0) }),
          ...context,
        },
      };
    case Kind.Voice:
      return {
        audioMessage: {
          mimetype: media?.mimetype,
          ptt: true,
          seconds: 3 + ((media?.size ?? 0) % 40),
          ...(media?.unreported ? {} : { fileLength: String(media?.size ?? 0) }),
          ...context,
        },
      };
    case Kind.Poll:
      return {
        pollCreationMessageV3: {
          name: msg.poll?.name,
          options: (msg.poll?.options ?? []).map((optionName) => ({ optionName })),
          selectableOptionsCount: 0,
        },
      };
    case Kind.Location:
      return {
        [msg.extra?.liveLocation ? 'liveLocationMessage' : 'locationMessage']: {
          degreesLatitude: msg.location?.latitude,
          degreesLongitude: msg.location?.longitude,
          name: msg.location?.name ?? undefined,
          address: msg.location?.address ?? undefined,
        },
      };
    case Kind.Contact: {
      const cards = msg.extra?.cards ?? (msg.vcard ? [msg.vcard.vcard] : []);
      if (cards.length > 1) {
        return { contactsArrayMessage: { displayName: `${cards.length} contacts`, contacts: cards.map((vcard) => ({ displayName: /\nFN:(.+)/.exec(vcard)?.[1], vcard })) } };
      }
      return { contactMessage: { displayName: msg.vcard?.displayName, vcard: msg.vcard?.vcard } };
    }
    case Kind.Sticker:
      return { stickerMessage: { mimetype: media?.mimetype, isAnimated: false, ...(media?.unreported ? {} : { fileLength: String(media?.size ?? 0) }), ...context } };
    case Kind.Audio:
      return { audioMessage: { mimetype: media?.mimetype, ptt: false, seconds: 30, ...(media?.unreported ? {} : { fileLength: String(media?.size ?? 0) }), ...context } };
    case Kind.Event: {
      const event = msg.extra?.event;
      return { eventMessage: { name: event?.name, description: event?.description, startTime: String(event?.startTime ?? 0), location: event?.place ? { name: event.place } : undefined, isCanceled: false } };
    }
    case Kind.Album:
      return { albumMessage: { expectedImageCount: msg.extra?.album?.images ?? 0, expectedVideoCount: msg.extra?.album?.videos ?? 0 } };
    case Kind.Reaction:
      return { reactionMessage: { text: msg.body ?? '' } };
    case Kind.Revoke:
      return { protocolMessage: { type: 0 } };
  }
}

function webjsType(msg: MsgCore): string {
  if (msg.revoked) return 'revoked';
  if (msg.extra?.other) return msg.extra.other.webjsType;
  switch (msg.kind) {
    case Kind.Text:
      return 'chat';
    case Kind.Image:
      return 'image';
    case Kind.Document:
      return 'document';
    case Kind.Voice:
      return 'ptt';
    case Kind.Video:
      return 'video';
    case Kind.Poll:
      return 'poll_creation';
    case Kind.Location:
      return 'location';
    case Kind.Contact:
      return (msg.extra?.cards?.length ?? 1) > 1 ? 'multi_vcard' : 'vcard';
    case Kind.Sticker:
      return 'sticker';
    case Kind.Audio:
      return 'audio';
    // Events and album headers are not modelled for WhatsApp Web (their Msg fields were not found in the sources):
    // they arrive as a type the bridge does not know.
    case Kind.Event:
      return 'event_creation';
    case Kind.Album:
      return 'album';
    case Kind.Reaction:
      return 'reaction';
    case Kind.Revoke:
      return 'revoked';
  }
}

function rawData(msg: MsgCore, ctx: FormatContext, id: string): Json {
  const isGroup = msg.chat.kind === 'group';
  switch (ctx.engine) {
    case 'NOWEB': {
      const remoteJidAlt = msg.chatId.endsWith('@lid') ? ctx.history.lidToPn.get(msg.chatId) : undefined;
      return {
        key: {
          remoteJid: toProtocolJid(msg.chatId),
          ...(remoteJidAlt ? { remoteJidAlt: toProtocolJid(remoteJidAlt) } : {}),
          fromMe: msg.fromMe,
          id: msg.waId,
          ...(msg.participant ? { participant: toProtocolJid(msg.participant) } : {}),
        },
        messageTimestamp: msg.timestamp,
        ...(msg.pushName ? { pushName: msg.pushName } : {}),
        status: msg.fromMe ? msg.ack + 1 : 3,
        message: protoContent(msg, ctx.engine),
      };
    }
    case 'GOWS':
      return {
        Info: {
          Chat: toProtocolJid(msg.chatId),
          Sender: toProtocolJid(msg.fromMe ? ctx.me.id : (msg.participant ?? msg.chatId)),
          IsFromMe: msg.fromMe,
          IsGroup: isGroup,
          ID: msg.waId,
          Timestamp: new Date(msg.timestamp * 1000).toISOString(),
          PushName: msg.pushName ?? '',
        },
        Message: protoContent(msg, ctx.engine),
        Status: msg.ack,
      };
    // WPP's messages are WhatsApp Web's Msg models too (wppconnect); the simulator gives them WEBJS's fields.
    case 'WPP':
    case 'WEBJS':
      return {
        id: { fromMe: msg.fromMe, remote: msg.chatId, id: msg.waId, _serialized: id },
        t: msg.timestamp,
        type: webjsType(msg),
        ...(msg.participant ? { author: msg.participant } : {}),
        ...(msg.pushName ? { notifyName: msg.pushName } : {}),
        ...(msg.body !== null ? { body: msg.body } : {}),
        ...(msg.media?.filename ? { filename: msg.media.filename } : {}),
        ...(msg.media ? { mimetype: msg.media.mimetype, ...(msg.media.unreported ? {} : { size: msg.media.size }) } : {}),
        ...(msg.poll
          ? { pollName: msg.poll.name, pollOptions: msg.poll.options.map((name, localId) => ({ name, localId })) }
          : {}),
        ...(msg.location ? { lat: msg.location.latitude, lng: msg.location.longitude, loc: msg.location.name, isLive: msg.extra?.liveLocation === true } : {}),
        ...(msg.extra?.forwarded ? { isForwarded: true, forwardingScore: 1 } : {}),
        ...(msg.extra?.mentions ? { mentionedJidList: msg.extra.mentions } : {}),
        ...(msg.extra?.viewOnce ? { isViewOnce: true } : {}),
        ...(msg.extra?.statusReply ? { quotedRemoteJid: 'status@broadcast' } : {}),
        ...(msg.extra?.cards && msg.extra.cards.length > 1 ? { vcardList: msg.extra.cards.map((vcard) => ({ vcard })) } : {}),
        ...(msg.extra?.preview ? { title: msg.extra.preview.title, description: msg.extra.preview.description, matchedText: msg.extra.preview.url, canonicalUrl: msg.extra.preview.url } : {}),
      };
  }
}

function mediaJson(msg: MsgCore, ctx: FormatContext): Json | null {
  if (!msg.media || !ctx.downloadMedia || msg.revoked) return null;
  const { mimetype, filename } = msg.media;
  if (msg.media.error) {
    return {
      url: null,
      mimetype,
      filename,
      error: {
        code: 404,
        message: 'Failed to download media',
        details: 'Error: download failed with status code 404 (media is no longer available on WhatsApp servers)',
      },
    };
  }
  ctx.onDownload?.(msg);
  const location = ctx.mediaLocation?.(msg) ?? { url: mediaUrl(ctx, msg) };
  return location.s3
    ? { url: location.url, mimetype, filename, s3: location.s3 }
    : { url: location.url, mimetype, filename };
}

/** One WAMessage as GET …/messages returns it. */
export function messageJson(msg: MsgCore, ctx: FormatContext): Json {
  const id = serializedId(msg);
  const media = mediaJson(msg, ctx);
  const groupLike = msg.chat.kind === 'group' || msg.chat.kind === 'status';
  const out: Json = { id, timestamp: msg.timestamp };
  switch (ctx.engine) {
    // WEBJS: from/to are sender/recipient, `participant` comes from the serialized id's suffix, so it is absent
    // outside groups (session.webjs.core.ts toWAMessage). WPP is given the same fields (approximated).
    case 'WPP':
    case 'WEBJS':
      out.from = msg.fromMe ? ctx.me.id : msg.chatId;
      out.fromMe = msg.fromMe;
      out.source = msg.source;
      out.to = msg.fromMe ? msg.chatId : ctx.me.id;
      if (msg.participant) out.participant = msg.participant;
      break;
    case 'NOWEB':
      out.from = msg.chatId;
      out.fromMe = msg.fromMe;
      out.source = msg.source;
      if (groupLike) out.to = msg.chatId;
      if (msg.participant) out.participant = msg.participant;
      break;
    case 'GOWS':
      out.from = msg.chatId;
      out.fromMe = msg.fromMe;
      out.source = msg.source;
      // GOWS: `to` is the sender in groups, null in direct chats (session.gows.core.ts getFromToParticipant).
      out.to = groupLike ? msg.participant : null;
      out.participant = msg.participant;
      break;
  }
  // whatsapp-web.js keeps `body` a string ('' without text); NOWEB answers `body || null`, GOWS the extracted text.
  out.body = msg.revoked ? (isBrowserEngine(ctx.engine) ? '' : null) : isBrowserEngine(ctx.engine) ? (msg.body ?? '') : msg.body;
  // WhatsApp Web keeps a location's thumbnail (base64 JPEG) in its body (session.webjs.core.ts extractLocation reads
  // it from there as `thumbnail`): a client showing the body shows that.
  if (isBrowserEngine(ctx.engine) && msg.kind === Kind.Location && !msg.revoked) out.body = LOCATION_THUMBNAIL;
  out.hasMedia = msg.media !== null && !msg.revoked;
  out.media = media;
  if (media && typeof media.url === 'string') out.mediaUrl = media.url;
  out.ack = ctx.engine === 'GOWS' && msg.ack < 0 ? null : msg.ack;
  out.ackName = out.ack === null ? 'UNKNOWN' : ACK_NAMES[String(msg.ack)];
  out.location = msg.location
    ? {
        latitude: msg.location.latitude,
        longitude: msg.location.longitude,
        live: msg.extra?.liveLocation === true,
        name: msg.location.name,
        address: msg.location.address,
        url: `https://maps.google.com/?q=${msg.location.latitude},${msg.location.longitude}`,
        description: msg.location.name,
        thumbnail: null,
      }
    : null;
  // NOWEB and GOWS: extractVCards gives null when the message holds no contact (src/core/engines/waproto/vcards.ts);
  // WEBJS passes whatsapp-web.js's array (session.webjs.core.ts toWAMessage), WPP likewise (approximated).
  out.vCards = msg.vcard ? (msg.extra?.cards ?? [msg.vcard.vcard]) : ctx.engine === 'NOWEB' || ctx.engine === 'GOWS' ? null : [];
  out.replyTo = msg.replyTo
    ? {
        id: msg.replyTo.waId,
        participant: msg.replyTo.participant,
        body: msg.replyTo.body,
        hasMedia: false,
        media: null,
        _data: { conversation: msg.replyTo.body ?? '' },
      }
    : null;
  out._data = rawData(msg, ctx, id);
  return out;
}

/**
 * The `message.ack` webhook payload, per engine (devlikeapro/waha "[core] 2026.2.1" sources):
 * - NOWEB: `{id, from, to, participant, fromMe, ack, ackName}` without `_data` (session.noweb.core.ts
 *   convertMessageUpdateToMessageAck);
 * - GOWS: the same plus the receipt as `_data`, whose IsFromMe is the other side's view (session.gows.core.ts
 *   receiptToMessageAck; the receipt's fields follow whatsmeow's events.Receipt, approximated);
 * - WEBJS: a whole WAMessage carrying the new ack (session.webjs.core.ts, the `message_ack` listener);
 * - WPP: `{id, from, to, participant, fromMe, ack, ackName, _data}` (session.wpp.core.ts subscribeEngineEvents2).
 */
export function ackJson(msg: MsgCore, ctx: FormatContext): Json {
  const json = messageJson(msg, { ...ctx, downloadMedia: false });
  if (ctx.engine === 'WEBJS') return json;
  // NOWEB leaves `to` and `participant` undefined outside groups (getFromToParticipant), so JSON omits them.
  const omitAbsent = ctx.engine === 'NOWEB';
  const ack: Json = { id: json.id, from: json.from };
  if (!omitAbsent || json.to !== undefined) ack.to = json.to ?? null;
  if (!omitAbsent || json.participant !== undefined) ack.participant = json.participant ?? null;
  Object.assign(ack, { fromMe: msg.fromMe, ack: json.ack, ackName: json.ackName });
  if (ctx.engine === 'WPP') ack._data = json._data;
  if (ctx.engine === 'GOWS') {
    // whatsmeow's events.Receipt as GOWS forwards it (fields as in WAHA's own fixture:
    // src/apps/chatwoot/consumers/waha/message.ack.utils.test.ts).
    const receiptTypes: Record<number, string> = { 3: 'read', 4: 'played' };
    ack._data = {
      Chat: toProtocolJid(msg.chatId),
      Sender: toProtocolJid(msg.chat.kind === 'group' ? (msg.participant ?? msg.chatId) : msg.chatId),
      IsFromMe: !msg.fromMe,
      IsGroup: msg.chat.kind === 'group',
      AddressingMode: '',
      SenderAlt: '',
      RecipientAlt: '',
      BroadcastListOwner: '',
      BroadcastRecipients: null,
      MessageIDs: [msg.waId],
      Type: receiptTypes[msg.ack] ?? '',
      MessageSender: '',
    };
  }
  return ack;
}

export function chatDisplayName(chat: ChatState, engine: WahaEngine): string | null {
  if (chat.kind !== 'dm' || !chat.person) return chat.name;
  if (isBrowserEngine(engine)) return chat.person.name ?? chat.person.pushName;
  // Baileys/whatsmeow chat rows only carry the address-book name.
  return chat.person.name;
}

/** One row of GET /api/{session}/chats for the engine. */
export function chatJson(chat: ChatState, ctx: FormatContext, lastTimestamp: number, lastMessage: Json | null): Json {
  const name = chatDisplayName(chat, ctx.engine);
  switch (ctx.engine) {
    case 'NOWEB':
      return { id: toProtocolJid(chat.id), name, conversationTimestamp: lastTimestamp };
    case 'GOWS':
      return { id: chat.id, name, conversationTimestamp: lastTimestamp };
    // WPP lists WhatsApp Web's chat models too (wpp.listChats()); the simulator gives them WEBJS's fields.
    case 'WPP':
    case 'WEBJS': {
      const at = chat.id.indexOf('@');
      return {
        id: { server: chat.id.slice(at + 1), user: chat.id.slice(0, at), _serialized: chat.id },
        name,
        isGroup: chat.kind === 'group',
        isReadOnly: chat.kind === 'channel' || chat.kind === 'system',
        unreadCount: 0,
        timestamp: lastTimestamp,
        archived: false,
        pinned: false,
        isMuted: false,
        muteExpiration: 0,
        lastMessage,
      };
    }
  }
}
