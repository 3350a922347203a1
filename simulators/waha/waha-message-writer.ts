/**
 * Adding messages to the WAHA simulator after start (received, or sent through the API): the chat (created when
 * unknown), kind and media, group participant, push name, quoted message, a fresh WhatsApp id, and the insertion
 * into the chat's and the account's timelines.
 */
import {
  ChatKind,
  ChatState,
  Kind,
  KindValue,
  MediaInfo,
  MsgCore,
  emptyChat,
  extFromMimetype,
  isMediaKind,
  MsgExtra,
} from './waha-history';
import { HistoryQueries } from './waha-history-queries';
import { hash } from './waha-random';
import { WahaIncomingMessage } from './waha-sim-types';
import { WahaState } from './waha-state';

const DYNAMIC_SEQ = 2 ** 31;

export function nowSec(): number {
  return Math.floor(Date.now() / 1000);
}

/** What a new message is made from; anything left out gets WAHA's (or the chat's) default. */
export interface NewMessage {
  fromMe: boolean;
  source: 'app' | 'api';
  body?: string | null;
  participant?: string;
  hasMedia?: boolean;
  type?: WahaIncomingMessage['type'];
  kind?: KindValue;
  media?: { mimetype?: string; filename?: string | null; data?: string | Buffer; url?: string; size?: number; unreported?: boolean };
  timestamp?: number;
  replyTo?: string;
  waId?: string;
  pushName?: string;
  ack?: number;
  extra?: MsgExtra;
}

function insertSorted(list: MsgCore[], msg: MsgCore): void {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const other = list[mid];
    if (other.timestamp < msg.timestamp || (other.timestamp === msg.timestamp && other.seq < msg.seq)) lo = mid + 1;
    else hi = mid;
  }
  list.splice(lo, 0, msg);
}

export class MessageWriter {
  constructor(
    private readonly state: WahaState,
    private readonly queries: HistoryQueries,
  ) {}

  private freshWaId(fromMe: boolean): string {
    for (;;) {
      const waId = fromMe ? `3EB0${this.state.dynamicRng.hex(18)}` : `3A${this.state.dynamicRng.hex(18)}`;
      if (!this.queries.lookupWaId(waId)) return waId;
    }
  }

  /** The chat under this id (or its lid ↔ phone alias), created when unknown. */
  chatFor(rawId: string): { chat: ChatState; chatId: string } {
    const data = this.state.data;
    const resolved = this.queries.resolveChat(rawId, true);
    if (resolved.chat) return { chat: resolved.chat, chatId: resolved.chatId };
    const id = resolved.chatId;
    const kind: ChatKind = id.endsWith('@g.us')
      ? 'group'
      : id.endsWith('@newsletter')
        ? 'channel'
        : id === 'status@broadcast'
          ? 'status'
          : id.endsWith('@broadcast')
            ? 'broadcast'
            : 'dm';
    const phone = id.endsWith('@c.us') ? id : data.lidToPn.get(id);
    const person = data.persons.find((p) => `${p.phone}@c.us` === phone || `${p.lid}@lid` === id);
    const chat: ChatState = {
      ...emptyChat(data.chats.length, id, kind, person ? (person.name ?? person.pushName) : null, nowSec()),
      person,
    };
    data.chats.push(chat);
    data.byId.set(id, chat);
    return { chat, chatId: id };
  }

