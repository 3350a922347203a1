/**
 * The queue board at /admin/queues, opened in headless Chromium (Debian's package, driven by playwright-core):
 * refused without the ADMIN_TOKEN, shown with it (a browser's login prompt: any user name, the token as password),
 * listing the service's queues; and `wa/messages status` links to the pull's jobs there when PUBLIC_URL is set.
 */
import { chromium, type Browser } from 'playwright-core';
import { Harness } from '../support/harness';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// As the machine's notes advise: no sandbox as root, and no background traffic a closed network refuses.
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

describe('/admin/queues', () => {
  let h: Harness;
  let browser: Browser;
  const publicUrl = 'https://bridge.example.test';

  beforeAll(async () => {
    h = await Harness.start({ waha: { history: { dmChats: 2, groups: 0, channels: 0, broadcastLists: 0, messagesPerChat: 3 } }, env: { PUBLIC_URL: publicUrl } });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
  });

  afterAll(async () => {
    await browser?.close();
    await h?.stop();
  });

  it('asks a browser for the token and refuses a wrong one', async () => {
    // The challenge itself: 401 with a Basic prompt and a line saying what to give.
    const bare = await fetch(`${h.url}/admin/queues`);
    expect(bare.status).toBe(401);
    expect(bare.headers.get('www-authenticate')).toMatch(/^Basic realm=/);
    expect(await bare.text()).toContain('needs the ADMIN_TOKEN');
    // A headless browser cannot answer the prompt: the navigation ends on the authentication error, no board.
    for (const credentials of [undefined, { username: 'ops', password: 'not-the-token' }]) {
      const context = await browser.newContext(credentials ? { httpCredentials: credentials } : {});
      const page = await context.newPage();
      const outcome = await page.goto(`${h.url}/admin/queues`).then(
        (response) => `status ${response?.status()}`,
        (error: unknown) => String(error),
      );
      expect(outcome).toMatch(/status 401|ERR_INVALID_AUTH_CREDENTIALS/);
      await context.close();
    }
  });

  it('shows every queue and the jobs of a pull to whoever has the token; status links there', async () => {
    const id = await h.type('wa/messages pull 30d');
    await h.waitReply(id, (c) => /Pull finished/.test(c), h.integrationConversationId, 60_000);
    const context = await browser.newContext({ httpCredentials: { username: 'ops', password: h.secrets.adminToken } });
    const page = await context.newPage();
    const response = await page.goto(`${h.url}/admin/queues`);
    expect(response?.status()).toBe(200);
    for (const queue of ['commands', 'pull', 'contacts', 'inbox', 'whatsapp']) await page.getByText(queue, { exact: true }).first().waitFor({ timeout: 15_000 });
    await page.goto(`${h.url}/admin/queues/queue/pull?status=completed`);
    await page.getByText(/plan~/).first().waitFor({ timeout: 15_000 });
    await context.close();

    const status = await h.type('wa/messages status');
    const text = await h.waitReply(status, (c) => /Pull: completed/.test(c));
    expect(text).toMatch(new RegExp(`\\[this pull\\]\\(${publicUrl.replace(/\./g, '\\.')}/admin/queues/queue/pull/plan~[^)]+\\)`));
    // The Bearer token works too, for scripts.
    const api = await fetch(`${h.url}/admin/queues/api/queues`, { headers: { authorization: `Bearer ${h.secrets.adminToken}` } });
    expect(api.status).toBe(200);
  });
});
