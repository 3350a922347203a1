/**
 * Webhook payloads as WAHA and ChatWoot send them, written by hand after the examples in their docs, fixtures and
 * real payloads reported in issues (values are made up; field names and JSON types are the sources'). The
 * simulators' webhooks are compared with these field by field (webhook-payloads.integration.spec.ts).
 */

type Json = Record<string, unknown>;

const WAHA_ME = {
  id: '15550000001@c.us',
  pushName: 'Shop',
  lid: '10000000000001@lid',
  jid: '15550000001:12@s.whatsapp.net',
};
const environment = (engine: string, browser: string | null): Json => ({
  version: '2026.7.1',
  engine,
  tier: 'PLUS',
  browser,
  platform: 'linux/x64',
  worker: { id: null },
});
/** The envelope: waha-docs content/docs/how-to/events/index.md "Event Payload" (id evt_+ULID, ms timestamp). */
const envelope = (event: string, engine: string, payload: Json, browser: string | null = null): Json => ({
  id: 'evt_01jzzzzzzzzzzzzzzzzzzzzzzz',
  timestamp: 1767225600123,
  event,
  session: 'default',
  metadata: {},
  me: WAHA_ME,
  payload,
  engine,
  environment: environment(engine, browser),
});

/**
 * NOWEB `message.any`, an incoming text in a direct chat: devlikeapro/waha#172 (a NOWEB message.any body: `_data`
 * is Baileys' WebMessageInfo with key.remoteJid in @s.whatsapp.net form) and devlikeapro/waha#667; the fields as
 * session.noweb.core.ts toWAMessage sets them (W2602): `from` the chat, `to`/`participant` absent outside groups,
 * `body || null`, `vCards` null without a contact card (waproto/vcards.ts), `source` since 2025.3.1.
 */
export const NOWEB_MESSAGE_ANY = envelope('message.any', 'NOWEB', {
  id: 'false_15550002222@c.us_3A0F00000000000000AA',
  timestamp: 1767225600,
  from: '15550002222@c.us',
  fromMe: false,
  source: 'app',
  body: 'Hello there',
  hasMedia: false,
  media: null,
  ack: 2,
  ackName: 'DEVICE',
  location: null,
  vCards: null,
  replyTo: null,
  _data: {
    key: { remoteJid: '15550002222@s.whatsapp.net', fromMe: false, id: '3A0F00000000000000AA' },
    messageTimestamp: 1767225600,
    pushName: 'Ana',
    message: { conversation: 'Hello there' },
  },
});

/**
 * WEBJS `message.any`, an incoming text: waha-docs content/docs/how-to/events/index.md "message" (id, timestamp,
 * from, fromMe, source, to, body, hasMedia, ack, vCards, _data); session.webjs.core.ts toWAMessage (W2602): from/to
 * are sender/recipient, `participant` only in groups, `vCards` whatsapp-web.js's array, `_data` the Msg model.
 */
export const WEBJS_MESSAGE_ANY = envelope(
  'message.any',
  'WEBJS',
  {
    id: 'false_15550002222@c.us_3EB0000000000000000001',
    timestamp: 1767225600,
    from: '15550002222@c.us',
    fromMe: false,
    source: 'app',
    to: '15550000001@c.us',
    body: 'Hello there',
    hasMedia: false,
    media: null,
    ack: 1,
    ackName: 'SERVER',
    location: null,
    vCards: [],
    replyTo: null,
    _data: {
      id: {
        fromMe: false,
        remote: '15550002222@c.us',
        id: '3EB0000000000000000001',
        _serialized: 'false_15550002222@c.us_3EB0000000000000000001',
      },
      t: 1767225600,
      type: 'chat',
      notifyName: 'Ana',
      body: 'Hello there',
    },
  },
  '/usr/bin/chromium',
);

/**
 * GOWS `message.any`, an incoming text in a direct chat: the GOWS payload reported in megaapp977/stack#331 (WAHA
 * 2026.4.1: `to` and `participant` null, `vCards` null, `_data` = {Info, Message} with an ISO Info.Timestamp);
 * session.gows.core.ts toWAMessage (W2602).
 */
