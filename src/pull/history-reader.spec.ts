import { WahaClient } from '../clients/waha/waha.client';
import { MessagesPageQuery, WahaMessage } from '../clients/waha/waha.types';
import { HistoryCursor, HistoryPlan, HistoryReader, OrderMismatchError } from './history-reader';

type Order = 'asc-capable' | 'newest-first' | 'stable-newest-first' | 'wpp';

/**
 * A fake messages endpoint over one or more chats, answering as each kind of WAHA server does: sorting ascending
 * when asked (NOWEB/GOWS ≥ 2025.10.5), always newest first (old NOWEB/GOWS: the exact reverse), newest first by a
 * stable sort (WEBJS), or sorting and filtering within the newest offset+limit only (WPP). `hidden` records are
 * dropped after paging, as NOWEB and GOWS do.
 */
class FakeWaha {
  readonly chats = new Map<string, WahaMessage[]>();
  readonly hidden = new Set<string>();
  requests = 0;
  /** Called before each answer, e.g. to add a message while the history is being read. */
  onRequest?: () => void;

  constructor(private readonly order: Order) {}

  add(chat: string, timestamp: number, id = `false_${chat}_${chat.slice(0, 2)}${this.size()}`): WahaMessage {
    const message: WahaMessage = { id, timestamp, fromMe: false, body: id };
    this.chats.set(chat, [...(this.chats.get(chat) ?? []), message]);
    return message;
  }

  size(): number {
    return [...this.chats.values()].reduce((n, list) => n + list.length, 0);
  }

  async messages(chatId: string, q: MessagesPageQuery): Promise<WahaMessage[]> {
    this.requests++;
    this.onRequest?.();
    const all = this.chats.get(chatId) ?? [];
    const inWindow = (m: WahaMessage): boolean => (q.gteSec === undefined || m.timestamp >= q.gteSec) && (q.lteSec === undefined || m.timestamp <= q.lteSec);
    let page: WahaMessage[];
    if (this.order === 'wpp') {
      const newest = [...all].sort((a, b) => b.timestamp - a.timestamp).slice(0, q.offset + q.limit);
      const sorted = q.sortOrder === 'asc' ? [...newest].reverse() : newest;
      page = sorted.filter(inWindow).slice(q.offset, q.offset + q.limit);
    } else {
      const filtered = all.filter(inWindow);
      let sorted: WahaMessage[];
      if (this.order === 'asc-capable' && q.sortOrder === 'asc') sorted = [...filtered].sort((a, b) => a.timestamp - b.timestamp);
      else if (this.order === 'stable-newest-first') sorted = [...filtered].sort((a, b) => b.timestamp - a.timestamp);
      else sorted = [...filtered].sort((a, b) => a.timestamp - b.timestamp).reverse();
      page = sorted.slice(q.offset, q.offset + q.limit);
    }
    return page.filter((m) => !this.hidden.has(m.id));
  }
}

async function readAll(waha: FakeWaha, plan: Partial<HistoryPlan> & { chatIds: string[] }, cursor: HistoryCursor = { ts: 0, ids: new Set() }): Promise<string[]> {
  const reader = new HistoryReader(waha as unknown as WahaClient, { gteSec: 0, lteSec: 10_000, batch: 3, strategy: 'scan', ...plan });
  const ids: string[] = [];
  for await (const page of reader.read(cursor)) ids.push(...page.map((m) => m.id));
  return ids;
}

/** A chat with equal timestamps in it, in WhatsApp's (insertion) order. */
function seed(waha: FakeWaha, chat = 'a@c.us', times = [10, 20, 20, 20, 30, 40, 40, 50, 60, 70]): string[] {
  return times.map((t) => waha.add(chat, t).id);
}

