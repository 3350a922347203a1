/**
 * Turns a WhatsApp update (clients/waha/waha-updates.ts) into the ChatWoot message that shows it. Pure, like
 * message-renderer.ts, whose frame (the group member's name, the date line) it shares.
 *
 * - A reaction, an edit and a poll vote are answers to the message they are about (`in_reply_to`), shown like a
 *   message of whoever did it: the customer's are incoming, ours follow CHATWOOT_OUTGOING (a private note by
 *   default).
 * - Calls and a vote that could not be read are private notes: the agents must know, but nothing was said.
 * - A deletion deletes the ChatWoot copy (relay); only when ChatWoot refuses that is `deletedNote` posted.
 */
import { CwNewMessage } from '../clients/chatwoot/chatwoot.types';
import { WhatsAppUpdate } from '../clients/waha/waha-updates';
import { escapeInline } from '../common/markdown-escape';
import { Texts } from '../texts/texts';
import { formatMessageDate, framed, RenderContext } from './message-renderer';

export type UpdateRenderContext = Pick<RenderContext, 'chatKind' | 'participant' | 'inReplyTo' | 'outgoingMode' | 'withDate' | 'timeZone' | 'sourceId'>;

type Shown = Exclude<WhatsAppUpdate, { kind: 'revoke' }>;

function body(update: Shown, ctx: UpdateRenderContext, texts: Texts): { text: string; note: boolean } {
  switch (update.kind) {
    case 'reaction':
      return { text: texts.render('update.reaction', { emoji: escapeInline(update.emoji), unknown: !ctx.inReplyTo }), note: false };
    case 'edit':
      return { text: texts.render('update.edited', { text: update.body.trim() }), note: false };
    case 'poll-vote':
      if (update.failed) return { text: texts.render('update.pollVoteFailed'), note: true };
      return { text: texts.render('update.pollVote', { options: update.options.map((o) => escapeInline(o)).join(', ') }), note: false };
    case 'call': {
      const time = formatMessageDate(update.timestamp, ctx.timeZone);
      if (update.status === 'received') return { text: texts.render('update.callReceived', { video: update.video, group: update.group, time }), note: true };
      if (update.status === 'accepted') return { text: texts.render('update.callAccepted', { time }), note: true };
      return { text: texts.render('update.callRejected', { time }), note: true };
    }
  }
}

function message(text: string, fromMe: boolean, note: boolean, timestamp: number, ctx: UpdateRenderContext): CwNewMessage {
  const common = { source_id: ctx.sourceId, external_created_at: timestamp, ...(ctx.inReplyTo ? { content_attributes: { in_reply_to: ctx.inReplyTo } } : {}) };
  if (note) return { content: text, message_type: 'outgoing', private: true, ...common };
  if (fromMe) return { content: text, message_type: 'outgoing', private: ctx.outgoingMode === 'private-note', ...common };
  return { content: text, message_type: 'incoming', private: false, ...common };
}

export function renderUpdate(update: Shown, ctx: UpdateRenderContext, texts: Texts): CwNewMessage {
  const { text, note } = body(update, ctx, texts);
  // Calls carry their own time; the others get the date line when they arrive late, like messages.
  const withDate = update.kind !== 'call' && ctx.withDate;
  return message(framed(text, update.fromMe, update.timestamp, { ...ctx, withDate }, texts), update.fromMe, note, update.timestamp, ctx);
}

/** The note answering a message deleted in WhatsApp whose ChatWoot copy could not be deleted. */
export function renderDeletedNote(update: Extract<WhatsAppUpdate, { kind: 'revoke' }>, ctx: UpdateRenderContext, texts: Texts): CwNewMessage {
  return message(texts.render('update.deleted'), update.fromMe, true, update.timestamp, ctx);
}
