/**
 * ChatWoot → WhatsApp, live. One lane per conversation keeps the agent's order. Each part (text, attachments) is
 * recorded once sent, so a retried event never sends a part twice, and the ledger learns the WhatsApp ids so a
 * later pull counts these messages as already there.
 */
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { AppContext, AppsService } from '../apps/apps.service';
import { ServerProfilesService } from '../apps/server-profiles.service';
import { isUpstreamError, UpstreamError } from '../clients/http/http-error';
import { agentAttachmentAllowed, hostOf } from '../clients/waha/media-url';
import { revokeKey } from '../clients/waha/waha-updates';
import { excerptOf } from '../common/excerpt';
import { formatDuration } from '../common/durations';
import { chatKind, parseMessageId, publicJid } from '../common/jids';
import { sleep } from '../common/sleep';
import { LinkPreview, SERVICE_CONFIG, ServiceConfig } from '../config/config';
import { TEXTS } from '../config/texts.provider';
import { MessageLedger } from '../conversations/message-ledger.repository';
import { PersonResolver } from '../conversations/person-resolver';
import { LOGGER } from '../logging/logger';
import { METRICS } from '../metrics/metrics';
import { QueueName } from '../queue/queue.constants';
import { RedisService } from '../redis/redis.service';
import { Texts } from '../texts/texts';
import { AgentMessage } from './agent-message';
import { fileOf, PlannedPart, planParts } from './agent-parts';
import { groupMentions } from './mentions';
import { isTransientFailure, LaneContext, Lanes, LaneVerdict, RetryLaterError } from './lanes';
import { PartContext, PendingSends, SendPart } from './pending-sends';
import { chatwootToWhatsApp } from './markdown';
import { RelayIntake } from './relay.intake';
import { RelayKeys } from './relay.keys';
import { InboxEvent } from './relay.types';

/** How long a reply keeps failing on a WAHA outage before the agent is told it waits. */
const REPLY_WAIT_NOTICE_AFTER_MS = 30_000;

/** TYPING_INDICATOR: 0.5 s plus 20 ms a character, 2 s at most (WAHA's app types for 2 s). */
const TYPING_BASE_MS = 500;
const TYPING_PER_CHAR_MS = 20;
const TYPING_MAX_MS = 2_000;

/** What every part of one agent message is sent with. */
interface SendOptions {
  mentions: string[];
  linkPreview: LinkPreview;
  typing: boolean;
  signal: AbortSignal;
}

/** WAHA cannot send attachments (its version and tier say so, or it refused one). */
class MediaSendsRefused extends Error {}

/**
 * WAHA Core before 2026.6.1 refuses sendImage/sendFile/sendVoice with 422 "…available only in Plus version…"
 * (src/core/exceptions.ts AvailableInPlusVersion) and sendVideo with 501 (NotImplementedByEngineError).
 */
/** WAHA answers 422 with the session's status when it is not WORKING (after waiting for it): the status, if so. */
function sessionStatusOf(error: unknown): string | undefined {
  if (!isUpstreamError(error) || error.upstream !== 'waha' || error.status !== 422) return undefined;
  const body = error.body as { status?: unknown } | null;
  return body && typeof body === 'object' && typeof body.status === 'string' ? body.status : undefined;
}

function isPlusOnlyRefusal(error: unknown): boolean {
  if (!(error instanceof UpstreamError) || error.upstream !== 'waha') return false;
  if (error.status === 501) return true;
  return error.status === 422 && /plus version/i.test(JSON.stringify(error.body ?? ''));
}

@Injectable()
export class InboxRelayService {
  private readonly keys: RelayKeys;

  constructor(
    private readonly apps: AppsService,
    private readonly persons: PersonResolver,
    private readonly ledger: MessageLedger,
    private readonly redis: RedisService,
    private readonly profiles: ServerProfilesService,
    private readonly sends: PendingSends,
    private readonly intake: RelayIntake,
    private readonly lanes: Lanes,
    @Inject(TEXTS) private readonly texts: Texts,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.keys = new RelayKeys(redis);
  }

