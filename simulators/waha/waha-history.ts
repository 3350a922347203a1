/**
 * The seeded WhatsApp account behind the WAHA simulator: people, chats and a compact message store.
 *
 * Generated messages are stored as a few typed arrays per chat (timestamp, kind, flags, sender): about 7 bytes a
 * message, so a bench history of 100k+ messages costs around a megabyte. Bodies, ids and media details are
 * rebuilt on demand from (seed, chat, index). Messages added later (sent through the API or injected by a test)
 * are kept as full objects in `dynamic` lists.
 */
import { Rng, WaIdCodec, hash } from './waha-random';

export interface WahaHistorySpec {
  /** Same seed (and `now`) → byte-identical history. Default 42. */
  seed?: number;
  /** Milliseconds; history is generated relative to this. Default: Date.now() when the simulator starts. */
  now?: number;
  /** Spread messages over the last N days. Default 21. */
  days?: number;
  /** Direct chats, a mix of @c.us and @lid (most @lid chats resolvable to a phone through /lids). Default 6. */
  dmChats?: number;
  /** Groups with 3–5 participants each. Default 2. */
  groups?: number;
  /** @newsletter channels. Default 1. */
  channels?: number;
  /** status@broadcast with a few posts from the last 24 hours. Default true. */
  includeStatus?: boolean;
  /** `<digits>@broadcast` lists (own messages only). Default 1. */
  broadcastLists?: number;
  /** Average messages per chat (status excepted). Default 20. */
  messagesPerChat?: number;
  /** Share of messages with media (jpeg images, pdf documents, ogg voice notes). Default 0.15. */
  mediaRatio?: number;
  /** Messages guaranteed within the last 24 hours in every direct chat. Default 3. */
  recentMessagesPerChat?: number;
  /** Share of stored records WAHA drops after paging (reactions, revokes): they make pages short. Default 0.04. */
  hiddenRatio?: number;
  /** Share of media older than a week whose download fails (`media.url` null, `media.error`). Default 0.05. */
  mediaErrorRatio?: number;
  /** Add the system "null" chat `0@c.us` with two messages. Default true. */
  includeNullChat?: boolean;
  /**
   * Persons with two direct chats, one under their phone (`@c.us`) and one under their lid (`@lid`), both with
   * messages, and a known lid ↔ phone mapping: the split WAHA merges from 2026.3.1 (NOWEB, GOWS). Default 0; they
   * come after every other chat, from their own random stream, so histories without them are unchanged.
   */
  splitPersons?: number;
}

export type ResolvedHistorySpec = Required<WahaHistorySpec>;

export function resolveHistorySpec(spec: WahaHistorySpec = {}, fallbackNow = Date.now()): ResolvedHistorySpec {
  return {
    seed: spec.seed ?? 42,
    now: spec.now ?? fallbackNow,
    days: spec.days ?? 21,
    dmChats: spec.dmChats ?? 6,
    groups: spec.groups ?? 2,
    channels: spec.channels ?? 1,
    includeStatus: spec.includeStatus ?? true,
    broadcastLists: spec.broadcastLists ?? 1,
    messagesPerChat: spec.messagesPerChat ?? 20,
    mediaRatio: spec.mediaRatio ?? 0.15,
    recentMessagesPerChat: spec.recentMessagesPerChat ?? 3,
    hiddenRatio: spec.hiddenRatio ?? 0.04,
    mediaErrorRatio: spec.mediaErrorRatio ?? 0.05,
    includeNullChat: spec.includeNullChat ?? true,
    splitPersons: spec.splitPersons ?? 0,
  };
}

export const Kind = {
  Text: 0,
  Image: 1,
  Document: 2,
  Voice: 3,
  Poll: 4,
  Location: 5,
  Contact: 6,
  /** Stored but never displayed: WAHA drops these after applying limit/offset. */
  Reaction: 7,
  Revoke: 8,
  /** Only sent through the API (sendVideo); the generated history has none. */
  Video: 9,
  /** Received live only (`receive` with a type): stickers, audio files, events and album headers. */
  Sticker: 10,
  Audio: 11,
  Event: 12,
  Album: 13,
} as const;
export type KindValue = (typeof Kind)[keyof typeof Kind];

