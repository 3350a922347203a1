/**
 * The WAHA simulator's mutable state, one object shared by its parts: the options in effect, the generated
 * account and the messages added since, the media downloads, the sent/seen logs and the session status.
 * Parts read the fields when they need them, since `configure()` and a history rebuild replace some of them.
 */
import { History, MsgCore, WahaHistorySpec, buildHistory, resolveHistorySpec } from './waha-history';
import { WahaProfile } from './waha-profile';
import { Rng, hash } from './waha-random';
import { ResolvedOptions, WahaSeenRecord, WahaSentRecord, WahaSessionStatus } from './waha-sim-types';

/** Generated messages of all chats in (timestamp, chat, index) order. */
export interface AllIndex {
  ts: Uint32Array;
  chat: Uint16Array;
  idx: Uint32Array;
}

export class WahaState {
  opts: ResolvedOptions;
  /** Engine, version and tier, read from the options in effect. */
  readonly profile = new WahaProfile(() => this.opts);
  data!: History;
  /** How many chats the generated account has; chats past this were created by later messages. */
  generatedChats = 0;
  allIndex?: AllIndex;
  /** Timelines of merged chats (a person's @c.us and @lid chats), by their chat indices. */
  readonly mergedIndexes = new Map<string, AllIndex>();
  /** Messages added since start (all chats), in timeline order. */
  allDynamic: MsgCore[] = [];
  readonly dynamicById = new Map<string, MsgCore>();
  /** When each media file (by WhatsApp id) was last downloaded. */
  readonly downloads = new Map<string, number>();
  readonly sentLog: WahaSentRecord[] = [];
  readonly seenLog: WahaSeenRecord[] = [];
  /** Serialized ids of messages deleted for everyone through the API, in order. */
  readonly revokeLog: string[] = [];
  /** Chat ids whose picture was asked (`/chats/{id}/picture`, `/contacts/profile-picture`), in order. */
  readonly pictureLog: string[] = [];
  /** When the simulated server started (ms), for /api/server/status. */
  readonly startedAt = Date.now();
  /** `POST /api/server/stop` requests, in order. */
  readonly serverStops: { force: boolean; at: number }[] = [];
  /** startTyping / stopTyping requests, in order. */
  readonly typingLog: { action: string; chatId: string; at: number }[] = [];
  status: WahaSessionStatus;
  /** A phone is paired (a session logged out waits for a QR scan: `pair`). */
  paired = true;
  statuses: { status: WahaSessionStatus; timestamp: number }[] = [];
  dynamicSeq = 0;
  dynamicRng!: Rng;
  lastActivity: number | null = null;

  constructor(opts: ResolvedOptions) {
    this.opts = opts;
    this.status = this.opts.sessionStatus;
    this.rebuildHistory(Date.now());
    this.statuses = [{ status: this.status, timestamp: Date.now() }];
  }

  /** The account's own identity (MeInfo). */
  get me(): { id: string; pushName: string; lid: string; jid: string } {
    const { id, pushName, lid, jid } = this.data.me;
    return { id, pushName, lid, jid };
  }

  /** Generates the account from the history options (`fallbackNow` when they give no `now`). */
  rebuildHistory(fallbackNow: number): void {
    this.data = buildHistory(resolveHistorySpec(this.opts.history, fallbackNow));
    this.generatedChats = this.data.chats.length;
    this.allIndex = undefined;
    this.mergedIndexes.clear();
    this.allDynamic = [];
    this.dynamicById.clear();
    this.downloads.clear();
    this.dynamicSeq = 0;
    this.dynamicRng = new Rng(hash(this.data.spec.seed, 0xd1a));
  }

  /** Back to the generated account and the configured session status: later messages, downloads and logs go. */
  reset(): void {
    this.data.chats.length = this.generatedChats;
    this.mergedIndexes.clear();
    this.data.byId.clear();
    for (const chat of this.data.chats) {
      chat.dynamic = [];
      this.data.byId.set(chat.id, chat);
    }
    this.allDynamic = [];
    this.dynamicById.clear();
    this.downloads.clear();
    this.sentLog.length = 0;
    this.seenLog.length = 0;
    this.revokeLog.length = 0;
    this.typingLog.length = 0;
    this.serverStops.length = 0;
    this.dynamicSeq = 0;
    this.dynamicRng = new Rng(hash(this.data.spec.seed, 0xd1a));
    this.status = this.opts.sessionStatus;
    this.paired = true;
    this.statuses = [{ status: this.status, timestamp: Date.now() }];
    this.lastActivity = null;
  }

  /** A new history spec merged into the current one regenerates the account. */
  setHistory(history: WahaHistorySpec): void {
    this.opts.history = { ...this.opts.history, ...history };
    this.rebuildHistory(this.data.spec.now);
  }
}
