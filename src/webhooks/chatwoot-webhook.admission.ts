/**
 * Whether a ChatWoot webhook is let in, and what it asks for, without I/O: the one decision behind both ways a
 * webhook reaches us (the fast path in webhook-fast-path.ts, which answers the ignorable ones before Nest, and the
 * controller, which acts on the rest).
 *
 * In order: the app (404), JSON (415), the signature or `?token=` (401), then the inbox: an event of another inbox
 * (an account-level webhook) is answered 200 `ignored` before anything else, since a non-2xx makes ChatWoot mark the
 * message failed. Then chatwoot-webhook.filter.ts decides (commands only for people, and with COMMAND_AGENTS only
 * listed ones).
 */
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { AppContext, AppsService } from '../apps/apps.service';
import { LOGGER } from '../logging/logger';
import { decideChatwootWebhook, WebhookDecision } from './chatwoot-webhook.filter';
import { ChatwootWebhookBody } from './chatwoot-webhook.types';
import { ChatwootCredentials, verifyChatwootWebhook } from './signature';

export interface ChatwootWebhookRequest {
  session: string;
  appId: string;
  /** The request's media type is application/json. */
  json: boolean;
  credentials: ChatwootCredentials;
  rawBody: Buffer;
  body: unknown;
}

export type ChatwootAdmission =
  | { kind: 'rejected'; status: 401 | 404 | 415; message: string }
  | { kind: 'ignored' }
  | { kind: 'act'; app: AppContext; body: ChatwootWebhookBody; decision: Exclude<WebhookDecision, { action: 'drop' }> };

/** The inbox a ChatWoot event belongs to (message events carry `inbox`; conversation events `inbox_id`). */
function inboxOf(body: ChatwootWebhookBody): number | undefined {
  const id = body.inbox?.id ?? body.conversation?.inbox_id;
  return typeof id === 'number' ? id : undefined;
}

@Injectable()
export class ChatwootWebhookAdmission {
  constructor(
    private readonly apps: AppsService,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  admit(request: ChatwootWebhookRequest, now = Date.now()): ChatwootAdmission {
    const { session, appId } = request;
    const app = this.apps.forWebhook(session, appId);
    if (!app) return { kind: 'rejected', status: 404, message: `App '${appId}' not found for session '${session}'` };
    if (!request.json) return { kind: 'rejected', status: 415, message: 'Webhooks must be application/json' };
    const check = verifyChatwootWebhook(app.config, request.credentials, request.rawBody, now);
    if (!check.ok) return { kind: 'rejected', status: 401, message: `Webhook rejected: ${check.reason}` };
    const body = (request.body ?? {}) as ChatwootWebhookBody;
    const inbox = inboxOf(body);
    if (inbox !== undefined ? inbox !== app.config.chatwoot.inboxId : typeof body.event === 'string' && body.event.startsWith('message_')) {
      this.logger.info({ appId, event: body.event, inbox }, 'webhook of another inbox ignored');
      return { kind: 'ignored' };
    }
    const decision = decideChatwootWebhook(body, app.config.commandPrefix, now, app.config.commandAgents);
    if (decision.action === 'drop') {
      // Most webhooks are ChatWoot echoing what the bridge itself posted: keep that path lean.
      if (decision.notice) this.logger.info({ appId, messageId: body.id, conversationId: body.conversation?.id, reason: decision.reason }, 'webhook ignored');
      else if (this.logger.isLevelEnabled('debug')) this.logger.debug({ appId, event: body.event, messageId: body.id, reason: decision.reason }, 'webhook dropped');
      return { kind: 'ignored' };
    }
    return { kind: 'act', app, body, decision };
  }
}
