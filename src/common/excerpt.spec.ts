import { excerptOf } from './excerpt';

describe('excerptOf', () => {
  it('folds whitespace onto one line', () => {
    expect(excerptOf('  Hello\n\nthere\tyou ', 50)).toBe('Hello there you');
  });

  it('cuts long texts with an ellipsis, never inside a character', () => {
    expect(excerptOf('abcdefghij', 5)).toBe('abcd…');
    expect(excerptOf('😀😀😀😀😀😀', 4)).toBe('😀😀😀…');
  });

  it('is empty for nothing', () => {
    expect(excerptOf(undefined, 10)).toBe('');
  });
});
