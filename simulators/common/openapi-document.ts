/**
 * Checking what reaches a simulator against the official OpenAPI document of the server it imitates, so a client
 * cannot pass the tests with a request the real server would not take (issue 13: "simulators that cannot share our
 * mistakes").
 *
 * The documents live outside the project, in `shared/specs/` beside the repository (../shared/specs from its root);
 * they are read when a simulator starts, never copied. Each simulator adds what its document lacks and relaxes
 * what the document says more strictly than the server behaves in one overrides file, every entry citing its proof.
 * When the document is missing the simulator starts all the same, without checks, and says so in one line.
 *
 * The checks run on openapi-backend (ajv underneath): it resolves the document's $refs, compiles one validator per
 * operation on first use, coerces path and query strings to their declared types, and validates JSON bodies. The
 * simulator, not openapi-backend, decides which operation a request is: the route that matched names it, so two
 * documented paths that fit the same URL cannot be confused.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import OpenAPIBackend, { type Operation } from 'openapi-backend';

export type JsonObject = Record<string, unknown>;

export interface ApiDocumentSpec {
  /** The document's path under shared/specs, e.g. `waha/openapi-2026.7.1.json`. */
  file: string;
  /** Who checks, for the one line logged when the document is missing. */
  simulator: string;
  /** Adds what the document lacks and relaxes what it says too strictly; gets a copy to change in place. */
  overrides: (doc: JsonObject) => void;
  /** The words the server reads as booleans in a query, when more than JSON's `true` and `false`. */
  queryBooleans?: { truthy: string[]; falsy: string[] };
}

export interface ApiCheckInput {
  method: string;
  /** The path as sent, still percent-encoded, without a reverse proxy's prefix. */
  rawPath: string;
  /** The simulator route that matched (`/api/:session/chats`): it names the documented operation. */
  template: string;
  /** Parameters the document does not declare are left out: both servers ignore (or strip) them. */
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  /** The body as an object (JSON, or the fields of a form), undefined when there was none. */
  body: unknown;
}

export interface ApiIssue {
  /** Where the offending value is: body, query, path or header. */
  in: string;
  /** The field, dotted when nested; '' for the body as a whole. */
  field: string;
  /** What is wrong, in words: "is required", "must be one of: a, b", "must be of type number". */
  problem: string;
  keyword: string;
  /** The allowed values when the field is an enum; the expected type for a type error. */
  allowed?: unknown[];
  type?: string;
}

export type ApiCheck = { ok: true } | { ok: false; undocumented: true } | { ok: false; issues: ApiIssue[] };

/** `body.chatId is required`, `query.sortBy must be one of: timestamp, messageTimestamp`. */
export function describeIssue(issue: ApiIssue): string {
  return `${issue.in}${issue.field === '' ? '' : `.${issue.field}`} ${issue.problem}`;
}

/** `/api/:session/chats/{chatId}/` and `/api/{session}/chats/{id}` both become `/api/{}/chats/{}`. */
function routeKey(method: string, template: string): string {
  const normalised = template
    .split('/')
    .map((part) => (/^[:*]/.test(part) || /^\{.*\}$/.test(part) ? '{}' : part))
    .join('/')
    .replace(/\/+$/, '');
  return `${method.toUpperCase()} ${normalised || '/'}`;
}

/**
 * shared/specs beside the repository: `SIM_SPECS_DIR` when set, else ../shared/specs from the first folder above
 * this file that holds a package.json (the repository root, whether this runs from simulators/ or dist-sim/).
 */
export function specsDirectory(): string | undefined {
  if (process.env.SIM_SPECS_DIR) return process.env.SIM_SPECS_DIR;
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'package.json'))) return path.join(dir, '..', 'shared', 'specs');
    if (path.dirname(dir) === dir) return undefined;
  }
}

const INSIDE_ALTERNATIVES = /\/(oneOf|anyOf)\//;

interface AjvError {
  instancePath?: string;
  dataPath?: string;
  schemaPath?: string;
  keyword: string;
  params?: Record<string, unknown>;
  message?: string;
}

