// Turns what an agent typed in ChatWoot into a Command, or into the exact reply that explains the mistake.
//
// Pipeline: normalise Unicode (smart quotes, dashes, spaces) → split into lines (drop code fences, comments come
// later) → decide whether it is a command at all (prefix rule) → tokenize (quotes, escapes, `#` comments,
// markdown) → command and action words → options: a strict pre-scan against the declared flags, then yargs-parser
// for values, aliases and repeats → validation of every value in the order it was typed.
//
// Decisions where the grammar was open:
// - An option may be written with one or two dashes (`-rc` = `--rc`, `-media` = `--media`, `--m` = `-m`):
//   chat editors and habits mix them up and no spelling is ambiguous. Names stay case-sensitive.
// - Short boolean flags can be grouped (`-gm` = `-g -m`, `-fgm`). yargs-parser's own 'short-option-groups' is off:
//   the pre-scan expands groups itself and only when every letter is a boolean flag, so `-b10` is an unknown
//   option rather than a silent batch of 10.
// - A switch given a value (`--media=yes`, `--media yes|no|true|false|on|off`) is an error, not a guess.
// - `--help`/`-h` anywhere wins over every other problem: the agent asked for help.
// - `help` takes one optional command name (`wa/help messages`); `messages help pull` also shows the messages help.
// - A message with more than one line that starts with the prefix is rejected (product page blocks say "send
//   ONE BY ONE"), instead of being read as one long command. Comment lines (`# …`) before the command are
//   skipped when looking for the prefix, so a pasted block that starts with comments is still recognised.
// - Unknown words get a "Did you mean" only when close (see suggest.ts), and a duration typed where the action
//   goes suggests `pull <duration>`.
import yargsParser from 'yargs-parser';
import type { TextKey, Texts } from '../../texts/texts';
import { formatDuration, MAX_TIMER_MS } from '../../common/durations';
import { CONTACTS_LIMITS, defaultContactsOptions, MAX_BATCH_DELAY_MS, MAX_CONTACT_DELAY_MS, MIN_CONTACTS_TIMEOUT_MS, type ContactsOptions } from '../../contacts/contacts-options';
import { defaultPullOptions, PULL_LIMITS, type PullOptions } from '../../pull/pull-options';
import type { QueueTarget } from '../../queue/queue.constants';
import type { Command, ParseResult } from './command.types';
import { parseDuration } from './duration';
import { commandLines, echo, normalizeUnicode, stripLeadingDecoration } from './normalize-text';
import { CONTACTS_OPTION_SPECS, normalizeChat, PULL_OPTION_SPECS, type OptionSpec } from './pull-flags';
import { closest } from './suggest';
import { tokenize } from './tokenize';

export interface ParseContext {
  /** The configured prefix, e.g. `wa/`. */
  prefix: string;
  /** True in the "WhatsApp Integration" conversation, where every message is a command. */
  commandsChat: boolean;
  /** The process's texts (TEXTS_FILE overrides included): every error and usage line is rendered with them. */
  texts: Texts;
  /** How long the typed text was, when `content` is only its start (command jobs keep MAX_COMMAND_LENGTH characters). */
  typedLength?: number;
}

/** The longest command text accepted; command jobs keep no more of a message than this. */
export const MAX_COMMAND_LENGTH = 4000;

const NOT_A_COMMAND: ParseResult = { type: 'not-a-command' };
const COMMANDS = ['messages', 'contacts', 'queue', 'session', 'server', 'help'] as const;
const CONTACTS_ACTIONS = ['pull', 'status', 'stop', 'help'] as const;
const SERVER_ACTIONS = ['status', 'reboot', 'help'] as const;
const MESSAGES_ACTIONS = ['pull', 'status', 'stop', 'help'] as const;
const QUEUE_ACTIONS = ['status', 'start', 'stop', 'retry', 'help'] as const;
const SESSION_ACTIONS = ['status', 'restart', 'start', 'stop', 'logout', 'qr', 'screenshot', 'help'] as const;
/** WAHA's ChatWoot app numbers its session actions: `session 1` is `session status`, and so on. */
const SESSION_NUMBERS: Readonly<Record<string, (typeof SESSION_ACTIONS)[number]>> = {
  '1': 'status',
  '2': 'restart',
  '3': 'start',
  '4': 'stop',
  '5': 'logout',
  '6': 'qr',
  '7': 'screenshot',
};
/** The confirmation of `session stop|logout` and `server reboot`, and the reboot's force (WAHA's app: -f). */
const YES = /^(?:--yes|-y)$/i;
const FORCE = /^(?:--force|-f)$/i;
const QUEUE_TARGETS: Readonly<Record<string, QueueTarget>> = {
  inbox: 'inbox',
  whatsapp: 'whatsapp',
  waha: 'whatsapp',
  all: 'all',
};
const BOOLEAN_WORDS = /^(?:true|false|yes|no|on|off)$/i;

