/**
 * The WAHA simulator's update events, per engine and version: reactions, edits, deletions (revokes), poll votes and
 * calls. Shapes from devlikeapro/waha (src/structures/responses.dto.ts WAMessageReaction, WAMessageEditedBody,
 * WAMessageRevokedBody; src/structures/calls.dto.ts CallData; the PollVotePayload of chatting.dto.ts) as each engine
 * fills them (src/core/engines/{webjs,noweb,gows}/session.*.core.ts: processMessageReaction, the MESSAGE_EDIT and
 * REVOKE protocol-message handling, poll vote aggregation, toCallData), and the changelog for the versions:
 * - `message.edited`: CL 2025.6.3 "Add message.edited" (every engine); before it NOWEB passed the edit's protocol
 *   message through `message.any`, WEBJS and GOWS sent nothing.
 * - `message.revoked`: WEBJS always (commit 4f348c7e, 2023); NOWEB from CL 2025.2.5 (before it the REVOKE protocol
 *   message came through `message.any`); GOWS from CL 2025.6.3, which also added `revokedMessageId`.
 * - `call.*`: WEBJS and NOWEB (CL "Add Calls events #307", 2024.7); GOWS from CL 2025.12.1 ("GOWS - Add call
 *   events"). WEBJS has no `call.accepted`, and its `call.rejected` is only for a call rejected through the API.
 * Approximated: the raw `_data` records carry only the fields the bridge or WAHA's own app read.
 */
import { Json, messageJson, serializedId, toProtocolJid } from './waha-format';
import { MsgCore } from './waha-history';
import { HistoryQueries } from './waha-history-queries';
import { isBrowserEngine, versionAtLeast } from './waha-profile';
import { WahaEvents } from './waha-events';
import { WahaState } from './waha-state';

/** CL 2025.6.3: `message.edited` on every engine, `message.revoked` on GOWS, `revokedMessageId`. */
const EDITED_EVENT = '2025.6.3';
/** CL 2025.2.5 "NOWEB - add message.revoked event". */
const NOWEB_REVOKED_EVENT = '2025.2.5';
/** CL 2025.12.1 "GOWS - Add call events - fix #1673". */
const GOWS_CALLS = '2025.12.1';

export type CallStatus = 'received' | 'accepted' | 'rejected';

export interface UpdateOptions {
  /** The group member who did it (groups only; default: the group's first member). */
  participant?: string;
  /** Done by the account itself (from the phone). */
  fromMe?: boolean;
}

export class UpdateEvents {
  private seq = 0;

  constructor(
    private readonly state: WahaState,
    private readonly queries: HistoryQueries,
    private readonly events: WahaEvents,
  ) {}

  private get engine(): string {
    return this.state.opts.engine;
  }

  private since(version: string): boolean {
    return versionAtLeast(this.state.opts.version, version);
  }

  private freshId(): string {
    this.seq += 1;
    return `3A${this.state.dynamicRng.hex(14)}${this.seq.toString(16).padStart(4, '0')}`.toUpperCase();
  }

  private target(messageId: string): MsgCore {
    const msg = this.queries.lookup(messageId);
    if (!msg) throw new Error(`no message ${messageId}`);
    return msg;
  }

  /** Who acts in the target's chat: the account, the group member, or the direct chat's contact. */
  private actor(msg: MsgCore, options: UpdateOptions): { fromMe: boolean; sender: string; group: boolean } {
    const group = msg.chat.kind === 'group';
    if (options.fromMe) return { fromMe: true, sender: this.state.data.me.id, group };
    const sender = group ? (options.participant ?? msg.chat.members[0]?.jid ?? msg.chatId) : msg.chatId;
    return { fromMe: false, sender, group };
  }

  private ownId(msg: MsgCore, waId: string, actor: { fromMe: boolean; sender: string; group: boolean }): string {
    const base = `${actor.fromMe}_${msg.chatId}_${waId}`;
    return actor.group ? `${base}_${actor.sender}` : base;
  }

