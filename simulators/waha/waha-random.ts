/**
 * Seeded randomness for the WAHA simulator: a small PRNG, integer hashing (so any message can be rebuilt from
 * its chat and index without storing it), the WhatsApp message id codec and ULID-like event ids.
 */
import { randomBytes } from 'node:crypto';

/** mulberry32: tiny, fast, good enough for test data. Returns floats in [0, 1). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hash a few integers into one unsigned 32-bit value. */
export function hash(...values: number[]): number {
  let h = 0x9e3779b9;
  for (const value of values) {
    h = fmix((h ^ Math.imul(value | 0, 0x27d4eb2d)) + Math.imul(Math.floor(value / 4294967296) | 0, 0x165667b1));
  }
  return h;
}

export class Rng {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  float(): number {
    return this.next();
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  digits(n: number): string {
    let out = '';
    for (let i = 0; i < n; i++) out += String(Math.floor(this.next() * 10));
    return out;
  }
  hex(n: number): string {
    let out = '';
    for (let i = 0; i < n; i++) out += '0123456789ABCDEF'[Math.floor(this.next() * 16)];
    return out;
  }
}

function hex(value: number, width: number): string {
  return (value >>> 0)
    .toString(16)
    .toUpperCase()
    .padStart(8, '0')
    .slice(8 - width);
}

const MASK24 = 0xffffff;

function round(x: number, key: number, r: number): number {
  return fmix((x ^ key) + r * 0x9e3779b9) & MASK24;
}

/**
 * Generated message ids encode (chat index, message index) through a keyed Feistel permutation, so a bare id can
 * be resolved back to its message without an index of 100k strings, and ids still look random.
 */
export class WaIdCodec {
  private readonly keys: number[];
  constructor(private readonly seed: number) {
    this.keys = [hash(seed, 1), hash(seed, 2), hash(seed, 3), hash(seed, 4)];
  }

  private permute(chat: number, index: number): string {
    // 48 bits: 12 bits chat, 28 bits index, 8 check bits (zero).
    let left = ((chat & 0xfff) << 12) | ((index >>> 16) & 0xfff);
    let right = ((index & 0xffff) << 8) & MASK24;
    for (let r = 0; r < 4; r++) {
      const next = left ^ round(right, this.keys[r], r);
      left = right;
      right = next & MASK24;
    }
    return hex(left, 6) + hex(right, 6);
  }

  private unpermute(body: string): { chat: number; index: number } | undefined {
    let left = parseInt(body.slice(0, 6), 16);
    let right = parseInt(body.slice(6, 12), 16);
    for (let r = 3; r >= 0; r--) {
      const prev = right ^ round(left, this.keys[r], r);
      right = left;
      left = prev & MASK24;
    }
    if ((right & 0xff) !== 0) return undefined;
    return { chat: left >>> 12, index: ((left & 0xfff) << 16) | (right >>> 8) };
  }

  /** `style` 0: sent from web/API (3EB0…, 22 chars), 1: iPhone-like (3A…, 20 chars), 2: Android-like (32 hex). */
  encode(chat: number, index: number, style: 0 | 1 | 2): string {
    const body = this.permute(chat, index);
    const tail = hash(this.seed, chat, index, 99);
    if (style === 0) return `3EB0${body}${hex(tail, 6)}`;
    if (style === 1) return `3A${body}${hex(tail, 6)}`;
    return `${body}${hex(tail, 8)}${hex(hash(tail, 7), 8)}${hex(hash(tail, 8), 4)}`;
  }

  /** The (chat, index) a generated id stands for; the caller re-encodes to verify the whole id. */
  decode(waId: string): { chat: number; index: number } | undefined {
    let body: string | undefined;
    if (/^3EB0[0-9A-F]{18}$/.test(waId)) body = waId.slice(4, 16);
    else if (/^3A[0-9A-F]{18}$/.test(waId)) body = waId.slice(2, 14);
    else if (/^[0-9A-F]{32}$/.test(waId)) body = waId.slice(0, 12);
    return body === undefined ? undefined : this.unpermute(body);
  }
}

const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz';

/** A lowercase ULID (10 time chars + 16 random chars), as WAHA uses after `evt_`. */
export function ulid(now = Date.now()): string {
  let time = '';
  let t = now;
  for (let i = 0; i < 10; i++) {
    time = CROCKFORD[t % 32] + time;
    t = Math.floor(t / 32);
  }
  const bytes = randomBytes(16);
  let rand = '';
  for (let i = 0; i < 16; i++) rand += CROCKFORD[bytes[i] % 32];
  return time + rand;
}
