/**
 * The `wa/` commands as an agent types them in ChatWoot, over the real webhook against both simulators and Redis:
 * help, status, pull (scope and options as the pull engine receives them), one pull at a time, stop, the live
 * queues, and malformed commands that must answer with the grammar's error and start nothing.
 */
import { parseCommand } from '../../src/commands/grammar/parse-command';
import type { PullOptions } from '../../src/pull/pull-options';
import { Texts } from '../../src/texts/texts';
import { Harness, eventually } from '../support/harness';
import { DAY, dmChats, expected, imported, pull, typedAt, windowSec } from '../support/pull-helpers';
import {
  activePullId,
  activitiesAfter,
  lastPullId,
  pullJobKeys,
  pullRecord,
  pullRecords,
  repliesTo,
  withQueue,
  type Reply,
} from '../support/command-helpers';

const texts = Texts.load();
const PREFIX = 'wa/';

const DEFAULTS: PullOptions = {
  window: { startAgoMs: DAY, endAgoMs: 0 },
  chat: 'all',
  force: false,
  include: { dm: true, groups: false, channels: false, status: false, broadcast: false },
  media: false,
  pause: false,
  resolveConversations: false,
  batch: 100,
  progress: 1000,
  attempts: 6,
  timeoutMs: 10 * 60_000,
  timeoutMediaMs: 30_000,
  dryRun: false,
};

/** Types a command and waits for the one reply that names it (in_reply_to). */
async function ask(h: Harness, command: string, conversationId = h.integrationConversationId): Promise<Reply> {
  const id = await h.type(command, conversationId);
  return eventually(() => repliesTo(h, id, conversationId)[0], {
    what: `a reply to ${JSON.stringify(command.slice(0, 60))}`,
  });
}

/** Types a command and waits for an activity message after it that matches. */
async function askActivity(
  h: Harness,
  command: string,
  match: RegExp,
  conversationId = h.integrationConversationId,
): Promise<string> {
  const id = await h.type(command, conversationId);
  return eventually(() => activitiesAfter(h, id, conversationId).find((c) => match.test(c)), {
    what: `an activity ${match} after ${command}`,
  });
}

/** Seeds a customer contact with a conversation for a WhatsApp direct chat, as the bridge would have linked it. */
function seedCustomer(h: Harness, chatId: string, name = 'Customer'): number {
  const { conversation } = h.cw.seedContact({
    name,
    identifier: chatId,
    phone_number: /@c\.us$/.test(chatId) ? `+${chatId.split('@')[0]}` : undefined,
    custom_attributes: { waha_whatsapp_chat_id: chatId },
    withConversation: true,
    source_id: chatId,
  });
  return conversation!.id;
}

async function isPaused(h: Harness, name: 'inbox' | 'whatsapp'): Promise<boolean> {
  return withQueue(h, name, (queue) => queue.isPaused());
}

/** Messages an import created (they carry the WhatsApp id as source_id), across every conversation. */
function importedCount(h: Harness): number {
  return h.cw
    .conversations()
    .reduce((n, c) => n + h.cw.messages(c.id).filter((m) => m.source_id && m.message_type !== 2).length, 0);
}

function counters(report: string): { created: number; exists: number; failed: number } {
  return {
    created: Number(/🆕 (\d+) created/.exec(report)?.[1]),
    exists: Number(/🟢 (\d+) already there/.exec(report)?.[1]),
    failed: Number(/🔴 (\d+) failed/.exec(report)?.[1]),
  };
}

