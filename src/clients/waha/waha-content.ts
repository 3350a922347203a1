/**
 * What a WhatsApp message is, read from the engine's raw record (`_data`), since WAHA lifts only the body, media,
 * location and vCards to the top level. Pure; the one place that knows each engine's raw shape. Sources,
 * devlikeapro/waha (and the whatsapp-web.js fork it pins):
 * - WEBJS (and WPP, a WhatsApp Web model too): `_data` is WhatsApp Web's serialized Msg (src/util/Injected/Utils.js
 *   getMessageModel): `type` (chat, image, video, audio, ptt, document, sticker, location, vcard, multi_vcard,
 *   poll_creation, revoked, …; whatsapp-web.js src/util/Constants.js MessageTypes), `isForwarded`,
 *   `mentionedJidList`, `isViewOnce`, `isLive` (location), `pollName`, `pollOptions[{name}]`,
 *   `pollSelectableOptionsCount` (0: any number), `quotedRemoteJid` ('status@broadcast' for a status reply), and a
 *   link preview's `title`, `description` and `canonicalUrl`/`matchedText`.
 * - NOWEB: `_data.message` is Baileys' proto message (WAProto): one key per kind (conversation,
 *   extendedTextMessage, imageMessage, videoMessage, audioMessage with `ptt`, documentMessage, stickerMessage,
 *   locationMessage, liveLocationMessage, contactMessage, contactsArrayMessage, pollCreationMessage[V2|V3],
 *   eventMessage, albumMessage, …), wrapped for view-once and disappearing messages (viewOnceMessage[V2|V2Extension],
 *   ephemeralMessage, documentWithCaptionMessage: `{message: …}`). `contextInfo` carries isForwarded, mentionedJid,
 *   remoteJid (status@broadcast for a status reply).
 * - GOWS: `_data.Message` is whatsmeow's proto as Go's JSON writes it: the same keys, with initialisms upper-cased
 *   (mentionedJID, remoteJID), enums as numbers and 64-bit integers possibly as strings.
 */
import type { WahaMessage } from './waha.types';

export type MediaKind = 'image' | 'video' | 'gif' | 'audio' | 'voice' | 'document' | 'sticker';

export interface ContactCard {
  name: string;
  phones: string[];
}

export type MessageKind =
  | { kind: 'text' }
  | { kind: 'media'; media: MediaKind }
  | { kind: 'location'; live: boolean }
  | { kind: 'contacts'; cards: ContactCard[] }
  | { kind: 'poll'; question: string; options: string[]; multiple: boolean }
  | { kind: 'event'; name: string; description?: string; start?: number; end?: number; place?: string; canceled: boolean }
  | { kind: 'album'; images: number; videos: number }
  | { kind: 'view-once' }
  | { kind: 'unknown'; type: string };

export interface MessageContent {
  kind: MessageKind;
  forwarded: boolean;
  /** JIDs mentioned in the text (groups). */
  mentions: string[];
  /** It answers a status (story) of ours. */
  statusReply: boolean;
  /** A link preview WhatsApp attached to the text. */
  preview?: { title?: string; description?: string; url?: string };
}

type Json = Record<string, unknown>;

function record(value: unknown): Json | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}

function num(value: unknown): number | undefined {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() ? Number(value) : NaN;
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string' && v !== '') : [];
}

/** Names and phone numbers in vCards (FN, or N; every TEL, with WhatsApp's `waid` when given). */
export function parseVCards(vcards: readonly string[]): ContactCard[] {
  return vcards.map((card) => {
    const unfolded = card.replace(/\r?\n[ \t]/g, '');
    const name = /^FN(?:;[^:]*)?:(.+)$/im.exec(unfolded)?.[1]?.trim() || /^N(?:;[^:]*)?:(.+)$/im.exec(unfolded)?.[1]?.split(';').filter(Boolean).reverse().join(' ').trim() || '';
    const phones: string[] = [];
    for (const match of unfolded.matchAll(/^(?:item\d+\.)?TEL([^:\n]*):(.+)$/gim)) {
      const waid = /waid=(\d+)/i.exec(match[1])?.[1];
      const phone = waid ? `+${waid}` : match[2].trim();
      if (phone && !phones.includes(phone)) phones.push(phone);
    }
    return { name, phones };
  });
}

const WRAPPERS = ['viewOnceMessage', 'viewOnceMessageV2', 'viewOnceMessageV2Extension', 'ephemeralMessage', 'documentWithCaptionMessage', 'editedMessage'];
const VIEW_ONCE = new Set(['viewOnceMessage', 'viewOnceMessageV2', 'viewOnceMessageV2Extension']);
/** Keys of a proto message that are not its content. */
const NOT_CONTENT = new Set(['messageContextInfo', 'senderKeyDistributionMessage']);

/** The proto message of NOWEB (`_data.message`) or GOWS (`_data.Message`), unwrapped; whether it was view-once. */
function protoOf(message: WahaMessage): { proto?: Json; viewOnce: boolean } {
  const data = record(message._data);
  let proto = record(data?.message) ?? record(data?.Message);
  let viewOnce = false;
  for (let depth = 0; proto && depth < 4; depth++) {
    const wrapper = WRAPPERS.find((key) => record(record(proto?.[key])?.message));
    if (!wrapper) break;
    if (VIEW_ONCE.has(wrapper)) viewOnce = true;
    proto = record(record(proto[wrapper])?.message);
  }
  return { proto, viewOnce };
}

function contextOf(proto: Json): Json | undefined {
  for (const value of Object.values(proto)) {
    const context = record(record(value)?.contextInfo);
    if (context) return context;
  }
  return undefined;
}

