/**
 * One pino logger for the whole process, with secrets redacted. Nest's own messages are routed through it.
 */
import { LoggerService } from '@nestjs/common';
import pino, { Logger } from 'pino';

export const REDACT_PATHS = [
  'token',
  'apiKey',
  'headers.api_access_token',
  'headers["x-api-key"]',
  '*.token',
  '*.apiKey',
  '*.webhookSecret',
  '*.webhookHmacKey',
  'config.headers.api_access_token',
  'config.headers["X-Api-Key"]',
];

export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'waha-chatwoot-bridge' },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}

export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, context?: string): void {
    this.logger.info({ context }, String(message));
  }
  error(message: unknown, trace?: string, context?: string): void {
    this.logger.error({ context, trace }, String(message));
  }
  warn(message: unknown, context?: string): void {
    this.logger.warn({ context }, String(message));
  }
  debug(message: unknown, context?: string): void {
    this.logger.debug({ context }, String(message));
  }
  verbose(message: unknown, context?: string): void {
    this.logger.trace({ context }, String(message));
  }
}

export const LOGGER = Symbol('LOGGER');