export function isHiddenKind(kind: number): boolean {
  return kind === Kind.Reaction || kind === Kind.Revoke;
}

export function isMediaKind(kind: number): boolean {
  return kind === Kind.Image || kind === Kind.Document || kind === Kind.Voice || kind === Kind.Video || kind === Kind.Sticker || kind === Kind.Audio;
}

export const Flag = { FromMe: 1, Reply: 2, LargeMedia: 4, MediaError: 8 } as const;

export interface Person {
  phone: string;
  lid: string;
  /** Whether WAHA knows the lid ↔ phone mapping (GET /lids answers pn). */
  lidKnown: boolean;
  /** The name saved in the address book; null when the contact is not saved. */
  name: string | null;
  pushName: string;
}

export interface Me {
  id: string;
  pushName: string;
  lid: string;
  jid: string;
  phone: string;
}

export type ChatKind = 'dm' | 'group' | 'channel' | 'status' | 'broadcast' | 'system';

export interface Member {
  /** The sender JID as WAHA reports it (`…@c.us` or `…@lid`). */
  jid: string;
  person: Person;
}

export interface MediaInfo {
  mimetype: string;
  filename: string | null;
  ext: string;
  size: number;
  /** Download fails (the file is gone from WhatsApp's servers). */
  error: boolean;
  /** Bytes of an uploaded file (sent through the API with base64 data). */
  data?: Buffer;
  /** The engine reports no size in `_data`, and the file is sent without Content-Length. */
  unreported?: boolean;
}

export interface MsgCore {
  chat: ChatState;
  /** The chat id used in the serialized id and `from` (the stored chat's id unless sent to an alias). */
  chatId: string;
  waId: string;
  /** Generation index for seeded messages; 2^31 + n for messages added later. */
  seq: number;
  timestamp: number;
  fromMe: boolean;
  /** Sender in groups and status (own id for own group messages); null in direct chats. */
  participant: string | null;
  pushName: string | null;
  kind: KindValue;
  body: string | null;
  media: MediaInfo | null;
  replyTo: { waId: string; participant: string | null; body: string | null } | null;
  ack: number;
  source: 'app' | 'api';
  location?: { latitude: number; longitude: number; name: string | null; address: string | null };
  poll?: { name: string; options: string[] };
  vcard?: { displayName: string; vcard: string };
  /** Deleted for everyone: listed as a stub without its text or media (simulators/waha/waha-updates.ts). */
  revoked?: boolean;
  /** What only messages received live carry (waha-message-writer.ts). */
  extra?: MsgExtra;
}

/** Marks and contents of a message received live: see WahaIncomingMessage. */
export interface MsgExtra {
  forwarded?: boolean;
  /** Mentioned members (public JIDs). */
  mentions?: string[];
  viewOnce?: boolean;
  liveLocation?: boolean;
  /** vCards of a shared contact (one) or several. */
  cards?: string[];
  event?: { name: string; description?: string; startTime: number; place?: string };
  album?: { images: number; videos: number };
  /** A link preview on a text. */
  preview?: { url: string; title: string; description?: string };
  /** It answers one of the account's status posts. */
  statusReply?: boolean;
  /** A video that plays as a GIF (NOWEB and GOWS: videoMessage.gifPlayback). */
  gif?: boolean;
  /** A kind the simulator does not model otherwise: its proto key (NOWEB, GOWS) and WhatsApp Web type (WEBJS, WPP). */
  other?: { protoKey: string; webjsType: string };
}

