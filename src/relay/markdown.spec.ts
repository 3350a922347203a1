import { chatwootToWhatsApp } from './markdown';

describe('chatwootToWhatsApp', () => {
  it.each([
    ['**bold**', '*bold*'],
    ['*italic*', '_italic_'],
    ['~~gone~~', '~gone~'],
    ['**a** and *b*', '*a* and _b_'],
    ['see [docs](https://x.io/a_b_c)', 'see docs (https://x.io/a_b_c)'],
    ['https://x.io/a_b_c stays', 'https://x.io/a_b_c stays'],
    ['- one\n- two', '* one\n* two'],
    ['line\\\nnext', 'line\nnext'],
    ['plain text', 'plain text'],
  ])('%j → %j', (input, output) => {
    expect(chatwootToWhatsApp(input)).toBe(output);
  });
});