  /** `message.reaction` for a reaction (emoji) or its removal (''). Returns the payload sent. */
  async react(messageId: string, emoji: string, options: UpdateOptions = {}): Promise<Json> {
    const msg = this.target(messageId);
    const actor = this.actor(msg, options);
    const timestamp = Math.floor(Date.now() / 1000);
    const base = { id: this.ownId(msg, this.freshId(), actor), fromMe: actor.fromMe, source: 'app', reaction: { text: emoji, messageId: serializedId(msg) } };
    let payload: Json;
    if (isBrowserEngine(this.state.opts.engine)) {
      // WEBJS: `from` the sender, `to` the chat, `participant` the raw sender id; a fractional timestamp.
      payload = { ...base, from: actor.sender, participant: actor.sender, to: msg.chatId, timestamp: timestamp + 0.25 };
    } else if (this.engine === 'NOWEB') {
      payload = { ...base, from: msg.chatId, timestamp, ...(actor.group ? { to: msg.chatId, participant: actor.sender } : {}) };
    } else {
      payload = { ...base, from: msg.chatId, timestamp, to: actor.group ? actor.sender : null, participant: actor.group ? actor.sender : null };
    }
    await this.events.emit('message.reaction', payload);
    return payload;
  }

  /** The account (or the contact) edits a message: the stored text changes and the engine's event is sent. */
  async edit(messageId: string, body: string): Promise<Json> {
    const msg = this.target(messageId);
    const previous = msg.body;
    msg.body = body;
    const actor = { fromMe: msg.fromMe, sender: msg.fromMe ? this.state.data.me.id : (msg.participant ?? msg.chatId), group: msg.chat.kind === 'group' };
    const ctx = this.queries.formatContext(false);
    const timestamp = Math.floor(Date.now() / 1000);
    if (!this.since(EDITED_EVENT)) {
      if (this.engine !== 'NOWEB') return {};
      // NOWEB before 2025.6.3: the edit's protocol message, through message.any.
      const payload = this.protocolMessage(msg, actor, timestamp, { type: 'MESSAGE_EDIT', key: { remoteJid: toProtocolJid(msg.chatId), fromMe: msg.fromMe, id: msg.waId }, editedMessage: { conversation: body } });
      await this.events.emit('message.any', payload);
      return payload;
    }
    let payload: Json;
    if (isBrowserEngine(this.state.opts.engine)) {
      payload = { ...messageJson(msg, ctx), body, editedMessageId: msg.waId, _data: { newBody: body, prevBody: previous } };
    } else {
      const proto = { type: 'MESSAGE_EDIT', key: { remoteJid: toProtocolJid(msg.chatId), fromMe: msg.fromMe, id: msg.waId }, editedMessage: { conversation: body } };
      payload = { ...this.protocolMessage(msg, actor, timestamp, proto), body, editedMessageId: msg.waId };
    }
    await this.events.emit('message.edited', payload);
    return payload;
  }

  /**
   * A message deleted for everyone (from the phone, or through WAHA's delete message): the stored one becomes a
   * revoked stub and the engine's event is sent.
   */
  async revoke(messageId: string): Promise<Json> {
    const msg = this.target(messageId);
    const ctx = this.queries.formatContext(false);
    const before = messageJson(msg, ctx);
    msg.revoked = true;
    const actor = { fromMe: msg.fromMe, sender: msg.fromMe ? this.state.data.me.id : (msg.participant ?? msg.chatId), group: msg.chat.kind === 'group' };
    const timestamp = Math.floor(Date.now() / 1000);
    const withId = this.since(EDITED_EVENT) ? { revokedMessageId: msg.waId } : {};
    const proto = { type: 'REVOKE', key: { remoteJid: toProtocolJid(msg.chatId), fromMe: msg.fromMe, id: msg.waId } };
    let payload: Json;
    let event = 'message.revoked';
    switch (this.state.opts.engine) {
      case 'WEBJS':
      case 'WPP': {
        const after = messageJson(msg, ctx);
        after._data = { ...(after._data as Json), type: 'revoked', protocolMessageKey: { fromMe: msg.fromMe, remote: msg.chatId, id: msg.waId } };
        payload = { after, before, ...withId };
        break;
      }
      case 'NOWEB': {
        const after = this.protocolMessage(msg, actor, timestamp, proto);
        if (!this.since(NOWEB_REVOKED_EVENT)) {
          event = 'message.any';
          payload = after;
        } else {
          payload = { after, before: null, ...withId, _data: after._data };
        }
        break;
      }
      case 'GOWS': {
        if (!this.since(EDITED_EVENT)) return {};
        const after = this.protocolMessage(msg, actor, timestamp, { type: 0, key: { remoteJID: toProtocolJid(msg.chatId), fromMe: msg.fromMe, ID: msg.waId } });
        payload = { after, before: null, ...withId, _data: after._data };
        break;
      }
    }
    await this.events.emit(event, payload);
    return payload;
  }

