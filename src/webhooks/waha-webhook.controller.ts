/**
 * `POST /webhooks/waha/{appId}`: WAHA's webhooks for one app: message.any, message.ack, session.status, and the
 * updates of relay/whatsapp-updates.ts (message.reaction, message.edited, message.revoked, poll.vote,
 * poll.vote.failed, call.received|accepted|rejected). WAHA retries failed deliveries, so events are deduplicated by
 * chat and message (or event) id; an answer is given only after the event is in Redis. Of `message.ack`, only read receipts of our own messages in one-to-one chats are kept (see
 * read-receipts.ts).
 *
 * Each app has its own URL because a session name is only unique on one WAHA server: two apps on two servers may
 * both call theirs `default`, and routing by name would hand one tenant's messages to the other. The older
 * `POST /webhooks/waha` (no app id) still routes by session name, only while exactly one app has that session.
 *
 * A signed envelope is still refused when it is older than the dedupe window (its `timestamp`, milliseconds, sent
 * by WAHA since 2025.3.1): past the window a replayed event would no longer be recognised as a repeat.
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
  Param,
  Post,
  Req,
  UnauthorizedException,
  UnprocessableEntityException,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import type { RawBodyRequest } from '@nestjs/common';
import type { Request } from 'express';
import type { Logger } from 'pino';
import { AppContext, AppsService } from '../apps/apps.service';
import { WahaEnvelope, WahaMessage } from '../clients/waha/waha.types';
import { LOGGER } from '../logging/logger';
import { SEEN_TTL_S } from '../relay/lanes';
import { readReceiptOf } from '../relay/read-receipts';
import { RelayIntake } from '../relay/relay.intake';
import { UPDATE_EVENTS, updateOf, updateOfMessage } from '../clients/waha/waha-updates';
import { verifyWahaHmac } from './signature';

type Answer = { success: true; action: string };

/** Envelopes older than this are refused: the dedupe keys that would recognise a replay are gone by then. */
export const WAHA_ENVELOPE_MAX_AGE_MS = SEEN_TTL_S * 1000;

@Controller('webhooks/waha')
export class WahaWebhookController {
  constructor(
    private readonly apps: AppsService,
    private readonly relay: RelayIntake,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  @Post(':appId')
  @HttpCode(200)
  async receiveForApp(@Param('appId') appId: string, @Req() req: RawBodyRequest<Request>, @Headers('x-webhook-hmac') hmac?: string): Promise<Answer> {
    const app = this.apps.get(appId);
    if (!app) throw new NotFoundException(`App '${appId}' not found`);
    const body = this.envelope(req, app, hmac);
    if (body.session !== app.config.waha.session) throw new NotFoundException(`Session '${body.session}' is not app '${appId}''s session`);
    return this.accept(app, body);
  }

  /** The URL before apps had their own: routed by session name while only one app has that name. */
  @Post()
  @HttpCode(200)
  async receive(@Req() req: RawBodyRequest<Request>, @Headers('x-webhook-hmac') hmac?: string): Promise<Answer> {
    const session = (req.body as { session?: unknown } | undefined)?.session;
    const apps = typeof session === 'string' ? this.apps.bySession(session) : [];
    if (apps.length > 1) {
      // Which apps share the name is said only to a sender who signs like one of them.
      const signed = apps.some((a) => !a.config.waha.webhookHmacKey || verifyWahaHmac(a.config.waha.webhookHmacKey, hmac, req.rawBody ?? Buffer.alloc(0)).ok);
      if (!signed) throw new UnauthorizedException('Webhook HMAC rejected');
      throw new NotFoundException(`Session '${String(session)}' belongs to several apps: use /webhooks/waha/{appId} (${apps.map((a) => a.config.id).join(', ')})`);
    }
    if (apps.length === 0 && typeof session === 'string') throw new NotFoundException(`Session '${session}' not found`);
    const app = apps[0];
    const body = this.envelope(req, app, hmac);
    if (!app) throw new NotFoundException(`Session '${body.session}' not found`);
    return this.accept(app, body);
  }

  /** Checks media type, signature, shape and age, in that order (nothing about the apps leaks before the signature). */
  private envelope(req: RawBodyRequest<Request>, app: AppContext | undefined, hmac: string | undefined): WahaEnvelope {
    if (!req.is('application/json')) throw new UnsupportedMediaTypeException('Webhooks must be application/json');
    const key = app?.config.waha.webhookHmacKey;
    if (key && !verifyWahaHmac(key, hmac, req.rawBody ?? Buffer.alloc(0)).ok) throw new UnauthorizedException('Webhook HMAC rejected');
    const body = req.body as Partial<WahaEnvelope> | undefined;
    if (!body || typeof body !== 'object' || typeof body.event !== 'string' || typeof body.session !== 'string') {
      throw new BadRequestException('Expected a WAHA webhook envelope with "event" and "session"');
    }
    if (typeof body.timestamp === 'number' && Date.now() - body.timestamp > WAHA_ENVELOPE_MAX_AGE_MS) {
      throw new UnprocessableEntityException('Webhook envelope is older than the dedupe window: refused as a replay');
    }
    return body as WahaEnvelope;
  }

  private async accept(app: AppContext, body: WahaEnvelope): Promise<Answer> {
    try {
      if (body.event === 'message.any' || body.event === 'message') {
        const message = body.payload as WahaMessage | undefined;
        if (!message || typeof message.id !== 'string') throw new BadRequestException('message event without a payload id');
        const update = updateOfMessage(message);
        if (update) return { success: true, action: (await this.relay.fromWhatsAppUpdate(app, update)) ? 'queued' : 'duplicate' };
        return { success: true, action: (await this.relay.fromWhatsAppMessage(app, message)) ? 'queued' : 'duplicate' };
      }
      if ((UPDATE_EVENTS as readonly string[]).includes(body.event)) {
        const update = updateOf(body.event, body.payload);
        if (!update) throw new BadRequestException(`${body.event} event without what it is about`);
        return { success: true, action: (await this.relay.fromWhatsAppUpdate(app, update)) ? 'queued' : 'duplicate' };
      }
      if (body.event === 'message.ack') {
        const receipt = app.config.chatwoot.markAsRead ? readReceiptOf(body.payload) : null;
        if (receipt) return { success: true, action: (await this.relay.fromWhatsAppRead(app, receipt)) ? 'queued' : 'duplicate' };
        return { success: true, action: 'ignored' };
      }
      if (body.event === 'session.status') {
        const status = String((body.payload as { status?: string } | undefined)?.status ?? 'UNKNOWN');
        await this.relay.fromWhatsAppSession(app, body.session, status, body.id);
        return { success: true, action: 'queued' };
      }
      return { success: true, action: 'ignored' };
    } catch (error) {
      if (error instanceof HttpException) throw error;
      this.logger.error({ err: error, appId: app.config.id }, 'cannot queue WAHA webhook');
      throw new HttpException('Cannot queue the webhook: Redis is unavailable', HttpStatus.SERVICE_UNAVAILABLE);
    }
  }
}