/** yargs-parser's configuration for one command's flags. */
function yargsOptions(specs: readonly OptionSpec[]): yargsParser.Options {
  return {
    boolean: specs.filter((spec) => spec.kind === 'boolean').map((spec) => spec.key),
    string: specs.filter((spec) => spec.kind !== 'boolean').map((spec) => spec.key),
    alias: Object.fromEntries(specs.map((spec) => [spec.key, spec.flags.slice(1).map(flagName)])),
    configuration: {
      'boolean-negation': false, // `--no-dm` is an option of its own, not the negation of `--dm`
      'camel-case-expansion': false,
      'duplicate-arguments-array': true, // a repeat shows up as an array, which we report
      'strip-aliased': false,
      'parse-numbers': false, // every value is validated here, with our own messages
      'parse-positional-numbers': false,
      'short-option-groups': false, // groups are expanded by the pre-scan (boolean flags only)
      'dot-notation': false,
      'populate--': false,
    },
  };
}

const PULL_YARGS = yargsOptions(PULL_OPTION_SPECS);
const CONTACTS_YARGS = yargsOptions(CONTACTS_OPTION_SPECS);

class GrammarError extends Error {}

export function parseCommand(content: string, ctx: ParseContext): ParseResult {
  const texts = ctx.texts;
  const prefix = ctx.prefix;
  const lines = commandLines(normalizeUnicode(typeof content === 'string' ? content : ''));
  // Comment-only lines before the command (`# Send these ONE BY ONE`) do not hide it.
  const firstLine = lines.find((line) => !line.startsWith('#'));
  if (firstLine === undefined) return NOT_A_COMMAND;
  const startsWithPrefix = (line: string): boolean => stripLeadingDecoration(line).startsWith(prefix);
  const hasPrefix = prefix !== '' && startsWithPrefix(firstLine);
  if (!ctx.commandsChat && !hasPrefix) return NOT_A_COMMAND;

  const grammar = new Grammar(texts, prefix);
  try {
    const length = Math.max(content.length, ctx.typedLength ?? 0);
    if (length > MAX_COMMAND_LENGTH) {
      throw grammar.fail('grammar.tooLong', { length, max: MAX_COMMAND_LENGTH }, 'usage.root');
    }
    if (hasPrefix) {
      const count = lines.filter(startsWithPrefix).length;
      if (count > 1) throw grammar.fail('grammar.multipleCommands', { count }, 'usage.root');
    }
    const tokenized = tokenize(lines.join('\n'));
    if (!tokenized.ok) throw grammar.fail('grammar.unterminatedQuote', { quote: tokenized.quote }, 'usage.root');
    let tokens = tokenized.tokens;
    if (hasPrefix && tokens.length > 0) {
      const head = tokens[0].replace(/^[*_~]+/, '');
      if (head.startsWith(prefix)) {
        const rest = head.slice(prefix.length);
        tokens = rest === '' ? tokens.slice(1) : [rest, ...tokens.slice(1)];
      }
    }
    if (tokens.length === 0) return hasPrefix ? grammar.command({ kind: 'help' }, ['help']) : NOT_A_COMMAND;
    return grammar.parse(tokens);
  } catch (error) {
    if (error instanceof GrammarError) return { type: 'error', message: error.message };
    throw error;
  }
}

function flagName(flag: string): string {
  return flag.replace(/^--?/, '');
}

/** A word that is meant as an option: starts with a dash, and is not a (negative) number or duration. */
function isOptionLike(token: string): boolean {
  return token.length > 1 && token.startsWith('-') && !/^-[\d.]/.test(token);
}

function hasHelpFlag(tokens: readonly string[]): boolean {
  const end = tokens.indexOf('--');
  return (end < 0 ? tokens : tokens.slice(0, end)).some((token) => token === '--help' || token === '-h');
}

/** Shell-quotes a word for the normalised command text, when it needs it. */
function quoteWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) && !/^_|_$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

