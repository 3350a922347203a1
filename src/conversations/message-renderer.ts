/**
 * Turns one WhatsApp message into the ChatWoot message that stands for it. Pure: no I/O, so every rule is
 * unit-tested. Used by the history pull and by the live WhatsApp → ChatWoot relay.
 */
import { OutgoingMode } from '../config/config';
import { CwNewMessage } from '../clients/chatwoot/chatwoot.types';
import { WahaMessage } from '../clients/waha/waha.types';
import { ChatKind } from '../common/jids';
import { escapeBlock, escapeInline } from '../common/markdown-escape';
import { formatSize } from '../common/sizes';
import { Texts } from '../texts/texts';

export type MediaOutcome = 'none' | 'attached' | 'not-requested' | 'unavailable' | 'too-large';

/** A file over MEDIA_MAX_SIZE: its size (when known before or while downloading), the limit, its name. */
export interface MediaTooLarge {
  size?: number;
  limit: number;
  filename?: string;
}

export interface RenderContext {
  chatKind: ChatKind;
  /** "Name (+phone)" of the group member who wrote it, when known. */
  participant?: string;
  /** ChatWoot message id of the quoted message, from the ledger. */
  inReplyTo?: number;
  outgoingMode: OutgoingMode;
  media: MediaOutcome;
  tooLarge?: MediaTooLarge;
  /** Add the original date line (always for history, for live only when the message is old). */
  withDate: boolean;
  timeZone?: string;
  /** source_id written on the ChatWoot message. */
  sourceId: string;
}

const DATE_FORMAT_CACHE = new Map<string, Intl.DateTimeFormat>();

export function formatMessageDate(timestampSec: number, timeZone?: string): string {
  const key = timeZone ?? '';
  let format = DATE_FORMAT_CACHE.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', {
      weekday: 'short',
      year: 'numeric',
      month: 'short',
      day: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      timeZone,
      timeZoneName: 'short',
    });
    DATE_FORMAT_CACHE.set(key, format);
  }
  return format.format(new Date(timestampSec * 1000));
}

function special(message: WahaMessage): string | undefined {
  if (message.location && (message.location.latitude !== undefined || message.location.name)) {
    const { latitude, longitude, name, address } = message.location;
    const where = [name, address].filter(Boolean).join(', ');
    const link = latitude !== undefined && longitude !== undefined ? `https://maps.google.com/?q=${latitude},${longitude}` : '';
    return `📍 ${[where, link].filter(Boolean).join('\n')}`.trim();
  }
  if (message.vCards && message.vCards.length > 0) {
    const names = message.vCards.map((card) => /\nFN:(.+)/.exec(card)?.[1]?.trim() ?? 'contact');
    return `👤 ${names.join(', ')}`;
  }
  return undefined;
}

export function messageTypeName(message: WahaMessage): string {
  const raw = message._data?.type;
  return typeof raw === 'string' && raw ? raw : 'unknown';
}

/** Who wrote it (group members, not ourselves) above the text, and the date line below it when wanted. */
export function framed(text: string, fromMe: boolean, timestamp: number | undefined, ctx: Pick<RenderContext, 'chatKind' | 'participant' | 'withDate' | 'timeZone'>, texts: Texts): string {
  let out = text;
  if ((ctx.chatKind === 'group' || ctx.chatKind === 'broadcast') && !fromMe && ctx.participant) {
    out = texts.render('message.groupParticipant', { participant: escapeInline(ctx.participant), text: out });
  }
  if (ctx.withDate && timestamp) {
    const date = texts.render('message.historyDate', { date: formatMessageDate(timestamp, ctx.timeZone) });
    out = out ? `${out}\n${date}` : date;
  }
  return out;
}

export function renderMessage(message: WahaMessage, ctx: RenderContext, texts: Texts): CwNewMessage {
  const body = (message.body ?? '').trim();
  let text = body || special(message) || '';
  let privateNote = false;
  // A caption inside a notice is escaped: only the bridge's own words are formatted there.
  if (message.hasMedia && ctx.media === 'not-requested') {
    text = texts.render('message.mediaNotRequested', { caption: escapeBlock(text) });
  } else if (message.hasMedia && ctx.media === 'unavailable') {
    text = texts.render('message.mediaNotDownloaded', { caption: escapeBlock(text) });
  } else if (message.hasMedia && ctx.media === 'too-large') {
    const { size, limit, filename } = ctx.tooLarge ?? { limit: 0 };
    text = texts.render('message.mediaTooLarge', {
      caption: escapeBlock(text),
      size: size !== undefined ? formatSize(size) : '',
      limit: formatSize(limit),
      filename: filename ? escapeInline(filename) : '',
    });
  } else if (!text && !(message.hasMedia && ctx.media === 'attached')) {
    text = texts.render('message.unsupported', { type: messageTypeName(message) });
    privateNote = true;
  }
  text = framed(text, message.fromMe, message.timestamp, ctx, texts);
  // external_created_at is a top-level param of ChatWoot's MessageBuilder, which stores it in content_attributes.
  const common = { source_id: ctx.sourceId, external_created_at: message.timestamp, ...(ctx.inReplyTo ? { content_attributes: { in_reply_to: ctx.inReplyTo } } : {}) };
  if (message.fromMe) {
    return { content: text, message_type: 'outgoing', private: ctx.outgoingMode === 'private-note' || privateNote, ...common };
  }
  return { content: text, message_type: privateNote ? 'outgoing' : 'incoming', private: privateNote, ...common };
}
