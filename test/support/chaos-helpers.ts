/** Shared by the chaos suites: loss/duplicate accounting against the fake WAHA, and a seeded PRNG. */
import { mulberry32 } from '../../simulators/waha/waha-random';
import { Harness } from './harness';
import { DAY, dmChats, expected, imported, windowSec } from './pull-helpers';

export interface Accounting {
  expected: number;
  lost: number;
  duplicated: number;
  outOfOrder: number;
  /** Which ids were lost or doubled (chat and id), so a failing run names them. */
  missing: string[];
  doubled: string[];
}

/** Compares every direct chat's conversation with WAHA's history for the window `days` back from `at`. */
export function account(h: Harness, at: number, days: number, chats = dmChats(h)): Accounting {
  const got = imported(h);
  const window = windowSec(at, days * DAY);
  const result: Accounting = { expected: 0, lost: 0, duplicated: 0, outOfOrder: 0, missing: [], doubled: [] };
  for (const chatId of chats) {
    const want = expected(h, chatId, window);
    const ids = got.get(chatId) ?? [];
    result.expected += want.length;
    const seen = new Set(ids);
    const missing = want.filter((id) => !seen.has(id));
    result.lost += missing.length;
    result.missing.push(...missing.map((id) => `${chatId} ${id}`));
    result.duplicated += ids.length - seen.size;
    result.doubled.push(...ids.filter((id, i) => ids.indexOf(id) !== i).map((id) => `${chatId} ${id}`));
    const order = ids.filter((id) => want.includes(id));
    const wantOrder = want.filter((id) => seen.has(id));
    if (order.join() !== [...new Set(order)].join() || [...new Set(order)].join() !== wantOrder.join()) result.outOfOrder++;
  }
  return result;
}

export function createdCount(h: Harness): number {
  return h.cw.conversations().reduce((n, c) => n + h.cw.messages(c.id).filter((m) => m.source_id).length, 0);
}

/** Seeded random numbers in [0, 1) (the simulators' PRNG), so a failing chaos run can be replayed. */
export const prng = mulberry32;

export const BIG_HISTORY = { dmChats: 20, messagesPerChat: 270, days: 21, groups: 0, channels: 0, includeStatus: false, broadcastLists: 0, includeNullChat: false, hiddenRatio: 0 };
