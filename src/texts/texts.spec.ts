import { en, type TextKey } from './en';
import { Texts } from './texts';

const texts = Texts.load();

// One sample value for every variable any template uses; lists and flags chosen so every section renders.
const SAMPLE_VARS: Record<string, unknown> = {
  // The keys of `board` (pull.status), which knownNames does not look into.
  plan: 'https://bridge.example/admin/queues/queue/pull/plan-1',
  mode: 'if-missing',
  updated: 3,
  renamed: 1,
  skipped: 2,
  errors: 0,
  avatars: 4,
  resumable: true,
  failures: ['49151@c.us: ChatWoot 422 Phone number should be in e164 format'],
  failuresMore: 2,
  choices: '`if-missing` or `update`',
  board: { plan: 'https://bridge.example/admin/queues/queue/pull/plan-1', queue: 'https://bridge.example/admin/queues/queue/pull' },
  prefix: 'wa/',
  emoji: '👍',
  unknown: false,
  force: true,
  uptime: '3h 2m',
  started: '2026-12-02 08:00 UTC',
  workers: 2,
  redis: '2.1M',
  next: 'Start it with `wa/session start`.',
  account: 'Support (+4915112345678)',
  logout: true,
  left: '1m 40s',
  video: true,
  group: false,
  live: true,
  where: 'Eiffel Tower, Paris',
  link: 'https://maps.google.com/?q=48.8584,2.2945',
  cards: [{ name: 'Ana', phones: ['+4915112345678'] }],
  question: 'Lunch?',
  multiple: true,
  canceled: false,
  when: 'Thu, Dec 3, 2026, 12:00 PM UTC',
  place: 'Cafe',
  images: 3,
  videos: 1,
  title: 'Example Domain',
  events: ['`poll.vote`'],
  description: 'An example page',
  time: 'Wed, Dec 2, 2026, 09:15 AM UTC',
  files: ['invoice.pdf'],
  hosts: ['169.254.169.254'],
  filename: 'backup.zip',
  size: '2 GB',
  limit: '40 MB',
  error: 'Something is wrong',
  usage: 'Usage: `wa/messages pull`',
  length: 5000,
  max: 4000,
  quote: '"',
  count: 3,
  command: 'wa/messages',
  commands: 'messages, queue, session, server, help',
  action: 'puul',
  actions: 'pull, status, stop, help',
  suggestion: 'pull',
  option: '--batch',
  example: '--batch 100',
  value: '5x',
  argument: 'foo',
  start: '1d',
  end: '1d',
  min: 1,
  positive: '5d',
  days: 180,
  number: '6',
  scope: 'all chats',
  window: '30d-20d',
  chats: 12,
  options: 'media, groups, resolve',
  processed: 1200,
  total: 5000,
  created: 1000,
  exists: 150,
  ignored: 40,
  failed: 10,
  chatsDone: 3,
  chatsTotal: 12,
  last: 'Oct 30',
  rate: 42,
  hint: '💡 advice',
  conversations: 9,
  resolved: 9,
  elapsed: '4m 10s',
  failedChats: ['123@g.us'],
  reason: 'ChatWoot answered 500',
  queuesPaused: true,
  state: 'running',
  startedAgo: '5m',
  rows: [{ name: 'Ann', label: 'WhatsApp → ChatWoot', count: 10 }],
  estimate: '2m',
  running: true,
  earliest: 'Oct 1',
  latest: 'Oct 30',
  eta: '3m',
  failedIds: ['true_123@c.us_ABC'],
  failedMore: 5,
  queues: [{ name: 'inbox', label: 'ChatWoot → WhatsApp', paused: true, waiting: 1, active: 2, delayed: 3, failed: 4, dead: 2 }],
  names: ['inbox', 'whatsapp'],
  target: 'foo',
  date: 'Oct 30, 2:15 PM',
  participant: 'Ann (12025550101@c.us)',
  text: 'hello',
  caption: 'a photo',
  type: 'poll',
  subject: 'Family',
  name: 'News',
  jid: '123@broadcast',
  status: 'FAILED',
  session: 'default',
  chat: '12025550101@c.us',
  timeout: '10m',
  version: '2026.5.3',
  engine: 'NOWEB',
  tier: 'CORE',
  waha: '2026.5.3 (NOWEB, CORE)',
  chatwoot: '4.15.1',
  adaptations: ['History is read newest first'],
  problems: ['Upgrade WAHA'],
  what: 'WAHA version',
  excerpt: 'Your order shipped today',
  ttl: '7d',
  queue: 'inbox',
  retryWindow: '1h',
  outage: 'ChatWoot: HTTP 503',
  parts: ['invoice.pdf'],
  rdb: true,
  policy: 'allkeys-lru',
};

const KEYS = Object.keys(en) as TextKey[];