export interface ChatState {
  index: number;
  id: string;
  kind: ChatKind;
  name: string | null;
  /** Direct chats: the other person. */
  person?: Person;
  /** Senders in groups and status; the group's participants. */
  members: Member[];
  createdAt: number;
  count: number;
  ts: Uint32Array;
  kinds: Uint8Array;
  flags: Uint8Array;
  sender: Uint8Array;
  visible: number;
  /** Messages added after start, sorted by (timestamp, seq). */
  dynamic: MsgCore[];
}

/** A chat with no messages yet (seeded chats and chats a send creates). */
export function emptyChat(
  index: number,
  id: string,
  kind: ChatKind,
  name: string | null,
  createdAt: number,
): ChatState {
  return {
    index,
    id,
    kind,
    name,
    members: [],
    createdAt,
    count: 0,
    ts: new Uint32Array(0),
    kinds: new Uint8Array(0),
    flags: new Uint8Array(0),
    sender: new Uint8Array(0),
    visible: 0,
    dynamic: [],
  };
}

const FIRST = [
  'Alice',
  'Bruno',
  'Chen',
  'Dara',
  'Elif',
  'Farid',
  'Greta',
  'Hugo',
  'Ines',
  'Jonas',
  'Kemal',
  'Lea',
  'Mateo',
  'Nadia',
  'Omar',
  'Priya',
  'Quentin',
  'Rosa',
  'Sven',
  'Tamar',
  'Umar',
  'Vera',
  'Wei',
  'Ximena',
  'Yusuf',
  'Zoe',
];
const LAST = [
  'Almeida',
  'Becker',
  'Costa',
  'Dubois',
  'Eriksen',
  'Fischer',
  'García',
  'Hansen',
  'Ivanova',
  'Jansen',
  'Kowalski',
  'Lopez',
  'Moreau',
  'Novak',
  'Okafor',
  'Petrov',
  'Rossi',
  'Silva',
  'Tanaka',
  'Weber',
];
const PUSH_SUFFIX = ['', '', ' 🌻', ' ✈️', ' (work)', ''];
const PREFIXES = ['1202555', '1415555', '447700900', '4915123', '5511987', '3460012', '7916123', '6281234'];
const GROUP_NAMES = [
  'Family 🏡',
  'Project Atlas',
  'Sunday Football ⚽',
  'Book Club',
  'Suppliers 2025',
  'Night Shift',
  'Neighbours',
  'Trip to Lisbon',
];
const CHANNEL_NAMES = ['Tech News Daily', 'City Transit Alerts', 'Recipes of the Week'];
const BROADCAST_NAMES = ['VIP customers', 'Price updates', 'Volunteers'];

const GREETINGS = ['Hi!', 'Hello 👋', 'Good morning', 'Hey there', 'Olá!', 'Hallo', 'Привет', 'Hola 😊'];
const SENTENCES = [
  'Can you send me the invoice for last month?',
  'The delivery arrived this morning, thanks.',
  'Are we still on for Thursday at 10?',
  'I will call you back in five minutes.',
  'Please check the attached document.',
  'Where can I find the tracking number?',
  'Thanks a lot, that solved it!',
  'The order #%n is still pending.',
  'Could you confirm the address: Rua das Flores %n?',
  'Let me know when you are free.',
  'Sorry for the late reply 🙏',
  'Price is *%n EUR* including shipping.',
  'Meeting moved to _tomorrow_.',
  '~Cancelled~ rescheduled for next week.',
  'See https://example.com/orders/%n for details.',
  'Use the code ```PROMO%n``` at checkout.',
  'Ok 👍',
  'Yes',
  'No, not yet.',
  'Can we talk later?',
  'Das Paket ist angekommen.',
  'Muito obrigado pela ajuda!',
  '¿Tienes un momento para hablar?',
  'Спасибо, всё получил.',
];
const CAPTIONS = ['Here you go', 'Photo of the damage', 'Receipt', 'Look at this 😍', 'Screenshot', 'Contract, signed'];
const DOC_NAMES = ['invoice', 'contract', 'report', 'price-list', 'manual', 'statement'];
const POLLS = [
  { name: 'Dinner on Friday?', options: ['Pizza', 'Sushi', 'Tacos'] },
  { name: 'Next meeting day', options: ['Monday', 'Wednesday'] },
];
const PLACES = [
  { latitude: 38.7223, longitude: -9.1393, name: 'Praça do Comércio', address: 'Lisbon, Portugal' },
  { latitude: 52.52, longitude: 13.405, name: null, address: null },
];
const SYSTEM_TEXTS = ['Your security code changed.', 'Messages are end-to-end encrypted.'];

