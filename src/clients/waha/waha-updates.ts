/**
 * What WhatsApp tells besides new messages, in our own terms: reactions, edits, deletions ("revokes"), poll votes
 * and calls. WAHA's payloads differ by engine and version; this is the one place that reads them (pure, so each
 * engine's shape is unit-tested). Sources, devlikeapro/waha:
 * - `message.reaction` (src/structures/responses.dto.ts WAMessageReaction): `reaction.messageId` is the reacted
 *   message's serialized id on every engine, `reaction.text` the emoji or '' when removed. WEBJS puts the chat in
 *   `to`, NOWEB and GOWS in `from` (session.webjs.core.ts / session.noweb.core.ts / session.gows.core.ts
 *   processMessageReaction), so the chat is read from `messageId` first.
 * - `message.edited` (WAMessageEditedBody, since 2025.6.3 on every engine): a WAMessage with the new `body` and
 *   `editedMessageId`, the bare id of the original. WEBJS's `id` is the original message; NOWEB's and GOWS's the
 *   edit's own protocol message. Before 2025.6.3, NOWEB sent an edit as a `message.any` protocol message
 *   (`protocolMessage.type` MESSAGE_EDIT, 14, with `editedMessage`): `updateOfMessage` reads that too.
 * - `message.revoked` (WAMessageRevokedBody): `{after, before, revokedMessageId}`; `revokedMessageId` (bare) since
 *   2025.6.3, before that WEBJS's `after._data.protocolMessageKey.id` or, as NOWEB's REVOKE protocol message
 *   (type 0), `after._data.message.protocolMessage.key.id`.
 * - `poll.vote` / `poll.vote.failed` (PollVotePayload): `{vote: {id, selectedOptions, timestamp, from, fromMe,
 *   participant}, poll: {id, …}}`; `selectedOptions` are option names, [] when the vote could not be decrypted.
 * - `call.received|accepted|rejected` (src/structures/calls.dto.ts CallData): `{id, from, timestamp, isVideo,
 *   isGroup, _data}`; GOWS names the caller of a group call in `_data.CallCreator` (the WAHA app reads it there).
 *   WEBJS sends no `call.accepted`, and `call.rejected` only for a call rejected through WAHA's API.
 */
import { createHash } from 'node:crypto';
import { chatIdOf, parseMessageId, publicJid } from '../../common/jids';
import type { WahaMessage } from './waha.types';

export type CallStatus = 'received' | 'accepted' | 'rejected';

interface UpdateBase {
  /** The chat it happened in (public form). */
  chatId: string;
  /** Stable per event and different between events: WAHA's retries of one event share it (dedupe and ledger key). */
  key: string;
  fromMe: boolean;
  /** Who did it, in groups (the member's JID). */
  sender?: string;
  /** When, seconds. */
  timestamp: number;
}

export type WhatsAppUpdate =
  | (UpdateBase & { kind: 'reaction'; targetWaId: string; emoji: string })
  | (UpdateBase & { kind: 'edit'; targetWaId: string; body: string })
  | (UpdateBase & { kind: 'revoke'; targetWaId: string })
  | (UpdateBase & { kind: 'poll-vote'; targetWaId: string; options: string[]; failed: boolean })
  | (UpdateBase & { kind: 'call'; callId: string; status: CallStatus; video: boolean; group: boolean });

export type WhatsAppUpdateKind = WhatsAppUpdate['kind'];

/** The WAHA events this module reads (besides protocol messages inside `message.any`). */
export const UPDATE_EVENTS = ['message.reaction', 'message.edited', 'message.revoked', 'poll.vote', 'poll.vote.failed', 'call.received', 'call.accepted', 'call.rejected'] as const;

type Json = Record<string, unknown>;

function record(value: unknown): Json | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value ? value : undefined;
}

/** Seconds, from seconds or milliseconds (PollVote's `timestamp` is ms on NOWEB and GOWS, s elsewhere). */
function seconds(value: unknown): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : NaN;
  if (!Number.isFinite(n) || n <= 0) return Math.floor(Date.now() / 1000);
  return Math.floor(n > 1e12 ? n / 1000 : n);
}

function shortHash(text: string): string {
  return createHash('sha1').update(text).digest('base64url').slice(0, 12);
}

