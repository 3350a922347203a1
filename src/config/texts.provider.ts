/** The Texts instance of the process: English defaults with the operator's TEXTS_FILE overrides (read by config). */
import { Provider } from '@nestjs/common';
import { Texts } from '../texts/texts';
import { SERVICE_CONFIG, ServiceConfig } from './config';

export const TEXTS = Symbol('TEXTS');

export const textsProvider: Provider = {
  provide: TEXTS,
  inject: [SERVICE_CONFIG],
  useFactory: (config: ServiceConfig): Texts => Texts.load(config.textOverrides),
};