export interface History {
  spec: ResolvedHistorySpec;
  nowSec: number;
  me: Me;
  persons: Person[];
  chats: ChatState[];
  byId: Map<string, ChatState>;
  /** lid (`…@lid`) → phone chat id (`…@c.us`), only for known mappings. */
  lidToPn: Map<string, string>;
  pnToLid: Map<string, string>;
  codec: WaIdCodec;
  /** Persons contact cards are drawn from: those before the split persons, so these leave other chats unchanged. */
  cardPersons: number;
}

function uniquePhone(rng: Rng, used: Set<string>): string {
  for (;;) {
    const prefix = rng.pick(PREFIXES);
    const phone = prefix + rng.digits(12 - prefix.length);
    if (!used.has(phone)) {
      used.add(phone);
      return phone;
    }
  }
}

function makePerson(rng: Rng, used: Set<string>): Person {
  const first = rng.pick(FIRST);
  const last = rng.pick(LAST);
  const saved = rng.chance(0.75);
  return {
    phone: uniquePhone(rng, used),
    lid: `${rng.int(1, 9)}${rng.digits(13)}`,
    lidKnown: true,
    name: saved ? `${first} ${last}` : null,
    pushName: `${first}${rng.chance(0.5) ? ` ${last[0]}.` : ''}${rng.pick(PUSH_SUFFIX)}`,
  };
}

