/**
 * `POST /webhooks/chatwoot/{session}/{appId}`: ChatWoot waits 5 s and never retries, so the controller only
 * authenticates, decides, and writes a job to Redis; workers do the rest.
 *
 * Who is let in and what a webhook asks for is decided in chatwoot-webhook.admission.ts. Most webhooks are ChatWoot
 * echoing what the bridge posted; webhook-fast-path.ts answers those before Nest and hands the rest here with its
 * admission attached, so nothing is decided twice. When Redis cannot take a webhook, the answer is 503: ChatWoot
 * then marks the agent's message failed and offers Retry, whose `message_updated` is accepted here once (the
 * message's dedupe key was never written).
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
import { MAX_COMMAND_LENGTH } from '../commands/grammar/parse-command';
import { LOGGER } from '../logging/logger';
import { jobIds } from '../queue/job-options';
import { JobName } from '../queue/queue.constants';
import { Queues } from '../queue/queues';
import { RelayIntake } from '../relay/relay.intake';
import { ChatwootAdmission, ChatwootWebhookAdmission } from './chatwoot-webhook.admission';
import { agentMessageOf, commandOriginOf, typedAtOf } from './chatwoot-webhook.mapper';
import { admissionOf } from './webhook-fast-path';

function rejection(admission: Extract<ChatwootAdmission, { kind: 'rejected' }>): HttpException {
  switch (admission.status) {
    case 404:
      return new NotFoundException(admission.message);
    case 415:
      return new UnsupportedMediaTypeException(admission.message);
    case 401:
      return new UnauthorizedException(admission.message);
  }
}

@Controller('webhooks/chatwoot')
export class ChatwootWebhookController {
  constructor(
    private readonly admission: ChatwootWebhookAdmission,
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
    const admission =
      admissionOf(req) ??
      this.admission.admit({
        session,
        appId,
        json: Boolean(req.is('application/json')),
        credentials: { signature, timestamp, token: typeof token === 'string' ? token : undefined },
        rawBody: req.rawBody ?? Buffer.alloc(0),
        body: req.body,
      });
    if (admission.kind === 'rejected') throw rejection(admission);
    if (admission.kind === 'ignored') return { success: true, action: 'ignored' };
    const { app, body, decision } = admission;
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
