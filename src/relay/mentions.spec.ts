import { groupMentions } from './mentions';

describe('groupMentions', () => {
  it('mentions everyone with @all, removed from the text; a lone @all becomes one space', () => {
    expect(groupMentions('Hi @ALL, meeting at 5', true)).toEqual({ text: 'Hi , meeting at 5', mentions: ['all'] });
    expect(groupMentions('@all', true)).toEqual({ text: ' ', mentions: ['all'] });
  });

  it('leaves @all as text where WAHA cannot mention everyone (before 2025.11.1)', () => {
    expect(groupMentions('Hi @all', false)).toEqual({ text: 'Hi @all', mentions: [] });
  });

  it('mentions phone numbers once each, with trailing punctuation, not e-mail addresses or quoted ones', () => {
    expect(groupMentions('@4915112345678, and @4915112345678! also @+351912345678.', true).mentions).toEqual(['4915112345678@c.us', '351912345678@c.us']);
    expect(groupMentions('write to ana@4915112345678 or "@4915112345678" or @49151abc', true).mentions).toEqual([]);
    expect(groupMentions("'@all' is a word", true)).toEqual({ text: "'@all' is a word", mentions: [] });
    expect(groupMentions('see https://x.com/@all-hands and https://t.me/@4915112345678', true)).toEqual({ text: 'see https://x.com/@all-hands and https://t.me/@4915112345678', mentions: [] });
  });

  it('mentions @lid members and shortens them to @<id> in the text', () => {
    expect(groupMentions('ping @123456789@lid please', true)).toEqual({ text: 'ping @123456789 please', mentions: ['123456789@lid'] });
  });
});
