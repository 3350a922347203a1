/** The Texts instance of the process: English defaults with the operator's TEXTS_FILE overrides. */
import * as fs from 'node:fs';
import { Provider } from '@nestjs/common';
import { SERVICE_CONFIG, ServiceConfig } from '../config/config';
import { Texts } from '../texts/texts';

export const TEXTS = Symbol('TEXTS');

export const textsProvider: Provider = {
  provide: TEXTS,
  inject: [SERVICE_CONFIG],
  useFactory: (config: ServiceConfig): Texts => {
    if (!config.textsFile) return Texts.load();
    const overrides = JSON.parse(fs.readFileSync(config.textsFile, 'utf8')) as Record<string, string>;
    return Texts.load(overrides);
  },
};