type ScanItem = { kind: 'positional'; value: string } | { kind: 'option'; spec: OptionSpec; flag: string };

class Grammar {
  constructor(
    private readonly texts: Texts,
    private readonly prefix: string,
  ) {}

  fail(key: TextKey, vars: Record<string, unknown>, usage: TextKey): GrammarError {
    return this.failWith(this.texts.render(key, vars), usage);
  }

  failWith(error: string, usage: TextKey): GrammarError {
    const usageLine = this.texts.render(usage, { prefix: this.prefix });
    return new GrammarError(this.texts.render('grammar.reply', { error, usage: usageLine }));
  }

  command(command: Command, words: readonly string[]): ParseResult {
    return { type: 'command', command, text: `${this.prefix}${words.map(quoteWord).join(' ')}` };
  }

  parse(tokens: readonly string[]): ParseResult {
    const [first, ...rest] = tokens;
    const head = first.toLowerCase();
    if (head === 'help' || head === '--help' || head === '-h') return this.help(rest);
    if (head === 'messages') return this.messages(rest);
    if (head === 'contacts') return this.contacts(rest);
    if (head === 'queue' || head === 'q') return this.queue(rest);
    if (head === 'session') return this.session(rest);
    if (head === 'server') return this.server(rest);
    throw this.unknownCommand(first);
  }

  private unknownCommand(word: string): GrammarError {
    return this.fail(
      'grammar.unknownCommand',
      { command: echo(word), suggestion: closest(word, COMMANDS), commands: COMMANDS.join(', ') },
      'usage.root',
    );
  }

  private help(rest: readonly string[]): ParseResult {
    if (rest.length > 1) {
      throw this.fail(
        'grammar.unexpectedArgument',
        { command: `${this.prefix}help`, argument: echo(rest[1]) },
        'usage.root',
      );
    }
    const topic = rest[0]?.toLowerCase();
    if (topic === undefined || topic === 'help') return this.command({ kind: 'help' }, ['help']);
    if (topic === 'messages') return this.command({ kind: 'messages.help' }, ['messages', 'help']);
    if (topic === 'contacts') return this.command({ kind: 'contacts.help' }, ['contacts', 'help']);
    if (topic === 'queue' || topic === 'q') return this.command({ kind: 'queue.help' }, ['queue', 'help']);
    if (topic === 'session') return this.command({ kind: 'session.help' }, ['session', 'help']);
    if (topic === 'server') return this.command({ kind: 'server.help' }, ['server', 'help']);
    throw this.unknownCommand(rest[0]);
  }

  private messages(rest: readonly string[]): ParseResult {
    const name = `${this.prefix}messages`;
    if (rest.length === 0 || hasHelpFlag(rest)) return this.command({ kind: 'messages.help' }, ['messages', 'help']);
    const [word, ...args] = rest;
    if (isOptionLike(word)) {
      throw this.fail(
        'grammar.missingAction',
        { command: name, actions: MESSAGES_ACTIONS.join(', ') },
        'usage.messages',
      );
    }
    const action = word.toLowerCase();
    const words = ['messages', action, ...args];
    switch (action) {
      case 'pull': {
        const options = this.pullOptions(args);
        return options === 'help'
          ? this.command({ kind: 'messages.help' }, words)
          : this.command({ kind: 'messages.pull', options }, words);
      }
      case 'status':
        this.noArguments(`${name} status`, args, [], 'usage.messages');
        return this.command({ kind: 'messages.status' }, words);
      case 'stop':
        this.noArguments(`${name} stop`, args, [], 'usage.messages');
        return this.command({ kind: 'messages.stop' }, words);
      case 'help':
        this.noArguments(`${name} help`, args, ['pull'], 'usage.messages');
        return this.command({ kind: 'messages.help' }, words);
      default: {
        const suggestion = parseDuration(word, { texts: this.texts }).ok
          ? `pull ${word}`
          : closest(word, MESSAGES_ACTIONS);
        throw this.fail(
          'grammar.unknownAction',
          { command: name, action: echo(word), suggestion, actions: MESSAGES_ACTIONS.join(', ') },
          'usage.messages',
        );
      }
    }
  }

