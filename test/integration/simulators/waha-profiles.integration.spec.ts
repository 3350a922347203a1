/**
 * The WAHA simulator's profiles over real HTTP: what a client notices when the server is another engine, an older
 * release, Core instead of Plus, behind a path prefix, with media on S3, or NOWEB without its store.
 */
import { createHash } from 'node:crypto';
import { WahaSimOptions, WahaSimulator, startWahaSimulator } from '../../../simulators/waha';
import { HookReceiver, Json, NOW, WAHA_KEY, messagesPath, waha } from './sim-test-kit';

const started: WahaSimulator[] = [];

async function sim(options: WahaSimOptions = {}): Promise<WahaSimulator> {
  const simulator = await startWahaSimulator({
    apiKey: WAHA_KEY,
    ...options,
    history: { seed: 7, now: NOW, hiddenRatio: 0, ...(options.history ?? {}) },
  });
  started.push(simulator);
  return simulator;
}

afterEach(async () => {
  await Promise.all(started.splice(0).map((s) => s.close()));
});

/** A direct chat with at least `min` messages, no two in the same second (so every order is unambiguous). */
function longChat(s: WahaSimulator, min = 8): { id: string; history: Json[] } {
  const chat = s.chats().find((c) => {
    if (c.kind !== 'dm' || !c.id.endsWith('@c.us') || c.messages < min) return false;
    const stamps = s.history(c.id).map((m) => m.timestamp);
    return new Set(stamps).size === stamps.length;
  });
  if (!chat) throw new Error('no direct chat fits');
  return { id: chat.id, history: s.history(chat.id) };
}

async function pageIds(
  s: WahaSimulator,
  chatId: string,
  params: Record<string, string | number | boolean>,
): Promise<string[]> {
  const res = await waha(s.url, messagesPath(chatId, { downloadMedia: false, ...params }));
  expect(res.status).toBe(200);
  return res.body.map((m: Json) => m.id);
}

const ids = (messages: Json[]): string[] => messages.map((m) => m.id);

