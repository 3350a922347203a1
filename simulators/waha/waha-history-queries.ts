/**
 * Reading the WAHA simulator's history: chat timestamps, the last visible message, paged timelines of one chat or
 * all chats (generated records merged with messages added since), message lookup by id, chat resolution across
 * lid ↔ phone, lid mappings, and the format context messages are rendered with.
 */
import { FormatContext, serializedId, toPublicJid } from './waha-format';
import {
  ChatState,
  Flag,
  MsgCore,
  generatedAck,
  generatedMessage,
  generatedWaId,
  isHiddenKind,
  lowerBound,
  upperBound,
} from './waha-history';
import { mediaBytes } from './waha-media';
import { isBrowserEngine } from './waha-profile';
import { S3MediaServer, S3Object } from './waha-s3';

/** Files larger than this are generated while they are sent, never held (local storage only). */
const LARGE_FILE = 16 * 1024 * 1024;
import { AllIndex, WahaState } from './waha-state';

export interface PageQuery {
  gte?: number;
  lte?: number;
  fromMe?: boolean;
  ack?: number;
  offset: number;
  limit: number;
  desc: boolean;
  /**
   * Newest first by a stable sort: equal timestamps keep chat order (oldest first) instead of being reversed. WEBJS
   * sorts the loaded messages with `msgs.sort((a, b) => b.t - a.t)` (WebjsClientCore.getMessages), and
   * Array.prototype.sort is stable.
   */
  stableTies?: boolean;
  /** 'after': page first, then drop hidden records (NOWEB/GOWS short pages); 'before': WEBJS. */
  hidden: 'after' | 'before';
}

const REF = 2 ** 28;

export class HistoryQueries {
  /**
   * `serverUrl` is the simulator's own URL, the media base (with the path prefix) when no `baseUrl` option is set;
   * `s3` the bucket that serves media with `mediaStorage: 's3'`.
   */
  constructor(
    private readonly state: WahaState,
    private readonly serverUrl: () => string,
    private readonly s3: S3MediaServer,
  ) {}

  firstTimestamp(chat: ChatState): number | null {
    const a = chat.count > 0 ? chat.ts[0] : Infinity;
    const b = chat.dynamic.length > 0 ? chat.dynamic[0].timestamp : Infinity;
    const min = Math.min(a, b);
    return Number.isFinite(min) ? min : null;
  }

  lastTimestamp(chat: ChatState): number | null {
    const a = chat.count > 0 ? chat.ts[chat.count - 1] : -Infinity;
    const b = chat.dynamic.length > 0 ? chat.dynamic[chat.dynamic.length - 1].timestamp : -Infinity;
    const max = Math.max(a, b);
    return Number.isFinite(max) ? max : null;
  }

  lastVisible(chat: ChatState): MsgCore | undefined {
    let i = chat.count - 1;
    while (i >= 0 && isHiddenKind(chat.kinds[i])) i--;
    const dyn = chat.dynamic[chat.dynamic.length - 1];
    if (i < 0) return dyn;
    if (dyn && dyn.timestamp >= chat.ts[i]) return dyn;
    return generatedMessage(this.state.data, chat, i);
  }

  /** Generated messages of these chats in (timestamp, chat, index) order; `chat` holds each one's chat index. */
  private buildIndex(chats: ChatState[]): AllIndex {
    const offsets: number[] = [];
    let total = 0;
    for (const chat of chats) {
      offsets.push(total);
      total += chat.count;
    }
    const flat = new Uint32Array(total);
    chats.forEach((chat, c) => flat.set(chat.ts, offsets[c]));
    const order = new Uint32Array(total);
    for (let k = 0; k < total; k++) order[k] = k;
    order.sort((a, b) => flat[a] - flat[b] || a - b);
    const ts = new Uint32Array(total);
    const chat = new Uint16Array(total);
    const idx = new Uint32Array(total);
    for (let k = 0; k < total; k++) {
      const pos = order[k];
      const c = upperBound(offsets, pos) - 1;
      ts[k] = flat[pos];
      chat[k] = chats[c].index;
      idx[k] = pos - offsets[c];
    }
    return { ts, chat, idx };
  }