  /** `poll.vote` (or `poll.vote.failed` with `failed`) for a vote in a poll. */
  async vote(pollId: string, options: string[], voter: UpdateOptions & { failed?: boolean } = {}): Promise<Json> {
    const poll = this.target(pollId);
    const actor = this.actor(poll, voter);
    const ms = Date.now();
    // NOWEB and GOWS stamp the vote in ms (senderTimestampMs), WEBJS with interractedAtTs (ms as well).
    const payload: Json = {
      vote: { id: this.ownId(poll, this.freshId(), actor), selectedOptions: voter.failed ? [] : options, timestamp: ms, from: actor.fromMe ? this.state.data.me.id : poll.chatId, to: actor.fromMe ? poll.chatId : this.state.data.me.id, fromMe: actor.fromMe, ...(actor.group ? { participant: actor.sender } : {}) },
      poll: { id: serializedId(poll), from: poll.fromMe ? this.state.data.me.id : poll.chatId, to: poll.fromMe ? poll.chatId : this.state.data.me.id, fromMe: poll.fromMe },
      ...(this.engine === 'NOWEB' ? {} : { _data: {} }),
    };
    await this.events.emit(voter.failed ? 'poll.vote.failed' : 'poll.vote', payload);
    return payload;
  }

  /**
   * A call from `from` (a phone JID) changes state. Returns the payload, or null when this engine and version send
   * no such event (WEBJS: no `call.accepted`; GOWS before 2025.12.1: no calls).
   */
  async call(from: string, status: CallStatus, options: { video?: boolean; callId?: string; groupId?: string } = {}): Promise<Json | null> {
    if (this.engine === 'GOWS' && !this.since(GOWS_CALLS)) return null;
    if (isBrowserEngine(this.state.opts.engine) && status === 'accepted') return null;
    const id = options.callId ?? this.freshId();
    const group = Boolean(options.groupId);
    const data: Json = this.engine === 'GOWS' ? { CallID: id, From: toProtocolJid(from), ...(group ? { GroupJID: options.groupId, CallCreator: toProtocolJid(from) } : {}) } : { id, from, status: status === 'received' ? 'offer' : status === 'accepted' ? 'accept' : 'reject' };
    const payload: Json = { id, from: group && this.engine === 'GOWS' ? options.groupId : from, timestamp: Math.floor(Date.now() / 1000), isVideo: options.video === true, isGroup: group, _data: data };
    await this.events.emit(`call.${status}`, payload);
    return payload;
  }

  /** A WAMessage for a protocol message (an edit or a revoke) of `msg`'s chat, as NOWEB and GOWS send it. */
  private protocolMessage(msg: MsgCore, actor: { fromMe: boolean; sender: string; group: boolean }, timestamp: number, protocolMessage: Json): Json {
    const waId = this.freshId();
    const id = this.ownId(msg, waId, actor);
    const raw: Json =
      this.engine === 'GOWS'
        ? { Info: { Chat: toProtocolJid(msg.chatId), Sender: toProtocolJid(actor.sender), IsFromMe: actor.fromMe, IsGroup: actor.group, ID: waId }, Message: { protocolMessage } }
        : { key: { remoteJid: toProtocolJid(msg.chatId), fromMe: actor.fromMe, id: waId, ...(actor.group ? { participant: toProtocolJid(actor.sender) } : {}) }, messageTimestamp: timestamp, message: { protocolMessage } };
    return { id, timestamp, from: msg.chatId, fromMe: actor.fromMe, source: 'app', to: actor.group ? msg.chatId : null, participant: actor.group ? actor.sender : null, body: null, hasMedia: false, media: null, _data: raw };
  }
}
