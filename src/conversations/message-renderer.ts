/**
 * Turns one WhatsApp message into the ChatWoot message that stands for it. Pure: no I/O, so every rule is
 * unit-tested. Used by the history pull and by the live WhatsApp → ChatWoot relay.
 */
import { OutgoingMode } from '../config/config';
import { CwNewMessage } from '../clients/chatwoot/chatwoot.types';
import { contentOf, MessageContent } from '../clients/waha/waha-content';
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
  /** What the message is (read from the engine's record when not given). */
  content?: MessageContent;
  /** Group members mentioned in the text: their number → "Name (+number)". */
  mentionNames?: Readonly<Record<string, string>>;
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

/** `@<number>` of a mentioned member becomes `@<name (+number)>`, as WhatsApp shows it. */
function withMentionNames(body: string, names: Readonly<Record<string, string>> | undefined): string {
  if (!names || !body.includes('@')) return body;
  return body.replace(/@(\d{5,})\b/g, (whole, digits: string) => (names[digits] ? `@${names[digits]}` : whole));
}

function locationText(message: WahaMessage, live: boolean, texts: Texts): string {
  const location = message.location ?? {};
  const where = [location.name, location.address].map((part) => (typeof part === 'string' ? part.trim() : '')).filter(Boolean).map((part) => escapeInline(part)).join(', ');
  const { latitude, longitude } = location;
  const link = latitude !== undefined && longitude !== undefined && latitude !== null && longitude !== null ? `https://maps.google.com/?q=${latitude},${longitude}` : '';
  return texts.render('message.location', { live, where, link });
}

/** The text of the message's kind: its words for text and media, a description for the others. */
function kindText(content: MessageContent, message: WahaMessage, body: string, ctx: RenderContext, texts: Texts): string {
  const kind = content.kind;
  switch (kind.kind) {
    case 'text':
    case 'media':
    case 'unknown':
      return body;
    case 'location':
      // WEBJS's body of a location is its thumbnail (base64): never shown.
      return locationText(message, kind.live, texts);
    case 'contacts':
      return texts.render('message.contacts', { cards: kind.cards.map((card) => ({ name: escapeInline(card.name || '?'), phones: card.phones })) });
    case 'poll':
      return texts.render('message.poll', { question: escapeInline(kind.question), options: kind.options.map((o) => escapeInline(o)), multiple: kind.multiple });
    case 'event': {
      const when = kind.start ? [kind.start, kind.end].filter((t): t is number => Boolean(t)).map((t) => formatMessageDate(t, ctx.timeZone)).join(' – ') : '';
      return texts.render('message.event', { name: escapeInline(kind.name), canceled: kind.canceled, description: kind.description ? escapeBlock(kind.description) : '', when, place: kind.place ? escapeInline(kind.place) : '' });
    }
    case 'album':
      return texts.render('message.album', { images: kind.images, videos: kind.videos });
    case 'view-once':
      return texts.render('message.viewOnce');
  }
}

/** Forwarded and status-reply marks above, a link preview below: on text and media only. */
function decorated(text: string, content: MessageContent, texts: Texts): string {
  if (content.kind.kind !== 'text' && content.kind.kind !== 'media' && content.kind.kind !== 'unknown') return text;
  let out = text;
  if (content.preview?.title) out = texts.render('message.linkPreview', { text: out, title: escapeInline(content.preview.title), description: content.preview.description ? escapeInline(content.preview.description) : '' });
  if (content.statusReply) out = texts.render('message.statusReply', { text: out });
  if (content.forwarded) out = texts.render('message.forwarded', { text: out });
  return out;
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
  const content = ctx.content ?? contentOf(message);
  const body = withMentionNames((message.body ?? '').trim(), ctx.mentionNames);
  let text = kindText(content, message, body, ctx, texts);
  let privateNote = false;
  const media = content.kind.kind === 'view-once' ? 'none' : ctx.media;
  // A caption inside a notice is escaped: only the bridge's own words are formatted there.
  if (message.hasMedia && media === 'not-requested') {
    text = texts.render('message.mediaNotRequested', { caption: escapeBlock(text) });
  } else if (message.hasMedia && media === 'unavailable') {
    text = texts.render('message.mediaNotDownloaded', { caption: escapeBlock(text) });
  } else if (message.hasMedia && media === 'too-large') {
    const { size, limit, filename } = ctx.tooLarge ?? { limit: 0 };
    text = texts.render('message.mediaTooLarge', {
      caption: escapeBlock(text),
      size: size !== undefined ? formatSize(size) : '',
      limit: formatSize(limit),
      filename: filename ? escapeInline(filename) : '',
    });
  } else if (!text && !(message.hasMedia && media === 'attached')) {
    text = texts.render('message.unsupported', { type: content.kind.kind === 'unknown' ? content.kind.type : messageTypeName(message) });
    privateNote = true;
  }
  if (text && !privateNote) text = decorated(text, content, texts);
  text = framed(text, message.fromMe, message.timestamp, ctx, texts);
  // external_created_at is a top-level param of ChatWoot's MessageBuilder, which stores it in content_attributes.
  const common = { source_id: ctx.sourceId, external_created_at: message.timestamp, ...(ctx.inReplyTo ? { content_attributes: { in_reply_to: ctx.inReplyTo } } : {}) };
  if (message.fromMe) {
    return { content: text, message_type: 'outgoing', private: ctx.outgoingMode === 'private-note' || privateNote, ...common };
  }
  return { content: text, message_type: privateNote ? 'outgoing' : 'incoming', private: privateNote, ...common };
}
