/**
 * 500 generated command strings typed into the WhatsApp Integration conversation over the real webhook: each gets
 * exactly one reply (the grammar's error text for a malformed one) or is ignored by the rules, the service stays
 * healthy and alive, and no pull starts for a string that is not a valid pull command.
 *
 * Replay a failure with `FUZZ_SEED=<seed>` (the seed is in the failure message).
 */
import { Harness, eventually } from '../support/harness';
import { CommandFuzzer, classify, type Classified } from '../support/command-fuzz';
import { healthStatus, pullRecords, repliesTo, withQueue } from '../support/command-helpers';

const SEED = Number(process.env.FUZZ_SEED ?? 20_251_030);
const COUNT = 500;
const BATCH = 50;

interface Case {
  index: number;
  text: string;
  id: number;
  expected: Classified;
}

function show(text: string): string {
  const shown = text.length > 120 ? `${text.slice(0, 100)}… (${text.length} characters)` : text;
  return JSON.stringify(shown);
}

describe(`command fuzz: ${COUNT} generated strings (seed ${SEED})`, () => {
  let h: Harness;
  let cases: Case[] = [];
  const health: number[] = [];
  let polling = true;
  let poller: Promise<void> = Promise.resolve();

  beforeAll(async () => {
    h = await Harness.start({ chatwoot: { latencyMs: 0 } });
    poller = (async () => {
      while (polling) {
        health.push(await healthStatus(h));
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    })();

    const texts = new CommandFuzzer(SEED).take(COUNT);
    for (let start = 0; start < texts.length; start += BATCH) {
      const batch = texts.slice(start, start + BATCH);
      const ids = await Promise.all(batch.map((text) => h.type(text)));
      cases.push(...batch.map((text, i) => ({ index: start + i, text, id: ids[i], expected: classify(text) })));
    }
    // Every command job done (the integration conversation sends every message to the commands queue).
    await withQueue(h, 'commands', (queue) =>
      eventually(
        async () => {
          const counts = await queue.getJobCounts('completed', 'failed', 'waiting', 'active', 'delayed');
          return counts.completed + counts.failed >= COUNT && counts.waiting + counts.active + counts.delayed === 0;
        },
        { what: 'every command job to finish', timeoutMs: 60_000, intervalMs: 250 },
      ),
    );
    // A pull that was meant (a valid pull command) finishes before the checks.
    await eventually(
      async () => (await pullRecords(h)).every((r) => ['completed', 'stopped', 'failed'].includes(r.state)),
      { what: 'pulls to finish', timeoutMs: 30_000 },
    );
  }, 90_000);

  afterAll(async () => {
    polling = false;
    await poller;
    await h?.stop();
    cases = [];
  });

  it('the generator covers every kind of input', () => {
    const kinds = new Map<string, number>();
    for (const c of cases) {
      const key = c.expected.kind === 'command' ? c.expected.command.kind : c.expected.kind;
      kinds.set(key, (kinds.get(key) ?? 0) + 1);
    }
    expect(cases).toHaveLength(COUNT);
    expect(kinds.get('error') ?? 0).toBeGreaterThan(COUNT / 2);
    expect(kinds.get('ignored') ?? 0).toBeGreaterThan(0);
    expect([...kinds.keys()].filter((k) => k.includes('.') || k === 'help').length).toBeGreaterThan(2);
    expect(cases.some((c) => c.text.length > 4000)).toBe(true);
    expect(cases.some((c) => /[\u0000-\u001f]/.test(c.text))).toBe(true);
    expect(kinds.get('throws') ?? 0).toBe(0); // the grammar itself never throws
  });

  it('every webhook was accepted and every command job succeeded (the worker never failed)', async () => {
    const ids = new Set(cases.map((c) => c.id));
    const deliveries = h.cw.webhookDeliveries.filter(
      (d) => d.event === 'message_created' && ids.has(Number((d.body as { id?: number }).id)),
    );
    expect(deliveries).toHaveLength(COUNT);
    const refused = deliveries
      .filter((d) => d.status !== 200)
      .map((d) => `${d.status} ${show(String((d.body as { content?: string }).content))}`);
    expect(refused).toEqual([]);
    const counts = await withQueue(h, 'commands', (queue) => queue.getJobCounts('completed', 'failed'));
    expect(counts).toEqual({ completed: COUNT, failed: 0 });
  });

  it('each string gets exactly the reply the rules give it, or none when it is not a command', async () => {
    const records = await pullRecords(h);
    const started = new Set(records.map((r) => r.origin.messageId));
    const problems: string[] = [];
    for (const c of cases) {
      const replies = repliesTo(h, c.id);
      const where = `#${c.index} ${show(c.text)}`;
      if (replies.some((r) => r.message_type !== 0 || r.private))
        problems.push(`${where}: a reply that is not an incoming message`);
      switch (c.expected.kind) {
        case 'ignored':
          if (replies.length !== 0) problems.push(`${where}: ignored by the rules, but got ${replies.length} replies`);
          break;
        case 'throws':
          problems.push(`${where}: the grammar throws (${c.expected.error}); got ${replies.length} replies`);
          break;
        case 'error':
          if (replies.length !== 1) problems.push(`${where}: malformed, expected 1 reply, got ${replies.length}`);
          else if (replies[0].content !== c.expected.message)
            problems.push(
              `${where}: reply ${show(replies[0].content)} is not the grammar error ${show(c.expected.message)}`,
            );
          break;
        case 'command':
          if (c.expected.command.kind === 'messages.pull') {
            // Started: reports come as activities (a dry run or "no chats" answers once); refused: one reply.
            if (
              started.has(c.id)
                ? replies.length > 1
                : replies.length !== 1 || !replies[0].content.includes('A pull is already')
            ) {
              problems.push(
                `${where}: valid pull (${started.has(c.id) ? 'started' : 'not started'}), got ${replies.length} replies`,
              );
            }
          } else if (replies.length !== 1) {
            problems.push(`${where}: valid ${c.expected.command.kind}, expected 1 reply, got ${replies.length}`);
          }
          break;
      }
    }
    expect(problems).toEqual([]);
    // Nothing else was posted as a reply: every non-activity message of the service answers one of the strings.
    const typedIds = new Set(cases.map((c) => c.id));
    const stray = h.cw
      .messages(h.integrationConversationId)
      .filter(
        (m) => !h.typed.has(m.id) && m.message_type !== 2 && !typedIds.has(Number(m.content_attributes.in_reply_to)),
      );
    expect(stray.map((m) => show(m.content ?? ''))).toEqual([]);
  });

  it('no pull started for a string that is not a valid pull command; nothing went to WhatsApp; no queue paused', async () => {
    const validPulls = new Set(
      cases
        .filter((c) => c.expected.kind === 'command' && c.expected.command.kind === 'messages.pull')
        .map((c) => c.id),
    );
    const unintended = (await pullRecords(h)).filter((r) => !validPulls.has(r.origin.messageId));
    expect(
      unintended.map(
        (r) =>
          `${r.id} from ${show(cases.find((c) => c.id === r.origin.messageId)?.text ?? String(r.origin.messageId))}`,
      ),
    ).toEqual([]);
    const planJobs = await withQueue(h, 'pull', (queue) =>
      queue.getJobs(['waiting', 'active', 'delayed', 'completed', 'failed', 'paused']),
    );
    const recordIds = new Set((await pullRecords(h)).map((r) => r.id));
    expect(
      planJobs.filter((j) => j.name === 'pull.plan' && !recordIds.has(String((j.data as { pullId?: string }).pullId))),
    ).toEqual([]);
    expect(h.waha.sent()).toEqual([]);
    expect(await withQueue(h, 'inbox', (queue) => queue.isPaused())).toBe(false);
    expect(await withQueue(h, 'whatsapp', (queue) => queue.isPaused())).toBe(false);
  });

  it('the service stayed healthy and alive throughout', async () => {
    expect(health.length).toBeGreaterThan(3);
    expect(health.filter((status) => status !== 200)).toEqual([]);
    expect(await healthStatus(h)).toBe(200);
    expect(h.services[0].child.exitCode).toBeNull();
    const fatal = h.services[0].output
      .join('')
      .split('\n')
      .filter((line) => /"level":(50|60)\b/.test(line));
    expect(fatal).toEqual([]);
  });

  it('the longest message ChatWoot accepts (150 000 characters) gets the too-long reply, whatever its characters', async () => {
    // ChatWoot stores up to 150 000 characters, and its webhook carries the content three times (the message, and
    // the conversation's last message with its processed copy), JSON-escaped.
    const MAX = 150_000;
    const fills: Array<[string, string]> = [
      ['ASCII', 'x'],
      ['Chinese (3 bytes each in UTF-8)', '中'],
      ['control characters (\\u0001, six bytes each in JSON)', '\u0001'],
    ];
    const head = 'wa/messages pull ';
    const results: Array<{ fill: string; webhook: number; reply: string | null }> = [];
    for (const [fill, char] of fills) {
      const text = head + char.repeat(MAX - head.length);
      const id = await h.type(text);
      const delivery = await eventually(
        () =>
          h.cw.webhookDeliveries.find((d) => d.event === 'message_created' && (d.body as { id?: number }).id === id),
        { what: 'the webhook delivery' },
      );
      const reply =
        delivery.status === 200
          ? await eventually(() => repliesTo(h, id)[0], { what: 'the too-long reply', timeoutMs: 10_000 }).then(
              (r) => r.content,
              () => null,
            )
          : null;
      results.push({ fill, webhook: delivery.status, reply });
    }
    const tooLong = classify(head + 'x'.repeat(MAX - head.length));
    expect(tooLong.kind).toBe('error');
    const want = tooLong.kind === 'error' ? tooLong.message : '';
    expect(want).toContain('The command is too long (150000 characters; the limit is 4000).');
    expect(results).toEqual(fills.map(([fill]) => ({ fill, webhook: 200, reply: want })));
    expect(await healthStatus(h)).toBe(200);
  });
});