function protoKind(proto: Json, message: WahaMessage): MessageKind {
  const key = Object.keys(proto).find((k) => !NOT_CONTENT.has(k) && proto[k] !== null && proto[k] !== undefined) ?? '';
  const content = record(proto[key]) ?? {};
  switch (key) {
    case 'conversation':
    case 'extendedTextMessage':
      return { kind: 'text' };
    case 'imageMessage':
      return content.viewOnce === true ? { kind: 'view-once' } : { kind: 'media', media: 'image' };
    case 'videoMessage':
      return content.viewOnce === true ? { kind: 'view-once' } : { kind: 'media', media: content.gifPlayback === true ? 'gif' : 'video' };
    case 'ptvMessage':
      return { kind: 'media', media: 'video' };
    case 'audioMessage':
      return content.viewOnce === true ? { kind: 'view-once' } : { kind: 'media', media: content.ptt === true ? 'voice' : 'audio' };
    case 'documentMessage':
      return { kind: 'media', media: 'document' };
    case 'stickerMessage':
      return { kind: 'media', media: 'sticker' };
    case 'locationMessage':
      return { kind: 'location', live: false };
    case 'liveLocationMessage':
      return { kind: 'location', live: true };
    case 'contactMessage':
    case 'contactsArrayMessage':
      return { kind: 'contacts', cards: parseVCards(message.vCards ?? cardsOf(key, content)) };
    case 'pollCreationMessage':
    case 'pollCreationMessageV2':
    case 'pollCreationMessageV3':
    case 'pollCreationMessageV5': {
      const options = (Array.isArray(content.options) ? content.options : []).map((o) => str(record(o)?.optionName) ?? '').filter(Boolean);
      return { kind: 'poll', question: str(content.name) ?? '', options, multiple: (num(content.selectableOptionsCount) ?? 0) !== 1 };
    }
    case 'eventMessage': {
      const place = record(content.location);
      return {
        kind: 'event',
        name: str(content.name) ?? '',
        description: str(content.description),
        start: num(content.startTime),
        end: num(content.endTime),
        place: str(place?.name) ?? str(place?.address),
        canceled: content.isCanceled === true,
      };
    }
    case 'albumMessage':
      return { kind: 'album', images: num(content.expectedImageCount) ?? 0, videos: num(content.expectedVideoCount) ?? 0 };
    default:
      return { kind: 'unknown', type: key || 'unknown' };
  }
}

function cardsOf(key: string, content: Json): string[] {
  if (key === 'contactMessage') return strings([content.vcard]);
  const contacts = Array.isArray(content.contacts) ? content.contacts : [];
  return strings(contacts.map((c) => record(c)?.vcard));
}

const WEBJS_MEDIA: Record<string, MediaKind> = { image: 'image', video: 'video', audio: 'audio', ptt: 'voice', document: 'document', sticker: 'sticker' };

function webjsKind(data: Json, message: WahaMessage): MessageKind {
  const type = str(data.type) ?? 'unknown';
  if (data.isViewOnce === true) return { kind: 'view-once' };
  if (type === 'chat') return { kind: 'text' };
  if (WEBJS_MEDIA[type]) return { kind: 'media', media: WEBJS_MEDIA[type] };
  if (type === 'location') return { kind: 'location', live: data.isLive === true };
  if (type === 'vcard' || type === 'multi_vcard') return { kind: 'contacts', cards: parseVCards(message.vCards ?? []) };
  if (type === 'poll_creation') {
    const options = (Array.isArray(data.pollOptions) ? data.pollOptions : []).map((o) => str(record(o)?.name) ?? '').filter(Boolean);
    return { kind: 'poll', question: str(data.pollName) ?? '', options, multiple: (num(data.pollSelectableOptionsCount) ?? 0) !== 1 };
  }
  return { kind: 'unknown', type };
}

/** What the message is, and what comes with it (forwarded, mentions, a status reply, a link preview). */
export function contentOf(message: WahaMessage): MessageContent {
  const data = record(message._data) ?? {};
  const { proto, viewOnce } = protoOf(message);
  if (proto) {
    const context = contextOf(proto) ?? {};
    const extended = record(proto.extendedTextMessage);
    const title = str(extended?.title);
    const url = str(extended?.canonicalUrl) ?? str(extended?.matchedText);
    return {
      kind: viewOnce ? { kind: 'view-once' } : protoKind(proto, message),
      forwarded: context.isForwarded === true || (num(context.forwardingScore) ?? 0) > 0,
      mentions: strings(context.mentionedJid ?? context.mentionedJID),
      statusReply: (str(context.remoteJid) ?? str(context.remoteJID)) === 'status@broadcast',
      ...(title || url ? { preview: { title, description: str(extended?.description), url } } : {}),
    };
  }
  if (typeof data.type === 'string') {
    const title = data.type === 'chat' ? str(data.title) : undefined;
    const url = data.type === 'chat' ? (str(data.canonicalUrl) ?? str(data.matchedText)) : undefined;
    return {
      kind: webjsKind(data, message),
      forwarded: data.isForwarded === true,
      mentions: strings(data.mentionedJidList),
      statusReply: data.quotedRemoteJid === 'status@broadcast',
      ...(title && url ? { preview: { title, description: str(data.description), url } } : {}),
    };
  }
  // No raw record (a minimal payload): what the top-level fields say.
  const kind: MessageKind = message.location ? { kind: 'location', live: Boolean((message.location as { live?: boolean }).live) } : message.vCards?.length ? { kind: 'contacts', cards: parseVCards(message.vCards) } : message.hasMedia ? { kind: 'media', media: 'document' } : { kind: 'text' };
  return { kind, forwarded: false, mentions: [], statusReply: false };
}
