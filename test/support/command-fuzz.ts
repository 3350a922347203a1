/**
 * Generated command strings for the command fuzz suite: a seeded mix of the grammar's own words (actions, options,
 * values, durations) and what chat editors and careless typing add (unicode, control characters, quotes, markdown,
 * several lines, very long text). Same seed → same strings, so a failing run can be replayed.
 */
import { parseCommand } from '../../src/commands/grammar/parse-command';
import { Texts } from '../../src/texts/texts';
import type { Command } from '../../src/commands/grammar/command.types';
import { mulberry32 } from '../../simulators/waha/waha-random';

const TEXTS = Texts.load();

export type Classified =
  | { kind: 'ignored' }
  | { kind: 'error'; message: string }
  | { kind: 'command'; command: Command }
  | { kind: 'throws'; error: string };

/** What the grammar makes of a string typed in the WhatsApp Integration conversation. */
export function classify(text: string, prefix = 'wa/'): Classified {
  try {
    const parsed = parseCommand(text, { prefix, commandsChat: true, texts: TEXTS });
    if (parsed.type === 'not-a-command') return { kind: 'ignored' };
    if (parsed.type === 'error') return { kind: 'error', message: parsed.message };
    return { kind: 'command', command: parsed.command };
  } catch (error) {
    return { kind: 'throws', error: error instanceof Error ? error.message : String(error) };
  }
}

const PREFIXES = [
  'wa/',
  'wa/',
  'wa/',
  'wa/',
  '',
  '',
  'WA/',
  'wa /',
  '/wa',
  'wa//',
  '**wa/',
  '`wa/',
  '> wa/',
  '  wa/',
  '_wa/',
];
const COMMANDS = [
  'messages',
  'messages',
  'messages',
  'queue',
  'queue',
  'help',
  'q',
  'message',
  'msgs',
  'MESSAGES',
  'Messages',
  'mesages',
  'queues',
  'hlep',
  '',
];
const ACTIONS = [
  'pull',
  'pull',
  'pull',
  'status',
  'stop',
  'help',
  'start',
  'pul',
  'PULL',
  'stats',
  'resume',
  'pause',
  'halt',
  '10d',
  '--help',
  '-h',
  'inbox',
  '',
];
const FLAGS = [
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
  '--help',
  // near misses and odd spellings
  '--medai',
  '--grups',
  '-x',
  '--',
  '-',
  '---media',
  '--no-dms',
  '--chat=',
  '--batch=',
  '-gm',
  '-fgm',
  '-b10',
  '--rc=yes',
  '--MEDIA',
  '—media',
  '–groups',
  '--dry_run',
  '--dryrun',
  '-rc',
  '-media',
  '--m',
  '--batch=50',
  '--timeout=5m',
  '--dm',
];
const VALUES = [
  '0',
  '1',
  '-1',
  '50',
  '1000',
  '1001',
  '1e3',
  '0x10',
  'abc',
  '1d',
  '5x',
  '6mo',
  '6M',
  '-5d',
  '1.5h',
  '100y',
  '30d',
  '20d',
  '12',
  '2w',
  '0d',
  '10days',
  '1y',
  'all',
  '12025550101@c.us',
  'xyz',
  '"+1 202 555 0101"',
  '123456789@g.us',
  'yes',
  'no',
  'true',
  'off',
  'inbox',
  'whatsapp',
  'waha',
  'everything',
  'NaN',
  'Infinity',
  '9'.repeat(30),
  '1d1h',
  '1 d',
];
/** Words the grammar accepts, so that some strings are valid commands (or fail only late, in validation). */
const PLAUSIBLE = {
  prefixes: ['wa/', ''],
  commands: ['messages', 'messages', 'queue', 'help', 'q'],
  actions: ['pull', 'pull', 'pull', 'status', 'stop', 'help', 'status inbox', 'status whatsapp', 'help messages'],
  tokens: [
    '1d',
    '2d',
    '30d 20d',
    '12h',
    '0',
    '--media',
    '--groups',
    '-g',
    '--nd',
    '--dry-run',
    '--dry-run',
    '--force',
    '--rc',
    '--batch 50',
    '-b 1000',
    '--progress 0',
    '--attempts 3',
    '--timeout 5m',
    '--tm 10s',
    '--chat all',
    '-c 12025550101@c.us',
    '-gm',
    '--channels',
    '--status',
    '--bc',
    '--pause',
    '--help',
  ],
};
const SEPARATORS = [' ', ' ', ' ', '  ', '\t', '\n', ' \\\n', '\u00A0', '\u3000', ' \u200B'];
const QUOTES = ['"', "'", '`', '“', '”', '‘', '’', '«', '»', '\\', '#', ' # note', '```', '**', '__', '~~', '> '];
const UNICODE_RANGES: Array<[number, number]> = [
  [0x0400, 0x04ff], // Cyrillic
  [0x0600, 0x06ff], // Arabic (right to left)
  [0x4e00, 0x9fff], // CJK
  [0x1f300, 0x1f64f], // emoji
  [0x0300, 0x036f], // combining marks
  [0x200b, 0x200f], // zero-width and direction marks
  [0x2028, 0x202e], // line/paragraph separators, bidi overrides
  [0xe000, 0xe0ff], // private use (the tokenizer's placeholders)
  [0xd800, 0xdfff], // lone surrogates
  [0xff01, 0xff5e], // full-width ASCII
];
const CONTROL = [
  ...Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)),
  '\u007f',
  '\u0085',
  '\u2028',
  '\u2029',
];

