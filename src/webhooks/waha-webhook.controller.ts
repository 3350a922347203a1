/**
 * `POST /webhooks/waha`: WAHA's webhooks (message.any, message.ack, session.status). WAHA retries failed
 * deliveries, so events are deduplicated by payload id; an answer is given only after the event is in Redis.
 * Of `message.ack`, only read receipts of our own messages in one-to-one chats are kept (see read-receipts.ts).
 */
import {
  BadRequestException,
  Controller,
  Headers,
  HttpCode,
  HttpException,
  HttpStatus,
  Inject,
  NotFoundException,
  Post,
  Req,
  UnauthorizedException,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import type { RawBodyRequest } from '@nestjs/common';
import type { Request } from 'express';
import type { Logger } from 'pino';
import { AppsService } from '../apps/apps.service';
import { WahaEnvelope, WahaMessage } from '../clients/waha/waha.types';
import { LOGGER } from '../logging/logger';
import { readReceiptOf } from '../relay/read-receipts';
import { RelayIntake } from '../relay/relay.intake';
import { verifyWahaHmac } from './signature';

@Controller('webhooks/waha')
export class WahaWebhookController {
  constructor(
    private readonly apps: AppsService,
    private readonly relay: RelayIntake,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @Post()
  @HttpCode(200)
  async receive(@Req() req: RawBodyRequest<Request>, @Headers('x-webhook-hmac') hmac?: string): Promise<{ success: true; action: string }> {
    if (!req.is('application/json')) throw new UnsupportedMediaTypeException('Webhooks must be application/json');
    const body = req.body as Partial<WahaEnvelope> | undefined;
    if (!body || typeof body !== 'object' || typeof body.event !== 'string' || typeof body.session !== 'string') {
      throw new BadRequestException('Expected a WAHA webhook envelope with "event" and "session"');
    }
    const apps = this.apps.bySession(body.session);
    if (apps.length === 0) throw new NotFoundException(`Session '${body.session}' not found`);
    for (const app of apps) {
      const key = app.config.waha.webhookHmacKey;
      if (key && !verifyWahaHmac(key, hmac, req.rawBody ?? Buffer.alloc(0)).ok) {
        throw new UnauthorizedException('Webhook HMAC rejected');
      }
    }
    try {
      let action = 'ignored';
      for (const app of apps) {
        if (body.event === 'message.any' || body.event === 'message') {
          const message = body.payload as WahaMessage | undefined;
          if (!message || typeof message.id !== 'string') throw new BadRequestException('message event without a payload id');
          action = (await this.relay.fromWhatsAppMessage(app, message)) ? 'queued' : 'duplicate';
        } else if (body.event === 'message.ack') {
          const receipt = app.config.chatwoot.markAsRead ? readReceiptOf(body.payload) : null;
          if (receipt) action = (await this.relay.fromWhatsAppRead(app, receipt)) ? 'queued' : 'duplicate';
        } else if (body.event === 'session.status') {
          const status = String((body.payload as { status?: string } | undefined)?.status ?? 'UNKNOWN');
          await this.relay.fromWhatsAppSession(app, body.session, status, body.id);
          action = 'queued';
        }
      }
      return { success: true, action };
    } catch (error) {
      if (error instanceof HttpException) throw error;
      this.logger.error({ err: error }, 'cannot queue WAHA webhook');
      throw new HttpException('Cannot queue the webhook: Redis is unavailable', HttpStatus.SERVICE_UNAVAILABLE);
    }
  }
}