  async handle(appId: string, event: InboxEvent, lane: LaneContext): Promise<LaneVerdict> {
    const app = this.apps.get(appId);
    if (!app) return 'done';
    if (event.kind === 'agent-delete') {
      await this.revokeSent(app, event.message);
      return 'done';
    }
    const message = event.message;
    const chatId = this.chatOf(message);
    if (!chatId) {
      await this.note(app, message.conversationId, this.texts.render('relay.sendFailed', { reason: this.texts.render('relay.noChatId'), action: this.texts.render('relay.noChatIdAction') }));
      return 'done';
    }
    try {
      await this.send(app, chatId, message, lane);
      METRICS.messages.inc({ app: appId, direction: 'out', source: 'live', outcome: 'sent' });
      await this.afterRetry(app, event);
    } catch (error) {
      const window = formatDuration(this.config.reliability.retryWindowMs);
      const status = sessionStatusOf(error);
      if (status) {
        // The session is not WORKING: the reply waits in its lane (for RETRY_WINDOW); the agent learns it at once.
        if (lane.failures === 0) {
          await this.note(app, message.conversationId, this.texts.render('relay.sessionNotWorking', { status, window }));
        }
        throw new RetryLaterError(`the WhatsApp session is ${status}`);
      }
      // WAHA down or failing: after a while (a blip is not worth a note) the agent learns once that the reply waits.
      if (isTransientFailure(error) && lane.failingSince !== undefined && Date.now() - lane.failingSince >= REPLY_WAIT_NOTICE_AFTER_MS && (await lane.claimNotice())) {
        await this.note(app, message.conversationId, this.texts.render('relay.replyWaits', { reason: error instanceof Error ? error.message : String(error), window }));
      }
      throw error;
    }
    return 'done';
  }

  /**
   * A reply failed for good (kept as a dead letter): the message is marked failed in ChatWoot (the dashboard shows
   * the error and, from 4.6.0, Retry, which intake then accepts once more) and the agent gets a note with how to
   * send it again. Parts already sent stay sent whichever way it is retried.
   */
  async deadLettered(appId: string, event: InboxEvent, error: unknown): Promise<void> {
    const app = this.apps.get(appId);
    if (!app) return;
    const { conversationId, messageId, content } = event.message;
    const reason = error instanceof Error ? error.message : String(error);
    if (event.kind === 'agent-delete') {
      // Not a send: nothing to mark failed or to Retry; the agent learns what stayed on WhatsApp.
      this.logger.error({ err: error, conversationId, messageId }, 'agent delete could not be done on WhatsApp');
      await this.note(app, conversationId, this.texts.render('relay.revokeFailed', { reason }));
      return;
    }
    METRICS.messages.inc({ app: appId, direction: 'out', source: 'live', outcome: 'failed' });
    this.logger.error({ err: error, conversationId, messageId }, 'agent message could not be sent to WhatsApp');
    await this.intake.forgetAgentMessage(appId, messageId);
    // ChatWoot before 4.2.0 has no status update (404); a bot token is refused (401): the note still tells.
    try {
      await app.chatwoot.setMessageStatus(conversationId, messageId, 'failed', excerptOf(reason, 200));
      await this.redis.client.set(this.keys.markedFailed(appId, messageId), '1', 'PX', this.config.reliability.deadLetterTtlMs);
    } catch (failure) {
      this.logger.warn({ err: failure, conversationId, messageId }, 'cannot mark the message failed');
    }
    const action = this.texts.render('relay.retryReplyAction', { prefix: app.config.commandPrefix, ttl: formatDuration(this.config.reliability.deadLetterTtlMs) });
    await this.note(app, conversationId, this.texts.render('relay.sendFailed', { reason, excerpt: excerptOf(content, 120) || undefined, action }));
  }

  /**
   * A reply sent after it failed for good: sent by the agent's Retry in ChatWoot, it is no longer a dead letter
   * waiting for `queue retry`; sent by `queue retry`, its failed mark in ChatWoot is cleared (remembered first, so
   * the update this fires is not taken for a Retry).
   */
  /**
   * The agent deleted a message in ChatWoot: each part the bridge sent of it is deleted for everyone on WhatsApp
   * (WAHA's delete message). The parts are recorded in the ledger under their revoke's key first, so WhatsApp's
   * `message.revoked` for them changes nothing more in ChatWoot. A message the bridge itself deleted (because it was
   * deleted in WhatsApp) is left alone. WhatsApp refuses to revoke old messages: the agent is told what stayed.
   */
  private async revokeSent(app: AppContext, message: AgentMessage): Promise<void> {
    const appId = app.config.id;
    if (await this.redis.client.get(this.keys.bridgeDeleted(appId, message.messageId))) return;
    const chatId = this.chatOf(message);
    const parts = await this.sends.sentIds(appId, message.messageId, chatId);
    if (parts.length === 0) return;
    const kept: string[] = [];
    for (const { key, fullId } of parts) {
      const { chatId: partChat, waId } = parseMessageId(fullId);
      const hit = { conversationId: message.conversationId, messageId: message.messageId };
      await this.ledger.recordForward(appId, await this.persons.identity(app, publicJid(partChat)), revokeKey(waId), hit);
      try {
        await app.waha.revoke(publicJid(partChat), fullId);
      } catch (error) {
        const status = sessionStatusOf(error);
        // The session is not WORKING: the delete waits in its lane like a reply would.
        if (status) throw new RetryLaterError(`the WhatsApp session is ${status}`);
        if (isTransientFailure(error)) throw error;
        this.logger.warn({ err: error, appId, messageId: message.messageId, fullId }, 'WhatsApp refused to delete a message');
        kept.push(error instanceof Error ? error.message : String(error));
      }
      // Done with this part (revoked, or refused for good): a retry of the event, or a later update of the deleted
      // message (read receipts fire those), never revokes it again.
      await this.sends.forgetSent(appId, message.messageId, key);
    }
    if (kept.length > 0) await this.note(app, message.conversationId, this.texts.render('relay.revokeFailed', { reason: kept[0] }));
  }