  private contacts(rest: readonly string[]): ParseResult {
    const name = `${this.prefix}contacts`;
    if (rest.length === 0 || hasHelpFlag(rest)) return this.command({ kind: 'contacts.help' }, ['contacts', 'help']);
    const [word, ...args] = rest;
    if (isOptionLike(word)) {
      throw this.fail('grammar.missingAction', { command: name, actions: CONTACTS_ACTIONS.join(', ') }, 'usage.contacts');
    }
    const action = word.toLowerCase();
    const words = ['contacts', action, ...args];
    switch (action) {
      case 'pull':
        return this.command({ kind: 'contacts.pull', options: this.contactsOptions(args) }, words);
      case 'status':
      case 'stop':
        this.noArguments(`${name} ${action}`, args, [], 'usage.contacts');
        return this.command({ kind: `contacts.${action}` }, words);
      case 'help':
        this.noArguments(`${name} help`, args, ['pull'], 'usage.contacts');
        return this.command({ kind: 'contacts.help' }, words);
      default:
        throw this.fail(
          'grammar.unknownAction',
          { command: name, action: echo(word), suggestion: closest(word, CONTACTS_ACTIONS), actions: CONTACTS_ACTIONS.join(', ') },
          'usage.contacts',
        );
    }
  }

  private queue(rest: readonly string[]): ParseResult {
    const name = `${this.prefix}queue`;
    if (rest.length === 0 || hasHelpFlag(rest)) return this.command({ kind: 'queue.help' }, ['queue', 'help']);
    const [word, ...args] = rest;
    if (isOptionLike(word)) {
      throw this.fail('grammar.missingAction', { command: name, actions: QUEUE_ACTIONS.join(', ') }, 'usage.queue');
    }
    const action = word.toLowerCase();
    switch (action) {
      case 'help':
        this.noArguments(`${name} help`, args, [], 'usage.queue');
        return this.command({ kind: 'queue.help' }, ['queue', 'help']);
      case 'status':
      case 'start':
      case 'stop':
      case 'retry': {
        const command = `${name} ${action}`;
        const option = args.find(isOptionLike);
        if (option !== undefined)
          throw this.fail('grammar.noOptions', { command, option: echo(option) }, 'usage.queue');
        if (args.length > 1) {
          throw this.fail('grammar.unexpectedArgument', { command, argument: echo(args[1]) }, 'usage.queue');
        }
        const typed = args[0];
        const target = typed === undefined ? 'all' : QUEUE_TARGETS[typed.toLowerCase()];
        if (target === undefined) throw this.fail('queue.unknownTarget', { target: echo(typed) }, 'usage.queue');
        const kind = `queue.${action}` as const;
        return this.command({ kind, target }, ['queue', action, ...(typed === undefined ? [] : [typed.toLowerCase()])]);
      }
      default:
        throw this.fail(
          'grammar.unknownAction',
          {
            command: name,
            action: echo(word),
            suggestion: closest(word, QUEUE_ACTIONS),
            actions: QUEUE_ACTIONS.join(', '),
          },
          'usage.queue',
        );
    }
  }

  private session(rest: readonly string[]): ParseResult {
    const name = `${this.prefix}session`;
    if (rest.length === 0 || hasHelpFlag(rest)) return this.command({ kind: 'session.help' }, ['session', 'help']);
    const [word, ...args] = rest;
    if (isOptionLike(word)) {
      throw this.fail('grammar.missingAction', { command: name, actions: SESSION_ACTIONS.join(', ') }, 'usage.session');
    }
    const action = SESSION_NUMBERS[word] ?? word.toLowerCase();
    const command = `${name} ${action}`;
    switch (action) {
      case 'stop':
      case 'logout': {
        const { yes } = this.switches(command, args, { yes: YES }, 'usage.session');
        return this.command({ kind: `session.${action}`, confirmed: yes }, ['session', action, ...(yes ? ['--yes'] : [])]);
      }
      case 'status':
      case 'restart':
      case 'start':
      case 'qr':
      case 'screenshot':
        this.noArguments(command, args, [], 'usage.session');
        return this.command({ kind: `session.${action}` }, ['session', action]);
      case 'help':
        this.noArguments(command, args, [], 'usage.session');
        return this.command({ kind: 'session.help' }, ['session', 'help']);
      default:
        throw this.fail(
          'grammar.unknownAction',
          { command: name, action: echo(word), suggestion: closest(word, SESSION_ACTIONS), actions: SESSION_ACTIONS.join(', ') },
          'usage.session',
        );
    }
  }

