/**
 * The WAHA and ChatWoot clients against the simulators: typed errors for every injected fault, so callers can
 * tell 429 Retry later, 422 Too many messages, other 4xx, 5xx, 503 and unknown outcomes apart.
 */
import { ChatwootClient } from '../../src/clients/chatwoot/chatwoot.client';
import { FlowGate } from '../../src/clients/chatwoot/flow-gate';
import { UpstreamError } from '../../src/clients/http/http-error';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WahaClient } from '../../src/clients/waha/waha.client';
import { ChatwootSimulator, startChatwootSimulator } from '../../simulators/chatwoot/chatwoot-simulator';
import { startWahaSimulator, WahaSimulator } from '../../simulators/waha/waha-simulator';

async function kindOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    return error instanceof UpstreamError ? `${error.kind}${error.status ? ` ${error.status}` : ''}` : `untyped ${String(error)}`;
  }
}

describe('clients against the simulators', () => {
  let cw: ChatwootSimulator;
  let waha: WahaSimulator;
  let chatwoot: ChatwootClient;
  let wahaClient: WahaClient;
  let gate: FlowGate;
  let conversationId: number;

  beforeAll(async () => {
    cw = await startChatwootSimulator({ messagesPerMinute: 0 });
    waha = await startWahaSimulator();
    // maxWaitMs 0: the gate hands every error to the caller at once, so the raw classification shows.
    gate = new FlowGate({ maxConcurrency: 4, rateLimit: 0, windowMs: 60_000, maxWaitMs: 0, keyPrefix: 'clients-test' });
    chatwoot = new ChatwootClient({ url: cw.url, accountId: cw.accountId, token: cw.token, timeoutMs: 1000 }, gate);
    wahaClient = new WahaClient({ url: waha.url, apiKey: waha.apiKey, session: waha.session, timeoutMs: 1000 });
    conversationId = cw.seedContact({ name: 'C', withConversation: true }).conversation!.id;
  });

  afterAll(async () => {
    gate.close();
    await cw.close();
    await waha.close();
  });

  // A fresh gate and conversation per case: a 429 or a flood rightly holds back what follows on the same ones.
  const post = () => {
    gate.close();
    gate = new FlowGate({ maxConcurrency: 4, rateLimit: 0, windowMs: 60_000, maxWaitMs: 0, keyPrefix: 'clients-test' });
    chatwoot = new ChatwootClient({ url: cw.url, accountId: cw.accountId, token: cw.token, timeoutMs: 1000 }, gate);
    conversationId = cw.seedContact({ name: 'C', withConversation: true }).conversation!.id;
    return chatwoot.createMessage(conversationId, { content: 'x', message_type: 'incoming' });
  };

  it.each([
    ['429 Retry later', { status: 429, text: 'Retry later\n' }, 'rate-limited 429'],
    ['422 Too many messages', { status: 422, body: { error: 'Validation failed: Too many messages' } }, 'flood 422'],
    ['422 validation', { status: 422, body: { error: 'Validation failed: Content is too long' } }, 'client 422'],
    ['404', { status: 404, body: { error: 'Resource could not be found' } }, 'not-found 404'],
    ['401', { status: 401, body: { error: 'Invalid Access Token' } }, 'auth 401'],
    ['500', { status: 500, body: { error: 'boom' } }, 'server 500'],
    ['503', { status: 503, text: 'Service Unavailable' }, 'unavailable 503'],
    ['dropped before the handler', { drop: 'before' as const }, 'unknown-outcome'],
    ['dropped after the write', { drop: 'after' as const }, 'unknown-outcome'],
    ['slower than the timeout', { delayMs: 1500 }, 'unknown-outcome'],
  ])('ChatWoot %s → %s', async (_name, fault, kind) => {
    cw.failNext({ method: 'POST', path: /\/messages$/, ...fault });
    expect(await kindOf(post())).toBe(kind);
  });

  it('a write whose answer was dropped did happen: the message is there with its source_id', async () => {
    await kindOf(post());
    cw.dropAfterWrite({ method: 'POST', path: /\/messages$/ });
    expect(await kindOf(chatwoot.createMessage(conversationId, { content: 'y', message_type: 'incoming', source_id: 'wa-1' }))).toBe('unknown-outcome');
    expect(cw.messages(conversationId).filter((m) => m.source_id === 'wa-1')).toHaveLength(1);
  });

  it('a refused connection is "unavailable" (nothing was sent)', async () => {
    const closed = new WahaClient({ url: 'http://127.0.0.1:9', apiKey: 'k', session: 'default', timeoutMs: 1000 });
    expect(await kindOf(closed.getSession())).toBe('unavailable');
  });

  it('WAHA: auth, not WORKING and 5xx are typed; a missing message or expired file is null', async () => {
    const wrongKey = new WahaClient({ url: waha.url, apiKey: 'nope', session: waha.session, timeoutMs: 1000 });
    expect(await kindOf(wrongKey.chats())).toBe('auth 401');
    waha.failNext({ method: 'GET', path: /\/messages$/, status: 500, body: { statusCode: 500 } });
    expect(await kindOf(wahaClient.messages('1@c.us', { limit: 1, offset: 0 }))).toBe('server 500');
    expect(await wahaClient.messageWithMedia('false_1@c.us_NOPE')).toBeNull();
    expect(await wahaClient.download(`${waha.url}/api/files/default/NOPE.jpeg`, 1024 ** 2)).toBeNull();
    await waha.setSessionStatus('STOPPED');
    expect(await kindOf(wahaClient.sendText('1@c.us', 'hi'))).toBe('client 422');
    await waha.setSessionStatus('WORKING');
  });

  it('streams media downloads and stops at the cap, by Content-Length or by the bytes received', async () => {
    const chat = waha.chats().find((c) => c.id.endsWith('@c.us'))!;
    const fileOf = async (media: { size: number; unreported?: boolean }) => {
      const sent = await waha.receive(chat.id, { type: 'document', hasMedia: true, media: { mimetype: 'application/zip', filename: 'big.zip', ...media } });
      const full = await wahaClient.messageWithMedia(String(sent.id), chat.id);
      return full!.media!.url!;
    };
    const mb = 1024 ** 2;
    const small = await wahaClient.download(await fileOf({ size: 20 * mb }), 40 * mb);
    expect(small).toMatchObject({ kind: 'file', size: 20 * mb });
    expect(await wahaClient.download(await fileOf({ size: 2 * 1024 * mb }), 40 * mb)).toEqual({ kind: 'too-large', size: 2 * 1024 * mb });
    // No Content-Length (chunked): cut off once the bytes received pass the cap; the size stays unknown.
    expect(await wahaClient.download(await fileOf({ size: 2 * 1024 * mb, unreported: true }), 40 * mb)).toEqual({ kind: 'too-large', size: undefined });
  });

  it('gives up a media download that stalls after its headers (axios stops timing streamed bodies)', async () => {
    // A storage host that sends the headers and a few bytes, then nothing.
    const sockets = new Set<import('node:net').Socket>();
    const stalled = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/pdf', 'content-length': '1000000' });
      res.write(Buffer.alloc(10));
    });
    stalled.on('connection', (socket) => sockets.add(socket));
    // On 127.0.0.2: a host that is not WAHA's own (127.0.0.1 is), so it is fetched as a listed storage host.
    await new Promise<void>((resolve) => stalled.listen(0, '0.0.0.0', resolve));
    const { port } = stalled.address() as AddressInfo;
    try {
      const client = new WahaClient({ url: waha.url, apiKey: 'k', session: waha.session, timeoutMs: 5000, mediaHosts: [`127.0.0.2:${port}`] });
      const started = Date.now();
      await expect(client.download(`http://127.0.0.2:${port}/file.pdf`, 40 * 1024 ** 2, 500)).rejects.toThrow(/stalled/);
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => stalled.close(() => resolve()));
    }
  });

  it('pages WAHA history oldest first inside the window', async () => {
    const chat = waha.chats().find((c) => c.id.endsWith('@c.us'))!;
    const all = waha.history(chat.id) as unknown as Array<{ id: string; timestamp: number }>;
    const gte = all[2].timestamp;
    const lte = all[all.length - 3].timestamp;
    const page = await wahaClient.messages(chat.id, { limit: 1000, offset: 0, gteSec: gte, lteSec: lte });
    expect(page.map((m) => m.id)).toEqual(all.filter((m) => m.timestamp >= gte && m.timestamp <= lte).map((m) => m.id));
  });
});