describe('commands: help, status, queues and malformed commands (no pull runs here)', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await Harness.start();
  });

  afterAll(async () => {
    await h?.stop();
  });

  it('wa/messages status before any pull says none has run; stop says there is nothing to stop', async () => {
    const status = await ask(h, 'wa/messages status');
    expect(status.content).toBe('ℹ️ No pull has run here yet. Start one with `messages pull`.');
    expect(status).toMatchObject({ message_type: 0, private: false });
    const stop = await ask(h, 'wa/messages stop');
    expect(stop.content).toBe('ℹ️ No pull is running, so there is nothing to stop.');
    expect(await lastPullId(h)).toBeNull();
  });

  it('help in the integration conversation (with and without the prefix) answers as incoming messages', async () => {
    const messagesHelp = await ask(h, 'wa/messages help');
    expect(messagesHelp).toMatchObject({ message_type: 0, private: false });
    expect(messagesHelp.content).toBe(texts.render('help.messages', { prefix: '', retryWindow: '1h' }));
    // The option list with every flag, its alias and the defaults the README promises.
    for (const flag of [
      '--chat',
      '-c',
      '--force',
      '-f',
      '--no-dm',
      '--nd',
      '--groups',
      '-g',
      '--channels',
      '--ch',
      '--status',
      '-s',
      '--broadcast',
      '--bc',
      '--media',
      '-m',
      '--pause',
      '--resolve-conversations',
      '--rc',
      '--batch',
      '-b',
      '--progress',
      '-p',
      '--attempts',
      '--at',
      '--timeout',
      '-t',
      '--timeout-media',
      '--tm',
      '--dry-run',
    ]) {
      expect(messagesHelp.content).toContain(`\`${flag}`);
    }
    for (const fact of [
      '(default 100)',
      '(default 1000)',
      '(default 6)',
      '(default 10m, at most 24d)',
      '(default 30s, at most 24d)',
      '`6m` is six **minutes**',
      '`180d`',
    ]) {
      expect(messagesHelp.content).toContain(fact);
    }

    const root = await ask(h, 'help');
    expect(root).toMatchObject({ message_type: 0, private: false });
    expect(root.content).toBe(texts.render('help.root', { prefix: '' }));
    expect(root.content).toContain('`messages`');
    expect(root.content).toContain('`queue`');

    const bare = await ask(h, 'messages help');
    expect(bare.content).toBe(messagesHelp.content);

    const queueHelp = await ask(h, 'wa/queue help');
    expect(queueHelp).toMatchObject({ message_type: 0, private: false });
    expect(queueHelp.content).toBe(texts.render('help.queue', { prefix: '' }));
    expect(queueHelp.content).toContain('`inbox`');
    expect(queueHelp.content).toContain('`whatsapp`');
    expect(queueHelp.content).toContain('Pausing is global');
  });

  it('in a customer conversation: prefixed commands answer as private notes; text without the prefix goes to WhatsApp', async () => {
    const chatId = dmChats(h).find((id) => id.endsWith('@c.us'))!;
    const conversationId = seedCustomer(h, chatId);

    const help = await ask(h, 'wa/messages help', conversationId);
    expect(help).toMatchObject({ message_type: 1, private: true });
    expect(help.content).toBe(texts.render('help.messages', { prefix: PREFIX, retryWindow: '1h' }));
    expect(help.content).toContain('`wa/messages pull 1d --force --media`');

    const queueHelp = await ask(h, 'wa/queue help', conversationId);
    expect(queueHelp).toMatchObject({ message_type: 1, private: true });
    expect(queueHelp.content).toBe(texts.render('help.queue', { prefix: PREFIX }));

    const status = await ask(h, 'wa/messages status', conversationId);
    expect(status).toMatchObject({
      message_type: 1,
      private: true,
      content: 'ℹ️ No pull has run here yet. Start one with `wa/messages pull`.',
    });

    const malformed = await ask(h, 'wa/messages pull 5x', conversationId);
    expect(malformed).toMatchObject({ message_type: 1, private: true });
    expect(malformed.content).toContain('Invalid duration "5x"');

    // Without the prefix it is a reply to the customer, not a command: relayed to WhatsApp, no answer here.
    const plain = await h.type('help', conversationId);
    const plain2 = await h.type('messages status please', conversationId);
    const sent = await eventually(
      () => {
        const sentTexts = h.waha
          .sent()
          .filter((s) => s.chatId === chatId)
          .map((s) => s.text);
        return sentTexts.includes('help') && sentTexts.includes('messages status please') ? sentTexts : undefined;
      },
      { what: 'the plain replies sent to WhatsApp' },
    );
    expect(sent.some((t) => t?.includes('wa/'))).toBe(false); // commands are never delivered to the customer
    expect(repliesTo(h, plain, conversationId)).toEqual([]);
    expect(repliesTo(h, plain2, conversationId)).toEqual([]);
    // Nothing the service wrote into the customer conversation is visible to the customer.
    const serviceMessages = h.cw.messages(conversationId).filter((m) => !h.typed.has(m.id));
    expect(serviceMessages.every((m) => m.private || m.message_type === 2)).toBe(true);
    expect(await lastPullId(h)).toBeNull();
  });

  describe('malformed commands answer with the grammar error and start nothing', () => {
    const usagePull = 'Usage: `wa/messages pull [start] [end] [options]` (send `wa/messages help` for all options)';
    // [typed, a fragment the reply must hold (hand-written, from en.ts)]
    const table: Array<[string, string]> = [
      ['wa/messages pull --medai', 'Unknown option "--medai". Did you mean --media?'],
      ['messages pull --grups', 'Unknown option "--grups". Did you mean --groups?'],
      [
        'wa/messages pull 5x',
        `Invalid duration "5x": use a number with s, m, h, d, w or y, like 12h or 30d\n${usagePull}`,
      ],
      [
        'wa/messages pull 6mo',
        'Invalid duration "6mo": months are not a unit here and m means minutes; write it in days, like 180d',
      ],
      ['wa/messages pull 6M', 'M could mean minutes or months; write 6m for minutes or 180d for about 6 months'],
      ['wa/messages pull -5d', 'durations cannot be negative, they already count back from now; write 5d'],
      ['wa/messages pull 12', 'add a unit, like 12d for days or 12h for hours'],
      ['wa/messages pull 100y', 'the longest allowed is 50y'],
      ['wa/messages pull 3d 2d 1d', 'Too many durations: "1d" would be a third one.'],
      ['wa/messages pull 1d 1d', 'The window is empty: it starts and ends 1d ago.'],
      ['wa/messages pull --batch 10 --batch 20', 'Option --batch is given more than once: keep only one.'],
      ['wa/messages pull --batch 0', 'Invalid value "0" for --batch: use a whole number from 1 to 1000.'],
      ['wa/messages pull --timeout 0s', 'Invalid duration "0s" for --timeout: it must be longer than 0'],
      ['wa/messages pull --media yes', 'Option --media is a switch and takes no value: remove "yes".'],
      ['wa/messages pull --pause --rc=yes', 'Option --rc is a switch and takes no value: remove "yes".'],
      ['wa/messages pull --timeout', 'Option --timeout needs a value, like --timeout 10m.'],
      ['wa/messages pull --chat xyz', 'Invalid chat "xyz" for --chat'],
      ['wa/messages pull -b10', 'Unknown option "-b10".'],
      ['wa/messages pull --chat "12025550101@c.us', 'A `"` quote is opened but never closed'],
      ['wa/messages pul', 'Unknown action "pul" for wa/messages. Did you mean pull?'],
      ['wa/messages 10d', 'Did you mean pull 10d?'],
      ['wa/messages --media', 'wa/messages needs an action first: pull, status, stop, help.'],
      ['wa/messages status now', 'Unexpected "now" after wa/messages status: remove it.'],
      ['wa/mesages status', 'Unknown command "mesages". Did you mean messages?'],
      ['wa/queue pause', 'Unknown action "pause" for wa/queue.'],
      ['wa/queue stop everything', 'Unknown queue "everything": use inbox, whatsapp (or waha) or all.'],
      ['wa/queue status --all', 'wa/queue status takes no options: remove --all.'],
      ['wa/messages pull\nwa/queue stop', 'This message holds 2 commands: send them one message at a time.'],
      ['wa/сообщения pull', 'Unknown command "сообщения".'],
      ['wa/messages pull 5д', 'Invalid duration "5д"'],
      ['wa/messages pull 🙂', 'Invalid duration "🙂"'],
      [`wa/messages pull --chat ${'9'.repeat(200)}`, `Invalid chat "${'9'.repeat(60)}…" for --chat`],
      [
        `wa/messages pull ${'x'.repeat(5000)}`,
        'The command is too long (5017 characters; the limit is 4000). Send a shorter one.',
      ],
    ];

    let replies: Map<string, Reply[]>;

    beforeAll(async () => {
      const typed = await Promise.all(table.map(async ([command]) => ({ command, id: await h.type(command) })));
      await eventually(() => typed.every(({ id }) => repliesTo(h, id).length > 0), {
        what: 'a reply to every malformed command',
      });
      await withQueue(h, 'commands', async (queue) => {
        await eventually(async () => (await queue.getJobCounts('waiting', 'active', 'delayed')).active === 0, {
          what: 'the commands queue to drain',
        });
      });
      replies = new Map(typed.map(({ command, id }) => [command, repliesTo(h, id)]));
    });

    const rows = table.map(([command, fragment]) => [
      JSON.stringify(command.length > 70 ? `${command.slice(0, 50)}… (${command.length} characters)` : command),
      command,
      fragment,
    ]);

    it.each(rows)('%s', (_label, command, fragment) => {
      const got = replies.get(command)!;
      expect(got).toHaveLength(1);
      expect(got[0]).toMatchObject({ message_type: 0, private: false });
      expect(got[0].content).toContain(fragment);
      // The whole reply is the grammar's own error text with its usage line.
      const parsed = parseCommand(command, { prefix: PREFIX, commandsChat: true, texts });
      expect(parsed.type).toBe('error');
      expect(got[0].content).toBe(parsed.type === 'error' ? parsed.message : '');
      expect(got[0].content.split('\n').pop()).toMatch(/^Usage: `wa\//);
    });

    it('none of them started a pull, queued a pull job, paused a queue or failed the worker', async () => {
      expect(await activePullId(h)).toBeNull();
      expect(await lastPullId(h)).toBeNull();
      expect(await pullRecords(h)).toEqual([]);
      expect(await pullJobKeys(h, 'plan')).toEqual([]);
      const pullJobs = await withQueue(h, 'pull', (queue) =>
        queue.getJobCounts('waiting', 'active', 'delayed', 'completed', 'failed', 'paused'),
      );
      expect(Object.values(pullJobs).every((n) => n === 0)).toBe(true);
      expect(await isPaused(h, 'inbox')).toBe(false);
      expect(await isPaused(h, 'whatsapp')).toBe(false);
      const commandJobs = await withQueue(h, 'commands', (queue) => queue.getJobCounts('failed'));
      expect(commandJobs.failed).toBe(0);
      expect(h.services[0].child.exitCode).toBeNull();
      expect((await fetch(`${h.url}/health`)).status).toBe(200);
    });
  });

  it('wa/queue status, stop (global), start, and stop inbox alone', async () => {
    const running = await ask(h, 'wa/queue status');
    expect(running).toMatchObject({ message_type: 0, private: false });
    expect(running.content).toMatch(/🟢 Running · \*\*inbox\*\* \(ChatWoot → WhatsApp\) · 0 waiting/);
    expect(running.content).toMatch(/🟢 Running · \*\*whatsapp\*\* \(WhatsApp → ChatWoot\) · 0 waiting/);
    expect(running.content).toContain('ℹ️ Pausing is global: it applies to every worker connected to the same Redis.');

    const paused = await askActivity(h, 'wa/queue stop', /Paused:/);
    expect(paused).toBe(
      '⚪🧩 Paused: inbox, whatsapp. New messages wait until `queue start`. This holds for every worker on the same Redis.',
    );
    expect(await isPaused(h, 'inbox')).toBe(true);
    expect(await isPaused(h, 'whatsapp')).toBe(true);
    const pausedStatus = await ask(h, 'wa/queue status');
    expect(pausedStatus.content).toMatch(/⚪ Paused · \*\*inbox\*\*/);
    expect(pausedStatus.content).toMatch(/⚪ Paused · \*\*whatsapp\*\*/);
    expect(pausedStatus.content).not.toContain('🟢 Running');

    const resumed = await askActivity(h, 'wa/queue start', /Resumed:/);
    expect(resumed).toBe(
      '🟢🧩 Resumed: inbox, whatsapp. Waiting messages are being delivered. This holds for every worker on the same Redis.',
    );
    expect(await isPaused(h, 'inbox')).toBe(false);
    expect(await isPaused(h, 'whatsapp')).toBe(false);
    const runningAgain = await ask(h, 'queue status all');
    expect(runningAgain.content).toMatch(/🟢 Running · \*\*inbox\*\*/);
    expect(runningAgain.content).toMatch(/🟢 Running · \*\*whatsapp\*\*/);

    const inboxOnly = await askActivity(h, 'wa/queue stop inbox', /Paused:/);
    expect(inboxOnly).toContain('Paused: inbox.');
    expect(await isPaused(h, 'inbox')).toBe(true);
    expect(await isPaused(h, 'whatsapp')).toBe(false);
    const mixed = await ask(h, 'wa/queue status');
    expect(mixed.content).toMatch(/⚪ Paused · \*\*inbox\*\*/);
    expect(mixed.content).toMatch(/🟢 Running · \*\*whatsapp\*\*/);
    const whatsappOnly = await ask(h, 'wa/queue status waha');
    expect(whatsappOnly.content).toMatch(/🟢 Running · \*\*whatsapp\*\*/);
    expect(whatsappOnly.content).not.toContain('**inbox**');

    await askActivity(h, 'wa/queue start inbox', /Resumed: inbox\./);
    expect(await isPaused(h, 'inbox')).toBe(false);
    // Queue commands never touch the pull engine.
    expect(await lastPullId(h)).toBeNull();
  });
});

describe('wa/messages pull: scope and options as the pull engine receives them', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await Harness.start();
  });

  afterAll(async () => {
    await h?.stop();
  });

  it("from a customer conversation: that contact's chat only, with --batch and --progress honoured", async () => {
    const chatId = dmChats(h).find((id) => id.endsWith('@c.us'))!;
    const conversationId = seedCustomer(h, chatId);
    h.waha.clearJournal();
    const run = await pull(h, 'wa/messages pull 30d --batch 25 --progress 10', conversationId);
    const record = (await pullRecord(h, (await lastPullId(h))!))!;
    expect(record).toMatchObject({ state: 'completed', scope: chatId, chatsTotal: 1, chatsDone: 1, failed: 0 });
    expect(record.origin).toMatchObject({
      conversationId,
      messageId: run.messageId,
      commandsChat: false,
      contactChatIds: [chatId],
    });
    expect(record.options).toEqual({
      ...DEFAULTS,
      window: { startAgoMs: 30 * DAY, endAgoMs: 0 },
      batch: 25,
      progress: 10,
    });
    expect([record.from, record.to]).toEqual([run.at - 30 * DAY, run.at]);

    // Only that chat was imported, exactly its window.
    const want = expected(h, chatId, windowSec(run.at, 30 * DAY));
    expect(want.length).toBeGreaterThan(25);
    expect([...imported(h).keys()]).toEqual([chatId]);
    expect(imported(h).get(chatId)).toEqual(want);
    expect(record.created).toBe(want.length);

    // WAHA was paged 25 at a time, for that chat only.
    const pages = h.waha.requests('GET', /\/chats\/[^/]+\/messages$/);
    expect(pages.length).toBeGreaterThan(1);
    expect(new Set(pages.map((p) => decodeURIComponent(p.path.split('/')[4])))).toEqual(new Set([chatId]));
    expect(pages.every((p) => new URLSearchParams(p.query).get('limit') === '25')).toBe(true);

    // Lifecycle reports are activities in that conversation; progress every 10 messages.
    const activities = activitiesAfter(h, run.messageId, conversationId);
    expect(activities[0]).toBe(
      `⏳ **Pulling messages** · 💬 ${chatId} · ⏱️ 30d · 1 chats\nSend \`wa/messages status\` to follow it.`,
    );
    const progress = activities.filter((c) => /^⏳ \d+ messages/.test(c)).map((c) => Number(/^⏳ (\d+)/.exec(c)![1]));
    expect(progress).toEqual(Array.from({ length: Math.floor(want.length / 10) }, (_, i) => (i + 1) * 10));
    expect(
      h.cw
        .messages(conversationId)
        .filter((m) => !h.typed.has(m.id) && !m.source_id)
        .every((m) => m.private || m.message_type === 2),
    ).toBe(true);
    expect(await activePullId(h)).toBeNull();
  });

  it('from the integration conversation: all direct chats with the default options', async () => {
    const run = await pull(h, 'wa/messages pull');
    const record = (await pullRecord(h, (await lastPullId(h))!))!;
    expect(record).toMatchObject({ state: 'completed', scope: 'all chats', failed: 0 });
    expect(record.origin).toMatchObject({
      conversationId: h.integrationConversationId,
      messageId: run.messageId,
      commandsChat: true,
      contactChatIds: [],
    });
    expect(record.options).toEqual(DEFAULTS);
    expect([record.from, record.to]).toEqual([run.at - DAY, run.at]);
    const chats = dmChats(h);
    expect(record.chatsTotal).toBe(chats.length);

    const started = activitiesAfter(h, run.messageId).find((c) => c.startsWith('⏳ **Pulling messages**'));
    expect(started).toBe(
      `⏳ **Pulling messages** · 💬 all chats · ⏱️ 1d · ${chats.length} chats\nSend \`messages status\` to follow it.`,
    );
    const window = windowSec(run.at, DAY);
    const got = imported(h);
    expect(new Set(got.keys())).toEqual(new Set(chats));
    // Every direct chat holds its last day (the customer's chat also holds its 30 days from before), nothing twice.
    for (const chatId of chats) {
      const ids = got.get(chatId) ?? [];
      expect(new Set(ids).size).toBe(ids.length);
      expect(expected(h, chatId, window).every((id) => ids.includes(id))).toBe(true);
    }
    const report = await h.waitReply(run.messageId, (c) => c.startsWith('✅ **Pull finished**'));
    const total = chats.reduce((n, chatId) => n + expected(h, chatId, window).length, 0);
    expect(counters(report).created + counters(report).exists).toBe(total);
  });

  it('--chat <id> from the integration conversation: that one chat', async () => {
    const chatId = dmChats(h).find((id) => id.endsWith('@lid')) ?? dmChats(h)[1];
    const before = imported(h);
    const run = await pull(h, `wa/messages pull 30d --chat ${chatId}`);
    const record = (await pullRecord(h, (await lastPullId(h))!))!;
    expect(record).toMatchObject({ state: 'completed', scope: chatId, chatsTotal: 1 });
    expect(record.options).toEqual({ ...DEFAULTS, window: { startAgoMs: 30 * DAY, endAgoMs: 0 }, chat: chatId });
    expect(activitiesAfter(h, run.messageId)[0]).toContain(`💬 ${chatId} · ⏱️ 30d · 1 chats`);
    const after = imported(h);
    for (const [other, ids] of before) if (other !== chatId) expect(after.get(other)).toEqual(ids);
    const ids = after.get(chatId) ?? [];
    expect(new Set(ids)).toEqual(new Set(expected(h, chatId, windowSec(run.at, 30 * DAY))));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('--chat with a phone number and --dry-run: counts that chat only, imports nothing', async () => {
    const chatId = dmChats(h).filter((id) => id.endsWith('@c.us'))[1] ?? dmChats(h).find((id) => id.endsWith('@c.us'))!;
    const digits = chatId.split('@')[0];
    const createdBefore = importedCount(h);
    const reply = await ask(h, `wa/messages pull 30d -c +${digits} --dry-run`);
    const record = (await pullRecord(h, (await lastPullId(h))!))!;
    expect(record).toMatchObject({ state: 'completed', scope: chatId, created: 0 });
    expect(record.options).toEqual({
      ...DEFAULTS,
      window: { startAgoMs: 30 * DAY, endAgoMs: 0 },
      chat: chatId,
      dryRun: true,
    });
    const count = expected(h, chatId, windowSec(typedAt(h, record.origin.messageId), 30 * DAY)).length;
    expect(reply).toMatchObject({ message_type: 0, private: false });
    expect(reply.content).toContain(`- ${chatId}: ${count}\n`);
    expect(reply.content).toContain(`Total: **${count}** messages in 1 chats`);
    expect(importedCount(h)).toBe(createdBefore);
  });

  it('--batch 50 --progress 10 --groups --no-dm --dry-run: the options reach the engine; groups counted, nothing imported', async () => {
    const conversationsBefore = h.cw.conversations().length;
    const createdBefore = importedCount(h);
    const reply = await ask(h, 'wa/messages pull 30d --batch 50 --progress 10 --groups --no-dm --dry-run');
    const pullId = (await lastPullId(h))!;
    const record = (await pullRecord(h, pullId))!;
    expect(record).toMatchObject({ state: 'completed', scope: 'all chats', created: 0, processed: 0 });
    expect(record.options).toEqual({
      ...DEFAULTS,
      window: { startAgoMs: 30 * DAY, endAgoMs: 0 },
      include: { dm: false, groups: true, channels: false, status: false, broadcast: false },
      batch: 50,
      progress: 10,
      dryRun: true,
    });

    const at = typedAt(h, record.origin.messageId);
    const groups = h.waha.chats().filter((c) => c.kind === 'group');
    expect(groups.length).toBeGreaterThan(0);
    expect(reply.content.startsWith('🧪 **Dry run**: nothing was imported · ⏱️ 30d\n')).toBe(true);
    let total = 0;
    for (const group of groups) {
      const count = expected(h, group.id, windowSec(at, 30 * DAY)).length;
      total += count;
      expect(reply.content).toContain(`- ${group.name ? `${group.name} (${group.id})` : group.id}: ${count}\n`);
    }
    for (const chatId of dmChats(h)) expect(reply.content).not.toContain(chatId);
    expect(reply.content).toContain(`Total: **${total}** messages in ${groups.length} chats`);
    // Nothing imported, no conversation created, no chat job queued, the slot released.
    expect(importedCount(h)).toBe(createdBefore);
    expect(h.cw.conversations().length).toBe(conversationsBefore);
    expect((await pullJobKeys(h, 'chat')).filter((k) => k.includes(pullId))).toEqual([]);
    expect(await activePullId(h)).toBeNull();
  });

  it("the product page's full options block, one option per line (a canned response), with --dry-run", async () => {
    const block = [
      'wa/messages pull 30d',
      '  --chat all',
      '  --force',
      '  --no-dm',
      '  --groups',
      '  --channels',
      '  --status',
      '  --broadcast',
      '  --media',
      '  --pause',
      '  --resolve-conversations',
      '  --batch 100',
      '  --progress 100',
      '  --attempts 6',
      '  --timeout 10m',
      '  --timeout-media 30s',
      '  --dry-run',
    ].join('\n');
    const createdBefore = importedCount(h);
    const reply = await ask(h, block);
    expect(reply.content).toMatch(/^🧪 \*\*Dry run\*\*: nothing was imported · ⏱️ 30d\n/);
    const record = (await pullRecord(h, (await lastPullId(h))!))!;
    expect(record.origin.messageId).toBe(
      h.cw.messages(h.integrationConversationId).find((m) => m.content === block)?.id,
    );
    expect(record.options).toEqual({
      ...DEFAULTS,
      window: { startAgoMs: 30 * DAY, endAgoMs: 0 },
      force: true,
      include: { dm: false, groups: true, channels: true, status: true, broadcast: true },
      media: true,
      pause: true,
      resolveConversations: true,
      progress: 100,
      dryRun: true,
    });
    // A dry run imports nothing, so it neither pauses the live queues nor resolves anything.
    expect(importedCount(h)).toBe(createdBefore);
    expect(await isPaused(h, 'inbox')).toBe(false);
    expect(await isPaused(h, 'whatsapp')).toBe(false);
    expect(activitiesAfter(h, record.origin.messageId).filter((c) => /paused/i.test(c))).toEqual([]);
  });
});

describe('wa/messages pull while one runs: refused, stopped, continued', () => {
  let h: Harness;

  beforeAll(async () => {
    h = await Harness.start({ chatwoot: { latencyMs: 30 }, waha: { history: { dmChats: 6, messagesPerChat: 60 } } });
  });

  afterAll(async () => {
    await h?.stop();
  });

  it('a second pull is refused, stop ends the first after the current message with its counters, the same pull again imports the rest once', async () => {
    const chats = dmChats(h);
    const customer = seedCustomer(
      h,
      chats.find((id) => id.endsWith('@c.us'))!,
    );
    const first = await h.type('wa/messages pull 30d --progress 20');
    const firstId = await eventually(() => activePullId(h), { what: 'the first pull to claim the slot' });
    await eventually(async () => ((await pullRecord(h, firstId))?.processed ?? 0) >= 20, {
      what: 'the first pull to import',
    });

    // A second pull, from either kind of conversation, is refused while it runs; nothing new is recorded or queued.
    const second = await ask(h, 'wa/messages pull 1d --dry-run');
    expect(second).toMatchObject({ message_type: 0, private: false });
    expect(second.content).toMatch(
      /^⏳ A pull is already (planning|running) for \*\*all chats\*\* \(started \d+(?:\.\d)?s ago\)\. Only one runs at a time\.\nWait for it to finish, or stop it with `messages stop`\. Progress: `messages status`\.$/,
    );
    const third = await ask(h, 'wa/messages pull', customer);
    expect(third).toMatchObject({ message_type: 1, private: true });
    expect(third.content).toContain('A pull is already');
    expect(third.content).toContain('`wa/messages stop`');
    expect((await pullRecords(h)).map((r) => r.id)).toEqual([firstId]);
    expect(await pullJobKeys(h, 'plan')).toHaveLength(1);
    expect(await activePullId(h)).toBe(firstId);

    const status = await ask(h, 'wa/messages status');
    expect(status.content).toMatch(/^⏳ \*\*Pull: running\*\* · 💬 all chats · ⏱️ 30d/);
    expect(status.content).toContain('Stop it with `messages stop`.');

    const stop = await ask(h, 'wa/messages stop');
    expect(stop.content).toBe(
      '⏹️ Stopping the pull for **all chats** after the current page. A summary follows once it has stopped; `messages status` shows where it is.',
    );
    const stopped = await h.waitReply(
      first,
      (c) => c.startsWith('⏹️ **Pull stopped**'),
      h.integrationConversationId,
      30_000,
    );
    expect(stopped).toContain('· 💬 all chats · ⏱️ 30d');
    const record = (await pullRecord(h, firstId))!;
    expect(record).toMatchObject({ state: 'stopped', stop: true, failed: 0 });
    expect(await activePullId(h)).toBeNull();

    // The counters are kept: the report, the record and ChatWoot agree, and it did stop short of the whole window.
    const total = chats.reduce(
      (n, chatId) => n + expected(h, chatId, windowSec(typedAt(h, first), 30 * DAY)).length,
      0,
    );
    expect(counters(stopped)).toEqual({ created: record.created, exists: 0, failed: 0 });
    expect(record.created).toBeGreaterThanOrEqual(20);
    expect(record.created).toBeLessThan(total);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(importedCount(h)).toBe(record.created);
    const afterStop = await ask(h, 'wa/messages status');
    expect(afterStop.content).toMatch(/^📋 \*\*Pull: stopped\*\*/);
    expect(afterStop.content).toContain(`- 🆕 Created: **${record.created}**`);
    expect((await ask(h, 'wa/messages stop')).content).toBe('ℹ️ No pull is running, so there is nothing to stop.');

    // The same pull again: the rest is created, what was there is found there, nothing twice, WhatsApp's order.
    const again = await pull(h, 'wa/messages pull 30d');
    expect(counters(again.report)).toEqual({ created: total - record.created, exists: record.created, failed: 0 });
    const got = imported(h);
    for (const chatId of chats)
      expect(got.get(chatId) ?? []).toEqual(expected(h, chatId, windowSec(again.at, 30 * DAY)));
    expect((await pullRecords(h)).map((r) => r.state)).toEqual(['stopped', 'completed']);
  });
});