  /** Every generated chat's messages in one timeline (chatId=all), built on first use. */
  private allIndex(): AllIndex {
    const state = this.state;
    state.allIndex ??= this.buildIndex(state.data.chats.slice(0, state.generatedChats));
    return state.allIndex;
  }

  /** Several chats read as one (merged @lid and @c.us histories), built on first use. */
  private mergedIndex(chats: ChatState[]): AllIndex {
    const key = chats.map((c) => c.index).join(',');
    let index = this.state.mergedIndexes.get(key);
    if (!index) {
      index = this.buildIndex(chats);
      this.state.mergedIndexes.set(key, index);
    }
    return index;
  }

  /**
   * One page of a chat's (or several chats', or all chats') timeline: generated records merged with later
   * messages, ordered by (timestamp, storage order), windowed, filtered, offset/limit applied, then hidden records
   * dropped (NOWEB/GOWS) — which is why pages can be short before the end.
   */
  page(target: ChatState | ChatState[] | 'all', q: PageQuery): MsgCore[] {
    const data = this.state.data;
    const chats = data.chats;
    let tsArr: Uint32Array;
    let refAt: (j: number) => number;
    let dynamic: MsgCore[];
    const single = Array.isArray(target) && target.length === 1 ? target[0] : target;
    if (single === 'all' || Array.isArray(single)) {
      const index = single === 'all' ? this.allIndex() : this.mergedIndex(single);
      tsArr = index.ts;
      refAt = (j) => index.chat[j] * REF + index.idx[j];
      dynamic =
        single === 'all'
          ? this.state.allDynamic
          : single.flatMap((c) => c.dynamic).sort((x, y) => x.timestamp - y.timestamp || x.seq - y.seq);
    } else {
      tsArr = single.ts;
      const base = single.index * REF;
      refAt = (j) => base + j;
      dynamic = single.dynamic;
    }
    const lo = q.gte !== undefined ? lowerBound(tsArr, Math.ceil(q.gte)) : 0;
    const hi = Math.max(lo, q.lte !== undefined ? upperBound(tsArr, Math.floor(q.lte)) : tsArr.length);
    const passGenerated = (ref: number): boolean => {
      const chat = chats[Math.floor(ref / REF)];
      const i = ref % REF;
      if (q.hidden === 'before' && isHiddenKind(chat.kinds[i])) return false;
      if (q.fromMe !== undefined && ((chat.flags[i] & Flag.FromMe) !== 0) !== q.fromMe) return false;
      if (q.ack !== undefined && generatedAck(data, chat, i) !== q.ack) return false;
      return true;
    };
    const scan = q.hidden === 'before' || q.fromMe !== undefined || q.ack !== undefined;
    let aLen: number;
    let aAt: (k: number) => number;
    if (scan) {
      const selected = new Uint32Array(hi - lo);
      let n = 0;
      for (let j = lo; j < hi; j++) if (passGenerated(refAt(j))) selected[n++] = j;
      aLen = n;
      aAt = (k) => selected[k];
    } else {
      aLen = hi - lo;
      aAt = (k) => lo + k;
    }
    const b = dynamic.filter(
      (m) =>
        (q.gte === undefined || m.timestamp >= q.gte) &&
        (q.lte === undefined || m.timestamp <= q.lte) &&
        (q.fromMe === undefined || m.fromMe === q.fromMe) &&
        (q.ack === undefined || m.ack === q.ack),
    );
    // Merged position of each later message: after every generated record with timestamp <= its own.
    const bPos = b.map((m, k) => {
      let l = 0;
      let h = aLen;
      while (l < h) {
        const mid = (l + h) >>> 1;
        if (tsArr[aAt(mid)] <= m.timestamp) l = mid + 1;
        else h = mid;
      }
      return l + k;
    });
    const total = aLen + b.length;
    /** Timestamp at an ascending position of the merged listing. */
    const tsAtAsc = (pos: number): number => {
      let before = 0;
      for (let k = 0; k < bPos.length; k++) {
        if (bPos[k] === pos) return b[k].timestamp;
        if (bPos[k] < pos) before++;
        else break;
      }
      return tsArr[aAt(pos - before)];
    };
    /** The ascending position shown at reversed position `r` when equal timestamps keep chat order. */
    const stableAsc = (r: number): number => {
      const ts = tsAtAsc(r);
      let start = r;
      let end = r;
      while (start > 0 && tsAtAsc(start - 1) === ts) start--;
      while (end < total - 1 && tsAtAsc(end + 1) === ts) end++;
      return start + (end - r);
    };
    const out: MsgCore[] = [];
    const end = Math.min(total, q.offset + q.limit);
    for (let p = Math.max(0, q.offset); p < end; p++) {
      const asc = q.desc ? (q.stableTies ? stableAsc(total - 1 - p) : total - 1 - p) : p;
      let before = 0;
      let hit = -1;
      for (let k = 0; k < bPos.length; k++) {
        if (bPos[k] === asc) {
          hit = k;
          break;
        }
        if (bPos[k] < asc) before++;
        else break;
      }
      if (hit >= 0) {
        out.push(b[hit]);
        continue;
      }
      const ref = refAt(aAt(asc - before));
      const chat = chats[Math.floor(ref / REF)];
      const i = ref % REF;
      if (isHiddenKind(chat.kinds[i])) continue;
      out.push(generatedMessage(data, chat, i));
    }
    return out;
  }

