import { ScanIndex } from './scan-index';

describe('ScanIndex', () => {
  it('orders by timestamp, equal timestamps by listing position (or reversed)', () => {
    const build = (): ScanIndex => {
      const index = new ScanIndex();
      index.add(30, 'false_1@c.us_C', '1@c.us', 0);
      index.add(20, 'false_1@c.us_B2', '1@c.us', 1);
      index.add(20, 'false_1@c.us_B1', '1@c.us', 2);
      index.add(10, 'false_1@c.us_A', '1@c.us', 3);
      return index;
    };
    const keys = (index: ScanIndex): string[] => Array.from({ length: index.length }, (_, i) => index.at(i).key.replace('\u0000', '·'));
    const reversed = build();
    reversed.sort(true);
    expect(keys(reversed)).toEqual(['false_·_A', 'false_·_B1', 'false_·_B2', 'false_·_C']);
    const inOrder = build();
    inOrder.sort(false);
    expect(keys(inOrder)).toEqual(['false_·_A', 'false_·_B2', 'false_·_B1', 'false_·_C']);
    expect(inOrder.firstAtOrAfter(15)).toBe(1);
    expect(inOrder.firstAtOrAfter(31)).toBe(4);
  });

  it('keeps one entry of a message listed twice, in two pages or under two chats', () => {
    const index = new ScanIndex();
    index.add(10, 'false_1@c.us_A', '1@c.us', 0);
    index.add(10, 'false_1@c.us_A', '1@c.us', 1);
    index.add(10, 'false_1@c.us_A', '9@lid', 0);
    index.add(10, 'false_9@lid_B', '9@lid', 1);
    index.sort(true);
    expect(index.length).toBe(2);
    expect([index.chatAt(0), index.chatAt(1)].sort()).toEqual(['1@c.us', '9@lid']);
  });

  it('matches a message by the key of its id in its chat', () => {
    expect(ScanIndex.key('true_120363@g.us_ABC_5511@c.us', '120363@g.us')).toBe('true_\u0000_ABC_5511@c.us');
    expect(ScanIndex.key('ABC', '1@c.us')).toBe('ABC');
  });
});
