import { escapeBlock, escapeInline } from './markdown-escape';

describe('markdown escaping of WhatsApp-chosen text', () => {
  it('keeps a display name from taking over the formatting', () => {
    expect(escapeInline('**Support team**')).toBe('\\*\\*Support team\\*\\*');
    expect(escapeInline('[Bank](https://evil.example)')).toBe('\\[Bank\\]\\(https://evil\\.example\\)');
    expect(escapeInline('Ana\n\n# Official notice')).toBe('Ana \\# Official notice');
    expect(escapeInline('José (+49 151)')).toBe('José \\(\\+49 151\\)');
  });

  it('keeps line breaks of a caption', () => {
    expect(escapeBlock('line *one*\nline_two')).toBe('line \\*one\\*\nline\\_two');
  });
});
