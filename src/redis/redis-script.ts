/**
 * Lua scripts with named keys and arguments. A script declares its KEYS and ARGV in order (the legend), and its Lua
 * reads them by name from the tables `K` and `A` that are prepended to it:
 *
 *   defineScript({ name: 'lane-push', keys: ['list', 'seen'], args: ['event'], lua: "redis.call('RPUSH', K.list, A.event)" })
 *
 * Callers pass `{ list: '…', seen: '…' }` and `{ event: '…' }`, so a key can neither be forgotten nor swapped. Every
 * key goes through KEYS, as Redis Cluster requires; one script's keys share one hash tag.
 */
import { createHash } from 'node:crypto';

export interface RedisScript<K extends string, A extends string> {
  readonly name: string;
  readonly keys: readonly K[];
  readonly args: readonly A[];
  /** The Lua sent to Redis: the declared names, then the body. */
  readonly lua: string;
  readonly sha: string;
}

export type ScriptKeys<S> = S extends RedisScript<infer K, string> ? Record<K, string> : never;
export type ScriptArgs<S> = S extends RedisScript<string, infer A> ? Record<A, string | number> : never;

const NAME = /^[a-z][A-Za-z0-9_]*$/;

function table(name: string, source: string, names: readonly string[]): string {
  return `local ${name} = {${names.map((n, i) => `${n} = ${source}[${i + 1}]`).join(', ')}}`;
}

export function defineScript<const K extends string, const A extends string>(spec: {
  name: string;
  keys: readonly K[];
  args: readonly A[];
  lua: string;
}): RedisScript<K, A> {
  for (const n of [...spec.keys, ...spec.args]) {
    if (!NAME.test(n)) throw new Error(`Script ${spec.name}: "${n}" is not a valid Lua name`);
  }
  const lua = `${table('K', 'KEYS', spec.keys)}\n${table('A', 'ARGV', spec.args)}\n${spec.lua.trim()}\n`;
  return { name: spec.name, keys: spec.keys, args: spec.args, lua, sha: createHash('sha1').update(lua).digest('hex') };
}

/** KEYS and ARGV in the script's declared order. */
export function scriptCall<K extends string, A extends string>(
  script: RedisScript<K, A>,
  keys: Record<K, string>,
  args: Record<A, string | number>,
): { keys: string[]; args: Array<string | number> } {
  return { keys: script.keys.map((k) => keys[k]), args: script.args.map((a) => args[a]) };
}