function toIssue(error: AjvError): ApiIssue {
  const segments = (error.instancePath ?? error.dataPath ?? '').split('/').slice(1);
  const where: Record<string, string> = { requestBody: 'body', query: 'query', path: 'path', header: 'header' };
  const params = error.params ?? {};
  let location = segments.length > 0 ? (where[segments[0]] ?? segments[0]) : '';
  const field = segments.slice(1);
  if (error.keyword === 'required' && typeof params.missingProperty === 'string') {
    if (location === '') location = where[params.missingProperty] ?? params.missingProperty;
    else field.push(params.missingProperty);
    return { in: location, field: field.join('.'), problem: 'is required', keyword: 'required' };
  }
  const issue: ApiIssue = { in: location || 'body', field: field.join('.'), problem: '', keyword: error.keyword };
  if (error.keyword === 'enum' && Array.isArray(params.allowedValues)) {
    issue.allowed = params.allowedValues;
    issue.problem = `must be one of: ${params.allowedValues.map(String).join(', ')}`;
  } else if (error.keyword === 'type') {
    issue.type = Array.isArray(params.type) ? params.type.join(' or ') : String(params.type);
    issue.problem = `must be of type ${issue.type}`;
  } else if (error.keyword === 'oneOf' || error.keyword === 'anyOf') {
    issue.problem = 'matches none of the documented shapes';
  } else if (error.keyword === 'additionalProperties') {
    issue.problem = `has an undocumented field ${String(params.additionalProperty)}`;
  } else {
    issue.problem = error.message ?? error.keyword;
  }
  return issue;
}

function headerRecord(headers: http.IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) out[name.toLowerCase()] = value;
  return out;
}

export class ApiDocument {
  private readonly operations = new Map<string, Operation>();

  private constructor(
    private readonly backend: OpenAPIBackend,
    private readonly spec: ApiDocumentSpec,
  ) {
    for (const operation of backend.router.getOperations()) {
      this.operations.set(routeKey(operation.method, operation.path), operation);
    }
  }

  /** The documented operation a simulator route stands for. */
  operation(method: string, template: string): Operation | undefined {
    return this.operations.get(routeKey(method, template));
  }

  check(input: ApiCheckInput): ApiCheck {
    const operation = this.operation(input.method, input.template);
    if (!operation) return { ok: false, undocumented: true };
    const declared = new Map<string, string | undefined>();
    for (const p of operation.parameters ?? []) {
      if ('in' in p && p.in === 'query') {
        const schema = p.schema && 'type' in p.schema ? p.schema : undefined;
        declared.set(p.name, typeof schema?.type === 'string' ? schema.type : undefined);
      }
    }
    const words = this.spec.queryBooleans;
    const asBoolean = (value: string): string =>
      words?.truthy.includes(value) ? 'true' : words?.falsy.includes(value) ? 'false' : value;
    const query: Record<string, string | string[]> = {};
    for (const name of new Set(input.query.keys())) {
      if (!declared.has(name)) continue;
      let values = input.query.getAll(name);
      if (declared.get(name) === 'boolean') values = values.map(asBoolean);
      query[name] = values.length === 1 ? values[0] : values;
    }
    const headers = headerRecord(input.headers);
    // The body goes to the check as JSON whatever it came as: a form's fields are checked like a JSON body.
    if (input.body !== undefined) headers['content-type'] = 'application/json';
    else delete headers['content-type'];
    const result = this.backend.validateRequest(
      { method: input.method.toLowerCase(), path: input.rawPath, headers, query, body: input.body },
      operation,
    );
    if (result.valid) return { ok: true };
    const errors = (result.errors ?? []) as AjvError[];
    const kept = errors.filter((e) => !INSIDE_ALTERNATIVES.test(e.schemaPath ?? ''));
    const issues: ApiIssue[] = [];
    const seen = new Set<string>();
    for (const error of kept.length > 0 ? kept : errors) {
      const issue = toIssue(error);
      const text = describeIssue(issue);
      if (!seen.has(text)) {
        seen.add(text);
        issues.push(issue);
      }
    }
    return { ok: false, issues };
  }

  private static readonly loaded = new Map<string, Promise<ApiDocument | undefined>>();

  /**
   * The document with the simulator's overrides applied, ready to check requests; undefined (after one line on
   * stderr) when it is not there. Loaded once per process and document.
   */
  static load(spec: ApiDocumentSpec): Promise<ApiDocument | undefined> {
    let loading = ApiDocument.loaded.get(spec.file);
    if (!loading) {
      loading = ApiDocument.build(spec);
      ApiDocument.loaded.set(spec.file, loading);
    }
    return loading;
  }

