/**
 * Small helpers of the WAHA simulator's HTTP handlers: NestJS-style error answers and class-validator-style
 * parsing of query parameters and JSON bodies.
 */
import { ApiIssue } from '../common/openapi-document';
import { SimResponse } from '../common/sim-server';

export function badRequest(messages: string[]): SimResponse {
  return { status: 400, body: { message: messages, error: 'Bad Request', statusCode: 400 } };
}

export function notFound(message: string): SimResponse {
  return { status: 404, body: { statusCode: 404, message, error: 'Not Found' } };
}

/** NestJS's answer for a route the server does not have (in this release). */
export function routeNotFound(method: string, path: string): SimResponse {
  return { status: 404, body: { message: `Cannot ${method} ${path}`, error: 'Not Found', statusCode: 404 } };
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

/**
 * An API-document issue in class-validator's words, as WAHA's ValidationPipe answers (NestJS): `sortBy must be one
 * of the following values: a, b`, `limit must be a number conforming to the specified constraints`.
 */
export function classValidatorMessage(issue: ApiIssue): string {
  const field = issue.field === '' ? issue.in : issue.field;
  switch (issue.keyword) {
    case 'required':
      return `${field} should not be null or undefined`;
    case 'enum':
      return `${field} must be one of the following values: ${(issue.allowed ?? []).map(String).join(', ')}`;
    case 'type':
      if (issue.type === 'number' || issue.type === 'integer') {
        return `${field} must be a number conforming to the specified constraints`;
      }
      if (issue.type === 'boolean') return `${field} must be a boolean value`;
      if (issue.type === 'string') return `${field} must be a string`;
      if (issue.type === 'array') return `${field} must be an array`;
      return `${field} must be an object`;
    default:
      return `${field} ${issue.problem}`;
  }
}