  private async afterRetry(app: AppContext, event: Extract<InboxEvent, { kind: 'agent-message' }>): Promise<void> {
    const appId = app.config.id;
    const { conversationId, messageId } = event.message;
    if (event.retry) await this.lanes.dropDeadLetters(appId, QueueName.Inbox, (letter) => (letter.event as InboxEvent).message?.messageId === messageId);
    if ((await this.redis.client.del(this.keys.markedFailed(appId, messageId))) !== 1) return;
    await this.intake.rememberAgentMessage(appId, messageId);
    if (event.retry) return;
    await app.chatwoot.setMessageStatus(conversationId, messageId, 'sent').catch((error: unknown) => this.logger.warn({ err: error, conversationId, messageId }, 'cannot clear the failed mark'));
  }

  /** The WhatsApp chat of the conversation's contact: its chat id attributes, its phone, or a chat-like source id. */
  private chatOf(message: AgentMessage): string | undefined {
    const { chatIds, phoneNumber, sourceId } = message.contact;
    if (chatIds[0]) return publicJid(chatIds[0]);
    const digits = phoneNumber?.replace(/\D/g, '');
    if (digits) return `${digits}@c.us`;
    if (sourceId && /@(c\.us|lid|g\.us)$/.test(sourceId)) return publicJid(sourceId);
    return undefined;
  }

  private async send(app: AppContext, chatId: string, message: AgentMessage, lane: LaneContext): Promise<void> {
    const appId = app.config.id;
    const { replies } = app.config;
    const capabilities = await this.profiles.capabilities(app);
    let text = chatwootToWhatsApp(message.content.trim());
    if (text && replies.agentNamePrefix && message.senderName) text = this.texts.render('relay.agentName', { name: message.senderName, text });
    const mentioned = chatKind(chatId) === 'group' && text ? groupMentions(text, capabilities.mentionsAll) : { text, mentions: [] };
    text = mentioned.text;
    const replyTo = message.inReplyTo ? await this.ledger.whatsappIdOf(appId, message.inReplyTo) : undefined;
    const ctx: PartContext = { app, chatId, identity: await this.persons.identity(app, chatId), conversationId: message.conversationId, cwMessageId: message.messageId, signal: lane.signal };
    const { chatwoot, mediaHosts } = app.config;
    const attachments = message.attachments.filter((a) => agentAttachmentAllowed(a.url, chatwoot.url, mediaHosts));
    const refused = message.attachments.filter((a) => !attachments.includes(a));
    // Told once per message, however often the lane retries it.
    if (refused.length > 0 && (await this.redis.client.set(this.keys.sentPart(appId, message.messageId, 'refused-note'), '1', 'EX', 7 * 86_400, 'NX')) === 'OK') {
      const hosts = [...new Set(refused.map((a) => hostOf(a.url)))];
      this.logger.warn({ appId, conversationId: message.conversationId, hosts }, 'agent attachment not on ChatWoot or MEDIA_HOSTS: not sent');
      await this.note(app, message.conversationId, this.texts.render('relay.attachmentRefused', { files: refused.map((a, i) => fileOf(a, i).filename), hosts }));
    }
    const parts = planParts(text, attachments, capabilities.convertsMedia);
    const extras: SendOptions = { mentions: mentioned.mentions, linkPreview: replies.linkPreview, typing: replies.typingIndicator, signal: lane.signal };
    const unconfirmed: string[] = [];
    const once = async (part: SendPart, send: () => Promise<{ id: string | undefined }>): Promise<void> => {
      if ((await this.sends.sendOnce(ctx, part, send)) === 'unconfirmed') unconfirmed.push(part.filename ?? part.text ?? '');
    };
    try {
      if (attachments.length > 0 && !capabilities.mediaSends) throw new MediaSendsRefused();
      for (const part of parts) {
        const sendPart: SendPart = part.file ? { key: part.key, kind: 'file', caption: part.caption, filename: part.file.filename } : { key: part.key, kind: 'text', text: part.text };
        await once(sendPart, () => this.sendPart(app, chatId, part, replyTo, extras));
      }
    } catch (error) {
      if (!(error instanceof MediaSendsRefused) && !isPlusOnlyRefusal(error)) throw error;
      // WAHA Core before 2026.6.1: the customer gets the text, the agent is told once per conversation. A ChatWoot
      // link to the file is never sent instead: it is often private, or signed for agents only.
      if (!(error instanceof MediaSendsRefused)) this.profiles.mediaSendsRefusedBy(app);
      const textPart = parts.find((part) => part.method === 'sendText');
      const textAlreadySent = textPart !== undefined && (await this.sends.wasSent(ctx, textPart.key));
      if (text && !textAlreadySent) await once({ key: 'text-only', kind: 'text', text }, () => this.sendPart(app, chatId, { key: 'text-only', method: 'sendText', text }, replyTo, extras));
      await this.noteAttachmentsRefused(app, message.conversationId);
    }
    if (unconfirmed.length > 0) {
      await this.note(app, message.conversationId, this.texts.render('relay.sendUnconfirmed', { parts: unconfirmed }));
    }
    if (replies.markReadOnReply) await app.waha.sendSeen(chatId).catch(() => undefined);
  }

