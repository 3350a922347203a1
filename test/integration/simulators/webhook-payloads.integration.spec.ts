/**
 * The simulators' webhooks against payloads written after WAHA's and ChatWoot's own docs, fixtures and reported
 * payloads (webhook-examples.ts): every field the bridge reads has the example's name and JSON type, all the way
 * down; fields the real server leaves out are left out; extra fields are allowed.
 */
import { startChatwootSimulator } from '../../../simulators/chatwoot';
import { WahaEngine, startWahaSimulator } from '../../../simulators/waha';
import { HookReceiver, NOW, WAHA_KEY, chatwoot } from './sim-test-kit';
import * as examples from './webhook-examples';

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function at(value: unknown, path: string): unknown {
  let node = value;
  for (const key of path.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** Where `actual` differs in shape from `example` under `path`: missing fields, other types, recursively. */
function shapeDifferences(actual: unknown, example: unknown, path: string): string[] {
  if (actual === undefined) return [`${path} is missing`];
  const want = typeOf(example);
  const got = typeOf(actual);
  if (want !== got) return [`${path} is ${got}, the example has ${want}`];
  if (want === 'object') {
    return Object.entries(example as Record<string, unknown>).flatMap(([key, value]) =>
      shapeDifferences((actual as Record<string, unknown>)[key], value, `${path}.${key}`),
    );
  }
  if (want === 'array' && (example as unknown[]).length > 0 && (actual as unknown[]).length > 0) {
    return shapeDifferences((actual as unknown[])[0], (example as unknown[])[0], `${path}[0]`);
  }
  return [];
}

/** The paths compared (the fields the bridge reads), and the ones the real server leaves out. */
function compare(actual: unknown, example: unknown, paths: string[], absent: string[] = []): string[] {
  return [
    ...paths.flatMap((path) => shapeDifferences(at(actual, path), at(example, path), path)),
    ...absent.filter((path) => at(actual, path) !== undefined).map((path) => `${path} should be left out`),
  ];
}

const ENVELOPE = ['id', 'timestamp', 'event', 'session', 'me', 'engine', 'environment'];
const MESSAGE = [
  'id',
  'timestamp',
  'from',
  'fromMe',
  'source',
  'body',
  'hasMedia',
  'media',
  'ack',
  'ackName',
  'location',
  'vCards',
  'replyTo',
];
const payload = (fields: string[]): string[] => fields.map((f) => `payload.${f}`);

describe('webhook payloads compared with the servers’ own examples', () => {
  const receiver = new HookReceiver();
  beforeAll(() => receiver.start());
  afterAll(() => receiver.stop());
  beforeEach(() => {
    receiver.hooks.length = 0;
  });

  async function wahaHooks(engine: WahaEngine) {
    receiver.hooks.length = 0;
    const s = await startWahaSimulator({
      apiKey: WAHA_KEY,
      engine,
      webhookUrl: receiver.url,
      history: { seed: 7, now: NOW },
    });
    const chatId = s.chats().find((c) => c.kind === 'dm' && c.id.endsWith('@c.us'))!.id;
    await s.receive(chatId, { body: 'Hello there' });
    const sent = await s.receive(chatId, { body: 'Thanks', fromMe: true });
    await s.read(chatId, sent.id as string);
    await s.setSessionStatus('STOPPED');
    await s.flushWebhooks();
    await s.close();
    const anyHooks = receiver.events('message.any').map((h) => h.json);
    return {
      incoming: anyHooks.find((h) => h.payload.fromMe === false),
      ack: receiver.events('message.ack')[0].json,
      status: receiver.events('session.status')[0].json,
    };
  }

  it('NOWEB message.any: the chat in `from`, no `to` or `participant`, vCards null, Baileys `_data`', async () => {
    const { incoming } = await wahaHooks('NOWEB');
    const paths = [
      ...ENVELOPE,
      ...payload(MESSAGE),
      'payload._data.key',
      'payload._data.pushName',
      'payload._data.messageTimestamp',
      'payload._data.message',
    ];
    expect(compare(incoming, examples.NOWEB_MESSAGE_ANY, paths, ['payload.to', 'payload.participant'])).toEqual([]);
  });

  it('WEBJS message.any: sender and recipient in from/to, no `participant` in a direct chat, a Msg model as `_data`', async () => {
    const { incoming } = await wahaHooks('WEBJS');
    const paths = [
      ...ENVELOPE,
      ...payload([...MESSAGE, 'to']),
      'payload._data.id',
      'payload._data.type',
      'payload._data.notifyName',
    ];
    expect(compare(incoming, examples.WEBJS_MESSAGE_ANY, paths, ['payload.participant'])).toEqual([]);
  });

  it('GOWS message.any: `to` and `participant` null, vCards null, `_data` with Info and Message', async () => {
    const { incoming } = await wahaHooks('GOWS');
    const paths = [
      ...ENVELOPE,
      ...payload([...MESSAGE, 'to', 'participant']),
      'payload._data.Info',
      'payload._data.Message',
    ];
    expect(compare(incoming, examples.GOWS_MESSAGE_ANY, paths)).toEqual([]);
  });

  it('message.ack as each engine sends it', async () => {
    const ackFields = ['id', 'from', 'fromMe', 'ack', 'ackName'];
    const noweb = (await wahaHooks('NOWEB')).ack;
    expect(
      compare(noweb, examples.NOWEB_MESSAGE_ACK, [...ENVELOPE, ...payload(ackFields)], ['payload.to', 'payload._data']),
    ).toEqual([]);
    const gows = (await wahaHooks('GOWS')).ack;
    expect(
      compare(gows, examples.GOWS_MESSAGE_ACK, [...ENVELOPE, ...payload([...ackFields, 'to', 'participant', '_data'])]),
    ).toEqual([]);
    const webjs = (await wahaHooks('WEBJS')).ack;
    expect(
      compare(webjs, examples.WEBJS_MESSAGE_ACK, [
        ...ENVELOPE,
        ...payload([...ackFields, 'to', 'body', 'vCards', '_data.id']),
      ]),
    ).toEqual([]);
  });

  it('session.status', async () => {
    const { status } = await wahaHooks('NOWEB');
    // `me` is null once the session stopped (meInfo only while authenticated), so it is not compared here.
    const envelope = ENVELOPE.filter((field) => field !== 'me');
    expect(
      compare(status, examples.SESSION_STATUS, [...envelope, 'payload.name', 'payload.status', 'payload.statuses']),
    ).toEqual([]);
  });

  describe('ChatWoot', () => {
    const FIELDS = [
      'event',
      'id',
      'content',
      'content_type',
      'message_type',
      'private',
      'source_id',
      'created_at',
      'sender',
      'inbox',
      'account',
    ];
    const CONVERSATION = [
      'conversation.id',
      'conversation.meta.sender',
      'conversation.contact_inbox',
      'conversation.account',
    ];

    async function chatwootHooks() {
      receiver.hooks.length = 0;
      const s = await startChatwootSimulator({ webhookUrl: receiver.url.replace('/hook', '/cw') });
      const contact = await chatwoot(s.url, '/contacts', {
        method: 'POST',
        body: { name: 'Ana', phone_number: '+15550002222', identifier: '15550002222@c.us', inbox_id: 1 },
      });
      const conversation = await chatwoot(s.url, '/conversations', {
        method: 'POST',
        body: { inbox_id: 1, contact_id: contact.body.payload.contact.id },
      });
      const id = conversation.body.id as number;
      const form = new FormData();
      form.append('content', 'see attached');
      form.append('message_type', 'incoming');
      form.append('source_id', 'false_15550002222@c.us_3A0F00000000000000AA');
      form.append('attachments[]', new Blob([Buffer.from('%PDF')], { type: 'application/pdf' }), 'a.pdf');
      const incoming = await chatwoot(s.url, `/conversations/${id}/messages`, { method: 'POST', body: form });
      const reply = await s.agentMessage(id, 'Happy to help', {
        content_attributes: { in_reply_to: incoming.body.id },
      });
      await chatwoot(s.url, `/conversations/${id}/messages/${reply.id}`, {
        method: 'PATCH',
        body: { status: 'failed', external_error: '500 Internal Server Error' },
      });
      await s.waitForWebhookIdle();
      await s.close();
      const created = receiver.events('message_created').map((h) => h.json);
      return {
        contactMessage: created.find((h) => h.message_type === 'incoming')!,
        agentReply: created.find((h) => h.message_type === 'outgoing')!,
        updated: receiver.events('message_updated').at(-1)!.json,
      };
    }

    it('message_created for an agent reply, for a contact message with a file, and message_updated', async () => {
      const { contactMessage, agentReply, updated } = await chatwootHooks();
      const replyPaths = [...FIELDS, ...CONVERSATION, 'content_attributes.in_reply_to'];
      expect(compare(agentReply, examples.CW_AGENT_REPLY, replyPaths, ['status'])).toEqual([]);
      const contactPaths = [...FIELDS, ...CONVERSATION, 'attachments'];
      expect(compare(contactMessage, examples.CW_CONTACT_MESSAGE, contactPaths, ['sender.type', 'status'])).toEqual([]);
      const updatedPaths = [...FIELDS, ...CONVERSATION, 'content_attributes.external_error'];
      expect(compare(updated, examples.CW_MESSAGE_UPDATED, updatedPaths, ['status'])).toEqual([]);
    });
  });
});
