/**
 * Rails-like request params: query string, JSON, urlencoded and multipart bodies merged into one hash, with the
 * uploaded files of `attachments[]` kept apart. Also the few casts Rails applies to params (booleans).
 */
import type { SimRequest } from '../common/sim-server';
import { JsonObject, SimHttpError } from './chatwoot-types';

export interface UploadedFile {
  /** `attachments` (a message's files) or `avatar` (a contact's picture). */
  field: 'attachments' | 'avatar';
  fileName: string;
  contentType: string;
  data: Buffer;
}

export interface RequestParams {
  fields: JsonObject;
  files: UploadedFile[];
}

const BAD_REQUEST = { status: 400, error: 'Bad Request' };

/** `a` → a; `a[]` → push onto array a; `a[b]` → nested hash a.b (one level, as far as the simulator needs). */
function assign(target: JsonObject, key: string, value: unknown): void {
  const array = /^(.+)\[\]$/.exec(key);
  if (array) {
    const existing = target[array[1]];
    if (Array.isArray(existing)) existing.push(value);
    else target[array[1]] = [value];
    return;
  }
  const nested = /^([^[\]]+)\[([^[\]]+)\]$/.exec(key);
  if (nested) {
    const existing = target[nested[1]];
    const hash: JsonObject =
      existing && typeof existing === 'object' && !Array.isArray(existing) ? (existing as JsonObject) : {};
    hash[nested[2]] = value;
    target[nested[1]] = hash;
    return;
  }
  target[key] = value;
}

const bodies = new WeakMap<SimRequest, Promise<RequestParams>>();

/** The body's fields and files (JSON, multipart or urlencoded), parsed once per request. */
export function readBody(req: SimRequest): Promise<RequestParams> {
  let parsed = bodies.get(req);
  if (!parsed) {
    parsed = parseBody(req);
    bodies.set(req, parsed);
  }
  return parsed;
}

async function parseBody(req: SimRequest): Promise<RequestParams> {
  const fields: JsonObject = {};
  const files: UploadedFile[] = [];
  const contentType = String(req.headers['content-type'] ?? '').toLowerCase();
  if (req.rawBody.length === 0) return { fields, files };

  if (contentType.includes('application/json')) {
    if (req.json === undefined) throw new SimHttpError(400, BAD_REQUEST);
    if (req.json && typeof req.json === 'object' && !Array.isArray(req.json)) Object.assign(fields, req.json);
  } else if (contentType.includes('multipart/form-data')) {
    let form: FormData;
    try {
      const request = new Request('http://sim/upload', {
        method: 'POST',
        headers: { 'content-type': String(req.headers['content-type']) },
        body: new Uint8Array(req.rawBody),
      });
      form = await request.formData();
    } catch {
      throw new SimHttpError(400, BAD_REQUEST);
    }
    for (const [key, value] of form.entries()) {
      if (typeof value === 'string') {
        assign(fields, key, value);
      } else if (key === 'attachments[]' || key === 'attachments' || key === 'avatar') {
        files.push({
          field: key === 'avatar' ? 'avatar' : 'attachments',
          fileName: value.name || 'blob',
          contentType: value.type || 'application/octet-stream',
          data: Buffer.from(await value.arrayBuffer()),
        });
      }
    }
  } else if (contentType.includes('application/x-www-form-urlencoded')) {
    for (const [key, value] of new URLSearchParams(req.rawBody.toString('utf8'))) assign(fields, key, value);
  }
  return { fields, files };
}

/** Rails' params: the query string's fields, then the body's over them. */
export async function readParams(req: SimRequest): Promise<RequestParams> {
  const body = await readBody(req);
  const fields: JsonObject = {};
  for (const [key, value] of req.query) assign(fields, key, value);
  return { fields: Object.assign(fields, body.fields), files: body.files };
}

/** ActiveModel::Type::Boolean: nil and "" are nil (false here); these strings are false; anything else is true. */
export function castBoolean(value: unknown): boolean {
  if (value === undefined || value === null || value === '' || value === false) return false;
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'string') return !['0', 'f', 'F', 'false', 'FALSE', 'off', 'OFF'].includes(value);
  return true;
}

export function stringOrNull(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** Any param as text (JSON for objects), `fallback` when absent. */
export function text(value: unknown, fallback = ''): string {
  return stringOrNull(value) ?? fallback;
}

/** A blank string (Rails `presence`) becomes null. */
export function presence(value: unknown): string | null {
  const text = stringOrNull(value);
  return text === null || text.trim() === '' ? null : text;
}

export function asObject(value: unknown): JsonObject {
  return value && typeof value === 'object' && !Array.isArray(value) ? { ...(value as JsonObject) } : {};
}
