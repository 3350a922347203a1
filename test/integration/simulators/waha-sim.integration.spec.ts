/**
 * The WAHA simulator over real HTTP: auth, seeded history, paging semantics, media files, lids, sends and
 * webhooks, session status, and the cost of a bench-size history.
 */
import { createHmac } from 'node:crypto';
import { WahaSimulator, startWahaSimulator } from '../../../simulators/waha';
import { HookReceiver } from './sim-test-kit';

const KEY = 'test-key';
const HMAC_KEY = 'hmac-secret';
const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const NOW_SEC = Math.floor(NOW / 1000);

/** JSON.parse's own result type: answers are checked field by field by the assertions. */
type Json = ReturnType<typeof JSON.parse>;

async function call(
  sim: WahaSimulator,
  path: string,
  init: { method?: string; body?: unknown; key?: string | null } = {},
): Promise<{ status: number; body: Json; headers: Headers; bytes: Buffer }> {
  const headers: Record<string, string> = {};
  const key = init.key === undefined ? KEY : init.key;
  if (key !== null) headers['X-Api-Key'] = key;
  if (init.body !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(`${sim.url}${path}`, {
    method: init.method ?? 'GET',
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const bytes = Buffer.from(await response.arrayBuffer());
  const type = response.headers.get('content-type') ?? '';
  const text = bytes.toString('utf8');
  const body = type.includes('json') && text !== '' ? JSON.parse(text) : text;
  return { status: response.status, body, headers: response.headers, bytes };
}

function messagesPath(chatId: string, params: Record<string, string | number | boolean>): string {
  const query = new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]));
  return `/api/default/chats/${encodeURIComponent(chatId)}/messages?${query.toString()}`;
}

/** What a careful client does: asc pages in a window, offset += limit, stop only on an empty page. */
async function pullWindow(sim: WahaSimulator, chatId: string, gte: number, lte: number, limit: number) {
  const ids: string[] = [];
  const pageSizes: number[] = [];
  for (let offset = 0; ; offset += limit) {
    const res = await call(
      sim,
      messagesPath(chatId, {
        limit,
        offset,
        sortBy: 'timestamp',
        sortOrder: 'asc',
        downloadMedia: false,
        'filter.timestamp.gte': gte,
        'filter.timestamp.lte': lte,
      }),
    );
    expect(res.status).toBe(200);
    pageSizes.push(res.body.length);
    if (res.body.length === 0) break;
    ids.push(...res.body.map((m: Json) => m.id));
  }
  return { ids, pageSizes };
}