  addMessage(rawChatId: string, init: NewMessage): MsgCore {
    const state = this.state;
    const { chat, chatId } = this.chatFor(rawChatId);
    const kindByType: Record<NonNullable<WahaIncomingMessage['type']>, KindValue> = {
      text: Kind.Text,
      image: Kind.Image,
      document: Kind.Document,
      voice: Kind.Voice,
      poll: Kind.Poll,
      location: Kind.Location,
      'live-location': Kind.Location,
      video: Kind.Video,
      audio: Kind.Audio,
      sticker: Kind.Sticker,
      contacts: Kind.Contact,
      event: Kind.Event,
      album: Kind.Album,
    };
    let kind: KindValue = init.kind ?? (init.type ? kindByType[init.type] : Kind.Text);
    if (kind === Kind.Text && (init.hasMedia || init.media)) {
      const mt = init.media?.mimetype ?? 'image/jpeg';
      kind = mt.startsWith('image/') ? Kind.Image : mt.startsWith('audio/') ? Kind.Voice : Kind.Document;
    }
    let media: MediaInfo | null = null;
    if (isMediaKind(kind)) {
      const fallbacks: Partial<Record<KindValue, string>> = {
        [Kind.Image]: 'image/jpeg',
        [Kind.Voice]: 'audio/ogg; codecs=opus',
        [Kind.Video]: 'video/mp4',
        [Kind.Sticker]: 'image/webp',
        [Kind.Audio]: 'audio/mpeg',
      };
      const fallback = fallbacks[kind] ?? 'application/pdf';
      const mimetype = init.media?.mimetype ?? fallback;
      const raw = init.media?.data;
      const data = raw === undefined ? undefined : Buffer.isBuffer(raw) ? raw : Buffer.from(raw, 'base64');
      const filename =
        init.media?.filename !== undefined ? init.media.filename : kind === Kind.Document ? 'document.pdf' : null;
      media = {
        mimetype,
        filename,
        ext: extFromMimetype(mimetype),
        size: data ? data.length : (init.media?.size ?? 2_000 + (hash(state.data.spec.seed, state.dynamicSeq, 17) % 18_000)),
        error: false,
        data,
        ...(init.media?.unreported ? { unreported: true } : {}),
      };
    }
    const groupLike = chat.kind === 'group' || chat.kind === 'status';
    let participant: string | null = null;
    if (groupLike) {
      participant = init.fromMe ? state.data.me.id : (init.participant ?? chat.members[0]?.jid ?? null);
    }
    let pushName: string | null = null;
    if (!init.fromMe) {
      const member = chat.members.find((m) => m.jid === participant);
      pushName = init.pushName ?? member?.person.pushName ?? chat.person?.pushName ?? null;
    }
    let replyTo: MsgCore['replyTo'] = null;
    if (init.replyTo) {
      const target = this.queries.lookup(init.replyTo);
      const bare = /^(true|false)_/.test(init.replyTo) ? (init.replyTo.split('_')[2] ?? init.replyTo) : init.replyTo;
      replyTo = target
        ? {
            waId: target.waId,
            participant: target.fromMe ? state.data.me.id : (target.participant ?? target.chatId),
            body: target.body,
          }
        : { waId: bare, participant: null, body: null };
    }
    let waId = init.waId ?? this.freshWaId(init.fromMe);
    if (this.queries.lookupWaId(waId)) waId = this.freshWaId(init.fromMe);
    const msg: MsgCore = {
      chat,
      chatId,
      waId,
      seq: DYNAMIC_SEQ + state.dynamicSeq++,
      timestamp: init.timestamp ?? nowSec(),
      fromMe: init.fromMe,
      participant,
      pushName,
      kind,
      body: init.body ?? null,
      media,
      replyTo,
      ack: init.ack ?? (init.fromMe ? (init.source === 'api' ? 1 : 2) : 2),
      source: init.source,
    };
    if (kind === Kind.Poll) msg.poll = { name: init.body ?? 'Poll', options: ['Yes', 'No'] };
    if (kind === Kind.Location) {
      msg.location = { latitude: 48.8584, longitude: 2.2945, name: init.body ?? null, address: null };
      msg.body = null;
    }
    if (kind === Kind.Poll) msg.body = null;
    const extra = { ...init.extra };
    if (init.type === 'live-location') extra.liveLocation = true;
    if (kind === Kind.Contact) {
      const cards = extra.cards ?? ['BEGIN:VCARD\nVERSION:3.0\nFN:Ana Lima\nTEL;type=CELL;waid=4915112345678:+49 151 12345678\nEND:VCARD'];
      extra.cards = cards;
      msg.vcard = { displayName: /\nFN:(.+)/.exec(cards[0])?.[1] ?? 'Contact', vcard: cards[0] };
      msg.body = null;
    }
    if (kind === Kind.Event) {
      extra.event = extra.event ?? { name: init.body ?? 'Event', startTime: msg.timestamp + 86_400 };
      msg.body = null;
    }
    if (kind === Kind.Album) {
      extra.album = extra.album ?? { images: 2, videos: 0 };
      msg.body = null;
    }
    if (Object.keys(extra).length > 0) msg.extra = extra;
    insertSorted(chat.dynamic, msg);
    insertSorted(state.allDynamic, msg);
    state.dynamicById.set(waId, msg);
    state.lastActivity = Date.now();
    return msg;
  }
}
