/**
 * Where real WAHA and ChatWoot differ from what a naive client assumes (each behaviour modelled in the simulators
 * from upstream source): Client API routes that stop at a dot, WAHA Core refusing media sends, media on another
 * host or behind a path prefix, `external_created_at` read top-level, and the start-up report of what was found.
 */
import { Harness, eventually } from '../support/harness';
import { dmChats, pull } from '../support/pull-helpers';

function conversationOf(h: Harness, chatId: string): number {
  const contact = h.cw.contacts().find((c) => c.custom_attributes.waha_whatsapp_chat_id === chatId);
  return h.cw.conversations().find((c) => (c.meta.sender as { id?: number } | null)?.id === contact?.id)!.id;
}

describe('ChatWoot routing and message fields', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await Harness.start();
  });

  afterAll(async () => {
    await h?.stop();
  });

  it('gives the contacts it creates ChatWoot-generated source ids, so their read receipts route', async () => {
    const chatId = dmChats(h).find((id) => id.endsWith('@c.us'))!;
    const incoming = await h.waha.receive(chatId, { body: 'hello from a new contact' });
    await eventually(() => h.cw.conversations().some((c) => h.cw.messages(c.id).some((m) => m.source_id === incoming.id)), { what: 'the message imported' });
    const conversationId = conversationOf(h, chatId);
    const contact = h.cw.contacts().find((c) => c.custom_attributes.waha_whatsapp_chat_id === chatId)!;
    const sources = (contact as unknown as { contact_inboxes?: Array<{ source_id: string }> }).contact_inboxes?.map((ci) => ci.source_id) ?? [];
    for (const source of sources) expect(source).toMatch(/^[0-9a-f-]{36}$/);
    await h.cw.agentMessage(conversationId, 'reply to read');
    await eventually(() => h.waha.sent().find((s) => s.text === 'reply to read'), { what: 'the reply sent' });
    await h.waha.read(chatId);
    await eventually(() => (h.cw.conversation(conversationId)?.contact_last_seen_at ?? 0) > 0, { what: 'the conversation marked read' });
  });

  it('marks conversations read for older contacts whose source id is a chat id (the dot sent as %2E)', async () => {
    const chatId = dmChats(h).filter((id) => id.endsWith('@c.us'))[1];
    const { conversation } = h.cw.seedContact({ name: 'Old', identifier: chatId, custom_attributes: { waha_whatsapp_chat_id: chatId }, withConversation: true, source_id: chatId });
    await h.cw.agentMessage(conversation!.id, 'reply to an old contact');
    await eventually(() => h.waha.sent().find((s) => s.text === 'reply to an old contact'), { what: 'the reply sent' });
    await h.waha.read(chatId);
    await eventually(() => (h.cw.conversation(conversation!.id)?.contact_last_seen_at ?? 0) > 0, { what: 'the conversation marked read' });
  });

  it("sends each imported message's original time as external_created_at, which ChatWoot keeps", async () => {
    const run = await pull(h, 'wa/messages pull 2d --progress 0');
    expect(run.report).toMatch(/Pull finished/);
    const imported = h.cw.conversations().flatMap((c) => h.cw.messages(c.id)).filter((m) => m.source_id && h.waha.message(m.source_id));
    expect(imported.length).toBeGreaterThan(0);
    for (const message of imported) {
      expect(message.content_attributes?.external_created_at).toBe(Number(h.waha.message(message.source_id!)!.timestamp));
    }
  });
});