  private server(rest: readonly string[]): ParseResult {
    const name = `${this.prefix}server`;
    if (rest.length === 0 || hasHelpFlag(rest)) return this.command({ kind: 'server.help' }, ['server', 'help']);
    const [word, ...args] = rest;
    if (isOptionLike(word)) {
      throw this.fail('grammar.missingAction', { command: name, actions: SERVER_ACTIONS.join(', ') }, 'usage.server');
    }
    const action = word.toLowerCase();
    const command = `${name} ${action}`;
    switch (action) {
      case 'reboot': {
        const { force, yes } = this.switches(command, args, { force: FORCE, yes: YES }, 'usage.server');
        const words = ['server', 'reboot', ...(force ? ['--force'] : []), ...(yes ? ['--yes'] : [])];
        return this.command({ kind: 'server.reboot', force, confirmed: yes }, words);
      }
      case 'status':
      case 'help':
        this.noArguments(command, args, [], 'usage.server');
        return this.command({ kind: `server.${action}` }, ['server', action]);
      default:
        throw this.fail(
          'grammar.unknownAction',
          { command: name, action: echo(word), suggestion: closest(word, SERVER_ACTIONS), actions: SERVER_ACTIONS.join(', ') },
          'usage.server',
        );
    }
  }

  /** Which of the `known` switches were given; anything else after the action is an error (as `noArguments`). */
  private switches<K extends string>(command: string, args: readonly string[], known: Record<K, RegExp>, usage: TextKey): Record<K, boolean> {
    const patterns = Object.values<RegExp>(known);
    this.noArguments(command, args.filter((arg) => !patterns.some((pattern) => pattern.test(arg))), [], usage);
    const given = {} as Record<K, boolean>;
    for (const name of Object.keys(known) as K[]) given[name] = args.some((arg) => known[name].test(arg));
    return given;
  }

  /** For actions that take nothing: any option or word (other than `allowed`) is an error. */
  private noArguments(command: string, args: readonly string[], allowed: readonly string[], usage: TextKey): void {
    const option = args.find(isOptionLike);
    if (option !== undefined) throw this.fail('grammar.noOptions', { command, option: echo(option) }, usage);
    const extra = args.find((arg) => !allowed.includes(arg.toLowerCase()));
    if (extra !== undefined) throw this.fail('grammar.unexpectedArgument', { command, argument: echo(extra) }, usage);
  }

  // ── messages pull ────────────────────────────────────────────────────────────────────────────────────────────────

  /** The options of `messages pull`, or 'help' when `--help` is among them. */
  private pullOptions(args: readonly string[]): PullOptions | 'help' {
    const { items, argv } = this.scanArguments(args, PULL_OPTION_SPECS, 'usage.pull');
    const parsed = yargsParser(argv, PULL_YARGS);
    if (parsed.help === true) return 'help';

    for (const spec of PULL_OPTION_SPECS) {
      if (spec.kind !== 'boolean' && Array.isArray(parsed[spec.key])) {
        throw this.fail('grammar.repeatedOption', { option: spec.flags[0] }, 'usage.pull');
      }
    }

    const options = defaultPullOptions();
    const durations: number[] = [];
    const seen = new Set<string>();
    for (const item of items) {
      if (item.kind === 'positional') {
        const duration = parseDuration(item.value, { texts: this.texts });
        if (!duration.ok) throw this.failWith(duration.error, 'usage.pull');
        durations.push(duration.ms);
        if (durations.length > 2) {
          throw this.fail('grammar.tooManyDurations', { value: echo(item.value) }, 'usage.pull');
        }
      } else if (item.spec.kind !== 'boolean' && !seen.has(item.spec.key)) {
        seen.add(item.spec.key);
        const value: unknown = parsed[item.spec.key];
        this.applyValue(options, item.spec, typeof value === 'string' ? value : '');
      }
    }

    // A repeated switch stays `true` in yargs-parser (no array), so repeats are harmless.
    const on = (key: string): boolean => parsed[key] === true;
    options.force = on('force');
    options.include = {
      dm: !on('no-dm'),
      groups: on('groups'),
      channels: on('channels'),
      status: on('status'),
      broadcast: on('broadcast'),
    };
    options.media = on('media');
    options.pause = on('pause');
    options.resolveConversations = on('resolve-conversations');
    options.dryRun = on('dry-run');

    if (durations.length > 0) {
      const [a, b = 0] = durations;
      if (a === b) {
        throw this.fail('grammar.emptyWindow', { start: formatDuration(a), end: formatDuration(b) }, 'usage.pull');
      }
      options.window = { startAgoMs: Math.max(a, b), endAgoMs: Math.min(a, b) };
    }
    return options;
  }

