import { defaultPullOptions, PULL_LIMITS } from '../../pull/pull-options';
import { Texts } from '../../texts/texts';
import { normalizeChat, PULL_OPTION_SPECS } from './pull-flags';

const texts = Texts.load();

describe('normalizeChat', () => {
  it.each([
    ['all', 'all'],
    ['ALL', 'all'],
    ['12025550101@c.us', '12025550101@c.us'],
    ['123@g.us', '123@g.us'],
    ['123456@lid', '123456@lid'],
    ['123_456@g.us', '123_456@g.us'],
    ['120363000000000000@newsletter', '120363000000000000@newsletter'],
    ['+1 202 555 0101', '12025550101@c.us'],
    ['1-202-555-0101', '12025550101@c.us'],
    ['(202) 555-0101', '2025550101@c.us'],
    ['12025550101', '12025550101@c.us'],
  ])('reads %j as %j', (input, chat) => {
    expect(normalizeChat(input)).toBe(chat);
  });

  it.each(['', 'hello', '123', '@c.us', 'a b@c.us', '1234567890123456', '12@'])('rejects %j', (input) => {
    expect(normalizeChat(input)).toBeUndefined();
  });
});

describe('the messages help', () => {
  const help = texts.render('help.messages', { prefix: 'wa/' });

  it.each(PULL_OPTION_SPECS.flatMap((spec) => spec.flags))('lists %s', (flag) => {
    // `--chat`, or `-c <chat>` when the value placeholder follows
    expect(help.includes(`\`${flag}\``) || help.includes(`\`${flag} <`)).toBe(true);
  });

  it('states the defaults and limits the parser applies', () => {
    const defaults = defaultPullOptions();
    expect(help).toContain(`(default ${defaults.batch})`);
    expect(help).toContain(`(default ${defaults.progress})`);
    expect(help).toContain(`(default ${defaults.attempts})`);
    expect(help).toContain('(default 10m, at most 24d)');
    expect(help).toContain('(default 30s, at most 24d)');
    expect(help).toContain(`at least ${PULL_LIMITS.progress.min}; 0 = never`);
    expect(help).toContain(`${PULL_LIMITS.batch.min} to ${PULL_LIMITS.batch.max}`);
    expect(help).toContain(`${PULL_LIMITS.attempts.min} to ${PULL_LIMITS.attempts.max}`);
    expect(defaults.timeoutMs).toBe(10 * 60 * 1000);
    expect(defaults.timeoutMediaMs).toBe(30 * 1000);
  });

  it('reads well without a prefix (the commands chat)', () => {
    for (const key of ['help.root', 'help.messages', 'help.queue'] as const) {
      expect(texts.render(key, { prefix: '' })).not.toContain('``');
    }
  });
});