describe('WAHA Core before 2026.6.1 (media sends are a Plus feature there)', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await Harness.start({ waha: { engine: 'NOWEB', version: '2026.5.3', tier: 'CORE' } });
  });

  afterAll(async () => {
    await h?.stop();
  });

  it('delivers the text of an agent image to the customer and tells the agent once per conversation', async () => {
    const chatId = dmChats(h).find((id) => id.endsWith('@c.us'))!;
    const { conversation } = h.cw.seedContact({ name: 'Core', identifier: chatId, custom_attributes: { waha_whatsapp_chat_id: chatId }, withConversation: true });
    const image = { file_name: 'photo.jpg', content_type: 'image/jpeg', data: Buffer.from('jpeg') };
    await h.cw.agentMessage(conversation!.id, 'Here is the photo', { attachments: [image] });
    await eventually(() => h.waha.sent().find((s) => s.text === 'Here is the photo'), { what: 'the text delivered' });
    const notes = () => h.cw.messages(conversation!.id).filter((m) => m.private && /Attachments are not delivered/.test(m.content ?? ''));
    await eventually(() => notes().length === 1, { what: 'the note to the agent' });
    expect(notes()[0].content).toContain('2026.5.3');
    await h.cw.agentMessage(conversation!.id, 'And another', { attachments: [image] });
    await eventually(() => h.waha.sent().find((s) => s.text === 'And another'), { what: 'the second text delivered' });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(notes()).toHaveLength(1);
    expect(h.waha.sent().filter((s) => s.method !== 'sendText')).toEqual([]);
    expect(JSON.stringify(h.waha.sent())).not.toMatch(/\/rails\/active_storage|data_url/);
  });

  it('reports what it found and what it does about it in the WhatsApp Integration conversation, once', async () => {
    const report = await eventually(
      () => h.cw.messages(h.integrationConversationId).find((m) => /Servers found/.test(m.content ?? '')),
      { what: 'the start-up report' },
    );
    expect(report.content).toContain('WAHA 2026.5.3 (NOWEB, CORE)');
    expect(report.content).toMatch(/Agent attachments cannot be sent/);
    await h.spawn({ ROLE: 'worker' });
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(h.cw.messages(h.integrationConversationId).filter((m) => /Servers found/.test(m.content ?? ''))).toHaveLength(1);
    const health = (await h.healthDetails<{ apps: Record<string, { servers: { waha: { version: string }; adaptations: string[] } }> }>()).body;
    expect(health.apps[h.appId].servers.waha.version).toBe('2026.5.3');
    expect(health.apps[h.appId].servers.adaptations).toContain('server.adapt.textOnly');
  });
});

describe('media on another host and WAHA behind a path prefix', () => {
  it('imports media from presigned S3 URLs of a listed host, without sending the WAHA key there', async () => {
    const h = await Harness.start({
      waha: { mediaStorage: 's3' },
      envFrom: ({ waha }) => ({ MEDIA_HOSTS: new URL(waha.s3Url).host }),
    });
    try {
      const run = await pull(h, 'wa/messages pull 21d --media --progress 0');
      expect(run.report).toMatch(/Pull finished/);
      const files = h.cw.conversations().flatMap((c) => h.cw.messages(c.id)).flatMap((m) => m.attachments ?? []);
      expect(files.length).toBeGreaterThan(0);
      expect(h.waha.s3Requests().length).toBeGreaterThan(0);
      expect(h.waha.s3Requests().every((r) => !r.apiKey)).toBe(true);
    } finally {
      await h.stop();
    }
  });

  it('refuses media from a host not listed in MEDIA_HOSTS, leaving a notice instead', async () => {
    const h = await Harness.start({ waha: { mediaStorage: 's3' } });
    try {
      await pull(h, 'wa/messages pull 21d --media --progress 0');
      expect(h.waha.s3Requests()).toEqual([]);
      const notices = h.cw.conversations().flatMap((c) => h.cw.messages(c.id)).filter((m) => /could not be downloaded/.test(m.content ?? ''));
      expect(notices.length).toBeGreaterThan(0);
    } finally {
      await h.stop();
    }
  });

  it('reaches WAHA behind a path prefix, for the API and for media reported on its default base URL', async () => {
    const h = await Harness.start({
      waha: { pathPrefix: '/waha', baseUrl: 'http://localhost:3000' },
      envFrom: ({ waha }) => ({ WAHA_URL: `${waha.url}/waha` }),
    });
    try {
      const run = await pull(h, 'wa/messages pull 21d --media --progress 0', h.integrationConversationId, 60_000);
      expect(run.report).toMatch(/Pull finished/);
      // A doubled or lost prefix would make every download fail.
      const files = h.cw.conversations().flatMap((c) => h.cw.messages(c.id)).flatMap((m) => m.attachments ?? []);
      expect(files.length).toBeGreaterThan(0);
    } finally {
      await h.stop();
    }
  });
});