  /** A message by serialized id (`{fromMe}_{chat}_{waId}[_{participant}]`) or bare WhatsApp id. */
  lookup(id: string): MsgCore | undefined {
    const full = /^(true|false)_/.test(id);
    let waId = id;
    if (full) {
      const parts = id.split('_');
      waId = parts[2] ?? '';
    }
    const msg = this.lookupWaId(waId);
    if (!msg || isHiddenKind(msg.kind)) return undefined;
    if (full) {
      const serialized = serializedId(msg);
      const short = `${msg.fromMe}_${msg.chatId}_${msg.waId}`;
      if (id !== serialized && id !== short) return undefined;
    }
    return msg;
  }

  lookupWaId(waId: string): MsgCore | undefined {
    const state = this.state;
    const dynamic = state.dynamicById.get(waId);
    if (dynamic) return dynamic;
    const decoded = state.data.codec.decode(waId);
    if (!decoded || decoded.chat >= state.generatedChats) return undefined;
    const chat = state.data.chats[decoded.chat];
    if (decoded.index >= chat.count) return undefined;
    if (generatedWaId(state.data, chat, decoded.index) !== waId) return undefined;
    return generatedMessage(state.data, chat, decoded.index);
  }

  /** Exact chat, or with merge the chat of the same contact under its other id (lid ↔ phone). */
  resolveChat(rawId: string, merge: boolean): { chat?: ChatState; chatId: string } {
    const data = this.state.data;
    const chatId = toPublicJid(rawId);
    const exact = data.byId.get(chatId);
    if (exact) return { chat: exact, chatId };
    if (merge) {
      const alias = data.lidToPn.get(chatId) ?? data.pnToLid.get(chatId);
      const chat = alias ? data.byId.get(alias) : undefined;
      if (chat) return { chat, chatId };
    }
    return { chatId };
  }