export const GOWS_MESSAGE_ANY = envelope('message.any', 'GOWS', {
  id: 'false_15550002222@c.us_A500000000000000000000000000000B',
  timestamp: 1767225600,
  from: '15550002222@c.us',
  fromMe: false,
  source: 'app',
  body: 'Hello there',
  to: null,
  participant: null,
  hasMedia: false,
  media: null,
  ack: 2,
  location: null,
  vCards: null,
  ackName: 'DEVICE',
  replyTo: null,
  _data: {
    Info: {
      Chat: '15550002222@s.whatsapp.net',
      Sender: '15550002222@s.whatsapp.net',
      IsFromMe: false,
      IsGroup: false,
      ID: 'A500000000000000000000000000000B',
      Timestamp: '2026-01-01T00:00:00Z',
      PushName: 'Ana',
    },
    Message: { conversation: 'Hello there' },
  },
});

/**
 * `message.ack` of our own message read by the contact, per engine: WAHA's own fixtures in
 * src/apps/chatwoot/consumers/waha/message.ack.utils.test.ts (W2602): NOWEB sends {id, from, fromMe, ack, ackName};
 * GOWS adds to/participant null and the whatsmeow receipt as `_data`; WEBJS sends the whole message.
 */
export const NOWEB_MESSAGE_ACK = envelope('message.ack', 'NOWEB', {
  id: 'true_15550002222@c.us_3EB0000000000000000002',
  from: '15550002222@c.us',
  fromMe: true,
  ack: 3,
  ackName: 'READ',
});

export const GOWS_MESSAGE_ACK = envelope('message.ack', 'GOWS', {
  id: 'true_15550002222@c.us_3EB0000000000000000002',
  from: '15550002222@c.us',
  to: null,
  participant: null,
  fromMe: true,
  ack: 3,
  ackName: 'READ',
  _data: {
    Chat: '15550002222@s.whatsapp.net',
    Sender: '15550002222@s.whatsapp.net',
    IsFromMe: false,
    IsGroup: false,
    MessageIDs: ['3EB0000000000000000002'],
    Type: 'read',
  },
});

export const WEBJS_MESSAGE_ACK = envelope(
  'message.ack',
  'WEBJS',
  {
    id: 'true_15550002222@c.us_3EB0000000000000000002',
    from: '15550000001@c.us',
    fromMe: true,
    source: 'app',
    to: '15550002222@c.us',
    body: 'Thanks',
    hasMedia: false,
    media: null,
    ack: 3,
    ackName: 'READ',
    vCards: [],
    _data: {
      id: {
        fromMe: true,
        remote: '15550002222@c.us',
        id: '3EB0000000000000000002',
        _serialized: 'true_15550002222@c.us_3EB0000000000000000002',
      },
    },
  },
  '/usr/bin/chromium',
);

/**
 * `session.status`: waha-docs content/docs/how-to/events/index.md "session.status" (status, the last statuses with
 * ms timestamps) and shared/reference/waha-api.md §7 (`name`).
 */
export const SESSION_STATUS = envelope('session.status', 'NOWEB', {
  name: 'default',
  status: 'STOPPED',
  statuses: [
    { status: 'WORKING', timestamp: 1767225600000 },
    { status: 'STOPPED', timestamp: 1767225601000 },
  ],
});

// ----- ChatWoot ------------------------------------------------------------------------------------------------

/** Contact#push_event_data with `type` (app/models/contact.rb), as conversation.meta.sender. */
const CONTACT_PUSH = {
  additional_attributes: {},
  custom_attributes: {},
  email: null,
  id: 5,
  identifier: '15550002222@c.us',
  name: 'Ana',
  phone_number: '+15550002222',
  thumbnail: '',
  blocked: false,
  type: 'contact',
};

