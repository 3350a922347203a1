import { escapeBlock, escapeInline } from './markdown-escape';

describe('markdown escaping of WhatsApp-chosen text', () => {
  it('keeps a display name from taking over the formatting', () => {
    expect(escapeInline('**Support team**')).toBe('\\*\\*Support team\\*\\*');
    expect(escapeInline('[Bank](https://evil.example)')).toBe('\\[Bank\\](https://evil.example)');
    expect(escapeInline('Ana\n\n# Official notice')).toBe('Ana # Official notice');
    expect(escapeInline('<b>CEO</b> `x` ~y~ a|b')).toBe('\\<b\\>CEO\\</b\\> \\`x\\` \\~y\\~ a\\|b');
  });

  it('leaves what cannot format as typed (previews and emails show the raw text)', () => {
    expect(escapeInline('José (+49 151) Dr. Smith - 1. place!')).toBe('José (+49 151) Dr. Smith - 1. place!');
  });

  it('escapes block markers at the start of a caption line and keeps its line breaks', () => {
    expect(escapeBlock('line *one*\nline_two')).toBe('line \\*one\\*\nline\\_two');
    expect(escapeBlock('# Urgent\n> quoted\n- item\n2. second\n+ plus')).toBe('\\# Urgent\n\\> quoted\n\\- item\n2\\. second\n\\+ plus');
    expect(escapeBlock('price 2. or -5')).toBe('price 2. or -5');
    expect(escapeBlock('see https://shop.example.com/my_item?utm_source=wa_1 *now*')).toBe('see https://shop.example.com/my_item?utm_source=wa_1 \\*now\\*');
  });
});
