/**
 * What a WAHA server can do, from its version, tier and the session's engine. Each floor comes from WAHA's
 * changelog (../shared/specs/waha/changelog.md) or source, cited beside it. An unknown version (detection failed)
 * gets the conservative answer: the bridge then does what works on every server.
 */

export type WahaEngineName = 'WEBJS' | 'NOWEB' | 'GOWS' | 'WPP';

export interface WahaProfile {
  /** `2025.10.5`, or null when the server could not be asked. */
  version: string | null;
  /** The session's engine (GET /api/sessions/{session} → engine.engine), else the server default. */
  engine: WahaEngineName | null;
  tier: 'CORE' | 'PLUS' | null;
  /** NOWEB only: the session's store settings (chats and messages answer 400 without the store). */
  nowebStore?: { enabled: boolean; fullSync: boolean };
}

export interface WahaCapabilities {
  /** /messages accepts limit, offset and filter.timestamp.gte/lte (2024.10.9, "Add pagination and filters to Chats - Get messages"). */
  historyFilters: boolean;
  /**
   * /messages honours sortOrder=asc: NOWEB and GOWS from 2025.10.5 ("Add sortOrder and sortBy to /messages");
   * WEBJS always sorts newest first (WebjsClientCore.getMessages: "Always sort newest first"); WPP sorts only within
   * the newest offset+limit messages (session.wpp.core.ts getChatMessages).
   */
  sortsAscending: boolean;
  /** WPP filters after fetching the newest offset+limit messages, so server-side timestamp filters cannot page it. */
  filtersAfterFetch: boolean;
  /**
   * /messages of an @lid or its phone chat returns both histories: NOWEB and GOWS from 2026.3.1 ("merge @lid and
   * @c.us messages in /messages"); WEBJS always (WAHA's own ChatWoot app, engines.ts FilterChatIdsForMessages).
   */
  mergesLidHistories: boolean;
  /** GET /api/{session}/lids (2025.5.4, "Add Contacts - Lids API to map @lid to @c.us"). */
  lidsApi: boolean;
  /**
   * sendImage, sendFile, sendVoice, sendVideo work: WAHA Core answered 422 "available only in Plus version" (501 for
   * sendVideo) until 2026.6.1 ("WAHA Plus features are now part of the WAHA Core image").
   */
  mediaSends: boolean;
  /** Chats and messages can be read at all (NOWEB needs config.noweb.store.enabled). */
  readsHistory: boolean;
  /**
   * /messages lists the files this session sent: not on GOWS before 2026.4.1 ("GOWS - GET /api/messages — messages
   * sent via POST /api/sendFile not returned - fix #1998").
   */
  listsSentFiles: boolean;
  /**
   * sendVoice and sendVideo take `convert: true` and turn any audio into an Opus voice note and any video into MP4:
   * from 2025.6.2 ("Add convert: true flag (false by default) to /api/sendVoice and /api/sendVideo", #724). Before it
   * only Opus audio and MP4 video go out as a voice note or a video; anything else is sent as a file.
   */
  convertsMedia: boolean;
  /** `mentions: ["all"]` mentions everyone in a group: from 2025.11.1 ("mention everyone in groups", #1377). */
  mentionsAll: boolean;
}

/** -1, 0 or 1 comparing dotted versions numerically (`2025.10.5` > `2025.9.1`). */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map((n) => Number.parseInt(n, 10) || 0);
  const pb = b.split(/[.-]/).map((n) => Number.parseInt(n, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

export const WAHA_FLOORS = {
  historyFilters: '2024.10.9',
  lidsApi: '2025.5.4',
  sortOrder: '2025.10.5',
  mergedLids: '2026.3.1',
  coreMediaSends: '2026.6.1',
  gowsListsSentFiles: '2026.4.1',
  convertMedia: '2025.6.2',
  mentionsAll: '2025.11.1',
} as const;

function atLeast(version: string | null, floor: string): boolean | null {
  return version === null ? null : compareVersions(version, floor) >= 0;
}

export function wahaCapabilities(profile: WahaProfile): WahaCapabilities {
  const { version, engine, tier } = profile;
  const sortEngine = engine === 'NOWEB' || engine === 'GOWS';
  return {
    historyFilters: atLeast(version, WAHA_FLOORS.historyFilters) ?? true,
    sortsAscending: sortEngine && atLeast(version, WAHA_FLOORS.sortOrder) === true,
    filtersAfterFetch: engine === 'WPP',
    mergesLidHistories: engine === 'WEBJS' || (sortEngine && atLeast(version, WAHA_FLOORS.mergedLids) === true),
    lidsApi: atLeast(version, WAHA_FLOORS.lidsApi) ?? true,
    mediaSends: !(tier === 'CORE' && atLeast(version, WAHA_FLOORS.coreMediaSends) === false),
    readsHistory: !(engine === 'NOWEB' && profile.nowebStore?.enabled === false),
    listsSentFiles: !(engine === 'GOWS' && atLeast(version, WAHA_FLOORS.gowsListsSentFiles) !== true),
    convertsMedia: atLeast(version, WAHA_FLOORS.convertMedia) === true,
    mentionsAll: atLeast(version, WAHA_FLOORS.mentionsAll) === true,
  };
}

/** The WAHA events the bridge acts on: what the session's webhook must send (README set-up, step 2). */
export const WANTED_EVENTS = [
  'message.any',
  'message.ack',
  'message.reaction',
  'message.edited',
  'message.revoked',
  'poll.vote',
  'poll.vote.failed',
  'call.received',
  'call.accepted',
  'call.rejected',
  'session.status',
] as const;

/**
 * The wanted events a session's webhook to this app does not send, read from the session's config: its webhook whose
 * URL ends in `/webhooks/waha/<appId>` (or the older `/webhooks/waha`). Undefined when no session webhook points
 * here (a global webhook set by WAHA's environment is not in the session's config, so nothing can be said).
 */
export function missingEvents(webhooks: ReadonlyArray<{ url?: string; events?: unknown[] }> | null | undefined, appId: string): string[] | undefined {
  const ours = (webhooks ?? []).filter((hook) => {
    const path = (hook.url ?? '').split('?')[0].replace(/\/+$/, '');
    return path.endsWith(`/webhooks/waha/${appId}`) || path.endsWith('/webhooks/waha');
  });
  if (ours.length === 0) return undefined;
  const events = new Set(ours.flatMap((hook) => (hook.events ?? []).map(String)));
  if (events.has('*')) return [];
  return WANTED_EVENTS.filter((event) => !events.has(event));
}

/** A session's engine: `engine` is a name, or `{engine, …}` on a detailed GET (manager.core.ts fetchEngineInfo). */
export function sessionEngine(session: { engine?: { engine?: string } | string } | null | undefined): WahaEngineName | null {
  const engine = session?.engine;
  return engineName(typeof engine === 'object' ? engine?.engine : engine);
}

/** Reads an engine name as WAHA spells it, or null. */
export function engineName(value: unknown): WahaEngineName | null {
  const name = typeof value === 'string' ? value.toUpperCase() : '';
  return name === 'WEBJS' || name === 'NOWEB' || name === 'GOWS' || name === 'WPP' ? name : null;
}