/**
 * `conversation` in message webhooks: Conversations::EventDataPresenter#webhook_data
 * (app/presenters/conversations/event_data_presenter.rb, v4.15.1): the ContactInbox row, meta.sender, integer
 * timestamps, `account` from v4.14.2.
 */
const CONVERSATION = {
  additional_attributes: {},
  can_reply: true,
  channel: 'Channel::Api',
  contact_inbox: {
    id: 3,
    contact_id: 5,
    inbox_id: 1,
    source_id: '0b4bd8c0-5f6c-4ed2-9d55-6c3b5c0f0a11',
    created_at: '2026-01-01T00:00:00.000Z',
    updated_at: '2026-01-01T00:00:00.000Z',
    hmac_verified: false,
    pubsub_token: 'x1y2z3',
  },
  id: 7,
  inbox_id: 1,
  messages: [],
  labels: [],
  meta: { sender: CONTACT_PUSH, assignee: null, assignee_type: null, team: null, hmac_verified: false },
  status: 'open',
  custom_attributes: {},
  snoozed_until: null,
  unread_count: 0,
  first_reply_created_at: null,
  priority: null,
  waiting_since: 0,
  agent_last_seen_at: 0,
  contact_last_seen_at: 0,
  last_activity_at: 1767225600,
  timestamp: 1767225600,
  created_at: 1767225000,
  updated_at: 1767225600.123,
  account: { id: 1, name: 'Acme' },
};

/**
 * `message_created` for an agent's reply: Message#webhook_data (app/models/message.rb) merged with the event
 * (app/listeners/webhook_listener.rb); the sender is User#webhook_data `{id, name, email, type: 'user'}`
 * (app/models/user.rb); ChatWoot's webhooks page (chatwoot.com/docs/product/features/webhooks, "A sample webhook
 * payload") lists the same message fields.
 */
export const CW_AGENT_REPLY = {
  event: 'message_created',
  account: { id: 1, name: 'Acme' },
  additional_attributes: {},
  content_attributes: { in_reply_to: 41, in_reply_to_external_id: 'false_15550002222@c.us_3A0F00000000000000AA' },
  content_type: 'text',
  content: 'Happy to help',
  conversation: CONVERSATION,
  created_at: '2026-01-01T00:10:00.000Z',
  id: 42,
  inbox: { id: 1, name: 'WhatsApp' },
  message_type: 'outgoing',
  private: false,
  sender: { id: 1, name: 'Agent', email: 'agent@example.com', type: 'user' },
  source_id: null,
};

/**
 * `message_created` for a contact's message with a file: the sender is Contact#webhook_data, without `type`
 * (app/models/contact.rb); attachments are Attachment#push_event_data (app/models/attachment.rb).
 */
export const CW_CONTACT_MESSAGE = {
  ...CW_AGENT_REPLY,
  content_attributes: {},
  content: 'see attached',
  message_type: 'incoming',
  sender: {
    account: { id: 1, name: 'Acme' },
    additional_attributes: {},
    avatar: '',
    custom_attributes: {},
    email: null,
    id: 5,
    identifier: '15550002222@c.us',
    name: 'Ana',
    phone_number: '+15550002222',
    thumbnail: '',
    blocked: false,
  },
  source_id: 'false_15550002222@c.us_3A0F00000000000000AA',
  attachments: [
    {
      id: 9,
      message_id: 43,
      file_type: 'file',
      account_id: 1,
      extension: null,
      data_url: 'https://chatwoot.example/rails/active_storage/blobs/redirect/abc/a.pdf',
      thumb_url: '',
      file_size: 1024,
      width: null,
      height: null,
    },
  ],
};

/**
 * `message_updated` after a failed delivery: the same webhook_data; `content_attributes.external_error` holds the
 * reason (Webhooks::Trigger#update_message_status → Messages::StatusUpdateService, lib/webhooks/trigger.rb).
 */
export const CW_MESSAGE_UPDATED = {
  ...CW_AGENT_REPLY,
  event: 'message_updated',
  content_attributes: { external_error: '500 Internal Server Error' },
};
