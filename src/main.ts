/**
 * Entry point: validate the configuration (one line and exit 1 when it is wrong), start Nest with raw bodies for
 * webhook signatures, a body size limit and the fast path for ChatWoot's echo webhooks, and shut down gracefully
 * on SIGTERM/SIGINT (workers finish or hand back their jobs).
 */
import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { AppModule } from './app.module';
import { ConfigError, loadConfig, ServiceConfig } from './config/config';
import { createLogger, PinoNestLogger } from './logging/logger';
import { ChatwootWebhookIntake } from './webhooks/chatwoot-webhook.intake';
import { WebhookFastPath } from './webhooks/webhook-fast-path';

export async function createApp(config: ServiceConfig): Promise<NestExpressApplication> {
  const logger = createLogger(config.logLevel);
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, logger), {
    rawBody: true,
    bodyParser: false,
    logger: new PinoNestLogger(logger),
  });
  app.useBodyParser('json', { limit: config.limits.webhookBodyBytes, type: ['application/json', 'application/*+json'] });
  // ChatWoot's echoes of what the bridge posted are answered before Express and Nest (webhook-fast-path.ts).
  new WebhookFastPath(app.get(ChatwootWebhookIntake), config.limits.webhookBodyBytes, logger).install(app.getHttpServer());
  if (config.security.allowUnsigned && config.role !== 'worker') {
    logger.warn('ALLOW_UNSIGNED_WEBHOOKS=true: webhooks without signatures are accepted; anyone who can reach this port can post them (set CHATWOOT_WEBHOOK_SECRET and WAHA_WEBHOOK_HMAC_KEY)');
  }
  return app;
}

async function main(): Promise<void> {
  let config: ServiceConfig;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`Configuration error: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const app = await createApp(config);
  await app.listen(config.port, '0.0.0.0');
  const url = await app.getUrl();
  process.stdout.write(`${JSON.stringify({ level: 30, msg: `listening on ${url}`, port: config.port })}\n`);
  let closing = false;
  const shutdown = (signal: string): void => {
    if (closing) return;
    closing = true;
    // Imports stop after the message in flight and hand their jobs back; workers and connections close.
    const force = setTimeout(() => process.exit(1), 25_000);
    force.unref();
    app
      .close()
      .then(() => {
        process.stdout.write(`${JSON.stringify({ level: 30, msg: `stopped on ${signal}` })}\n`);
        process.exit(0);
      })
      .catch((error: unknown) => {
        process.stderr.write(`Shutdown failed: ${String(error)}\n`);
        process.exit(1);
      });
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`Fatal: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