  /**
   * Checks every word against the declared flags and rewrites the options as `--name` / `--name=value` for
   * yargs-parser, so a value that starts with a dash (`--batch -1`, `--timeout -5m`) is never mistaken for a flag.
   * Positionals are passed after `--` so yargs-parser leaves them alone.
   */
  private scanArguments(args: readonly string[], specs: readonly OptionSpec[], usage: TextKey): { items: ScanItem[]; argv: string[] } {
    const items: ScanItem[] = [];
    const flags: string[] = [];
    let endOfOptions = false;
    for (let i = 0; i < args.length; i++) {
      const token = args[i];
      if (endOfOptions || !isOptionLike(token)) {
        items.push({ kind: 'positional', value: token });
        continue;
      }
      if (token === '--') {
        endOfOptions = true;
        continue;
      }
      const eq = token.indexOf('=');
      const flag = eq < 0 ? token : token.slice(0, eq);
      const inline = eq < 0 ? undefined : token.slice(eq + 1);
      for (const spec of this.resolveFlag(flag, specs, usage)) {
        if (spec.kind === 'boolean') {
          const next = args[i + 1];
          if (inline !== undefined)
            throw this.fail('grammar.optionTakesNoValue', { option: flag, value: echo(inline) }, usage);
          if (next !== undefined && BOOLEAN_WORDS.test(next)) {
            throw this.fail('grammar.optionTakesNoValue', { option: flag, value: echo(next) }, usage);
          }
          flags.push(`--${spec.key}`);
          items.push({ kind: 'option', spec, flag });
          continue;
        }
        let value = inline;
        if (value === undefined) {
          const next = args[i + 1];
          if (next !== undefined && !isOptionLike(next)) {
            value = next;
            i++;
          }
        }
        if ((value === undefined || value === '') && spec.preset !== undefined) value = spec.preset;
        if (value === undefined || value === '') {
          throw this.fail('grammar.optionNeedsValue', { option: flag, example: spec.example }, usage);
        }
        flags.push(`--${flagName(flag)}=${value}`);
        items.push({ kind: 'option', spec, flag });
      }
    }
    const positionals = items.flatMap((item) => (item.kind === 'positional' ? [item.value] : []));
    return { items, argv: [...flags, '--', ...positionals] };
  }

  /** The option(s) a typed flag stands for: one, or several for a group of short switches (`-gm`). */
  private resolveFlag(flag: string, specs: readonly OptionSpec[], usage: TextKey): OptionSpec[] {
    const name = flagName(flag);
    const exact = specs.find((spec) => spec.flags.some((f) => flagName(f) === name));
    if (exact) return [exact];
    if (/^-[^-]{2,}$/.test(flag)) {
      const group = [...name].map((letter) => specs.find((spec) => spec.flags.includes(`-${letter}`)));
      if (group.every((spec): spec is OptionSpec => spec?.kind === 'boolean')) return group;
    }
    const names = specs.flatMap((spec) => spec.flags.map(flagName));
    const match = closest(name, names);
    const suggestion = match && specs.flatMap((spec) => spec.flags).find((f) => flagName(f) === match);
    throw this.fail('grammar.unknownOption', { option: echo(flag), suggestion }, usage);
  }

  /** A whole number within `limits`; 0 too where `zero` allows it (progress reports off). */
  private integer(value: string, option: string, limits: { min: number; max: number }, zero: boolean, usage: TextKey): number {
    const number = /^\+?\d+$/.test(value) ? Number(value) : NaN;
    if (zero && number === 0) return 0;
    if (!(number >= limits.min && number <= limits.max)) {
      throw this.fail(zero ? 'grammar.invalidProgress' : 'grammar.invalidNumber', { value: echo(value), option, min: limits.min, max: limits.max }, usage);
    }
    return number;
  }

  // ── contacts pull ───────────────────────────────────────────────────────────────────────────────────────────────

