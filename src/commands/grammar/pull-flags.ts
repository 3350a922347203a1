// The flags of `messages pull`: spellings, aliases and kinds, in one table that the parser, the yargs-parser
// configuration and the help-text test all read. What each option means, its default and its bounds belong to the
// pull (pull/pull-options.ts).

export type OptionKind = 'boolean' | 'chat' | 'integer' | 'duration' | 'delay' | 'choice';

export interface OptionSpec {
  /** The yargs-parser key: the long name without dashes. */
  key: string;
  /** Every accepted spelling, long form first (`--batch`, `-b`). */
  flags: readonly string[];
  kind: OptionKind;
  /** Shown in "needs a value" errors. */
  example?: string;
  /** A choice option's values. */
  choices?: readonly string[];
  /** A choice option given without a value takes this one (`--avatar` alone is `--avatar if-missing`). */
  preset?: string;
}

export const HELP_OPTION: OptionSpec = { key: 'help', flags: ['--help', '-h'], kind: 'boolean' };

export const PULL_OPTION_SPECS: readonly OptionSpec[] = [
  { key: 'chat', flags: ['--chat', '-c'], kind: 'chat', example: '--chat 12025550101@c.us' },
  { key: 'force', flags: ['--force', '-f'], kind: 'boolean' },
  { key: 'no-dm', flags: ['--no-dm', '--nd'], kind: 'boolean' },
  { key: 'groups', flags: ['--groups', '-g'], kind: 'boolean' },
  { key: 'channels', flags: ['--channels', '--ch'], kind: 'boolean' },
  { key: 'status', flags: ['--status', '-s'], kind: 'boolean' },
  { key: 'broadcast', flags: ['--broadcast', '--bc'], kind: 'boolean' },
  { key: 'media', flags: ['--media', '-m'], kind: 'boolean' },
  { key: 'pause', flags: ['--pause'], kind: 'boolean' },
  { key: 'resolve-conversations', flags: ['--resolve-conversations', '--rc'], kind: 'boolean' },
  { key: 'batch', flags: ['--batch', '-b'], kind: 'integer', example: '--batch 100' },
  { key: 'progress', flags: ['--progress', '-p'], kind: 'integer', example: '--progress 1000' },
  { key: 'attempts', flags: ['--attempts', '--at'], kind: 'integer', example: '--attempts 6' },
  { key: 'timeout', flags: ['--timeout', '-t'], kind: 'duration', example: '--timeout 10m' },
  { key: 'timeout-media', flags: ['--timeout-media', '--tm'], kind: 'duration', example: '--timeout-media 30s' },
  { key: 'dry-run', flags: ['--dry-run'], kind: 'boolean' },
  HELP_OPTION,
];

/** The spec for a flag exactly as typed (`--batch`, `-b`, `--nd`), if any. */
export function findOption(specs: readonly OptionSpec[], flag: string): OptionSpec | undefined {
  return specs.find((spec) => spec.flags.includes(flag));
}

/**
 * Turns a bare phone number into a chat id and keeps ids as typed: `all` → `all`; `123@g.us` → `123@g.us`;
 * `+1 202 555 0101`, `1-202-555-0101` or `12025550101` → `12025550101@c.us`. Undefined when it is neither.
 */
export function normalizeChat(value: string): string | undefined {
  const chat = value.trim();
  if (/^all$/i.test(chat)) return 'all';
  if (chat.includes('@')) return /^[^\s@]+@[a-z0-9.]+$/i.test(chat) ? chat : undefined;
  const digits = chat.replace(/[\s().-]/g, '');
  return /^\+?\d{7,15}$/.test(digits) ? `${digits.replace('+', '')}@c.us` : undefined;
}

/** The flags of `contacts pull`, with WAHA's app's spellings (src/apps/chatwoot/cli/program.contacts.ts). */
export const CONTACTS_OPTION_SPECS: readonly OptionSpec[] = [
  { key: 'avatar', flags: ['--avatar', '-a'], kind: 'choice', choices: ['if-missing', 'update'], preset: 'if-missing', example: '--avatar update' },
  { key: 'update-names', flags: ['--update-names', '-n'], kind: 'choice', choices: ['no', 'if-raw', 'always'], example: '--update-names if-raw' },
  { key: 'groups', flags: ['--groups', '-g'], kind: 'boolean' },
  { key: 'lids', flags: ['--lids', '-l'], kind: 'boolean' },
  { key: 'no-attributes', flags: ['--no-attributes', '--na'], kind: 'boolean' },
  { key: 'batch', flags: ['--batch', '-b'], kind: 'integer', example: '--batch 100' },
  { key: 'progress', flags: ['--progress', '-p'], kind: 'integer', example: '--progress 100' },
  { key: 'attempts', flags: ['--attempts', '--at'], kind: 'integer', example: '--attempts 6' },
  { key: 'timeout', flags: ['--timeout', '-t'], kind: 'duration', example: '--timeout 10m' },
  { key: 'delay-contact', flags: ['--delay-contact', '--dc'], kind: 'delay', example: '--delay-contact 0.1s' },
  { key: 'delay-batch', flags: ['--delay-batch', '--db'], kind: 'delay', example: '--delay-batch 1s' },
  HELP_OPTION,
];
