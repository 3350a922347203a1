import { chatIdOf, chatKind, isIncluded, parseMessageId, phoneDigits, publicJid } from './jids';

const defaults = { dm: true, groups: false, channels: false, status: false, broadcast: false };

describe('jids', () => {
  it.each([
    ['12025550101@c.us', 'dm'],
    ['12025550101@s.whatsapp.net', 'dm'],
    ['123456789@lid', 'dm'],
    ['120363@g.us', 'group'],
    ['120363@newsletter', 'channel'],
    ['status@broadcast', 'status'],
    ['1700000000@broadcast', 'broadcast'],
    ['0@c.us', 'null'],
    ['1@meta.ai', 'other'],
  ])('%s is a %s chat', (jid, kind) => {
    expect(chatKind(jid)).toBe(kind);
  });

  it('includes only direct chats by default and never the null JID', () => {
    expect(isIncluded('1@c.us', defaults)).toBe(true);
    expect(isIncluded('1@g.us', defaults)).toBe(false);
    expect(isIncluded('0@c.us', { ...defaults, groups: true })).toBe(false);
    expect(isIncluded('1@g.us', { ...defaults, dm: false, groups: true })).toBe(true);
    expect(isIncluded('1@lid', { ...defaults, dm: false, groups: true })).toBe(false);
  });

  it('normalises protocol JIDs and device suffixes to the public form', () => {
    expect(publicJid('12025550101:12@s.whatsapp.net')).toBe('12025550101@c.us');
    expect(publicJid('123:3@lid')).toBe('123@lid');
    expect(publicJid('12025550101')).toBe('12025550101@c.us');
    expect(phoneDigits('12025550101@c.us')).toBe('12025550101');
    expect(phoneDigits('123@lid')).toBeUndefined();
  });

  it('parses serialized message ids, group participant included', () => {
    expect(parseMessageId('true_120363@g.us_3EB0AA_12025550101@c.us')).toEqual({
      fromMe: true,
      chatId: '120363@g.us',
      waId: '3EB0AA',
      participant: '12025550101@c.us',
    });
    expect(chatIdOf({ id: 'false_12025550101@c.us_ABC', fromMe: false })).toBe('12025550101@c.us');
  });
});
