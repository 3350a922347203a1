/**
 * A record kept as a Redis hash (a pull's, a contacts pull's): written field by field (objects as JSON, booleans as
 * 1/0), and read back with the fields named as numbers, booleans or JSON turned back into them.
 */

/** The hash fields of a record, or of the part of it being changed; undefined fields are left out. */
export function toHashFields(record: object): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [k, v] of Object.entries(record)) {
    if (v === undefined) continue;
    fields[k] = typeof v === 'object' ? JSON.stringify(v) : String(v === true ? 1 : v === false ? 0 : v);
  }
  return fields;
}

/** The record a hash holds (as HGETALL answers it), or undefined when it has no `id` (there is none). */
export function fromHashFields<T>(raw: Record<string, string>, types: { numbers: readonly string[]; booleans: readonly string[]; json: readonly string[] }): T | undefined {
  if (!raw.id) return undefined;
  const record: Record<string, unknown> = { ...raw };
  for (const k of types.numbers) record[k] = Number(raw[k] ?? 0);
  for (const k of types.booleans) record[k] = raw[k] === '1';
  for (const k of types.json) record[k] = JSON.parse(raw[k] ?? '{}');
  return record as T;
}
