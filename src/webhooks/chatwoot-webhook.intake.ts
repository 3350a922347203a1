/**
 * ChatWoot webhook intake, behind both ways a webhook reaches us (the fast path in webhook-fast-path.ts, which
 * serves them on Node's request before Express and Nest, and the controller, which serves what the fast path does
 * not take): `admit` decides, without I/O, whether it is let in and what it asks for; `act` writes it to Redis.
 *
 * In order: the app (404), JSON (415), the signature or `?token=` (401), then the inbox: an event of another inbox
 * (an account-level webhook) is answered 200 `ignored` before anything else, since a non-2xx makes ChatWoot mark the
 * message failed. Then chatwoot-webhook.filter.ts decides (commands only for people, and with COMMAND_AGENTS only
 * listed ones). ChatWoot waits 5 s and never retries, so acting is only writing a job or a lane event: when Redis
 * cannot take it, `act` throws IntakeUnavailableError and the answer is 503; ChatWoot then marks the agent's
 * message failed and offers Retry, whose `message_updated` is accepted once (the dedupe key was never written).
 */
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { AppContext, AppsService } from '../apps/apps.service';
import { MAX_COMMAND_LENGTH } from '../commands/grammar/parse-command';
import { LOGGER } from '../logging/logger';
import { jobIds } from '../queue/job-options';
import { JobName } from '../queue/queue.constants';
import { Queues } from '../queue/queues';
import { RelayIntake } from '../relay/relay.intake';
import { decideChatwootWebhook, WebhookDecision } from './chatwoot-webhook.filter';
import { agentMessageOf, commandOriginOf, typedAtOf } from './chatwoot-webhook.mapper';
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

export type Acted = { success: true; action: 'ignored' | 'command' | 'relay' };

/** Redis could not take the webhook (answered 503). */
export class IntakeUnavailableError extends Error {
  constructor() {
    super('Cannot queue the webhook: Redis is unavailable');
  }
}

/** The inbox a ChatWoot event belongs to (message events carry `inbox`; conversation events `inbox_id`). */
function inboxOf(body: ChatwootWebhookBody): number | undefined {
  const id = body.inbox?.id ?? body.conversation?.inbox_id;
  return typeof id === 'number' ? id : undefined;
}

@Injectable()
export class ChatwootWebhookIntake {
  constructor(
    private readonly apps: AppsService,
    private readonly queues: Queues,
    private readonly relay: RelayIntake,
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

  /** Writes an admitted webhook's command job or relay event to Redis; IntakeUnavailableError when it cannot. */
  async act(admission: Extract<ChatwootAdmission, { kind: 'act' }>): Promise<Acted> {
    const { app, body, decision } = admission;
    const appId = app.config.id;
    const log = this.logger.child({ appId, event: body.event, messageId: body.id, conversationId: body.conversation?.id });
    try {
      switch (decision.action) {
        case 'command': {
          const messageId = Number(body.id ?? 0);
          if (decision.retry && (!messageId || (await this.relay.commandSeen(appId, messageId)))) return { success: true, action: 'ignored' };
          await this.queues.add(
            JobName.CommandRun,
            {
              origin: commandOriginOf(appId, body, decision.commandsChat),
              // A command is a line; a webhook body may be megabytes: the job keeps the start and the length.
              content: (body.content ?? '').slice(0, MAX_COMMAND_LENGTH + 1),
              typedLength: (body.content ?? '').length,
              typedAt: typedAtOf(body),
              ...(decision.notListed ? { refused: 'not-listed' as const } : {}),
            },
            jobIds.commandRun(appId, body.id ?? Date.now()),
          );
          // After the job: a mark written without its job would turn the agent's Retry away.
          if (messageId) await this.relay.markCommandSeen(appId, messageId);
          log.info({ retry: decision.retry ?? false, notListed: decision.notListed ?? false }, 'command queued');
          return { success: true, action: 'command' };
        }
        case 'delete': {
          const accepted = await this.relay.fromChatwootDelete(app, agentMessageOf(body));
          if (accepted) log.info('agent deleted a message: revoking it on WhatsApp');
          return { success: true, action: accepted ? 'relay' : 'ignored' };
        }
        case 'relay': {
          const accepted = await this.relay.fromChatwoot(app, agentMessageOf(body), decision.retry ?? false);
          if (decision.retry && accepted) log.info('agent pressed Retry: reply queued again');
          return { success: true, action: accepted ? 'relay' : 'ignored' };
        }
      }
    } catch (error) {
      log.error({ err: error }, 'cannot queue webhook');
      throw new IntakeUnavailableError();
    }
  }
}