  /**
   * The chats GET …/messages reads for a chat id. NOWEB and GOWS from 2026.3.1 with `merge` (the default): the
   * phone chat and the lid chat of one person when the mapping is known, as one history (NOWEB: SqlMessagesMethods
   * getAllByJid resolves a lid to its phone and reads `jid = pn OR jid IN (lids of pn)`; GOWS: CL 2026.3.1 "GOWS -
   * merge @lid and @c.us in /messages, /overview, /chats"). Before 2026.3.1, or with merge=false: only the exact
   * chat (`where jid = <jid>`). WEBJS (and WPP) keep one chat per person in WhatsApp Web, so both are read as one
   * unless merge=false.
   */
  chatsFor(rawId: string, merge: boolean): ChatState[] {
    const data = this.state.data;
    const chatId = toPublicJid(rawId);
    const profile = this.state.profile;
    const merging = merge && (isBrowserEngine(profile.engine) || profile.since('mergedLidChats'));
    if (!merging) {
      const exact = data.byId.get(chatId);
      return exact ? [exact] : [];
    }
    const pn = chatId.endsWith('@lid') ? data.lidToPn.get(chatId) : chatId;
    const lid = chatId.endsWith('@lid') ? chatId : pn !== undefined ? data.pnToLid.get(pn) : undefined;
    const found: ChatState[] = [];
    for (const id of new Set([pn, lid, chatId])) {
      const chat = id === undefined ? undefined : data.byId.get(id);
      if (chat && !found.includes(chat)) found.push(chat);
    }
    return found.sort((a, b) => a.index - b.index);
  }

  /** The phone chat a lid chat merges into (from 2026.3.1), when both exist; undefined otherwise. */
  mergeTarget(chat: ChatState): ChatState | undefined {
    if (!chat.id.endsWith('@lid') || !this.state.profile.since('mergedLidChats')) return undefined;
    const pn = this.state.data.lidToPn.get(chat.id);
    return pn === undefined ? undefined : this.state.data.byId.get(pn);
  }

  /** lid ↔ phone mappings WAHA knows. */
  lids(): { lid: string; pn: string }[] {
    return [...this.state.data.lidToPn.entries()]
      .map(([lid, pn]) => ({ lid, pn }))
      .sort((a, b) => a.lid.localeCompare(b.lid));
  }

  formatContext(downloadMedia: boolean): FormatContext {
    const state = this.state;
    const session = state.opts.session;
    const s3 = this.s3;
    return {
      engine: state.opts.engine,
      me: state.data.me,
      session,
      baseUrl: state.opts.baseUrl ?? `${this.serverUrl()}${state.opts.pathPrefix}`,
      downloadMedia,
      history: state.data,
      onDownload: (msg) => state.downloads.set(msg.waId, Date.now()),
      mediaLocation:
        state.opts.mediaStorage === 's3'
          ? (msg) => {
              const key = `${session}/${msg.waId}.${msg.media?.ext ?? 'bin'}`;
              return { url: s3.presign(key), s3: { Bucket: s3.bucket, Key: key } };
            }
          : undefined,
    };
  }

  /**
   * A downloaded media file: only after its message was formatted with media, and, in local storage, until
   * `mediaTtlMs` passed (WHATSAPP_FILES_LIFETIME: MediaLocalStorageConfig).
   */
  mediaFile(waId: string, ext: string, lifetime: boolean): S3Object | undefined {
    const state = this.state;
    const msg = this.lookupWaId(waId);
    if (!msg?.media || msg.media.error || msg.media.ext !== ext) return undefined;
    const downloadedAt = state.downloads.get(waId);
    if (downloadedAt === undefined) return undefined;
    const ttl = state.opts.mediaTtlMs;
    if (lifetime && ttl && Date.now() - downloadedAt >= ttl) {
      state.downloads.delete(waId);
      return undefined;
    }
    const bytes = msg.media.data ?? mediaBytes(msg.media.mimetype, msg.media.size, state.data.spec.seed, waId);
    return { bytes, mimetype: msg.media.mimetype };
  }

  /**
   * A file too large to build in memory (over LARGE_FILE bytes, declared with `media.size`) or one sent without
   * Content-Length: streamed by the file route instead of `mediaFile`.
   */
  streamedFile(waId: string, ext: string): { size: number; mimetype: string; chunked: boolean } | undefined {
    const msg = this.lookupWaId(waId);
    if (!msg?.media || msg.media.error || msg.media.ext !== ext || msg.media.data) return undefined;
    if (msg.media.size <= LARGE_FILE && !msg.media.unreported) return undefined;
    if (this.state.downloads.get(waId) === undefined) return undefined;
    return { size: msg.media.size, mimetype: msg.media.mimetype, chunked: Boolean(msg.media.unreported) };
  }
}