  private static async build(spec: ApiDocumentSpec): Promise<ApiDocument | undefined> {
    const dir = specsDirectory();
    const file = dir === undefined ? undefined : path.join(dir, spec.file);
    if (file === undefined || !fs.existsSync(file)) {
      process.stderr.write(
        `${spec.simulator} simulator: no API document at ${file ?? `shared/specs/${spec.file}`}; requests are not checked\n`,
      );
      return undefined;
    }
    const definition = JSON.parse(fs.readFileSync(file, 'utf8')) as JsonObject;
    spec.overrides(definition);
    const backend = new OpenAPIBackend({
      definition: definition as never,
      strict: false,
      quick: true,
      validate: true,
      // Formats (date-time, binary…) are not checked: ajv would need ajv-formats for them.
      ajvOpts: { strict: false, allErrors: true, validateFormats: false },
    });
    await backend.init();
    return new ApiDocument(backend, spec);
  }
}

// ----- helpers for the overrides files ------------------------------------------------------------------------

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `doc.paths[path][method]`, to change in place; throws when the document lacks it. */
export function operationOf(doc: JsonObject, method: string, route: string): JsonObject {
  const paths = isObject(doc.paths) ? doc.paths : {};
  const item = isObject(paths[route]) ? paths[route] : {};
  const found = item[method.toLowerCase()];
  if (!isObject(found)) throw new Error(`API document override: ${method} ${route} is not in the document`);
  return found;
}

/** Adds an operation the document lacks; a unique operationId is derived from method and path. */
export function addOperation(doc: JsonObject, method: string, route: string, operation: JsonObject): void {
  const paths = isObject(doc.paths) ? doc.paths : (doc.paths = {});
  const item = isObject(paths[route]) ? paths[route] : (paths[route] = {});
  const verb = method.toLowerCase();
  if (item[verb] !== undefined) throw new Error(`API document override: ${method} ${route} is already documented`);
  item[verb] = { operationId: `sim_${verb}_${route.replace(/[^a-zA-Z0-9]+/g, '_')}`, responses: {}, ...operation };
}

/** A schema in `components.schemas`. */
export function componentSchema(doc: JsonObject, name: string): JsonObject {
  const components = isObject(doc.components) ? doc.components : {};
  const schemas = isObject(components.schemas) ? components.schemas : {};
  const schema = schemas[name];
  if (!isObject(schema)) throw new Error(`API document override: no schema ${name}`);
  return schema;
}

/** The JSON body schema of an operation (following one $ref into components). */
export function bodySchema(doc: JsonObject, method: string, route: string): JsonObject {
  const operation = operationOf(doc, method, route);
  const body = isObject(operation.requestBody) ? operation.requestBody : {};
  const content = isObject(body.content) ? body.content : {};
  const json = isObject(content['application/json']) ? content['application/json'] : {};
  let schema = isObject(json.schema) ? json.schema : undefined;
  if (schema && typeof schema.$ref === 'string') schema = componentSchema(doc, schema.$ref.split('/').pop() ?? '');
  if (!schema) throw new Error(`API document override: ${method} ${route} has no JSON body`);
  return schema;
}

/** Drops names from a schema's `required` list. */
export function notRequired(schema: JsonObject, ...names: string[]): void {
  if (Array.isArray(schema.required)) schema.required = schema.required.filter((n) => !names.includes(String(n)));
}

/** A schema's property, to change in place. */
export function propertyOf(schema: JsonObject, name: string): JsonObject {
  const properties = isObject(schema.properties) ? schema.properties : (schema.properties = {});
  const property = isObject(properties[name]) ? properties[name] : (properties[name] = {});
  return property;
}

/**
 * A parameter an operation declares (its own or its path's), to change in place. A `$ref` to a shared parameter is
 * replaced by a copy first, so the change stays with this operation.
 */
export function parameterOf(doc: JsonObject, method: string, route: string, name: string, where: string): JsonObject {
  const operation = operationOf(doc, method, route);
  const item = (doc.paths as JsonObject)[route] as JsonObject;
  const components = isObject(doc.components) ? doc.components : {};
  const shared = isObject(components.parameters) ? components.parameters : {};
  for (const list of [operation.parameters, item.parameters]) {
    if (!Array.isArray(list)) continue;
    for (let i = 0; i < list.length; i++) {
      let entry: unknown = list[i];
      if (isObject(entry) && typeof entry.$ref === 'string') entry = shared[entry.$ref.split('/').pop() ?? ''];
      if (isObject(entry) && entry.name === name && entry.in === where) {
        const own: JsonObject = { ...entry };
        list[i] = own;
        return own;
      }
    }
  }
  throw new Error(`API document override: ${method} ${route} declares no ${where} parameter ${name}`);
}