describe('WahaSimulator', () => {
  const receiver = new HookReceiver();
  let sim: WahaSimulator;

  beforeAll(async () => {
    await receiver.start();
    sim = await startWahaSimulator({
      apiKey: KEY,
      webhookUrl: receiver.url,
      webhookHmacKey: HMAC_KEY,
      webhookRetries: { attempts: 3, delayMs: 20 },
      history: { seed: 7, now: NOW, hiddenRatio: 0 },
    });
  });

  afterEach(async () => {
    await sim.flushWebhooks();
    sim.reset();
    receiver.hooks.length = 0;
  });

  afterAll(async () => {
    await sim.close();
    await receiver.stop();
  });

  describe('when a request has no valid API key', () => {
    it('answers 401 with the WAHA body for a missing or wrong key', async () => {
      for (const key of [null, 'wrong']) {
        const res = await call(sim, '/api/sessions', { key });
        expect(res.status).toBe(401);
        expect(res.body).toEqual({ message: 'Unauthorized', statusCode: 401 });
      }
    });

    it('accepts the key as the x-api-key query parameter and leaves /ping open', async () => {
      expect((await call(sim, `/api/sessions?x-api-key=${KEY}`, { key: null })).status).toBe(200);
      expect((await call(sim, '/ping', { key: null })).body).toEqual({ message: 'pong' });
    });

    it('answers 501 naming an unsimulated route, but only after auth', async () => {
      expect((await call(sim, '/api/default/labels', { key: null })).status).toBe(401);
      const res = await call(sim, '/api/default/labels');
      expect(res.status).toBe(501);
      expect(res.body.error).toContain('GET /api/default/labels');
    });
  });

  describe('when the same seed and time generate two accounts', () => {
    it('produces byte-identical histories, and a different seed does not', async () => {
      const a = await startWahaSimulator({ history: { seed: 42, now: NOW } });
      const b = await startWahaSimulator({ history: { seed: 42, now: NOW } });
      const c = await startWahaSimulator({ history: { seed: 43, now: NOW } });
      try {
        const dump = (s: WahaSimulator) => JSON.stringify(s.chats().map((chat) => [chat, s.history(chat.id)]));
        expect(dump(a)).toEqual(dump(b));
        expect(dump(a)).not.toEqual(dump(c));
        const kinds = a.chats().map((chat) => chat.kind);
        expect(kinds.filter((k) => k === 'dm')).toHaveLength(6);
        expect(kinds.filter((k) => k === 'group')).toHaveLength(2);
        expect(kinds).toEqual(expect.arrayContaining(['channel', 'status', 'broadcast', 'system']));
        const ids = a.chats().map((chat) => chat.id);
        for (const suffix of ['@c.us', '@lid', '@g.us', '@newsletter', 'status@broadcast', '0@c.us']) {
          expect(ids.some((id) => id.endsWith(suffix))).toBe(true);
        }
      } finally {
        await Promise.all([a.close(), b.close(), c.close()]);
      }
    });

    it('keeps the promised recent messages in every direct chat and shares some timestamps', () => {
      for (const chat of sim.chats().filter((c) => c.kind === 'dm')) {
        expect(sim.messagesInWindow(chat.id, NOW_SEC - 86400, NOW_SEC).length).toBeGreaterThanOrEqual(3);
      }
      const all = sim.history('all');
      const seconds = all.map((m) => m.timestamp as number);
      expect(new Set(seconds).size).toBeLessThan(seconds.length);
      expect(all.some((m) => (m._data as Json).message.pollCreationMessageV3)).toBe(true);
      expect(all.some((m) => m.location !== null)).toBe(true);
      expect(all.some((m) => m.replyTo !== null)).toBe(true);
    });
  });

  describe('when a client lists sessions and chats', () => {
    it('describes the session and its owner', async () => {
      const session = await call(sim, '/api/sessions/default');
      expect(session.body).toMatchObject({ name: 'default', status: 'WORKING', engine: { engine: 'NOWEB' } });
      expect(session.body.me.id).toMatch(/@c\.us$/);
      expect((await call(sim, '/api/sessions/other')).body).toEqual({
        message: 'Session not found',
        error: 'Not Found',
        statusCode: 404,
      });
    });

    it('lists NOWEB chat rows newest first with protocol ids and conversationTimestamp', async () => {
      const res = await call(sim, '/api/default/chats');
      expect(res.status).toBe(200);
      const stamps = res.body.map((c: Json) => c.conversationTimestamp);
      expect(stamps).toEqual([...stamps].sort((x: number, y: number) => y - x));
      expect(res.body.some((c: Json) => String(c.id).endsWith('@s.whatsapp.net'))).toBe(true);
      expect((await call(sim, '/api/default/chats?limit=2&offset=1')).body).toEqual(res.body.slice(1, 3));
      expect((await call(sim, '/api/default/chats?sortBy=messageTimestamp')).status).toBe(400);
    });
  });

  describe('when a client pages through a chat', () => {
    it('returns the newest 10 first by default', async () => {
      const chat = sim.chats().find((c) => c.kind === 'group')!;
      const res = await call(sim, `/api/default/chats/${encodeURIComponent(chat.id)}/messages`);
      const expected = sim.history(chat.id).slice(-10).reverse();
      expect(res.body.map((m: Json) => m.id)).toEqual(expected.map((m) => m.id));
      expect(res.body[0].participant).toBeDefined();
      expect(res.body[0].id.split('_')).toHaveLength(4);
    });

    it('honours inclusive second-resolution bounds in ascending pages', async () => {
      const chat = sim.chats().find((c) => c.kind === 'dm')!;
      const history = sim.history(chat.id);
      const gte = history[2].timestamp as number;
      const lte = history[history.length - 3].timestamp as number;
      const expected = history.filter((m) => (m.timestamp as number) >= gte && (m.timestamp as number) <= lte);
      expect(expected[0].timestamp).toBe(gte);
      const { ids, pageSizes } = await pullWindow(sim, chat.id, gte, lte, 4);
      expect(ids).toEqual(expected.map((m) => m.id));
      expect(ids).toEqual(sim.messagesInWindow(chat.id, gte, lte).map((m) => m.id));
      expect(pageSizes[pageSizes.length - 1]).toBe(0);
    });

    it('merges every chat for chatId=all in timestamp order', async () => {
      const { ids } = await pullWindow(sim, 'all', NOW_SEC - 3 * 86400, NOW_SEC, 50);
      expect(ids).toEqual(sim.messagesInWindow('all', NOW_SEC - 3 * 86400, NOW_SEC).map((m) => m.id));
    });

    it('filters on fromMe and rejects an unknown sortBy with a validation array', async () => {
      const chat = sim.chats().find((c) => c.kind === 'dm')!;
      const mine = await call(sim, messagesPath(chat.id, { limit: 1000, 'filter.fromMe': true, downloadMedia: false }));
      expect(mine.body.length).toBeGreaterThan(0);
      expect(mine.body.every((m: Json) => m.fromMe === true)).toBe(true);
      const bad = await call(sim, messagesPath(chat.id, { sortBy: 'id' }));
      expect(bad.status).toBe(400);
      expect(bad.body.message).toEqual(['sortBy must be one of the following values: timestamp, messageTimestamp']);
    });

    it('answers an empty array for an unknown chat', async () => {
      expect((await call(sim, messagesPath('19999999999@c.us', {}))).body).toEqual([]);
    });
  });

  describe('when stored records are not displayable', () => {
    it('returns short pages before the end, so only an empty page means done', async () => {
      const lossy = await startWahaSimulator({ apiKey: KEY, history: { seed: 3, now: NOW, hiddenRatio: 0.3 } });
      try {
        const chat = lossy.chats().find((c) => c.kind === 'group' && c.records > c.messages)!;
        const { ids, pageSizes } = await pullWindow(lossy, chat.id, 0, NOW_SEC, 5);
        expect(ids).toEqual(lossy.history(chat.id).map((m) => m.id));
        const shortBeforeEnd = pageSizes.slice(0, -1).some((size, i, all) => size < 5 && i < all.length - 1);
        expect(shortBeforeEnd).toBe(true);
      } finally {
        await lossy.close();
      }
    });
  });

  describe('when a client asks for media', () => {
    const mediaMessage = () => sim.history('all').find((m) => m.hasMedia && (m._data as Json).message.imageMessage)!;

    it('fills media.url only with downloadMedia=true and serves the file with the key', async () => {
      const msg = mediaMessage();
      const chatId = msg.from as string;
      const without = await call(sim, `${messagesPath(chatId, { limit: 1000, downloadMedia: false })}`);
      const lean = without.body.find((m: Json) => m.id === msg.id);
      expect(lean).toMatchObject({ hasMedia: true, media: null });

      const withMedia = await call(sim, `/api/default/chats/all/messages/${encodeURIComponent(msg.id as string)}`);
      expect(withMedia.status).toBe(200);
      const url: string = withMedia.body.media.url;
      expect(url).toBe(`${sim.url}/api/files/default/${(msg._data as Json).key.id}.jpeg`);
      expect(withMedia.body.media.mimetype).toBe('image/jpeg');

      const path = new URL(url).pathname;
      expect((await call(sim, path, { key: null })).status).toBe(401);
      const file = await call(sim, path);
      expect(file.status).toBe(200);
      expect(file.headers.get('content-type')).toBe('image/jpeg');
      expect(file.bytes.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
      expect(file.bytes.length).toBeGreaterThanOrEqual(2000);
      const again = await call(sim, `${path}?x-api-key=${KEY}`, { key: null });
      expect(again.bytes.equals(file.bytes)).toBe(true);
    });

    it('answers 404 FILE_NOT_FOUND once the file lifetime passed, until the message is fetched again', async () => {
      const short = await startWahaSimulator({ apiKey: KEY, mediaTtlMs: 200, history: { seed: 7, now: NOW } });
      try {
        const msg = short.history('all').find((m) => m.hasMedia && (m._data as Json).message.imageMessage)!;
        const byId = `/api/default/chats/all/messages/${encodeURIComponent(msg.id as string)}?downloadMedia=true`;
        const path = new URL((await call(short, byId)).body.media.url).pathname;
        expect((await call(short, path)).status).toBe(200);
        await new Promise((resolve) => setTimeout(resolve, 300));
        const gone = await call(short, path);
        expect(gone.status).toBe(404);
        expect(gone.body).toEqual({
          error: {
            code: 404,
            key: 'FILE_NOT_FOUND',
            message: 'File not found',
            details: 'File not found or no longer available',
          },
        });
        await call(short, byId);
        expect((await call(short, path)).status).toBe(200);
      } finally {
        await short.close();
      }
    });

    it('answers 404 Message not found for an unknown id, full or bare', async () => {
      for (const id of ['false_11111111111@c.us_3EB0AAAAAAAAAAAAAAAAAA', 'ABCDEF0123456789']) {
        const res = await call(sim, `/api/default/chats/all/messages/${encodeURIComponent(id)}`);
        expect(res.status).toBe(404);
        expect(res.body).toEqual({ statusCode: 404, message: 'Message not found', error: 'Not Found' });
      }
      const known = sim.history('all')[0];
      const bare = (known._data as Json).key.id;
      expect((await call(sim, `/api/default/chats/all/messages/${bare}?downloadMedia=false`)).body.id).toBe(known.id);
    });
  });

  describe('when a client resolves lids', () => {
    it('maps most @lid chats to a phone and answers pn null for the rest', async () => {
      const lidChats = sim.chats().filter((c) => c.id.endsWith('@lid'));
      const answers = await Promise.all(
        lidChats.map(async (c) => (await call(sim, `/api/default/lids/${encodeURIComponent(c.id)}`)).body),
      );
      expect(answers.filter((a) => a.pn !== null).length).toBeGreaterThan(0);
      expect(answers.filter((a) => a.pn === null).length).toBe(1);
      const known = answers.find((a) => a.pn !== null)!;
      expect(known.pn).toMatch(/@c\.us$/);
      const back = await call(sim, `/api/default/lids/pn/${encodeURIComponent(known.pn)}`);
      expect(back.body).toEqual({ lid: known.lid, pn: known.pn });
      const contact = await call(sim, `/api/contacts?session=default&contactId=${encodeURIComponent(known.pn)}`);
      expect(contact.body.pushname).toEqual(expect.any(String));
    });
  });

  describe('when a client sends messages', () => {
    it('answers 201, appends a fromMe message and signs the message.any webhook', async () => {
      const chat = sim.chats().find((c) => c.kind === 'dm')!;
      const target = sim.history(chat.id)[0];
      const res = await call(sim, '/api/sendText', {
        method: 'POST',
        body: { session: 'default', chatId: chat.id, text: 'Hello from ChatWoot', reply_to: target.id },
      });
      expect(res.status).toBe(201);
      expect(typeof res.body.id).toBe('string');
      expect(res.body.id).toMatch(new RegExp(`^true_${chat.id}_3EB0`));

      const history = sim.history(chat.id);
      const last = history[history.length - 1];
      expect(last).toMatchObject({ id: res.body.id, fromMe: true, source: 'api', body: 'Hello from ChatWoot' });
      expect((last.replyTo as Json).id).toBe((target._data as Json).key.id);
      expect(sim.sent()).toEqual([
        expect.objectContaining({
          method: 'sendText',
          chatId: chat.id,
          text: 'Hello from ChatWoot',
          reply_to: target.id,
        }),
      ]);

      await sim.flushWebhooks();
      const [hook] = receiver.events('message.any');
      expect(hook.headers['x-webhook-hmac-algorithm']).toBe('sha512');
      expect(hook.headers['x-webhook-hmac']).toBe(createHmac('sha512', HMAC_KEY).update(hook.raw).digest('hex'));
      expect(Number(hook.headers['x-webhook-timestamp'])).toBeGreaterThan(1e12);
      expect(hook.json).toMatchObject({
        event: 'message.any',
        session: 'default',
        engine: 'NOWEB',
        payload: { id: res.body.id, fromMe: true, source: 'api' },
        environment: { version: expect.any(String), engine: 'NOWEB' },
      });
      expect(hook.json.id).toMatch(/^evt_[0-9a-z]{26}$/);
      expect(Object.keys(hook.json)).toEqual([
        'id',
        'timestamp',
        'event',
        'session',
        'metadata',
        'me',
        'payload',
        'engine',
        'environment',
      ]);
    });

    it('serves an image sent as base64 from the URL in its webhook', async () => {
      const chat = sim.chats().find((c) => c.kind === 'group')!;
      const data = Buffer.from('not really a jpeg but bytes all the same');
      const res = await call(sim, '/api/sendImage', {
        method: 'POST',
        body: {
          session: 'default',
          chatId: chat.id,
          caption: 'look',
          file: { mimetype: 'image/jpeg', data: data.toString('base64') },
        },
      });
      expect(res.status).toBe(201);
      await sim.flushWebhooks();
      const hook = receiver.events('message.any')[0].json;
      expect(hook.payload.participant).toBe(sim.me.id);
      const file = await call(sim, new URL(hook.payload.media.url).pathname);
      expect(file.bytes.equals(data)).toBe(true);
      expect(sim.sent()[0]).toMatchObject({
        method: 'sendImage',
        caption: 'look',
        file: { mimetype: 'image/jpeg', size: data.length },
      });
    });

    it('retries a webhook the receiver refused', async () => {
      receiver.answers.push(500);
      const msg = await sim.receive(sim.chats()[0].id, { body: 'are you there?' });
      const hooks = receiver.events('message.any');
      expect(hooks).toHaveLength(2);
      expect(hooks[0].json.id).toBe(hooks[1].json.id);
      expect(hooks[1].json.payload).toMatchObject({ id: msg.id, fromMe: false, body: 'are you there?' });
      expect(sim.webhooks()[0]).toMatchObject({ delivered: true, attempts: 2 });
      const newest = await call(sim, messagesPath(sim.chats()[0].id, { limit: 1 }));
      expect(newest.body[0].id).toBe(msg.id);
    });

    it('acks our sends DEVICE, and READ once the contact reads them through /_sim/read', async () => {
      const chat = sim.chats().find((c) => c.kind === 'dm')!;
      const first = await call(sim, '/api/sendText', {
        method: 'POST',
        body: { session: 'default', chatId: chat.id, text: 'one' },
      });
      await sim.receive(chat.id, { body: 'their message' });
      const second = await call(sim, '/api/sendText', {
        method: 'POST',
        body: { session: 'default', chatId: chat.id, text: 'two' },
      });
      await sim.flushWebhooks();
      const device = receiver
        .events('message.ack')
        .map((h) => [h.json.payload.id, h.json.payload.ack, h.json.payload.ackName]);
      expect(device).toEqual([
        [first.body.id, 2, 'DEVICE'],
        [second.body.id, 2, 'DEVICE'],
      ]);
      const read = await call(sim, '/_sim/read', { method: 'POST', key: null, body: { chatId: chat.id } });
      expect(read.body).toEqual({ acked: [first.body.id, second.body.id] });
      await sim.flushWebhooks();
      const acks = receiver
        .events('message.ack')
        .slice(2)
        .map((h) => h.json.payload);
      expect(acks.map((p) => [p.id, p.fromMe, p.ack, p.ackName])).toEqual([
        [first.body.id, true, 3, 'READ'],
        [second.body.id, true, 3, 'READ'],
      ]);
      // Nothing is left unread, so reading again sends nothing.
      expect((await call(sim, '/_sim/read', { method: 'POST', key: null, body: { chatId: chat.id } })).body).toEqual({
        acked: [],
      });
    });

    it('injects messages through the control routes without a key', async () => {
      const chat = sim.chats().find((c) => c.kind === 'dm')!;
      const res = await call(sim, '/_sim/receive', {
        method: 'POST',
        key: null,
        body: { chatId: chat.id, body: 'hi', hasMedia: true },
      });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ hasMedia: true, body: 'hi' });
      expect(receiver.events('message.any')[0].json.payload.media.url).toContain('/api/files/default/');
      expect((await call(sim, '/_sim/chats', { key: null })).body).toHaveLength(sim.chats().length);
    });
  });

  describe('when the session is not WORKING', () => {
    it('answers 422 with the expected-status body and emits session.status', async () => {
      await sim.setSessionStatus('STOPPED');
      const chat = sim.chats()[0];
      const send = await call(sim, '/api/sendText', {
        method: 'POST',
        body: { session: 'default', chatId: chat.id, text: 'x' },
      });
      expect(send.status).toBe(422);
      expect(send.body).toEqual({
        error: 'Session status is not as expected. Try again later or restart the session',
        session: 'default',
        status: 'STOPPED',
        expected: ['WORKING'],
      });
      expect((await call(sim, messagesPath(chat.id, {}))).status).toBe(422);
      expect((await call(sim, '/api/sessions')).body).toEqual([]);
      expect((await call(sim, '/api/sessions?all=true')).body[0].status).toBe('STOPPED');
      expect(receiver.events('session.status')[0].json.payload).toMatchObject({ name: 'default', status: 'STOPPED' });
      expect(sim.sent()).toEqual([]);
    });

    it('answers 404 for an unknown session on session routes', async () => {
      const res = await call(sim, messagesPath('1@c.us', {}).replace('/api/default/', '/api/nope/'));
      expect(res.status).toBe(404);
      expect(res.body.message).toContain("We didn't find a session with name 'nope'");
    });
  });

  describe('when the engine is WEBJS', () => {
    it('refuses chatId=all and reports the sender in from', async () => {
      const webjs = await startWahaSimulator({ apiKey: KEY, engine: 'WEBJS', history: { seed: 7, now: NOW } });
      try {
        // NotImplementedByEngineError: 501 since 2025.6.6 (422 before; see waha-profiles.integration.spec.ts).
        const all = await call(webjs, messagesPath('all', {}));
        expect(all.status).toBe(501);
        const chat = webjs.chats().find((c) => c.kind === 'dm')!;
        const page = await call(webjs, messagesPath(chat.id, { limit: 100, sortOrder: 'asc', downloadMedia: false }));
        const stamps = page.body.map((m: Json) => m.timestamp);
        expect(stamps).toEqual([...stamps].sort((x: number, y: number) => y - x));
        const mine = page.body.find((m: Json) => m.fromMe);
        expect(mine.from).toBe(webjs.me.id);
      } finally {
        await webjs.close();
      }
    });
  });

  describe('when the history is bench-sized', () => {
    it('generates 100k+ messages in about a second without a large memory bill', async () => {
      global.gc?.();
      const before = process.memoryUsage().rss;
      const started = Date.now();
      const big = await startWahaSimulator({ apiKey: KEY, history: { seed: 1, now: NOW, messagesPerChat: 12_000 } });
      try {
        const elapsed = Date.now() - started;
        expect(big.totalMessages()).toBeGreaterThan(100_000);
        expect(elapsed).toBeLessThan(3000);
        const chat = big.chats().find((c) => c.kind === 'group')!;
        const page = await call(
          big,
          messagesPath(chat.id, { limit: 100, offset: 5000, sortOrder: 'asc', downloadMedia: false }),
        );
        expect(page.body.length).toBeGreaterThan(80);
        const allPage = await call(
          big,
          messagesPath('all', { limit: 100, offset: 50_000, sortOrder: 'asc', downloadMedia: false }),
        );
        expect(allPage.body.length).toBeGreaterThan(80);
        const id = allPage.body[0].id;
        expect((await call(big, `/api/default/chats/all/messages/${encodeURIComponent(id)}`)).body.id).toBe(id);
        const grown = (process.memoryUsage().rss - before) / 1024 / 1024;
        expect(grown).toBeLessThan(150);
      } finally {
        await big.close();
      }
    });
  });
});