describe(HistoryReader.name, () => {
  describe('when the server sorts ascending when asked', () => {
    it('reads oldest first, page by page, with runs of equal timestamps longer than a page', async () => {
      const waha = new FakeWaha('asc-capable');
      const ids = seed(waha, 'a@c.us', [5, 7, 7, 7, 7, 7, 7, 9, 11]);
      expect(await readAll(waha, { chatIds: ['a@c.us'], strategy: 'ascending', batch: 2 })).toEqual(ids);
    });

    it('resumes after the cursor: nothing before it, nothing done at it, everything after', async () => {
      const waha = new FakeWaha('asc-capable');
      const ids = seed(waha);
      const cursor = { ts: 20, ids: new Set([ids[1], ids[2]]) };
      expect(await readAll(waha, { chatIds: ['a@c.us'], strategy: 'ascending' }, cursor)).toEqual(ids.slice(3));
    });

    it('skips records the server drops after paging without stopping early', async () => {
      const waha = new FakeWaha('asc-capable');
      const ids = seed(waha);
      waha.hidden.add(ids[4]);
      waha.hidden.add(ids[5]);
      expect(await readAll(waha, { chatIds: ['a@c.us'], strategy: 'ascending' })).toEqual(ids.filter((_, i) => i !== 4 && i !== 5));
    });

    it('refuses a page out of order before using any of it', async () => {
      const waha = new FakeWaha('newest-first');
      seed(waha);
      await expect(readAll(waha, { chatIds: ['a@c.us'], strategy: 'ascending' })).rejects.toBeInstanceOf(OrderMismatchError);
    });
  });

  describe('when the server answers newest first whatever it is asked', () => {
    it.each<[string, Order, boolean]>([
      ['old NOWEB/GOWS (exact reverse)', 'newest-first', false],
      ['WEBJS (stable sort by timestamp)', 'stable-newest-first', true],
    ])('%s: reads oldest first, equal timestamps in WhatsApp order', async (_name, order, tiesInChatOrder) => {
      const waha = new FakeWaha(order);
      const ids = seed(waha);
      expect(await readAll(waha, { chatIds: ['a@c.us'], tiesListedInChatOrder: tiesInChatOrder })).toEqual(ids);
    });

    it('fetches every message back although records dropped after paging make pages short', async () => {
      const waha = new FakeWaha('newest-first');
      const ids = seed(waha, 'a@c.us', Array.from({ length: 30 }, (_, i) => 100 + i));
      for (const i of [2, 3, 11, 17, 25]) waha.hidden.add(ids[i]);
      expect(await readAll(waha, { chatIds: ['a@c.us'], batch: 8 })).toEqual(ids.filter((id) => !waha.hidden.has(id)));
    });

    it('keeps to the window and to the cursor', async () => {
      const waha = new FakeWaha('newest-first');
      const ids = seed(waha);
      expect(await readAll(waha, { chatIds: ['a@c.us'], gteSec: 20, lteSec: 50 }, { ts: 20, ids: new Set([ids[1]]) })).toEqual(ids.slice(2, 8));
    });

    it('neither skips nor repeats when messages arrive while it reads', async () => {
      const waha = new FakeWaha('newest-first');
      const ids = seed(waha, 'a@c.us', Array.from({ length: 40 }, (_, i) => 100 + i));
      let added = 0;
      waha.onRequest = () => {
        if (added < 5) waha.add('a@c.us', 200 + added++);
      };
      // The window ends after the newcomers' time: offsets would shift under them; the timestamp cursor does not.
      const read = await readAll(waha, { chatIds: ['a@c.us'], lteSec: 10_000, batch: 4 });
      expect(read.filter((id) => ids.includes(id))).toEqual(ids);
      expect(new Set(read).size).toBe(read.length);
      expect(read.slice(0, ids.length)).toEqual(ids);
    });

    it('merges an @lid chat and a phone chat of one person by time', async () => {
      const waha = new FakeWaha('newest-first');
      const phone = ['p1', 'p2', 'p3'].map((id, i) => waha.add('1@c.us', 10 + i * 10, id).id);
      const lid = ['l1', 'l2'].map((id, i) => waha.add('9@lid', 15 + i * 10, id).id);
      expect(await readAll(waha, { chatIds: ['1@c.us', '9@lid'] })).toEqual([phone[0], lid[0], phone[1], lid[1], phone[2]]);
    });

    it('reads a merged history once when both ids return it', async () => {
      const waha = new FakeWaha('newest-first');
      const ids = seed(waha, '1@c.us');
      waha.chats.set('9@lid', waha.chats.get('1@c.us')!);
      expect(await readAll(waha, { chatIds: ['1@c.us', '9@lid'] })).toEqual(ids);
    });
  });

  describe('when the server filters after fetching the newest messages (WPP)', () => {
    it('reads the window oldest first by position', async () => {
      const waha = new FakeWaha('wpp');
      const ids = seed(waha, 'a@c.us', Array.from({ length: 30 }, (_, i) => 10 + i * 10));
      expect(await readAll(waha, { chatIds: ['a@c.us'], gteSec: 50, lteSec: 200, filtersAfterFetch: true, batch: 4 })).toEqual(ids.slice(4, 20));
    });
  });

  it('keeps only an index while it scans: the messages are fetched back slice by slice', async () => {
    const waha = new FakeWaha('newest-first');
    seed(waha, 'a@c.us', Array.from({ length: 200 }, (_, i) => i));
    const reader = new HistoryReader(waha as unknown as WahaClient, { chatIds: ['a@c.us'], gteSec: 0, lteSec: 10_000, batch: 20, strategy: 'scan' });
    let largest = 0;
    for await (const page of reader.read({ ts: 0, ids: new Set() })) largest = Math.max(largest, page.length);
    expect(largest).toBe(20);
  });
});
