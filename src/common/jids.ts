/** WhatsApp JID kinds and the chat-type filter of `wa/messages pull`. */
export type ChatKind = 'dm' | 'group' | 'channel' | 'status' | 'broadcast' | 'null' | 'other';

export interface IncludeFlags {
  dm: boolean;
  groups: boolean;
  channels: boolean;
  status: boolean;
  broadcast: boolean;
}

export function chatKind(jid: string): ChatKind {
  if (jid === '0@c.us' || jid === '0@s.whatsapp.net') return 'null';
  if (jid === 'status@broadcast') return 'status';
  if (jid.endsWith('@broadcast')) return 'broadcast';
  if (jid.endsWith('@g.us')) return 'group';
  if (jid.endsWith('@newsletter')) return 'channel';
  if (jid.endsWith('@c.us') || jid.endsWith('@s.whatsapp.net') || jid.endsWith('@lid')) return 'dm';
  return 'other';
}

export function isIncluded(jid: string, include: IncludeFlags): boolean {
  switch (chatKind(jid)) {
    case 'dm':
      return include.dm;
    case 'group':
      return include.groups;
    case 'channel':
      return include.channels;
    case 'status':
      return include.status;
    case 'broadcast':
      return include.broadcast;
    case 'null':
      return false;
    case 'other':
      return true;
  }
}

/** Public form: `123:4@s.whatsapp.net` → `123@c.us`; groups, lids, channels and broadcasts keep their suffix. */
export function publicJid(jid: string): string {
  const bare = jid.replace(/:\d+(?=@)/, '');
  if (bare.endsWith('@s.whatsapp.net')) return bare.replace(/@s\.whatsapp\.net$/, '@c.us');
  if (/^\d+$/.test(bare)) return `${bare}@c.us`;
  return bare;
}

export function isPhoneJid(jid: string): boolean {
  return /^\d+@(c\.us|s\.whatsapp\.net)$/.test(jid) && chatKind(jid) === 'dm';
}

export function phoneDigits(jid: string): string | undefined {
  const match = /^(\d{5,15})@(c\.us|s\.whatsapp\.net)$/.exec(publicJid(jid));
  return match && match[1] !== '0' ? match[1] : undefined;
}

/**
 * Parts of a serialized WAHA message id: `{fromMe}_{chatId}_{waId}[_{participant}]`. The bare `waId` is what
 * replies reference, so the ledger is keyed by it.
 */
export function parseMessageId(id: string): { fromMe: boolean; chatId: string; waId: string; participant?: string } {
  const match = /^(true|false)_([^_]+@[^_]+)_([^_]+)(?:_(.+))?$/.exec(id);
  if (!match) return { fromMe: false, chatId: '', waId: id };
  return { fromMe: match[1] === 'true', chatId: match[2], waId: match[3], participant: match[4] };
}

export function chatIdOf(message: { id: string; from?: string; to?: string | null; fromMe: boolean }): string {
  const parsed = parseMessageId(message.id);
  if (parsed.chatId) return publicJid(parsed.chatId);
  const from = message.fromMe ? message.to ?? message.from : message.from;
  return publicJid(from ?? '');
}
