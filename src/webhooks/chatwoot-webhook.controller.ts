/**
 * `POST /webhooks/chatwoot/{session}/{appId}`: what chatwoot-webhook.intake.ts decides and does, with Nest's
 * answers. Most webhooks never get here: webhook-fast-path.ts serves them on Node's request; this controller serves
 * what that path leaves to Express (refusals, other media types, bodies without a length), and a request the fast
 * path read comes with its admission attached, so nothing is decided twice.
 */
import {
  Controller,
  Headers,
  HttpCode,
  HttpException,
  HttpStatus,
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
import { Acted, ChatwootAdmission, ChatwootWebhookIntake, IntakeUnavailableError } from './chatwoot-webhook.intake';
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
  constructor(private readonly intake: ChatwootWebhookIntake) {}

  @Post(':session/:appId')
  @HttpCode(200)
  async receive(
    @Param('session') session: string,
    @Param('appId') appId: string,
    @Req() req: RawBodyRequest<Request>,
    @Headers('x-chatwoot-signature') signature?: string,
    @Headers('x-chatwoot-timestamp') timestamp?: string,
    @Query('token') token?: string,
  ): Promise<Acted> {
    const admission =
      admissionOf(req) ??
      this.intake.admit({
        session,
        appId,
        json: Boolean(req.is('application/json')),
        credentials: { signature, timestamp, token: typeof token === 'string' ? token : undefined },
        rawBody: req.rawBody ?? Buffer.alloc(0),
        body: req.body,
      });
    if (admission.kind === 'rejected') throw rejection(admission);
    if (admission.kind === 'ignored') return { success: true, action: 'ignored' };
    try {
      return await this.intake.act(admission);
    } catch (error) {
      if (error instanceof IntakeUnavailableError) throw new HttpException(error.message, HttpStatus.SERVICE_UNAVAILABLE);
      throw error;
    }
  }
}