describe('WAHA simulator profiles', () => {
  describe('GET …/messages order, per engine and release', () => {
    it('NOWEB from 2025.10.5 pages oldest first for asc, newest first by default, and reads any other sortOrder as asc like Knex', async () => {
      const s = await sim({ engine: 'NOWEB' });
      const { id, history } = longChat(s);
      expect(await pageIds(s, id, { limit: 4, sortOrder: 'asc' })).toEqual(ids(history.slice(0, 4)));
      expect(await pageIds(s, id, { limit: 4 })).toEqual(ids(history.slice(-4).reverse()));
      expect(await pageIds(s, id, { limit: 4, sortOrder: 'DESC' })).toEqual(ids(history.slice(-4).reverse()));
      expect(await pageIds(s, id, { limit: 4, sortOrder: 'ASC' })).toEqual(ids(history.slice(0, 4)));
      expect(await pageIds(s, id, { limit: 4, sortOrder: 'oldest' })).toEqual(ids(history.slice(0, 4)));
    });

    it('NOWEB and GOWS before 2025.10.5 answer newest first whatever sortBy and sortOrder say', async () => {
      for (const engine of ['NOWEB', 'GOWS'] as const) {
        const s = await sim({ engine, version: '2025.9.5' });
        const { id, history } = longChat(s);
        expect(await pageIds(s, id, { limit: 4, sortOrder: 'asc', sortBy: 'id' })).toEqual(
          ids(history.slice(-4).reverse()),
        );
      }
    });

    it('GOWS pages oldest first only for exactly lowercase asc', async () => {
      const s = await sim({ engine: 'GOWS' });
      const { id, history } = longChat(s);
      expect(await pageIds(s, id, { limit: 4, sortOrder: 'asc' })).toEqual(ids(history.slice(0, 4)));
      expect(await pageIds(s, id, { limit: 4, sortOrder: 'ASC' })).toEqual(ids(history.slice(-4).reverse()));
      expect(await pageIds(s, id, { limit: 4 })).toEqual(ids(history.slice(-4).reverse()));
    });

    it('WEBJS answers newest first even for asc', async () => {
      const s = await sim({ engine: 'WEBJS' });
      const { id, history } = longChat(s);
      expect(await pageIds(s, id, { limit: 4, sortOrder: 'asc' })).toEqual(ids(history.slice(-4).reverse()));
    });

    it('WPP sorts only the newest offset+limit messages: asc gives the newest page ascending, and a filter can empty it', async () => {
      const s = await sim({ engine: 'WPP' });
      const noweb = await sim({ engine: 'NOWEB' });
      const { id, history } = longChat(s);
      expect(await pageIds(s, id, { limit: 3, sortOrder: 'asc' })).toEqual(ids(history.slice(-3)));
      expect(await pageIds(s, id, { limit: 3, offset: 3 })).toEqual(ids(history.slice(-6, -3).reverse()));
      const oldest = history[0].timestamp as number;
      expect(history.at(-3)!.timestamp).toBeGreaterThan(oldest);
      expect(await pageIds(s, id, { limit: 3, 'filter.timestamp.lte': oldest })).toEqual([]);
      expect((await pageIds(noweb, id, { limit: 3, 'filter.timestamp.lte': oldest })).length).toBeGreaterThan(0);
    });

    it('refuses chatId=all on WEBJS and WPP with 501 from 2025.6.6, 422 before', async () => {
      for (const engine of ['WEBJS', 'WPP'] as const) {
        const s = await sim({ engine });
        const res = await waha(s.url, messagesPath('all'));
        expect(res.status).toBe(501);
        expect(res.body.message).toContain(`Can not get messages from 'all' in ${engine}`);
        expect(res.body.message).toContain(`'${engine}' engine`);
      }
      const old = await sim({ engine: 'WEBJS', version: '2025.6.5' });
      const res = await waha(old.url, messagesPath('all'));
      expect(res.status).toBe(422);
      expect(res.body.message).toBe(
        "The method is not implemented by the engine. Can not get messages from 'all' in WEBJS",
      );
    });

    it('defaults to 100 messages a page before 2025.4.2 and to 10 since', async () => {
      const s = await sim({ version: '2025.3.1', history: { messagesPerChat: 150 } });
      const id = s.chats().find((c) => c.kind === 'dm' && c.messages >= 120)!.id;
      expect((await pageIds(s, id, {})).length).toBe(100);
      s.configure({ version: '2025.4.2' });
      expect((await pageIds(s, id, {})).length).toBe(10);
    });
  });

  describe('a person with both an @c.us and an @lid chat', () => {
    async function split(options: WahaSimOptions) {
      const s = await sim({ ...options, history: { splitPersons: 1 } });
      const pn = s
        .chats()
        .find((c) => c.kind === 'dm' && c.id.endsWith('@c.us') && s.chats().some((o) => o.id === c.lid))!;
      return { s, pn: pn.id, lid: pn.lid! };
    }

    it('reads as one ordered stream under either id from 2026.3.1 (NOWEB, GOWS), records keeping their own ids', async () => {
      for (const engine of ['NOWEB', 'GOWS'] as const) {
        const { s, pn, lid } = await split({ engine });
        const own = [...s.history(pn), ...s.history(lid)];
        const merged = await pageIds(s, pn, { limit: 1000, sortOrder: 'asc' });
        expect([...merged].sort()).toEqual(ids(own).sort());
        const stamps = merged.map((mid) => own.find((m) => m.id === mid)!.timestamp as number);
        expect(stamps).toEqual([...stamps].sort((a, b) => a - b));
        expect(merged.some((mid) => mid.includes('@lid_'))).toBe(true);
        expect(merged.some((mid) => mid.includes('@c.us_'))).toBe(true);
        expect(await pageIds(s, lid, { limit: 1000, sortOrder: 'asc' })).toEqual(merged);
        const paged: string[] = [];
        for (let offset = 0; ; offset += 5) {
          const page = await pageIds(s, lid, { limit: 5, offset, sortOrder: 'asc' });
          if (page.length === 0) break;
          paged.push(...page);
        }
        expect(paged).toEqual(merged);
      }
    });

    it('keeps the two histories apart with merge=false, and before 2026.3.1', async () => {
      const { s, pn, lid } = await split({ engine: 'NOWEB' });
      expect(await pageIds(s, pn, { limit: 1000, sortOrder: 'asc', merge: false })).toEqual(ids(s.history(pn)));
      expect(await pageIds(s, lid, { limit: 1000, sortOrder: 'asc', merge: false })).toEqual(ids(s.history(lid)));
      s.configure({ version: '2026.2.1' });
      expect(await pageIds(s, pn, { limit: 1000, sortOrder: 'asc' })).toEqual(ids(s.history(pn)));
    });

    it('is listed as two chats by NOWEB (one in its overview) and as one @c.us chat by GOWS, the lids API mapping the lid', async () => {
      const noweb = await split({ engine: 'NOWEB' });
      const nowebIds = (await waha(noweb.s.url, '/api/default/chats')).body.map((c: Json) => c.id);
      expect(nowebIds).toEqual(expect.arrayContaining([noweb.pn.replace('@c.us', '@s.whatsapp.net'), noweb.lid]));
      const overview = (await waha(noweb.s.url, '/api/default/chats/overview?limit=100')).body.map((c: Json) => c.id);
      expect(overview).toContain(noweb.pn);
      expect(overview).not.toContain(noweb.lid);
      const gows = await split({ engine: 'GOWS' });
      const gowsIds = (await waha(gows.s.url, '/api/default/chats')).body.map((c: Json) => c.id);
      expect(gowsIds).toContain(gows.pn);
      expect(gowsIds).not.toContain(gows.lid);
      const unmerged = (await waha(gows.s.url, '/api/default/chats?merge=false')).body.map((c: Json) => c.id);
      expect(unmerged).toContain(gows.lid);
      expect((await waha(gows.s.url, `/api/default/lids/${encodeURIComponent(gows.lid)}`)).body).toEqual({
        lid: gows.lid,
        pn: gows.pn,
      });
    });

    it('is only there when asked for: the other chats keep exactly their histories', async () => {
      const plain = await sim();
      const { s } = await split({});
      const dump = (x: WahaSimulator, chatIds: string[]) =>
        createHash('sha256')
          .update(JSON.stringify(chatIds.map((c) => x.history(c))))
          .digest('hex');
      const originalIds = plain.chats().map((c) => c.id);
      expect(s.chats().length).toBe(originalIds.length + 2);
      expect(dump(s, originalIds)).toEqual(dump(plain, originalIds));
    });
  });

  describe('version endpoints', () => {
    it('answer the release, the container engine, the tier and, in newer releases, platform and worker', async () => {
      const s = await sim({ engine: 'GOWS' });
      const expected = {
        version: '2026.7.1',
        engine: 'GOWS',
        tier: 'PLUS',
        browser: null,
        platform: 'linux/x64',
        worker: { id: null },
      };
      expect((await waha(s.url, '/api/server/version')).body).toEqual(expected);
      expect((await waha(s.url, '/api/version')).body).toEqual(expected);
      s.configure({ version: '2025.12.3', tier: 'CORE' });
      expect((await waha(s.url, '/api/server/version')).body).toEqual({
        version: '2025.12.3',
        engine: 'GOWS',
        tier: 'CORE',
        browser: null,
        platform: 'linux/x64',
      });
    });

    it('has no /api/server/version before 2024.9.1 and no lids API before 2025.5.4', async () => {
      const s = await sim({ engine: 'WEBJS', version: '2024.8.1', tier: 'CORE' });
      const res = await waha(s.url, '/api/server/version');
      expect([res.status, res.body]).toEqual([
        404,
        { message: 'Cannot GET /api/server/version', error: 'Not Found', statusCode: 404 },
      ]);
      expect((await waha(s.url, '/api/version')).body).toEqual({
        version: '2024.8.1',
        engine: 'WEBJS',
        tier: 'CORE',
        browser: '/usr/bin/chromium',
      });
      expect((await waha(s.url, '/api/default/lids')).status).toBe(404);
      s.configure({ version: '2025.5.4' });
      expect((await waha(s.url, '/api/default/lids')).status).toBe(200);
    });

    it('describe the session engine in GET /api/sessions/{session}', async () => {
      const engines: Record<string, Json> = {
        NOWEB: { engine: 'NOWEB' },
        GOWS: { engine: 'GOWS', grpc: expect.any(Object), gows: expect.any(Object) },
        WEBJS: { engine: 'WEBJS', WWebVersion: expect.any(String), state: 'CONNECTED' },
        WPP: { engine: 'WPP', WWebVersion: expect.any(String), state: 'CONNECTED' },
      };
      for (const [engine, expected] of Object.entries(engines)) {
        const s = await sim({ engine: engine as WahaSimOptions['engine'] });
        expect((await waha(s.url, '/api/sessions/default')).body.engine).toEqual(expected);
      }
    });
  });

  describe('Core before 2026.6.1', () => {
    const file = { mimetype: 'image/jpeg', filename: 'a.jpg', data: Buffer.from('img').toString('base64') };
    const bodies = (chatId: string): Record<string, Json> => ({
      sendImage: { session: 'default', chatId, file },
      sendFile: { session: 'default', chatId, file: { ...file, mimetype: 'application/pdf' } },
      sendVoice: { session: 'default', chatId, file: { mimetype: 'audio/ogg; codecs=opus', data: file.data } },
      sendVideo: { session: 'default', chatId, file: { mimetype: 'video/mp4', filename: 'v.mp4', data: file.data } },
    });

    it('refuses media with the Plus message (422) and sendVideo as not implemented (501), sending nothing', async () => {
      const s = await sim({ tier: 'CORE', version: '2026.5.1' });
      const chatId = s.chats()[0].id;
      for (const [method, body] of Object.entries(bodies(chatId))) {
        const res = await waha(s.url, `/api/${method}`, { method: 'POST', body });
        if (method === 'sendVideo') {
          expect([res.status, res.body.error]).toEqual([501, 'Not Implemented']);
        } else {
          expect([res.status, res.body]).toEqual([
            422,
            {
              statusCode: 422,
              message:
                "The feature is available only in Plus version for 'NOWEB' engine. Check this out: https://waha.devlike.pro/",
              error: 'Unprocessable Entity',
            },
          ]);
        }
      }
      expect(s.sent()).toEqual([]);
      const text = await waha(s.url, '/api/sendText', {
        method: 'POST',
        body: { session: 'default', chatId, text: 'hi' },
      });
      expect(text.status).toBe(201);
    });

    it('words it without the engine before 2025.8.2, and answers sendVideo 422 before 2025.6.6', async () => {
      const s = await sim({ tier: 'CORE', version: '2025.6.1' });
      const chatId = s.chats()[0].id;
      const image = await waha(s.url, '/api/sendImage', { method: 'POST', body: bodies(chatId).sendImage });
      expect(image.body.message).toBe(
        'The feature is available only in Plus version. Check this out: https://waha.devlike.pro/',
      );
      const video = await waha(s.url, '/api/sendVideo', { method: 'POST', body: bodies(chatId).sendVideo });
      expect([video.status, video.body.message]).toEqual([422, 'The method is not implemented by the engine.']);
    });

    it('sends every kind of media on Plus, and on Core from 2026.6.1, recording each', async () => {
      for (const options of [
        { tier: 'PLUS', version: '2026.5.1' },
        { tier: 'CORE', version: '2026.6.1' },
      ] as const) {
        const s = await sim(options);
        const chatId = s.chats()[0].id;
        for (const [method, body] of Object.entries(bodies(chatId))) {
          expect((await waha(s.url, `/api/${method}`, { method: 'POST', body })).status).toBe(201);
        }
        expect(s.sent().map((r) => r.method)).toEqual(['sendImage', 'sendFile', 'sendVoice', 'sendVideo']);
        expect(s.sent().find((r) => r.method === 'sendVideo')!.file).toMatchObject({ mimetype: 'video/mp4' });
      }
    });
  });

  describe('media on S3', () => {
    async function s3Media() {
      const s = await sim({ mediaStorage: 's3' });
      const msg = s.history('all').find((m) => m.hasMedia && (m._data as Json).message.imageMessage)!;
      const res = await waha(s.url, `/api/default/chats/all/messages/${encodeURIComponent(msg.id as string)}`);
      return { s, msg, media: res.body.media };
    }

    it('points media.url at a presigned URL on another host, served without the API key', async () => {
      const { s, msg, media } = await s3Media();
      const url = new URL(media.url);
      expect(url.origin).toBe(new URL(s.s3Url).origin);
      expect(url.origin).not.toBe(new URL(s.url).origin);
      expect(url.searchParams.get('X-Amz-Signature')).toEqual(expect.any(String));
      const key = `default/${(msg._data as Json).key.id}.jpeg`;
      expect(media.s3).toEqual({ Bucket: 'waha-media', Key: key });
      const file = await fetch(media.url);
      expect(file.status).toBe(200);
      expect(Buffer.from(await file.arrayBuffer()).subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
      expect(s.s3Requests()).toEqual([expect.objectContaining({ status: 200, apiKey: false })]);
    });

    it('records an API key sent to the bucket, refuses a wrong signature, and closes with the simulator', async () => {
      const { s, media } = await s3Media();
      expect((await fetch(media.url, { headers: { 'X-Api-Key': WAHA_KEY } })).status).toBe(200);
      expect(s.s3Requests().at(-1)).toMatchObject({ apiKey: true });
      const forged = new URL(media.url);
      forged.searchParams.set('X-Amz-Signature', 'f'.repeat(64));
      const refused = await fetch(forged);
      expect(refused.status).toBe(403);
      expect(await refused.text()).toContain('SignatureDoesNotMatch');
      await s.close();
      await expect(fetch(media.url)).rejects.toThrow();
    });
  });

  describe('behind a reverse proxy prefix', () => {
    it('serves the API under /waha only, and media URLs carry the prefix', async () => {
      const s = await sim({ pathPrefix: '/waha' });
      expect(s.apiUrl).toBe(`${s.url}/waha`);
      expect((await waha(s.apiUrl, '/api/sessions')).status).toBe(200);
      expect((await waha(s.apiUrl, '/ping', { key: null })).body).toEqual({ message: 'pong' });
      const outside = await waha(s.url, '/api/sessions');
      expect([outside.status, outside.body]).toEqual([404, 'Not Found\n']);
      const msg = s.history('all').find((m) => m.hasMedia && (m._data as Json).message.imageMessage)!;
      const media = (await waha(s.apiUrl, `/api/default/chats/all/messages/${encodeURIComponent(msg.id as string)}`))
        .body.media;
      expect(media.url.startsWith(`${s.url}/waha/api/files/default/`)).toBe(true);
      expect((await waha(media.url, '')).status).toBe(200);
      s.configure({ baseUrl: 'https://public.example/waha' });
      const again = (await waha(s.apiUrl, `/api/default/chats/all/messages/${encodeURIComponent(msg.id as string)}`))
        .body;
      expect(again.media.url.startsWith('https://public.example/waha/api/files/default/')).toBe(true);
    });
  });

  describe('NOWEB without its store', () => {
    const storeError = {
      statusCode: 400,
      message:
        'Enable NOWEB store "config.noweb.store.enabled=True" and "config.noweb.store.full_sync=True" when starting a new session. Read more: https://waha.devlike.pro/docs/engines/noweb#store',
      error: 'Bad Request',
    };

    it('refuses chats, messages, contacts and lids with the store error, but still answers groups', async () => {
      const s = await sim({ nowebStore: false });
      const chat = s.chats().find((c) => c.kind === 'dm')!;
      const group = s.chats().find((c) => c.kind === 'group')!;
      for (const path of [
        '/api/default/chats',
        '/api/default/chats/overview',
        messagesPath(chat.id),
        `/api/default/chats/all/messages/${encodeURIComponent(s.history(chat.id)[0].id as string)}`,
        '/api/default/lids',
        `/api/contacts?session=default&contactId=${encodeURIComponent(chat.id)}`,
      ]) {
        const res = await waha(s.url, path);
        expect([path, res.status, res.body]).toEqual([path, 400, storeError]);
      }
      expect((await waha(s.url, `/api/default/groups/${encodeURIComponent(group.id)}`)).status).toBe(200);
      const session = (await waha(s.url, '/api/sessions/default')).body;
      expect(session.config.noweb.store).toEqual({ enabled: false, fullSync: false });
    });

    it('matters only for NOWEB', async () => {
      const s = await sim({ engine: 'GOWS', nowebStore: false });
      expect((await waha(s.url, '/api/default/chats')).status).toBe(200);
    });
  });

  describe('the WPP engine', () => {
    it('exists from 2026.3.1, sends WPP envelopes and answers sends like WEBJS', async () => {
      expect(() => new WahaSimulator({ engine: 'WPP', version: '2026.2.1' })).toThrow(/no WPP engine/);
      const receiver = await new HookReceiver().start();
      try {
        const s = await sim({ engine: 'WPP', webhookUrl: receiver.url, sendResponse: 'engine' });
        const chatId = s.chats().find((c) => c.kind === 'dm')!.id;
        const sent = await waha(s.url, '/api/sendText', {
          method: 'POST',
          body: { session: 'default', chatId, text: 'hi' },
        });
        expect(sent.status).toBe(201);
        expect(sent.body.id._serialized).toMatch(new RegExp(`^true_${chatId}_`));
        await s.flushWebhooks();
        const hook = receiver.events('message.any')[0].json;
        expect(hook).toMatchObject({
          engine: 'WPP',
          environment: { engine: 'WPP' },
          payload: { fromMe: true, from: s.me.id },
        });
      } finally {
        await receiver.stop();
      }
    });
  });
});
