/**
 * `wa/session …` from ChatWoot, over the webhook: an agent sees why WhatsApp stopped, stops and starts it, and
 * re-pairs a logged-out phone with the QR posted in the conversation (the simulator's waha-session-routes.ts
 * models WAHA's session, QR and screenshot routes).
 */
import { Harness, eventually } from '../support/harness';

interface Posted {
  id: number;
  content: string | null;
  attachments?: Array<{ data_url?: string; file_type?: string }>;
}

function imagesAfter(h: Harness, messageId: number): Posted[] {
  return (h.cw.messages(h.integrationConversationId) as Posted[]).filter((m) => m.id > messageId && (m.attachments?.length ?? 0) > 0);
}

describe('wa/session commands', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await Harness.start({ waha: { qrRefreshMs: 1_500, history: { dmChats: 1, groups: 0, channels: 0, broadcastLists: 0, messagesPerChat: 1 } }, env: { QR_WAIT: '20s' } });
  });

  afterAll(async () => {
    await h?.stop();
  });

  it('status says whether WhatsApp is connected, the engine and the account', async () => {
    const id = await h.type('session status');
    const reply = await h.waitReply(id, (c) => /Session default/.test(c));
    expect(reply).toContain('**WORKING** · NOWEB');
    expect(reply).toMatch(/Account: .*\(\+\d+\)/);
    // WAHA's app numbers the actions: 1 is status.
    const byNumber = await h.type('session 1');
    expect(await h.waitReply(byNumber, (c) => /Session default/.test(c))).toContain('**WORKING**');
  });

  it('stop asks for --yes first, then stops; WAHA’s session.status tells what to do; start brings it back', async () => {
    const ask = await h.type('session stop');
    expect(await h.waitReply(ask, (c) => /--yes/.test(c))).toContain('Send `session stop --yes` to go ahead.');
    expect(h.waha.sessionStatus).toBe('WORKING');
    const stop = await h.type('session 4 --yes');
    // The command's own answer (WAHA's session.status report, also "is now …", may come first).
    expect(await h.waitReply(stop, (c) => /`session stop`:/.test(c))).toMatch(/session stop`: session default is now \*\*STOPPED\*\*[\s\S]*Start it with `session start`/);
    await eventually(() => h.cw.messages(h.integrationConversationId).find((m) => /is now \*\*STOPPED\*\*\.\n👉 Start it/.test(m.content ?? '') && /WhatsApp session/.test(m.content ?? '')), { what: 'the session.status report' });
    const start = await h.type('session start');
    expect(await h.waitReply(start, (c) => /`session start`:/.test(c))).toContain('is now **WORKING**');
    expect(h.waha.sessionStatus).toBe('WORKING');
  });

  it('re-pairs a logged-out phone: the QR is posted, renewed while WhatsApp renews it, and pairing is confirmed', async () => {
    const logout = await h.type('session logout --yes');
    expect(await h.waitReply(logout, (c) => /`session logout`:/.test(c))).toMatch(/SCAN_QR_CODE[\s\S]*send `session qr`/);
    const qr = await h.type('session 6');
    const first = await eventually(() => imagesAfter(h, qr)[0], { what: 'the QR in ChatWoot' });
    expect(first.content).toContain('Linked devices');
    expect(first.attachments?.[0]?.data_url).toMatch(/qr\.png$/);
    await eventually(() => (imagesAfter(h, qr).length >= 2 ? true : undefined), { what: 'a renewed QR', timeoutMs: 10_000 });
    await h.waha.pair();
    expect(await h.waitReply(qr, (c) => /Paired/.test(c))).toMatch(/Paired: session default is connected as .+/);
    const posted = imagesAfter(h, qr).length;
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    expect(imagesAfter(h, qr)).toHaveLength(posted);
  });

  it('qr on a connected session says none is needed; a screenshot on NOWEB says why there is none', async () => {
    const qr = await h.type('session qr');
    expect(await h.waitReply(qr, (c) => /No QR/.test(c))).toContain('the session is **WORKING**');
    const shot = await h.type('session screenshot');
    const reply = await h.waitReply(shot, (c) => /No screenshot/.test(c));
    expect(reply).toContain('Can not get screenshot for non chrome based engine.');
    expect(reply).toContain('Only WEBJS and WPP run a browser');
  });

  it('answers a mistyped action with the actions and the usage', async () => {
    const typo = await h.type('session qrr');
    expect(await h.waitReply(typo, (c) => /Unknown action/i.test(c) || /qrr/.test(c))).toMatch(/qr[\s\S]*session status\|start\|stop\|restart\|logout\|qr\|screenshot/);
    const extra = await h.type('session status --yes');
    expect(await h.waitReply(extra, (c) => /--yes/.test(c))).toMatch(/session status/);
  });
});

describe('wa/session on WEBJS', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await Harness.start({ waha: { engine: 'WEBJS', history: { dmChats: 1, groups: 0, channels: 0, broadcastLists: 0, messagesPerChat: 1 } }, env: { QR_WAIT: '2s' } });
  });

  afterAll(async () => {
    await h?.stop();
  });

  it('posts what the browser shows', async () => {
    const shot = await h.type('session screenshot');
    const image = await eventually(() => imagesAfter(h, shot)[0], { what: 'the screenshot' });
    expect(image.content).toContain('What session default (WEBJS) shows now.');
    expect(image.attachments?.[0]?.data_url).toMatch(/screenshot\.jpg$/);
  });

  it('gives up renewing the QR after QR_WAIT and says how to get a new one', async () => {
    await h.waha.setSessionStatus('SCAN_QR_CODE');
    const qr = await h.type('session qr');
    expect(await h.waitReply(qr, (c) => /not scanned/.test(c))).toContain('Send `session qr` for a new one.');
    expect(imagesAfter(h, qr).length).toBeGreaterThanOrEqual(1);
  });
});

describe('wa/server commands', () => {
  it('are off unless SERVER_COMMANDS is on, and say how to turn them on', async () => {
    const h = await Harness.start({ waha: { history: { dmChats: 1, groups: 0, channels: 0, broadcastLists: 0, messagesPerChat: 1 } } });
    try {
      const id = await h.type('server reboot --force --yes');
      expect(await h.waitReply(id, (c) => /Server commands are off/.test(c))).toContain('SERVER_COMMANDS=true');
      expect(h.waha.serverStops()).toEqual([]);
    } finally {
      await h.stop();
    }
  });

  describe('with SERVER_COMMANDS=true', () => {
    let h: Harness;

    beforeAll(async () => {
      h = await Harness.start({ waha: { history: { dmChats: 1, groups: 0, channels: 0, broadcastLists: 0, messagesPerChat: 1 } }, env: { SERVER_COMMANDS: 'true' } });
    });

    afterAll(async () => {
      await h?.stop();
    });

    it("status shows WAHA's version, engine, tier and uptime, and the bridge's workers and Redis memory", async () => {
      await h.spawn({ ROLE: 'worker' });
      const id = await h.type('server status');
      // Not the start-up "Servers found" report, which names WAHA too and may come later.
      const reply = await h.waitReply(id, (c) => /🖥️ \*\*WAHA\*\*/.test(c));
      expect(reply).toMatch(/\*\*WAHA\*\* 2026\.7\.1 · NOWEB · PLUS/);
      expect(reply).toMatch(/Up for .+ \(since \d{4}-\d\d-\d\d \d\d:\d\d UTC\)/);
      expect(reply).toMatch(/Bridge workers: 2 · Redis memory: [\d.]+[KMG]/);
    });

    it('reboot asks for --yes, then stops WAHA (forced with --force / -f)', async () => {
      const ask = await h.type('server reboot -f');
      expect(await h.waitReply(ask, (c) => /--yes/.test(c))).toContain('Send `server reboot --force --yes` to go ahead.');
      expect(h.waha.serverStops()).toEqual([]);
      const go = await h.type('server reboot --force --yes');
      expect(await h.waitReply(go, (c) => /stopping/.test(c))).toContain('WAHA is stopping at once');
      expect(h.waha.serverStops().map((s) => s.force)).toEqual([true]);
    });
  });
});