/** Generate the whole account. Cost is linear in the number of messages; nothing per message but typed arrays. */
export function buildHistory(spec: ResolvedHistorySpec): History {
  const rng = new Rng(hash(spec.seed, 0x5eed));
  const nowSec = Math.floor(spec.now / 1000);
  const used = new Set<string>();
  const mePhone = uniquePhone(rng, used);
  const me: Me = {
    id: `${mePhone}@c.us`,
    pushName: 'Acme Support',
    lid: `${rng.int(1, 9)}${rng.digits(13)}@lid`,
    jid: `${mePhone}:12@s.whatsapp.net`,
    phone: mePhone,
  };
  const persons: Person[] = [];
  const chats: ChatState[] = [];
  const codecSeed = hash(spec.seed, 0xc0dec);
  const newPerson = (): Person => {
    const person = makePerson(rng, used);
    persons.push(person);
    return person;
  };
  const addChat = (id: string, kind: ChatKind, name: string | null, extra: Partial<ChatState> = {}): ChatState => {
    const chat: ChatState = {
      ...emptyChat(chats.length, id, kind, name, nowSec - spec.days * 86400 - rng.int(86400, 400 * 86400)),
      ...extra,
    };
    chats.push(chat);
    return chat;
  };

  // Direct chats: every second one is an @lid chat; the last @lid chat has no known phone when there are several.
  const lidDms: ChatState[] = [];
  for (let i = 0; i < spec.dmChats; i++) {
    const person = newPerson();
    const isLid = i % 2 === 1;
    const chat = addChat(isLid ? `${person.lid}@lid` : `${person.phone}@c.us`, 'dm', person.name ?? person.pushName, {
      person,
    });
    if (isLid) lidDms.push(chat);
  }
  if (lidDms.length >= 2) lidDms[lidDms.length - 1].person!.lidKnown = false;

  const dmPersons = persons.slice();
  for (let g = 0; g < spec.groups; g++) {
    const chat = addChat(`120363${rng.digits(12)}@g.us`, 'group', GROUP_NAMES[g % GROUP_NAMES.length]);
    const size = rng.int(3, 5);
    const chosen = new Set<Person>();
    while (chosen.size < size) {
      chosen.add(dmPersons.length > 0 && rng.chance(0.5) ? rng.pick(dmPersons) : newPerson());
    }
    let lidShown = false;
    for (const person of chosen) {
      // Groups with hidden phone numbers report some senders as @lid.
      const asLid = !lidShown && rng.chance(0.5);
      if (asLid) {
        lidShown = true;
        if (!dmPersons.includes(person)) person.lidKnown = rng.chance(0.5);
      }
      chat.members.push({ jid: asLid ? `${person.lid}@lid` : `${person.phone}@c.us`, person });
    }
  }
  for (let c = 0; c < spec.channels; c++) {
    addChat(`120363${rng.digits(12)}@newsletter`, 'channel', CHANNEL_NAMES[c % CHANNEL_NAMES.length]);
  }
  if (spec.includeStatus) {
    const chat = addChat('status@broadcast', 'status', null);
    const posters = persons.slice(0, Math.min(3, persons.length));
    if (posters.length === 0) posters.push(newPerson());
    chat.members = posters.map((person) => ({ jid: `${person.phone}@c.us`, person }));
  }
  for (let b = 0; b < spec.broadcastLists; b++) {
    addChat(`${nowSec - rng.int(30, 300) * 86400}@broadcast`, 'broadcast', BROADCAST_NAMES[b % BROADCAST_NAMES.length]);
  }
  if (spec.includeNullChat) addChat('0@c.us', 'system', null);

  for (const chat of chats) fillMessages(chat, spec, nowSec, rng);

  // Split persons: one @c.us and one @lid chat each, from a random stream of their own.
  const cardPersons = persons.length;
  const splitRng = new Rng(hash(spec.seed, 0x5b117));
  for (let p = 0; p < spec.splitPersons; p++) {
    const person = makePerson(splitRng, used);
    persons.push(person);
    for (const id of [`${person.phone}@c.us`, `${person.lid}@lid`]) {
      const createdAt = nowSec - spec.days * 86400 - splitRng.int(86400, 400 * 86400);
      const chat: ChatState = {
        ...emptyChat(chats.length, id, 'dm', person.name ?? person.pushName, createdAt),
        person,
      };
      chats.push(chat);
      fillMessages(chat, spec, nowSec, splitRng);
    }
  }

  const byId = new Map<string, ChatState>();
  for (const chat of chats) byId.set(chat.id, chat);
  const lidToPn = new Map<string, string>();
  const pnToLid = new Map<string, string>();
  for (const person of persons) {
    if (!person.lidKnown) continue;
    lidToPn.set(`${person.lid}@lid`, `${person.phone}@c.us`);
    pnToLid.set(`${person.phone}@c.us`, `${person.lid}@lid`);
  }
  lidToPn.set(me.lid, me.id);
  pnToLid.set(me.id, me.lid);
  return { spec, nowSec, me, persons, chats, byId, lidToPn, pnToLid, codec: new WaIdCodec(codecSeed), cardPersons };
}

function messageCount(chat: ChatState, spec: ResolvedHistorySpec, rng: Rng): number {
  const avg = spec.messagesPerChat;
  switch (chat.kind) {
    case 'dm':
      return Math.max(spec.recentMessagesPerChat + 1, Math.round(avg * (0.5 + rng.float())));
    case 'group':
      return Math.max(1, Math.round(avg * (0.5 + rng.float() * 1.5)));
    case 'channel':
      return Math.max(1, avg);
    case 'status':
      return rng.int(3, 6);
    case 'broadcast':
      return Math.max(2, Math.round(avg / 3));
    case 'system':
      return 2;
  }
}

