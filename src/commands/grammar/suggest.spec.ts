import { closest, levenshtein } from './suggest';

describe('levenshtein', () => {
  it.each([
    ['', '', 0],
    ['media', 'media', 0],
    ['medias', 'media', 1],
    ['kitten', 'sitting', 3],
    ['', 'abc', 3],
  ])('distance(%j, %j) = %d', (a, b, d) => {
    expect(levenshtein(a, b)).toBe(d);
    expect(levenshtein(b, a)).toBe(d);
  });
});

describe('closest', () => {
  const actions = ['pull', 'status', 'stop', 'help'];
  it.each([
    ['puul', 'pull'],
    ['PULL', 'pull'],
    ['stauts', 'status'],
    ['stat', 'status'],
    ['sync', undefined],
    ['x', undefined],
    ['тянуть', undefined],
    ['', undefined],
  ])('suggests %j → %j', (input, expected) => {
    expect(closest(input, actions)).toBe(expected);
  });

  it('prefers the earlier candidate on a tie', () => {
    expect(closest('ab', ['ac', 'ad'])).toBe('ac');
  });
});
