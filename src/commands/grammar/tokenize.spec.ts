import { tokenize } from './tokenize';

describe('tokenize', () => {
  describe('when the text is well formed', () => {
    it.each([
      ['plain words', 'a b  c', ['a', 'b', 'c']],
      ['double quotes', 'x "a b" y', ['x', 'a b', 'y']],
      ['single quotes', 'x \'a "b"\' y', ['x', 'a "b"', 'y']],
      ['escaped quote inside double quotes', 'x "a \\"b\\""', ['x', 'a "b"']],
      ['backslash escapes outside quotes', 'a\\ b c\\_d', ['a b', 'c_d']],
      ['empty quotes', 'x ""', ['x', '']],
      ['adjacent quoted parts', 'a"b c"d', ['ab cd']],
      ['a comment', 'a b # c "d', ['a', 'b']],
      ['a comment per line', 'a # x\nb # y', ['a', 'b']],
      ['# inside a word or quotes', 'a#b "c # d"', ['a#b', 'c # d']],
      ['backticks', '`a b` ``c``', ['a', 'b', 'c']],
      ['bold around words', '**a b** c', ['a', 'b', 'c']],
      ['italics and strike', '_a_ *b* ~~c~~ __d__', ['a', 'b', 'c', 'd']],
      ['nested emphasis', '**_a_**', ['a']],
      ['underscores inside values', 'message_created 123_456@g.us _x', ['message_created', '123_456@g.us', '_x']],
      ['emphasis inside quotes is kept', '"*a*" \'_b_\'', ['*a*', '_b_']],
      ['bold around quotes', '**"a b"**', ['a b']],
      ['lone markers', 'a ** b', ['a', 'b']],
      ['a backslash before a line break', 'a\\\nb', ['a', 'b']],
    ])('splits %s', (_title, text, tokens) => {
      expect(tokenize(text)).toEqual({ ok: true, tokens });
    });
  });

  describe('when a quote is never closed', () => {
    it.each([
      ['"a b', '"'],
      ["a 'b", "'"],
      ['"a \\"', '"'],
    ])('reports %j', (text, quote) => {
      expect(tokenize(text)).toEqual({ ok: false, quote });
    });
  });
});