function fillMessages(chat: ChatState, spec: ResolvedHistorySpec, nowSec: number, rng: Rng): void {
  const n = messageCount(chat, spec, rng);
  const recent = chat.kind === 'dm' ? Math.min(spec.recentMessagesPerChat, n) : 0;
  const start = nowSec - spec.days * 86400;
  const ts = new Uint32Array(n);
  const kinds = new Uint8Array(n);
  const flags = new Uint8Array(n);
  const sender = new Uint8Array(n);

  // Timestamps: status posts live 24 hours; direct chats keep `recent` messages in the last day.
  for (let i = 0; i < n; i++) {
    if (chat.kind === 'status' || i >= n - recent) ts[i] = rng.int(nowSec - 86400 + 900, nowSec - 60);
    else ts[i] = rng.int(start, nowSec - 3600);
  }
  ts.sort();
  // WhatsApp timestamps have one-second resolution: bursts share a second.
  for (let i = 1; i < n; i++) {
    if (ts[i] - ts[i - 1] < 600 && rng.chance(0.08)) ts[i] = ts[i - 1];
  }

  const weekAgo = nowSec - 7 * 86400;
  for (let i = 0; i < n; i++) {
    let kind: KindValue = Kind.Text;
    let flag = 0;
    const r = rng.float();
    const canHide = chat.kind === 'dm' || chat.kind === 'group' || chat.kind === 'channel';
    const protectedRecent = i >= n - recent;
    if (canHide && !protectedRecent && r < spec.hiddenRatio) {
      kind = rng.chance(0.7) ? Kind.Reaction : Kind.Revoke;
    } else if (r < spec.hiddenRatio + spec.mediaRatio && chat.kind !== 'system') {
      const m = rng.float();
      if (chat.kind === 'dm' || chat.kind === 'group')
        kind = m < 0.6 ? Kind.Image : m < 0.8 ? Kind.Document : Kind.Voice;
      else kind = Kind.Image;
    } else if (
      (chat.kind === 'dm' || chat.kind === 'group') &&
      !protectedRecent &&
      r < spec.hiddenRatio + spec.mediaRatio + 0.02
    ) {
      const u = rng.float();
      kind = u < 0.4 ? Kind.Poll : u < 0.75 ? Kind.Location : Kind.Contact;
    } else if (chat.kind === 'status') {
      kind = rng.chance(0.5) ? Kind.Image : Kind.Text;
    }
    switch (chat.kind) {
      case 'dm':
        if (rng.chance(0.4)) flag |= Flag.FromMe;
        break;
      case 'group':
        if (rng.chance(0.25)) flag |= Flag.FromMe;
        break;
      case 'broadcast':
        flag |= Flag.FromMe;
        break;
      case 'status':
        if (i === 0) flag |= Flag.FromMe;
        break;
      case 'channel':
      case 'system':
        break;
    }
    if ((chat.kind === 'dm' || chat.kind === 'group') && i > 0 && !isHiddenKind(kind) && rng.chance(0.08)) {
      flag |= Flag.Reply;
    }
    if (isMediaKind(kind)) {
      if (rng.chance(0.08)) flag |= Flag.LargeMedia;
      if (ts[i] < weekAgo && rng.chance(spec.mediaErrorRatio)) flag |= Flag.MediaError;
    }
    kinds[i] = kind;
    flags[i] = flag;
    sender[i] = chat.members.length > 0 ? rng.int(0, chat.members.length - 1) : 0;
  }

  // Guarantees so small histories still show every case: media kinds, unrenderable messages, a same-second pair.
  const guard = n - recent;
  const force = (chatKind: ChatKind, ordinal: number, at: number, kind: KindValue): void => {
    if (chat.kind === chatKind && chat.index === ordinal && at < guard) {
      kinds[at] = kind;
      flags[at] &= ~(Flag.MediaError | Flag.Reply);
    }
  };
  if (spec.mediaRatio > 0) {
    force('dm', 0, 1, Kind.Image);
    force('dm', 0, 2, Kind.Document);
    force('dm', 0, 3, Kind.Voice);
  }
  force('dm', 0, 4, Kind.Location);
  if (chat.kind === 'dm' && chat.index === 0 && guard > 6 && ts[6] - ts[5] < 86400) ts[6] = ts[5];
  if (chat.kind === 'group' && chat.index === spec.dmChats) {
    force('group', spec.dmChats, Math.floor(n / 2), Kind.Poll);
    force('group', spec.dmChats, Math.floor(n / 3), Kind.Contact);
  }

  let visible = 0;
  for (let i = 0; i < n; i++) if (!isHiddenKind(kinds[i])) visible++;
  chat.count = n;
  chat.ts = ts;
  chat.kinds = kinds;
  chat.flags = flags;
  chat.sender = sender;
  chat.visible = visible;
}

