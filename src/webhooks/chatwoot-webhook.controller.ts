/**
 * `POST /webhooks/chatwoot/{session}/{appId}`: ChatWoot waits 5 s and never retries, so the controller only
 * authenticates, decides, and writes a job to Redis; workers do the rest. When Redis cannot take it, the answer is
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
  Req,
  UnauthorizedException,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import type { RawBodyRequest } from '@nestjs/common';
import type { Request } from 'express';
import type { Logger } from 'pino';
import { AppsService } from '../apps/apps.service';
import { LOGGER } from '../logging/logger';
import { jobIds } from '../queue/job-options';
import { JobName } from '../queue/queue.constants';
import { Queues } from '../queue/queues';
import { RelayIntake } from '../relay/relay.intake';
import { decideChatwootWebhook } from './chatwoot-webhook.filter';
import { agentMessageOf, commandOriginOf, typedAtOf } from './chatwoot-webhook.mapper';
import { ChatwootWebhookBody } from './chatwoot-webhook.types';
import { verifyChatwootSignature } from './signature';

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
  ): Promise<{ success: true; action: string }> {
    const app = this.apps.forWebhook(session, appId);
    if (!app) throw new NotFoundException(`App '${appId}' not found for session '${session}'`);
    if (!req.is('application/json')) throw new UnsupportedMediaTypeException('Webhooks must be application/json');
    const secret = app.config.chatwoot.webhookSecret;
    if (secret) {
      const check = verifyChatwootSignature(secret, signature, timestamp, req.rawBody ?? Buffer.alloc(0), Date.now());
      if (!check.ok) throw new UnauthorizedException(`Webhook signature rejected: ${check.reason}`);
    }
    const body = (req.body ?? {}) as ChatwootWebhookBody;
    const decision = decideChatwootWebhook(body, app.config.commandPrefix);
    // Most webhooks are ChatWoot echoing what the bridge itself posted: keep that path lean.
    if (decision.action === 'drop') {
      if (this.logger.isLevelEnabled('debug')) this.logger.debug({ appId, event: body.event, messageId: body.id, reason: decision.reason }, 'webhook dropped');
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
            { origin: commandOriginOf(appId, body, decision.commandsChat), content: body.content ?? '', typedAt: typedAtOf(body) },
            jobIds.commandRun(appId, body.id ?? Date.now()),
          );
          // After the job: a mark written without its job would turn the agent's Retry away.
          if (messageId) await this.relay.markCommandSeen(appId, messageId);
          log.info({ retry: decision.retry ?? false }, 'command queued');
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