/** The chat of a WAHA message-like payload: from its serialized id, else from/to. */
function chatOf(payload: Json): string {
  const id = str(payload.id) ?? '';
  const fromMe = payload.fromMe === true || parseMessageId(id).fromMe;
  return chatIdOf({ id, from: str(payload.from), to: str(payload.to) ?? null, fromMe });
}

/** A group member's JID, when the payload names one that is not the chat itself. */
function senderOf(payload: Json, chatId: string): string | undefined {
  const participant = str(payload.participant) ?? parseMessageId(str(payload.id) ?? '').participant;
  if (!participant) return undefined;
  const sender = publicJid(participant);
  return sender === chatId ? undefined : sender;
}

function protocolMessageOf(data: Json | undefined): Json | undefined {
  const message = record(data?.message) ?? record(data?.Message);
  const direct = record(message?.protocolMessage);
  if (direct) return direct;
  // Edits sent from some phones nest the protocol message one level down (devlikeapro/waha issue #1394).
  return record(record(record(message?.editedMessage)?.message)?.protocolMessage);
}

/** REVOKE is 0 and MESSAGE_EDIT 14 in WhatsApp's proto; JSON may carry the number or the enum's name. */
function protocolType(protocol: Json): 'revoke' | 'edit' | undefined {
  const type = protocol.type;
  if (type === 0 || type === 'REVOKE') return 'revoke';
  if (type === 14 || type === 'MESSAGE_EDIT') return 'edit';
  return undefined;
}

function keyId(protocol: Json): string | undefined {
  const key = record(protocol.key);
  return str(key?.id) ?? str(key?.ID);
}

function textOf(message: Json | undefined): string {
  if (!message) return '';
  const extended = record(message.extendedTextMessage);
  return str(message.conversation) ?? str(extended?.text) ?? str(record(message.imageMessage)?.caption) ?? str(record(message.videoMessage)?.caption) ?? '';
}

function reaction(payload: Json): WhatsAppUpdate | null {
  const reacted = record(payload.reaction);
  const target = str(reacted?.messageId);
  if (!reacted || !target) return null;
  const emoji = typeof reacted.text === 'string' ? reacted.text : '';
  const chatId = parseMessageId(target).chatId ? publicJid(parseMessageId(target).chatId) : chatOf(payload);
  const timestamp = seconds(payload.timestamp);
  const own = parseMessageId(str(payload.id) ?? '').waId;
  return {
    kind: 'reaction',
    chatId,
    key: `react:${own}:${timestamp}:${shortHash(emoji)}`,
    fromMe: payload.fromMe === true,
    sender: senderOf(payload, chatId),
    timestamp,
    targetWaId: parseMessageId(target).waId,
    emoji,
  };
}

function edit(payload: Json): WhatsAppUpdate | null {
  const chatId = chatOf(payload);
  const protocol = protocolMessageOf(record(payload._data));
  const target = str(payload.editedMessageId) ?? (protocol ? keyId(protocol) : undefined) ?? parseMessageId(str(payload.id) ?? '').waId;
  if (!chatId || !target) return null;
  const body = typeof payload.body === 'string' ? payload.body : textOf(record(protocol?.editedMessage));
  // NOWEB and GOWS give each edit its own id; WEBJS's id is the original, but it says what the text was before. Either
  // keeps an edit back to an earlier text (A → B → A) apart from the first one, and a retried delivery the same.
  const own = parseMessageId(str(payload.id) ?? '').waId;
  const previous = str(record(payload._data)?.prevBody) ?? '';
  const distinct = own && own !== target ? own : shortHash(previous);
  return {
    kind: 'edit',
    chatId,
    key: `edit:${target}:${distinct}:${shortHash(body)}`,
    fromMe: payload.fromMe === true,
    sender: senderOf(payload, chatId),
    timestamp: seconds(payload.timestamp),
    targetWaId: target,
    body,
  };
}

/** The ledger key of a message's deletion (shared with the agent's delete, which records it before revoking). */
export function revokeKey(waId: string): string {
  return `revoke:${waId}`;
}

