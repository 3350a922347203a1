/**
 * The index a newest-first server's history is read through (history-reader.ts `scan`): the timestamp, id, chat and
 * listing position of every message of a window, and nothing else. It is held for a whole chat, so it is compact:
 * numbers in typed arrays, and ids shortened to what tells them apart within their chat (the chat id, which every
 * id of a chat repeats, is replaced by one character). About 40 bytes a message (the key's bytes and four numbers), so 100,000 messages cost some 4 MB.
 */

const INITIAL = 1024;
/** Stands for the chat id inside a key (never part of a WhatsApp id). */
const CHAT_MARK = '\u0000';

function grown<T extends Float64Array | Int32Array | Uint16Array>(array: T, length: number): T {
  if (length < array.length) return array;
  const next = new (array.constructor as new (size: number) => T)(Math.max(length + 1, array.length * 2));
  next.set(array);
  return next;
}

export class ScanIndex {
  private ts = new Float64Array(INITIAL);
  private seqs = new Int32Array(INITIAL);
  private chatOf = new Uint16Array(INITIAL);
  /** The keys, UTF-8, one after another; key i is bytes [starts[i], starts[i + 1]). */
  private bytes = Buffer.alloc(64 * INITIAL);
  private starts = new Int32Array(INITIAL + 1);
  private readonly chats: string[] = [];
  /** Positions in timestamp order once `sort` ran. */
  private order = new Int32Array(0);
  private count = 0;

  /** What tells a message apart within its chat: its id with the chat id in it replaced by one character. */
  static key(id: string, chat: string): string {
    const at = id.indexOf(chat);
    return at < 0 ? id : `${id.slice(0, at)}${CHAT_MARK}${id.slice(at + chat.length)}`;
  }

  private keyOf(position: number): string {
    return this.bytes.toString('utf8', this.starts[position], this.starts[position + 1]);
  }

  private fullId(position: number): string {
    return this.keyOf(position).replace(CHAT_MARK, this.chats[this.chatOf[position]]);
  }

  /** Entries in timestamp order (after `sort`). */
  get length(): number {
    return this.order.length;
  }

  /** Entries added so far. */
  get added(): number {
    return this.count;
  }

  add(ts: number, id: string, chat: string, seq: number): void {
    let chatIndex = this.chats.indexOf(chat);
    if (chatIndex < 0) chatIndex = this.chats.push(chat) - 1;
    const at = this.count++;
    this.ts = grown(this.ts, at);
    this.seqs = grown(this.seqs, at);
    this.chatOf = grown(this.chatOf, at);
    this.starts = grown(this.starts, at + 1);
    this.ts[at] = ts;
    this.seqs[at] = seq;
    this.chatOf[at] = chatIndex;
    const key = ScanIndex.key(id, chat);
    const start = this.starts[at];
    const end = start + Buffer.byteLength(key);
    if (end > this.bytes.length) {
      const bytes = Buffer.alloc(Math.max(end, this.bytes.length * 2));
      this.bytes.copy(bytes, 0, 0, start);
      this.bytes = bytes;
    }
    this.bytes.write(key, start);
    this.starts[at + 1] = end;
  }

  /**
   * Puts the entries in timestamp order (equal timestamps by listing position, reversed when `reverseTies`) and
   * drops an entry listed twice (the same message in two pages).
   */
  sort(reverseTies: boolean): void {
    const { ts, seqs } = this;
    const n = this.count;
    const positions = Int32Array.from({ length: n }, (_, i) => i);
    positions.sort((a, b) => ts[a] - ts[b] || a - b);
    // A message listed twice (in two pages, or under an @lid and a phone chat that WAHA merges) has one id and one
    // timestamp: within each run of equal timestamps, the first indexed stays.
    const unique: number[] = [];
    for (let i = 0; i < n; ) {
      let j = i + 1;
      while (j < n && ts[positions[j]] === ts[positions[i]]) j++;
      if (j - i === 1) unique.push(positions[i]);
      else {
        const ids = new Set<string>();
        for (let k = i; k < j; k++) {
          const id = this.fullId(positions[k]);
          if (ids.has(id)) continue;
          ids.add(id);
          unique.push(positions[k]);
        }
      }
      i = j;
    }
    // Indexing is over: give back what the arrays grew ahead of need.
    this.ts = this.ts.slice(0, n);
    this.seqs = this.seqs.slice(0, n);
    this.chatOf = this.chatOf.slice(0, n);
    this.starts = this.starts.slice(0, n + 1);
    this.bytes = Buffer.from(this.bytes.subarray(0, this.starts[n]));
    const order = Int32Array.from(unique);
    order.sort((a, b) => ts[a] - ts[b] || (reverseTies ? seqs[b] - seqs[a] : seqs[a] - seqs[b]));
    this.order = order;
  }

  /** The i-th entry in timestamp order. */
  at(i: number): { ts: number; key: string; chat: string; seq: number } {
    const p = this.order[i];
    return { ts: this.ts[p], key: this.keyOf(p), chat: this.chats[this.chatOf[p]], seq: this.seqs[p] };
  }

  tsAt(i: number): number {
    return this.ts[this.order[i]];
  }

  chatAt(i: number): string {
    return this.chats[this.chatOf[this.order[i]]];
  }

  /** The first position in timestamp order whose timestamp is at least `ts`. */
  firstAtOrAfter(ts: number): number {
    let lo = 0;
    let hi = this.order.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.tsAt(mid) < ts) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
