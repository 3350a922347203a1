import { readReceiptOf } from './read-receipts';

describe('readReceiptOf (which WhatsApp acks mark a ChatWoot conversation read)', () => {
  it.each([
    ['READ of our DM message (WEBJS)', { id: 'true_4915112345678@c.us_3EB0AA', from: '4915112345678@c.us', fromMe: true, ack: 3, ackName: 'READ' }, { chatId: '4915112345678@c.us', waId: '3EB0AA', ack: 3 }],
    ['PLAYED voice note (NOWEB protocol jid)', { id: 'true_4915112345678@s.whatsapp.net_BAE5CC', from: '4915112345678@s.whatsapp.net', fromMe: true, ack: 4 }, { chatId: '4915112345678@c.us', waId: 'BAE5CC', ack: 4 }],
    ['READ in a @lid chat', { id: 'true_123456789012345@lid_ABC', from: '123456789012345@lid', fromMe: true, ack: 3 }, { chatId: '123456789012345@lid', waId: 'ABC', ack: 3 }],
    ['ack missing, name given', { id: 'true_4915112345678@c.us_X1', fromMe: true, ack: null, ackName: 'READ' }, { chatId: '4915112345678@c.us', waId: 'X1', ack: 3 }],
    ['fromMe only in the id', { id: 'true_4915112345678@c.us_X2', ack: 3 }, { chatId: '4915112345678@c.us', waId: 'X2', ack: 3 }],
  ])('%s', (_name, payload, expected) => {
    expect(readReceiptOf(payload)).toEqual(expected);
  });

  it.each([
    ['DEVICE (delivered, not read)', { id: 'true_4915112345678@c.us_A', fromMe: true, ack: 2 }],
    ['SERVER', { id: 'true_4915112345678@c.us_A', fromMe: true, ack: 1 }],
    ['ERROR', { id: 'true_4915112345678@c.us_A', fromMe: true, ack: -1 }],
    ['the contact’s own message, read by us on the phone', { id: 'false_4915112345678@c.us_A', fromMe: false, ack: 3 }],
    ['a group receipt', { id: 'true_120363000000000001@g.us_A_4915112345678@c.us', fromMe: true, ack: 3 }],
    ['a channel', { id: 'true_120363000000000002@newsletter_A', fromMe: true, ack: 3 }],
    ['a broadcast list', { id: 'true_1700000000@broadcast_A', fromMe: true, ack: 3 }],
    ['no id', { fromMe: true, ack: 3 }],
    ['not an object', 'READ'],
    ['null', null],
  ])('ignores %s', (_name, payload) => {
    expect(readReceiptOf(payload)).toBeNull();
  });
});