  private async sendPart(app: AppContext, chatId: string, part: PlannedPart, replyTo: string | undefined, options: SendOptions): Promise<{ id: string | undefined }> {
    const { file, caption, convert } = part;
    const mentions = options.mentions.length > 0 && (part.text || caption) ? { mentions: options.mentions } : {};
    if (!file) {
      if (options.typing) await this.typeFor(app, chatId, part.text ?? '', options.signal);
      const preview = options.linkPreview === 'off' ? { linkPreview: false } : { linkPreview: true, ...(options.linkPreview === 'hg' ? { linkPreviewHighQuality: true } : {}) };
      return app.waha.sendText(chatId, part.text ?? '', replyTo, { ...mentions, ...preview });
    }
    switch (part.method) {
      case 'sendImage':
        return app.waha.sendImage(chatId, file, caption, replyTo, mentions);
      case 'sendVideo':
        return app.waha.sendVideo(chatId, file, caption, replyTo, { ...mentions, ...(convert ? { convert } : {}) });
      case 'sendVoice':
        return app.waha.sendVoice(chatId, file, replyTo, convert ? { convert } : {});
      case 'sendFile':
      case 'sendText':
        return app.waha.sendFile(chatId, file, caption, replyTo, mentions);
    }
  }

  /** TYPING_INDICATOR: "typing…" for about as long as a person would take, at most TYPING_MAX_MS. Never fails a send. */
  private async typeFor(app: AppContext, chatId: string, text: string, signal: AbortSignal): Promise<void> {
    try {
      await app.waha.typing(chatId, true);
      await sleep(Math.min(TYPING_MAX_MS, TYPING_BASE_MS + text.length * TYPING_PER_CHAR_MS), signal);
      await app.waha.typing(chatId, false);
    } catch (error) {
      if (signal.aborted) throw error;
      this.logger.debug({ err: error, chatId }, 'typing indicator failed');
    }
  }

  private async noteAttachmentsRefused(app: AppContext, conversationId: number): Promise<void> {
    const first = await this.redis.client.hsetnx(this.keys.attachmentsRefusedNoted(app.config.id), String(conversationId), String(Date.now()));
    if (first !== 1) return;
    const version = (await this.profiles.waha(app)).version ?? undefined;
    await this.note(app, conversationId, this.texts.render('relay.attachmentsNotDelivered', { version }));
  }

  private async note(app: AppContext, conversationId: number, content: string): Promise<void> {
    if (!conversationId) return;
    await app.chatwoot
      .createMessage(conversationId, { content, message_type: 'outgoing', private: true }, 'live')
      .catch((error: unknown) => this.logger.error({ err: error, conversationId }, 'cannot leave a note'));
  }
}