function variablesOf(template: string): string[] {
  return [...template.matchAll(/\{\{\s*[#^/&]?\s*([\w-]+)[\w.-]*\s*\}\}/g)].map((m) => m[1]);
}

/** Top-level sample names plus the fields of the items of sample lists (used inside sections). */
function knownNames(vars: Record<string, unknown>): Set<string> {
  const names = new Set(Object.keys(vars));
  for (const value of Object.values(vars)) {
    if (!Array.isArray(value)) continue;
    for (const item of value) if (item && typeof item === 'object') Object.keys(item).forEach((k) => names.add(k));
  }
  return names;
}

describe(Texts.name, () => {
  describe('when rendering the defaults', () => {
    it.each(KEYS)('renders %s with sample vars and no leftover braces', (key) => {
      const out = texts.render(key, SAMPLE_VARS);
      expect(out).not.toContain('{{');
      expect(out).not.toContain('}}');
      expect(out.trim()).not.toBe('');
    });

    it.each(KEYS)('%s only uses variables that the sample knows', (key) => {
      const known = [...knownNames(SAMPLE_VARS)];
      for (const name of variablesOf(en[key])) expect(known).toContain(name);
    });

    it('renders the queue status with running and paused queues', () => {
      const out = texts.render('queue.status', {
        queues: [
          { name: 'inbox', label: 'ChatWoot → WhatsApp', paused: false, waiting: 0, active: 1, delayed: 0, failed: 0 },
          {
            name: 'whatsapp',
            label: 'WhatsApp → ChatWoot',
            paused: true,
            waiting: 7,
            active: 0,
            delayed: 0,
            failed: 2,
          },
        ],
      });
      expect(out.split('\n').slice(0, 3)).toEqual([
        '📊 **Queues**',
        '- 🟢 Running · **inbox** (ChatWoot → WhatsApp) · 0 waiting · 1 active · 0 delayed · 0 failed',
        '- ⚪ Paused · **whatsapp** (WhatsApp → ChatWoot) · 7 waiting · 0 active · 0 delayed · 2 failed',
      ]);
      expect(out).toContain('same Redis');
    });

    it('shows the ETA and the stop hint only while a pull is running, and caps the failed ids', () => {
      const base = { ...SAMPLE_VARS, failedIds: ['a', 'b'], failedMore: 3 };
      const running = texts.render('pull.status', base);
      const done = texts.render('pull.status', { ...base, running: false, state: 'completed' });
      expect(running).toContain('about 3m left');
      expect(running).toContain('wa/messages stop');
      expect(done).not.toContain('left');
      expect(done).not.toContain('messages stop');
      expect(done).toContain('- `a`\n- `b`\n- … and 3 more');
    });

    it('leaves optional parts out cleanly when their vars are absent', () => {
      expect(texts.render('message.mediaNotRequested', {})).toBe(
        '🖼️ **Media not imported**: this pull ran without `--media`.\n📱 Open WhatsApp to see it. Pulls import media only when `--media` is given.',
      );
      expect(texts.render('message.mediaNotDownloaded', { caption: 'Look' }).startsWith('Look\n\n🖼️⚠️')).toBe(true);
      expect(texts.render('pull.failed', { reason: 'boom', prefix: 'wa/' })).not.toContain('queue start');
    });

    it('says what to do when a message cannot be delivered, with or without specific advice', () => {
      expect(texts.render('relay.sendFailed', { reason: 'no chat id', action: 'add the phone number' })).toBe(
        '⚠️ **Not delivered to WhatsApp**: no chat id\n👉 What to do: add the phone number.',
      );
      expect(texts.render('relay.sendFailed', { reason: 'timeout' })).toBe(
        '⚠️ **Not delivered to WhatsApp**: timeout\n👉 Check that the WhatsApp session is connected, then retry the message.',
      );
    });

    it('renders contact names as agreed', () => {
      expect(texts.render('contact.groupName', { subject: 'Family' })).toBe('Family (Group)');
      expect(texts.render('contact.channelName', { name: 'News' })).toBe('News (Channel)');
      expect(texts.render('contact.statusName')).toBe('🟢 Status');
      expect(texts.render('contact.broadcastName', { jid: '1@broadcast' })).toBe('Broadcast List (1@broadcast)');
      expect(texts.render('integration.contactName')).toBe('WhatsApp Integration');
      expect(texts.render('message.historyDate', { date: 'Oct 30' })).toBe('`📥🗓️ Oct 30`');
    });

    it('says in the help that customer conversations need the prefix and pull one contact only', () => {
      const help = texts.render('help.messages', { prefix: 'wa/' });
      expect(help).toContain('customer conversation');
      expect(help).toContain('only that contact');
      expect(help).toContain('must start with `wa/`');
      expect(help).toContain('`6m` is six **minutes**');
      expect(help).toContain('180d');
    });

    it('gives the rate-limit advice with the ChatWoot variables to change', () => {
      expect(texts.render('hint.tooManyMessages')).toContain(
        '`CONVERSATION_MESSAGE_PER_MINUTE_LIMIT` to at least `3000`',
      );
      expect(texts.render('hint.rateLimited')).toContain('`RACK_ATTACK_LIMIT=30000`');
      expect(texts.render('hint.rateLimited')).toContain('`RACK_ATTACK_ALLOWED_IPS`');
    });
  });

  describe('when an operator overrides texts', () => {
    it('uses the override for that key and the default for the others', () => {
      const custom = Texts.load({ 'contact.groupName': '👥 {{subject}}' });
      expect(custom.render('contact.groupName', { subject: 'Family' })).toBe('👥 Family');
      expect(custom.render('contact.channelName', { name: 'News' })).toBe('News (Channel)');
      expect(texts.render('contact.groupName', { subject: 'Family' })).toBe('Family (Group)');
    });

    it('throws naming every unknown key', () => {
      const overrides = { 'contact.groupName': 'x', 'no.such.key': 'y', 'other.key': 'z' } as Record<string, string>;
      expect(() => Texts.load(overrides)).toThrow('Unknown text keys in overrides: no.such.key, other.key');
    });

    it('throws naming the key of a broken template', () => {
      expect(() => Texts.load({ 'pull.started': '{{#scope}} unclosed' })).toThrow(
        'Text "pull.started" is not a valid template: Section {{#scope}} is never closed',
      );
    });

    it('throws when an override is not a string', () => {
      const overrides = { 'pull.started': 42 } as unknown as Record<string, string>;
      expect(() => Texts.load(overrides)).toThrow('Text override "pull.started" must be a string');
    });
  });
});
