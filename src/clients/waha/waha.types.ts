/** The parts of WAHA's wire format the bridge reads. Engine-specific fields stay optional. */
export interface WahaMedia {
  url: string | null;
  mimetype: string | null;
  filename: string | null;
  error?: unknown;
}

export interface WahaReplyTo {
  id?: string;
  participant?: string | null;
  body?: string | null;
}

export interface WahaMessage {
  id: string;
  timestamp: number;
  from?: string;
  to?: string | null;
  fromMe: boolean;
  source?: 'api' | 'app';
  participant?: string | null;
  body?: string | null;
  hasMedia?: boolean;
  media?: WahaMedia | null;
  replyTo?: WahaReplyTo | null;
  location?: { latitude?: number; longitude?: number; name?: string; address?: string; url?: string } | null;
  vCards?: string[] | null;
  _data?: Record<string, unknown> & { type?: string; pushName?: string; notifyName?: string };
}

export interface WahaChat {
  id: string | { _serialized: string };
  name?: string | null;
  conversationTimestamp?: number | null;
  timestamp?: number | null;
}

export interface WahaSession {
  name: string;
  status: string;
  me?: { id: string; pushName?: string; lid?: string } | null;
  /** `{engine: 'NOWEB', …engine info}` on a detailed GET (WAHA's manager.core.ts `fetchEngineInfo`). */
  engine?: { engine?: string } | string;
  /** The session config; NOWEB's store settings decide whether chats and messages can be read at all. */
  config?: {
    noweb?: { store?: { enabled?: boolean; fullSync?: boolean; full_sync?: boolean } };
    /** The session's webhooks (src/structures/webhooks.config.dto.ts WebhookConfig). */
    webhooks?: Array<{ url?: string; events?: unknown[] }> | null;
  } | null;
}

/** `GET /api/server/version` (or `/api/version`): `engine` is the container default, `tier` CORE or PLUS. */
export interface WahaServerVersion {
  version: string;
  engine?: string;
  tier?: string;
  browser?: string | null;
}

/** One @lid ↔ phone mapping of the lids API; `pn` is null when WhatsApp has not told it. */
export interface WahaLid {
  lid: string;
  pn: string | null;
}

export interface WahaContact {
  id: string;
  name?: string | null;
  pushname?: string | null;
  pushName?: string | null;
  /** WEBJS only: saved in the phone's address book (whatsapp-web.js Contact). */
  isMyContact?: boolean;
  isGroup?: boolean;
  isMe?: boolean;
}

export interface MessagesPageQuery {
  limit: number;
  offset: number;
  sortOrder?: 'asc' | 'desc';
  gteSec?: number;
  lteSec?: number;
  downloadMedia?: boolean;
  fromMe?: boolean;
}

export interface SendFile {
  mimetype: string;
  filename?: string;
  data?: string;
  url?: string;
}

export interface WahaEnvelope {
  id?: string;
  timestamp?: number;
  event: string;
  session: string;
  me?: unknown;
  payload: unknown;
  engine?: string;
}