function revoke(payload: Json): WhatsAppUpdate | null {
  const after = record(payload.after);
  const before = record(payload.before);
  const message = after ?? before;
  if (!message) return null;
  const data = record(message._data);
  const protocol = protocolMessageOf(data);
  const webjsKey = record(data?.protocolMessageKey);
  const target =
    str(payload.revokedMessageId) ??
    str(webjsKey?.id) ??
    (protocol ? keyId(protocol) : undefined) ??
    (before ? parseMessageId(str(before.id) ?? '').waId : undefined) ??
    // WEBJS's `after` is the revoked message itself (its type turned `revoked`).
    (data?.type === 'revoked' ? parseMessageId(str(message.id) ?? '').waId : undefined);
  const chatId = chatOf(message);
  if (!chatId || !target) return null;
  return { kind: 'revoke', chatId, key: revokeKey(target), fromMe: message.fromMe === true, sender: senderOf(message, chatId), timestamp: seconds(message.timestamp), targetWaId: target };
}

function pollVote(payload: Json, failed: boolean): WhatsAppUpdate | null {
  const vote = record(payload.vote);
  const poll = record(payload.poll);
  const pollId = str(poll?.id);
  if (!vote || !pollId) return null;
  const parsed = parseMessageId(pollId);
  const chatId = parsed.chatId ? publicJid(parsed.chatId) : chatOf(vote);
  const options = Array.isArray(vote.selectedOptions) ? vote.selectedOptions.filter((o): o is string => typeof o === 'string') : [];
  const timestamp = seconds(vote.timestamp);
  const own = parseMessageId(str(vote.id) ?? '').waId;
  return {
    kind: 'poll-vote',
    chatId,
    key: `vote:${own}:${timestamp}:${shortHash(options.join('\u0000'))}:${failed ? 'f' : 'v'}`,
    fromMe: vote.fromMe === true,
    sender: senderOf(vote, chatId),
    timestamp,
    targetWaId: parsed.waId,
    options,
    failed,
  };
}

function call(payload: Json, status: CallStatus): WhatsAppUpdate | null {
  const callId = str(payload.id);
  const data = record(payload._data);
  const caller = str(data?.CallCreator) ?? str(payload.from);
  if (!callId || !caller) return null;
  const group = payload.isGroup === true;
  const chatId = publicJid(caller);
  return {
    kind: 'call',
    chatId,
    key: `call:${callId}:${status}`,
    fromMe: false,
    timestamp: seconds(payload.timestamp),
    callId,
    status,
    video: payload.isVideo === true,
    group,
  };
}

/** The update a WAHA event stands for; null when the event is not one of these or its payload lacks what it needs. */
export function updateOf(event: string, payload: unknown): WhatsAppUpdate | null {
  const p = record(payload);
  if (!p) return null;
  switch (event) {
    case 'message.reaction':
      return reaction(p);
    case 'message.edited':
      return edit(p);
    case 'message.revoked':
      return revoke(p);
    case 'poll.vote':
      return pollVote(p, false);
    case 'poll.vote.failed':
      return pollVote(p, true);
    case 'call.received':
      return call(p, 'received');
    case 'call.accepted':
      return call(p, 'accepted');
    case 'call.rejected':
      return call(p, 'rejected');
    default:
      return null;
  }
}

/**
 * A `message.any` that is really an update: NOWEB before 2025.6.3 sent edits and deletions as protocol messages,
 * and reactions as `reactionMessage`, through `message.any`. Null for an ordinary message.
 */
export function updateOfMessage(message: WahaMessage): WhatsAppUpdate | null {
  const data = record(message._data);
  const content = record(data?.message) ?? record(data?.Message);
  const protocol = protocolMessageOf(data);
  if (protocol) {
    const type = protocolType(protocol);
    const target = keyId(protocol);
    if (!type || !target) return null;
    if (type === 'revoke') return revoke({ after: message, revokedMessageId: target });
    return edit({ ...message, editedMessageId: target, body: textOf(record(protocol.editedMessage)) });
  }
  const reacted = record(content?.reactionMessage);
  if (reacted) {
    const key = record(reacted.key);
    const waId = str(key?.id) ?? str(key?.ID);
    if (!waId) return null;
    const chatId = chatIdOf(message);
    const fromMe = key?.fromMe === true;
    return reaction({ ...message, reaction: { text: typeof reacted.text === 'string' ? reacted.text : '', messageId: `${fromMe}_${chatId}_${waId}` } });
  }
  return null;
}

/** Whether a `message.any` carries nothing to show by itself (a protocol message that is not an edit or revoke). */
export function isProtocolOnly(message: WahaMessage): boolean {
  return Boolean(protocolMessageOf(record(message._data))) && updateOfMessage(message) === null;
}
