/**
 * `POST /webhooks/chatwoot/{session}/{appId}`: ChatWoot waits 5 s and never retries, so the controller only
 * authenticates, decides, and writes a job to Redis; workers do the rest.
 *
 * In order: the app (404), JSON (415), the signature or `?token=` (401), then the inbox: an event of another inbox
 * (an account-level webhook) is answered 200 `ignored` before anything else, since a non-2xx makes ChatWoot mark the
 * message failed. Commands run only for people (see chatwoot-webhook.filter.ts) and, with COMMAND_AGENTS, only
 * listed ones. When Redis cannot take it, the answer is
 * 503: ChatWoot then marks the agent's message failed and offers Retry, whose `message_updated` is accepted here
 * once (the message's dedupe key was never written).
 */
import {
  Controller,
  Headers,
  HttpCode,
  HttpException,
  HttpStatus,
  Inject,
  NotFoundException,
  Param,
  Post,
  Query,
  Req,
  UnauthorizedException,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import type { RawBodyRequest } from '@nestjs/common';
import type { Request } from 'express';
import type { Logger } from 'pino';
import { AppsService } from '../apps/apps.service';
import { MAX_COMMAND_LENGTH } from '../commands/grammar/parse-command';
import { LOGGER } from '../logging/logger';
import { jobIds } from '../queue/job-options';
import { JobName } from '../queue/queue.constants';
import { Queues } from '../queue/queues';
import { RelayIntake } from '../relay/relay.intake';
import { decideChatwootWebhook } from './chatwoot-webhook.filter';
import { agentMessageOf, commandOriginOf, typedAtOf } from './chatwoot-webhook.mapper';
import { ChatwootWebhookBody } from './chatwoot-webhook.types';
import { verifyChatwootWebhook } from './signature';


/** The inbox a ChatWoot event belongs to (message events carry `inbox`; conversation events `inbox_id`). */
function inboxOf(body: ChatwootWebhookBody): number | undefined {
  const id = body.inbox?.id ?? body.conversation?.inbox_id;
  return typeof id === 'number' ? id : undefined;
}

@Controller('webhooks/chatwoot')
export class ChatwootWebhookController {
  constructor(
    private readonly apps: AppsService,
    private readonly queues: Queues,
    private readonly relay: RelayIntake,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @Post(':session/:appId')
  @HttpCode(200)
  async receive(
    @Param('session') session: string,
    @Param('appId') appId: string,
    @Req() req: RawBodyRequest<Request>,
    @Headers('x-chatwoot-signature') signature?: string,
    @Headers('x-chatwoot-timestamp') timestamp?: string,
    @Query('token') token?: string,
  ): Promise<{ success: true; action: string }> {
    const app = this.apps.forWebhook(session, appId);
    if (!app) throw new NotFoundException(`App '${appId}' not found for session '${session}'`);
    if (!req.is('application/json')) throw new UnsupportedMediaTypeException('Webhooks must be application/json');
    const check = verifyChatwootWebhook(app.config, { signature, timestamp, token: typeof token === 'string' ? token : undefined }, req.rawBody ?? Buffer.alloc(0), Date.now());
    if (!check.ok) throw new UnauthorizedException(`Webhook rejected: ${check.reason}`);
    const body = (req.body ?? {}) as ChatwootWebhookBody;
    const inbox = inboxOf(body);
    if (inbox !== undefined ? inbox !== app.config.chatwoot.inboxId : typeof body.event === 'string' && body.event.startsWith('message_')) {
      this.logger.info({ appId, event: body.event, inbox }, 'webhook of another inbox ignored');
      return { success: true, action: 'ignored' };
    }
    const decision = decideChatwootWebhook(body, app.config.commandPrefix, Date.now(), app.config.commandAgents);
    // Most webhooks are ChatWoot echoing what the bridge itself posted: keep that path lean.
    if (decision.action === 'drop') {
      if (decision.notice) this.logger.info({ appId, messageId: body.id, conversationId: body.conversation?.id, reason: decision.reason }, 'webhook ignored');
      else if (this.logger.isLevelEnabled('debug')) this.logger.debug({ appId, event: body.event, messageId: body.id, reason: decision.reason }, 'webhook dropped');
      return { success: true, action: 'ignored' };
    }
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
        case 'relay': {
          const accepted = await this.relay.fromChatwoot(app, agentMessageOf(body), decision.retry ?? false);
          if (decision.retry && accepted) log.info('agent pressed Retry: reply queued again');
          return { success: true, action: accepted ? 'relay' : 'ignored' };
        }
      }
    } catch (error) {
      log.error({ err: error }, 'cannot queue webhook');
      throw new HttpException('Cannot queue the webhook: Redis is unavailable', HttpStatus.SERVICE_UNAVAILABLE);
    }
  }
}