  private contactsOptions(args: readonly string[]): ContactsOptions {
    const usage: TextKey = 'usage.contacts';
    const { items, argv } = this.scanArguments(args, CONTACTS_OPTION_SPECS, usage);
    const parsed = yargsParser(argv, CONTACTS_YARGS);
    for (const spec of CONTACTS_OPTION_SPECS) {
      if (spec.kind !== 'boolean' && Array.isArray(parsed[spec.key])) throw this.fail('grammar.repeatedOption', { option: spec.flags[0] }, usage);
    }
    const options = defaultContactsOptions();
    const seen = new Set<string>();
    for (const item of items) {
      if (item.kind === 'positional') {
        throw this.fail('grammar.unexpectedArgument', { command: `${this.prefix}contacts pull`, argument: echo(item.value) }, usage);
      }
      if (item.spec.kind === 'boolean' || seen.has(item.spec.key)) continue;
      seen.add(item.spec.key);
      const raw: unknown = parsed[item.spec.key];
      const value = typeof raw === 'string' ? raw : '';
      const option = item.spec.flags[0];
      switch (item.spec.key) {
        case 'avatar':
        case 'update-names': {
          const choice = value.toLowerCase();
          const choices = item.spec.choices ?? [];
          if (!choices.includes(choice)) throw this.fail('grammar.invalidChoice', { option, value: echo(value), choices: choices.map((c) => `\`${c}\``).join(' or ') }, usage);
          if (item.spec.key === 'avatar') options.avatar = choice as ContactsOptions['avatar'];
          else options.updateNames = choice as ContactsOptions['updateNames'];
          break;
        }
        case 'batch':
        case 'attempts':
          options[item.spec.key] = this.integer(value, option, CONTACTS_LIMITS[item.spec.key], false, usage);
          break;
        case 'progress':
          options.progress = this.integer(value, option, CONTACTS_LIMITS.progress, true, usage);
          break;
        case 'timeout': {
          const duration = parseDuration(value, { option, texts: this.texts });
          if (!duration.ok) throw this.failWith(duration.error, usage);
          if (duration.ms < MIN_CONTACTS_TIMEOUT_MS) throw this.fail('grammar.timeoutTooShort', { value: echo(value), option, min: formatDuration(MIN_CONTACTS_TIMEOUT_MS) }, usage);
          if (duration.ms > MAX_TIMER_MS) throw this.fail('duration.tooLong', { value: echo(value), option, max: formatDuration(MAX_TIMER_MS) }, usage);
          options.timeoutMs = duration.ms;
          break;
        }
        case 'delay-contact':
        case 'delay-batch': {
          const max = item.spec.key === 'delay-contact' ? MAX_CONTACT_DELAY_MS : MAX_BATCH_DELAY_MS;
          const duration = /^0+(?:\.0+)?$/.test(value) ? { ok: true as const, ms: 0 } : parseDuration(value, { option, texts: this.texts });
          if (!duration.ok || duration.ms > max) throw this.fail('grammar.invalidDelay', { value: echo(value), option, max: formatDuration(max) }, usage);
          if (item.spec.key === 'delay-contact') options.delayContactMs = duration.ms;
          else options.delayBatchMs = duration.ms;
          break;
        }
      }
    }
    const on = (key: string): boolean => parsed[key] === true;
    options.groups = on('groups');
    options.lids = on('lids');
    options.attributes = !on('no-attributes');
    return options;
  }

  private applyValue(options: PullOptions, spec: OptionSpec, value: string): void {
    const option = spec.flags[0];
    switch (spec.kind) {
      case 'chat': {
        const chat = normalizeChat(value);
        if (chat === undefined) throw this.fail('grammar.invalidChat', { value: echo(value), option }, 'usage.pull');
        options.chat = chat;
        return;
      }
      case 'integer': {
        const key = spec.key as keyof typeof PULL_LIMITS;
        options[key] = this.integer(value, option, PULL_LIMITS[key], key === 'progress', 'usage.pull');
        return;
      }
      case 'duration': {
        const duration = parseDuration(value, { option, texts: this.texts });
        if (!duration.ok) throw this.failWith(duration.error, 'usage.pull');
        if (duration.ms <= 0) throw this.fail('duration.notPositive', { value: echo(value), option }, 'usage.pull');
        if (duration.ms > MAX_TIMER_MS) throw this.fail('duration.tooLong', { value: echo(value), option, max: formatDuration(MAX_TIMER_MS) }, 'usage.pull');
        if (spec.key === 'timeout') options.timeoutMs = duration.ms;
        else options.timeoutMediaMs = duration.ms;
        return;
      }
      case 'boolean':
      case 'delay':
      case 'choice':
        return;
    }
  }
}