// ----- rebuilding one generated message ---------------------------------------------------------------------------

const MIME: Record<number, { mimetype: string; ext: string }> = {
  [Kind.Image]: { mimetype: 'image/jpeg', ext: 'jpeg' },
  [Kind.Document]: { mimetype: 'application/pdf', ext: 'pdf' },
  [Kind.Voice]: { mimetype: 'audio/ogg; codecs=opus', ext: 'oga' },
  [Kind.Video]: { mimetype: 'video/mp4', ext: 'mp4' },
};

export function extFromMimetype(mimetype: string): string {
  const base = mimetype.split(';')[0].trim().toLowerCase();
  const known: Record<string, string> = {
    'image/jpeg': 'jpeg',
    'image/png': 'png',
    'image/webp': 'webp',
    'image/gif': 'gif',
    'application/pdf': 'pdf',
    'audio/ogg': 'oga',
    'audio/mpeg': 'mp3',
    'video/mp4': 'mp4',
    'text/plain': 'txt',
  };
  const sub = (base.split('/')[1] ?? '').replace(/[^a-z0-9]/g, '');
  return known[base] ?? (sub === '' ? 'bin' : sub);
}

function textFor(rng: Rng, n: number): string {
  const count = rng.chance(0.7) ? 1 : rng.int(2, 3);
  const parts: string[] = [];
  if (rng.chance(0.2)) parts.push(rng.pick(GREETINGS));
  for (let i = 0; i < count; i++) parts.push(rng.pick(SENTENCES).replace('%n', String(1000 + (n % 9000))));
  return parts.join(rng.chance(0.3) ? '\n' : ' ');
}

export function waIdStyle(chat: ChatState, fromMe: boolean, index: number, seed: number): 0 | 1 | 2 {
  if (fromMe) return 0;
  return hash(seed, chat.index, index, 3) % 2 === 0 ? 1 : 2;
}

function senderOf(chat: ChatState, i: number, fromMe: boolean): Member | null {
  if (fromMe || chat.members.length === 0) return null;
  return chat.members[chat.sender[i] % chat.members.length];
}

function replyTargetOf(chat: ChatState, i: number, seed: number): number {
  let j = i - 1 - (hash(seed, chat.index, i, 11) % Math.min(i, 8));
  while (j >= 0 && isHiddenKind(chat.kinds[j])) j--;
  return j;
}

function ackOf(history: History, chat: ChatState, i: number, fromMe: boolean, kind: number): number {
  if (!fromMe) return 2;
  if (chat.kind === 'broadcast' || chat.kind === 'status') return 2;
  const age = history.nowSec - chat.ts[i];
  if (age > 86400) return kind === Kind.Voice ? 4 : 3;
  return 1 + (hash(history.spec.seed, chat.index, i, 5) % 3);
}

export function generatedAck(history: History, chat: ChatState, i: number): number {
  return ackOf(history, chat, i, (chat.flags[i] & Flag.FromMe) !== 0, chat.kinds[i]);
}

export function generatedWaId(history: History, chat: ChatState, i: number): string {
  const fromMe = (chat.flags[i] & Flag.FromMe) !== 0;
  return history.codec.encode(chat.index, i, waIdStyle(chat, fromMe, i, history.spec.seed));
}

