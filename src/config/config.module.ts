/** The validated configuration, the process logger and the texts: loaded once at start-up, injected everywhere. */
import { DynamicModule, Global, Module } from '@nestjs/common';
import type { Logger } from 'pino';
import { LOGGER } from '../logging/logger';
import { SERVICE_CONFIG, ServiceConfig } from './config';
import { textsProvider } from './texts.provider';

@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: ServiceConfig, logger: Logger): DynamicModule {
    return {
      module: ConfigModule,
      providers: [{ provide: SERVICE_CONFIG, useValue: config }, { provide: LOGGER, useValue: logger }, textsProvider],
      exports: [SERVICE_CONFIG, LOGGER, textsProvider],
    };
  }
}