export class CommandFuzzer {
  private readonly rnd: () => number;

  constructor(readonly seed: number) {
    this.rnd = mulberry32(seed);
  }

  private chance(p: number): boolean {
    return this.rnd() < p;
  }

  private int(min: number, max: number): number {
    return min + Math.floor(this.rnd() * (max - min + 1));
  }

  private pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.rnd() * items.length)];
  }

  private unicodeChar(): string {
    const [lo, hi] = this.pick(UNICODE_RANGES);
    return String.fromCodePoint(this.int(lo, hi));
  }

  private noise(length: number): string {
    let text = '';
    while (text.length < length) {
      const r = this.rnd();
      if (r < 0.35) text += this.unicodeChar();
      else if (r < 0.55) text += this.pick(CONTROL);
      else if (r < 0.7) text += this.pick(QUOTES);
      else text += String.fromCharCode(this.int(0x20, 0x7e));
    }
    return text;
  }

  private token(): string {
    const r = this.rnd();
    if (r < 0.4) return this.pick(FLAGS);
    if (r < 0.75) return this.pick(VALUES);
    if (r < 0.85) return this.noise(this.int(1, 6));
    if (r < 0.92) return this.pick(QUOTES) + this.pick(VALUES) + (this.chance(0.5) ? this.pick(QUOTES) : '');
    return this.pick(VALUES) + this.noise(1);
  }

  private structured(): string {
    const words = [this.pick(PREFIXES) + this.pick(COMMANDS), this.pick(ACTIONS)];
    const extra = this.int(0, 6);
    for (let i = 0; i < extra; i++) words.push(this.token());
    let text = words[0];
    for (const word of words.slice(1)) text += this.pick(SEPARATORS) + word;
    if (this.chance(0.1)) text = this.pick(QUOTES) + text;
    if (this.chance(0.1)) text += this.pick(QUOTES);
    return text;
  }

  private plausible(): string {
    const words = [this.pick(PLAUSIBLE.prefixes) + this.pick(PLAUSIBLE.commands), this.pick(PLAUSIBLE.actions)];
    const extra = this.int(0, 3);
    for (let i = 0; i < extra; i++) words.push(this.pick(PLAUSIBLE.tokens));
    return words.join(this.chance(0.8) ? ' ' : '\n');
  }

  private candidate(): string {
    const r = this.rnd();
    if (r < 0.2) return this.plausible();
    if (r < 0.6) return this.structured();
    if (r < 0.72) return this.noise(this.int(1, 60));
    if (r < 0.8) {
      // very long: near and beyond the 4000-character limit, or far beyond it
      const target = this.pick([1000, 3999, 4000, 4001, 5000, 20_000, 60_000]);
      const head = this.structured();
      const filler = this.chance(0.5)
        ? 'x'.repeat(Math.max(0, target - head.length - 1))
        : this.noise(Math.max(0, target - head.length - 1));
      return `${head} ${filler}`.slice(0, target);
    }
    if (r < 0.9) {
      // several lines: two commands, comments before one, a code fence around one
      const style = this.int(0, 2);
      if (style === 0) return `${this.structured()}\n${this.structured()}`;
      if (style === 1) return `# ${this.noise(this.int(0, 20))}\n${this.structured()}`;
      return `\`\`\`\n${this.structured()}\n\`\`\``;
    }
    return this.pick([
      ' ',
      '\n',
      '\t \n',
      '#',
      '# only a comment',
      '```\n```',
      '\u200B',
      '\\',
      'wa/',
      '**wa/**',
      '\u0000',
      '\r\n\r\n',
      '  # wa/messages pull',
    ]);
  }

  /**
   * One string. Valid pulls are kept only now and then (each one that starts is a real import), and commands
   * with a global side effect on the live queues (`queue stop|start`, `pull --pause`) never: they are covered by
   * their own tests and would leave the queues paused for whatever runs next.
   */
  next(): string {
    for (;;) {
      const text = this.candidate();
      const parsed = classify(text);
      if (parsed.kind !== 'command') return text;
      const { command } = parsed;
      if (command.kind === 'queue.stop' || command.kind === 'queue.start') continue;
      if (command.kind === 'messages.pull' && (command.options.pause || !this.chance(0.3))) continue;
      return text;
    }
  }

  take(count: number): string[] {
    return Array.from({ length: count }, () => this.next());
  }
}