/** Rebuild generated message `i` of `chat`. Pure: same inputs, same result. */
export function generatedMessage(history: History, chat: ChatState, i: number, withReply = true): MsgCore {
  const seed = history.spec.seed;
  const flags = chat.flags[i];
  const kind = chat.kinds[i] as KindValue;
  const fromMe = (flags & Flag.FromMe) !== 0;
  const rng = new Rng(hash(seed, chat.index, i, 7));
  const member = senderOf(chat, i, fromMe);
  const isGroupLike = chat.kind === 'group' || chat.kind === 'status';
  const participant = isGroupLike ? (fromMe ? history.me.id : (member?.jid ?? null)) : null;
  let pushName: string | null = null;
  if (!fromMe) {
    if (member) pushName = member.person.pushName;
    else if (chat.person) pushName = chat.person.pushName;
  }

  const msg: MsgCore = {
    chat,
    chatId: chat.id,
    waId: generatedWaId(history, chat, i),
    seq: i,
    timestamp: chat.ts[i],
    fromMe,
    participant,
    pushName,
    kind,
    body: null,
    media: null,
    replyTo: null,
    ack: ackOf(history, chat, i, fromMe, kind),
    source: 'app',
  };
  const n = hash(seed, chat.index, i, 13);
  let body: string | null = null;
  let media: MediaInfo | null = null;
  switch (kind) {
    case Kind.Text:
      body = chat.kind === 'system' ? SYSTEM_TEXTS[i % SYSTEM_TEXTS.length] : textFor(rng, n);
      break;
    case Kind.Image:
    case Kind.Document:
    case Kind.Voice:
    case Kind.Video: {
      const { mimetype, ext } = MIME[kind];
      const large = (flags & Flag.LargeMedia) !== 0;
      const size = large ? 180_000 + (n % 40_000) : 2_000 + (n % 18_000);
      const filename = kind === Kind.Document ? `${rng.pick(DOC_NAMES)}-${1000 + (n % 9000)}.pdf` : null;
      media = { mimetype, ext, filename, size, error: (flags & Flag.MediaError) !== 0 };
      if (kind !== Kind.Voice && rng.chance(0.5)) body = rng.pick(CAPTIONS);
      break;
    }
    case Kind.Poll:
      msg.poll = POLLS[n % POLLS.length];
      break;
    case Kind.Location:
      msg.location = PLACES[n % PLACES.length];
      break;
    case Kind.Contact: {
      const person = history.persons[n % history.cardPersons];
      const display = person.name ?? person.pushName;
      msg.vcard = {
        displayName: display,
        vcard: `BEGIN:VCARD\nVERSION:3.0\nN:;${display};;;\nFN:${display}\nTEL;type=CELL;waid=${person.phone}:+${person.phone}\nEND:VCARD`,
      };
      break;
    }
    case Kind.Reaction:
      body = '👍';
      break;
    case Kind.Revoke:
    // The generated history has none of these: they are only received live (waha-message-writer.ts).
    case Kind.Sticker:
    case Kind.Audio:
    case Kind.Event:
    case Kind.Album:
      break;
  }
  msg.body = body;
  msg.media = media;
  if (withReply && (flags & Flag.Reply) !== 0) {
    const j = replyTargetOf(chat, i, seed);
    if (j >= 0) {
      const target = generatedMessage(history, chat, j, false);
      msg.replyTo = {
        waId: target.waId,
        participant: target.fromMe ? history.me.id : (target.participant ?? chat.id),
        body: target.body,
      };
    }
  }
  return msg;
}

/** Index of the first generated message with ts >= sec. */
export function lowerBound(ts: ArrayLike<number>, sec: number): number {
  let lo = 0;
  let hi = ts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[mid] < sec) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Index of the first generated message with ts > sec. */
export function upperBound(ts: ArrayLike<number>, sec: number): number {
  let lo = 0;
  let hi = ts.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ts[mid] <= sec) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
