/**
 * Small helpers of the WAHA simulator's HTTP handlers: NestJS-style error answers and class-validator-style
 * parsing of query parameters and JSON bodies.
 */
import { SimResponse } from '../common/sim-server';

export function badRequest(messages: string[]): SimResponse {
  return { status: 400, body: { message: messages, error: 'Bad Request', statusCode: 400 } };
}

export function notFound(message: string): SimResponse {
  return { status: 404, body: { statusCode: 404, message, error: 'Not Found' } };
}

export const FILE_NOT_FOUND: SimResponse = {
  status: 404,
  body: {
    error: {
      code: 404,
      key: 'FILE_NOT_FOUND',
      message: 'File not found',
      details: 'File not found or no longer available',
    },
  },
};

/** class-validator style boolean: true/True/1, false/False/0. */
export function parseBool(raw: string | null): boolean | undefined | 'invalid' {
  if (raw === null) return undefined;
  if (raw === 'true' || raw === 'True' || raw === '1') return true;
  if (raw === 'false' || raw === 'False' || raw === '0') return false;
  return 'invalid';
}

export function parseNumber(raw: string | null): number | undefined | 'invalid' {
  if (raw === null || raw === '') return undefined;
  const value = Number(raw);
  return Number.isFinite(value) ? value : 'invalid';
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
