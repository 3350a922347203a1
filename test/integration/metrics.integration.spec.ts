/**
 * `/metrics` (Prometheus): behind ADMIN_TOKEN, and its counters agree with what ChatWoot received during a pull
 * and the live relay.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Harness, eventually } from '../support/harness';
import { dmChats } from '../support/pull-helpers';

/** The value of one sample (`name{labels} value`), or undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const labelText = /\{([^}]*)\}/.exec(line)?.[1] ?? '';
    if (Object.entries(labels).every(([k, v]) => labelText.includes(`${k}="${v}"`))) return Number(line.split(' ').pop());
  }
  return undefined;
}

describe('/metrics', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await Harness.start({ waha: { history: { dmChats: 3, groups: 0, channels: 0, broadcastLists: 0, messagesPerChat: 12 } } });
  });

  afterAll(async () => {
    await h?.stop();
  });

  const scrape = async (token = h.secrets.adminToken): Promise<{ status: number; text: string; type: string | null }> => {
    const response = await fetch(`${h.url}/metrics`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
    return { status: response.status, text: await response.text(), type: response.headers.get('content-type') };
  };

  it('answers only the admin token', async () => {
    expect((await scrape('')).status).toBe(401);
    expect((await scrape('not-the-token-at-all-0123456789')).status).toBe(401);
    const ok = await scrape();
    expect(ok.status).toBe(200);
    expect(ok.type).toMatch(/^text\/plain/);
    expect(ok.text).toContain('# TYPE wa_bridge_messages_total counter');
    expect(sample(ok.text, 'wa_bridge_redis_up')).toBe(1);
  });

  it('counts a pull as ChatWoot received it, while it runs and at its end', async () => {
    const id = await h.type('wa/messages pull 30d');
    const during: number[] = [];
    let report = '';
    await eventually(async () => {
      during.push(sample((await scrape()).text, 'wa_bridge_pull_processed', { app: h.appId }) ?? 0);
      report = h.repliesAfter(id).map((m) => m.content).find((c) => /Pull finished/.test(c)) ?? '';
      return report || undefined;
    }, { what: 'the pull to finish', timeoutMs: 60_000, intervalMs: 100 });
    const { text } = await scrape();
    const imported = h.cw.conversations().flatMap((c) => h.cw.messages(c.id)).filter((m) => m.source_id).length;
    expect(imported).toBeGreaterThan(0);
    expect(sample(text, 'wa_bridge_messages_total', { app: h.appId, direction: 'in', source: 'pull', outcome: 'created' })).toBe(imported);
    expect(sample(text, 'wa_bridge_pull_created', { app: h.appId })).toBe(imported);
    expect(sample(text, 'wa_bridge_pull_running', { app: h.appId })).toBe(0);
    expect(report).toContain(`🆕 ${imported} created`);
    // Scraped while it ran: the progress only went up.
    expect(during).toEqual([...during].sort((a, b) => a - b));
    expect(sample(text, 'wa_bridge_upstream_responses_total', { upstream: 'chatwoot', status: '2xx' })).toBeGreaterThanOrEqual(imported);
    expect(sample(text, 'wa_bridge_upstream_request_seconds_count', { upstream: 'waha' })).toBeGreaterThan(0);
    expect(sample(text, 'wa_bridge_chatwoot_concurrency_limit', { app: h.appId })).toBeGreaterThan(0);
  });

  it('counts the live relay both ways, with its lag', async () => {
    const chatId = dmChats(h)[0];
    const incoming = await h.waha.receive(chatId, { body: 'counted live' });
    const conversationId = await eventually(() => h.cw.conversations().find((c) => h.cw.messages(c.id).some((m) => m.source_id === incoming.id))?.id, { what: 'the live message' });
    await h.cw.agentMessage(conversationId, 'counted reply');
    await eventually(() => h.waha.sent().find((s) => s.text === 'counted reply'), { what: 'the reply' });
    const text = await eventually(async () => {
      const t = (await scrape()).text;
      return sample(t, 'wa_bridge_messages_total', { direction: 'out', outcome: 'sent' }) === 1 ? t : undefined;
    }, { what: 'the reply counted' });
    expect(sample(text, 'wa_bridge_messages_total', { app: h.appId, direction: 'in', source: 'live', outcome: 'created' })).toBe(1);
    expect(sample(text, 'wa_bridge_relay_lag_seconds_count', { app: h.appId, direction: 'in' })).toBe(1);
  });

  it('the sample Grafana dashboard only charts metrics the service serves', async () => {
    const dashboard = readFileSync(join(__dirname, '../../scripts/grafana/wa-bridge-dashboard.json'), 'utf8');
    const names = new Set(dashboard.match(/wa_bridge_[a-z_]+/g) ?? []);
    expect(names.size).toBeGreaterThan(10);
    const { text } = await scrape();
    const served = new Set(text.split('\n').filter((line) => line && !line.startsWith('#')).map((line) => line.split(/[{ ]/)[0]));
    for (const name of names) expect([name, served.has(name)]).toEqual([name, true]);
  });
});

describe('/metrics without ADMIN_TOKEN', () => {
  it('is off (404)', async () => {
    const h = await Harness.start({ waha: { history: { dmChats: 1, groups: 0, channels: 0, broadcastLists: 0, messagesPerChat: 1 } }, env: { ADMIN_TOKEN: '' } });
    try {
      expect((await fetch(`${h.url}/metrics`)).status).toBe(404);
    } finally {
      await h.stop();
    }
  });
});
