import type { ContactsOptions } from '../../contacts/contacts-options';
import type { PullOptions } from '../../pull/pull-options';
import type { Command, ParseResult } from './command.types';
import { Texts } from '../../texts/texts';
import { parseCommand } from './parse-command';

const texts = Texts.load();

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const YEAR = 365.25 * DAY;

// Written out here on purpose (not imported) so a changed default shows up as a failing test.
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
  timeoutMs: 10 * MINUTE,
  timeoutMediaMs: 30 * SECOND,
  dryRun: false,
};

type PullOverrides = Partial<Omit<PullOptions, 'include'>> & { include?: Partial<PullOptions['include']> };

// WAHA's app's defaults (program.contacts.ts), written out for the same reason.
const CONTACTS_DEFAULTS: ContactsOptions = {
  avatar: 'no',
  updateNames: 'no',
  groups: false,
  lids: false,
  attributes: true,
  batch: 100,
  progress: 100,
  attempts: 6,
  timeoutMs: 600_000,
  delayContactMs: 100,
  delayBatchMs: 1_000,
};

function contacts(overrides: Partial<ContactsOptions> = {}): ContactsOptions {
  return { ...CONTACTS_DEFAULTS, ...overrides };
}

function pull(overrides: PullOverrides = {}): Command {
  const { include, ...rest } = overrides;
  return { kind: 'messages.pull', options: { ...DEFAULTS, ...rest, include: { ...DEFAULTS.include, ...include } } };
}

const window = (startAgoMs: number, endAgoMs = 0): Pick<PullOptions, 'window'> => ({
  window: { startAgoMs, endAgoMs },
});

const PULL_USAGE = 'Usage: `wa/messages pull [start] [end] [options]` (send `wa/messages help` for all options)';
const MESSAGES_USAGE = 'Usage: `wa/messages pull|status|stop|help` (send `wa/messages help` for all options)';
const QUEUE_USAGE = 'Usage: `wa/queue status|start|stop|retry [inbox|whatsapp|all]` (send `wa/queue help` for details)';
const SESSION_USAGE = 'Usage: `wa/session status|start|stop|restart|logout|qr|screenshot` (send `wa/session help` for details)';
const SERVER_USAGE = 'Usage: `wa/server status|reboot [--force] --yes` (send `wa/server help` for details)';
const CONTACTS_USAGE = 'Usage: `wa/contacts pull [options]|status|stop` (send `wa/contacts help` for all options)';
const ROOT_USAGE = 'Usage: `wa/messages …`, `wa/contacts …`, `wa/queue …`, `wa/session …` or `wa/server …` (send `wa/help` for the list)';

type Expected = Command | 'not-a-command' | { error: string } | { errorStartsWith: string };
type Where = 'customer' | 'commands';

const error = (line: string, usage = PULL_USAGE): Expected => ({ error: `${line}\n${usage}` });

const FULL_OPTIONS_BLOCK = `wa/messages pull
  --chat all
  --force
  --no-dm
  --groups
  --channels
  --status
  --broadcast
  --media
  --pause
  --resolve-conversations
  --batch 100
  --progress 100
  --attempts 6
  --timeout 10m
  --timeout-media 30s`;

const DEFAULT_WINDOW_BLOCK = `wa/messages pull 
# The same as 
wa/messages pull 1d
# The same as 
wa/messages pull 1d 0d`;

const BATCH_SEQUENCE_BLOCK = `#
# Send below commands ONE BY ONE
#
wa/messages pull 30d 20d
wa/messages pull 20d 10d
wa/messages pull 10d 0d # You can omit the last 0d`;

const CASES: [title: string, input: string, where: Where, expected: Expected][] = [
  // ── Every example of the product page ────────────────────────────────────────────────────────────────────────────
  ['page: help', 'wa/messages help', 'customer', { kind: 'messages.help' }],
  ['page: status', 'wa/messages status', 'customer', { kind: 'messages.status' }],
  ['page: start pull', 'wa/messages pull', 'customer', pull()],
  ['page: default window with a trailing space', 'wa/messages pull ', 'customer', pull()],
  ['page: pull 1d', 'wa/messages pull 1d', 'customer', pull()],
  ['page: pull 1d 0d', 'wa/messages pull 1d 0d', 'customer', pull()],
  ['page: 1 day with media', 'wa/messages pull 1d --force --media', 'customer', pull({ force: true, media: true })],
  ['page: force 1 day', 'wa/messages pull 1d --force', 'customer', pull({ force: true })],
  ['page: ten days', 'wa/messages pull 10d', 'customer', pull(window(10 * DAY))],
  ['page: ten days to now', 'wa/messages pull 10d 0d', 'customer', pull(window(10 * DAY))],
  ['page: older slice 30d 20d', 'wa/messages pull 30d 20d', 'customer', pull(window(30 * DAY, 20 * DAY))],
  ['page: older slice 20d 10d', 'wa/messages pull 20d 10d', 'customer', pull(window(20 * DAY, 10 * DAY))],
  ['page: commented example', 'wa/messages pull 10d 0d # You can omit the last 0d', 'customer', pull(window(10 * DAY))],
  ['page: commented-out --force', 'wa/messages pull 10d # --force', 'customer', pull(window(10 * DAY))],
  ['page: queue stop', 'wa/queue stop', 'customer', { kind: 'queue.stop', target: 'all' }],
  ['page: queue status', 'wa/queue status', 'customer', { kind: 'queue.status', target: 'all' }],
  ['page: queue start', 'wa/queue start', 'customer', { kind: 'queue.start', target: 'all' }],
  [
    'page: one year, resolve',
    'wa/messages pull 1y --rc',
    'customer',
    pull({ ...window(YEAR), resolveConversations: true }),
  ],
  [
    'page: auto pause',
    'wa/messages pull 1y --rc --pause',
    'customer',
    pull({ ...window(YEAR), resolveConversations: true, pause: true }),
  ],
  ['page: auto resolve', 'wa/messages pull --resolve-conversations', 'customer', pull({ resolveConversations: true })],
  ['page: include media', 'wa/messages pull --media', 'customer', pull({ media: true })],
  [
    'page: other chats',
    'wa/messages pull --groups --channels --status --broadcast',
    'customer',
    pull({ include: { groups: true, channels: true, status: true, broadcast: true } }),
  ],
  [
    'page: groups only',
    'wa/messages pull --no-dm --groups',
    'customer',
    pull({ include: { dm: false, groups: true } }),
  ],
  [
    'page: the "Full options" block as written',
    FULL_OPTIONS_BLOCK,
    'customer',
    pull({
      force: true,
      include: { dm: false, groups: true, channels: true, status: true, broadcast: true },
      media: true,
      pause: true,
      resolveConversations: true,
      progress: 100,
    }),
  ],
  [
    'page: the "Default Window" block pasted whole',
    DEFAULT_WINDOW_BLOCK,
    'customer',
    error('This message holds 3 commands: send them one message at a time.', ROOT_USAGE),
  ],
  [
    'page: the "Batch Pull Sequence" block pasted whole',
    BATCH_SEQUENCE_BLOCK,
    'commands',
    error('This message holds 3 commands: send them one message at a time.', ROOT_USAGE),
  ],
  [
    'page: the syntax line typed literally',
    'wa/messages pull [start] [end]',
    'customer',
    error('Invalid duration "[start]": use a number with s, m, h, d, w or y, like 12h or 30d'),
  ],

  // ── Every alias ──────────────────────────────────────────────────────────────────────────────────────────────────
  ['alias -c', 'wa/messages pull -c 12025550101@c.us', 'customer', pull({ chat: '12025550101@c.us' })],
  ['alias --chat with a lid', 'wa/messages pull --chat 123456@lid', 'customer', pull({ chat: '123456@lid' })],
  ['alias -f', 'wa/messages pull -f', 'customer', pull({ force: true })],
  ['alias --nd', 'wa/messages pull --nd -g', 'customer', pull({ include: { dm: false, groups: true } })],
  ['alias -g', 'wa/messages pull -g', 'customer', pull({ include: { groups: true } })],
  ['alias --ch', 'wa/messages pull --ch', 'customer', pull({ include: { channels: true } })],
  ['alias -s', 'wa/messages pull -s', 'customer', pull({ include: { status: true } })],
  ['alias --bc', 'wa/messages pull --bc', 'customer', pull({ include: { broadcast: true } })],
  ['alias -m', 'wa/messages pull -m', 'customer', pull({ media: true })],
  ['alias -b', 'wa/messages pull -b 50', 'customer', pull({ batch: 50 })],
  ['--batch at its maximum', 'wa/messages pull --batch 1000', 'customer', pull({ batch: 1000 })],
  ['alias -p, 0 turns progress off', 'wa/messages pull -p 0', 'customer', pull({ progress: 0 })],
  ['alias --at', 'wa/messages pull --at 3', 'customer', pull({ attempts: 3 })],
  ['--attempts at its maximum', 'wa/messages pull --attempts 50', 'customer', pull({ attempts: 50 })],
  ['alias -t', 'wa/messages pull -t 1h', 'customer', pull({ timeoutMs: HOUR })],
  ['--timeout in seconds', 'wa/messages pull --timeout 90s', 'customer', pull({ timeoutMs: 90 * SECOND })],
  ['alias --tm', 'wa/messages pull --tm 2m', 'customer', pull({ timeoutMediaMs: 2 * MINUTE })],
  ['--timeout-media', 'wa/messages pull --timeout-media 45s', 'customer', pull({ timeoutMediaMs: 45 * SECOND })],
  ['--dry-run', 'wa/messages pull 30d --dry-run', 'customer', pull({ ...window(30 * DAY), dryRun: true })],
  ['alias -h', 'wa/messages pull -h', 'customer', { kind: 'messages.help' }],
  ['--help after options', 'wa/messages pull 10d --media --help', 'customer', { kind: 'messages.help' }],
  ['--help wins over a mistake', 'wa/messages pull --medias --help', 'customer', { kind: 'messages.help' }],

  // ── Spelling variants we accept ──────────────────────────────────────────────────────────────────────────────────
  ['grouped short switches', 'wa/messages pull -gm', 'customer', pull({ include: { groups: true }, media: true })],
  [
    'a longer group',
    'wa/messages pull -fgms',
    'customer',
    pull({ force: true, include: { groups: true, status: true }, media: true }),
  ],
  ['a long alias with one dash', 'wa/messages pull -rc', 'customer', pull({ resolveConversations: true })],
  [
    'an inline value',
    'wa/messages pull --batch=200 --chat=123@g.us',
    'customer',
    pull({ batch: 200, chat: '123@g.us' }),
  ],
  ['a repeated switch is harmless', 'wa/messages pull --media -m --media', 'customer', pull({ media: true })],
  ['order of durations does not matter', 'wa/messages pull 0d 1d', 'customer', pull()],
  ['a plain 0 means now', 'wa/messages pull 0 10d', 'customer', pull(window(10 * DAY))],
  ['hours and weeks', 'wa/messages pull 2w 12h', 'customer', pull(window(14 * DAY, 12 * HOUR))],
  ['upper-case unit letters', 'wa/messages pull 10D', 'customer', pull(window(10 * DAY))],
  ['command and action in any case', 'wa/Messages PULL 10d', 'customer', pull(window(10 * DAY))],
  [
    'options between durations',
    'wa/messages pull 30d --media 20d',
    'customer',
    pull({ ...window(30 * DAY, 20 * DAY), media: true }),
  ],

  // ── Canned responses and markdown ────────────────────────────────────────────────────────────────────────────────
  [
    'a canned response with bold and indentation',
    '**wa/messages pull 30d**\n    --media\n    --groups',
    'customer',
    pull({ ...window(30 * DAY), media: true, include: { groups: true } }),
  ],
  ['inline code', '`wa/messages pull 10d --media`', 'customer', pull({ ...window(10 * DAY), media: true })],
  ['the prefix in backticks only', '`wa/messages` pull', 'customer', pull()],
  [
    'a fenced code block',
    '```bash\nwa/messages pull 10d\n  --media\n```',
    'customer',
    pull({ ...window(10 * DAY), media: true }),
  ],
  ['bold options', 'wa/messages pull **--media** __--force__', 'customer', pull({ media: true, force: true })],
  ['italic command', '_wa/messages pull 1d_', 'customer', pull()],
  ['strikethrough is only unwrapped', 'wa/messages pull ~~--force~~', 'customer', pull({ force: true })],
  [
    'chat id with underscores survives',
    'wa/messages pull --chat 123_456@g.us',
    'customer',
    pull({ chat: '123_456@g.us' }),
  ],
  [
    'ChatWoot-escaped underscores',
    'wa/messages pull --chat 123\\_456@g.us',
    'customer',
    pull({ chat: '123_456@g.us' }),
  ],
  [
    'trailing backslashes at line ends',
    'wa/messages pull 10d \\\n  --media \\\n  --rc',
    'customer',
    pull({ ...window(10 * DAY), media: true, resolveConversations: true }),
  ],
  ['Windows line endings', 'wa/messages pull\r\n--media\r\n', 'customer', pull({ media: true })],
  [
    'a comment line inside a canned response',
    'wa/messages pull 1y\n# resolve everything afterwards\n--rc',
    'customer',
    pull({ ...window(YEAR), resolveConversations: true }),
  ],

  // ── Unicode that editors insert ──────────────────────────────────────────────────────────────────────────────────
  ['smart double quotes', 'wa/messages pull --chat “12025550101@c.us”', 'customer', pull({ chat: '12025550101@c.us' })],
  [
    'smart single quotes around a phone number',
    'wa/messages pull --chat ‘+1 202 555 0101’',
    'customer',
    pull({ chat: '12025550101@c.us' }),
  ],
  ['an em dash option', 'wa/messages pull —media', 'customer', pull({ media: true })],
  [
    'en dash options',
    'wa/messages pull 10d –groups –rc',
    'customer',
    pull({ ...window(10 * DAY), include: { groups: true }, resolveConversations: true }),
  ],
  ['non-breaking spaces', 'wa/messages\u00a0pull\u00a010d', 'customer', pull(window(10 * DAY))],
  ['zero-width characters', 'wa/mess\u200bages pull 1\u200bd', 'customer', pull()],

  // ── Quoted values ────────────────────────────────────────────────────────────────────────────────────────────────
  [
    'a quoted phone number',
    'wa/messages pull --chat "+1 202 555 0101"',
    'customer',
    pull({ chat: '12025550101@c.us' }),
  ],
  ['a bare phone number', "wa/messages pull --chat '12025550101'", 'customer', pull({ chat: '12025550101@c.us' })],
  ['# inside quotes is kept', 'wa/messages pull --chat "a#b@g.us"', 'customer', pull({ chat: 'a#b@g.us' })],
  ['quoted durations', 'wa/messages pull "10d" \'20d\'', 'customer', pull(window(20 * DAY, 10 * DAY))],

  // ── Where commands are recognised ────────────────────────────────────────────────────────────────────────────────
  ['customer: no prefix is a normal reply', 'messages pull', 'customer', 'not-a-command'],
  ['customer: ordinary text', 'Hello, how are you?', 'customer', 'not-a-command'],
  ['customer: prefix not at the start', 'Please run wa/messages pull', 'customer', 'not-a-command'],
  ['customer: empty text', '', 'customer', 'not-a-command'],
  ['customer: the prefix is case-sensitive', 'WA/messages pull', 'customer', 'not-a-command'],
  ['customer: a stray quote in a normal reply', "I don't know", 'customer', 'not-a-command'],
  ['commands chat: no prefix needed', 'messages pull 10d', 'commands', pull(window(10 * DAY))],
  ['commands chat: prefix still accepted', 'wa/messages pull 10d', 'commands', pull(window(10 * DAY))],
  ['commands chat: space after the prefix', 'wa/ messages status', 'commands', { kind: 'messages.status' }],
  ['commands chat: the prefix alone is help', 'wa/', 'commands', { kind: 'help' }],
  ['commands chat: help', 'help', 'commands', { kind: 'help' }],
  ['commands chat: empty text', '  \n ', 'commands', 'not-a-command'],
  ['commands chat: only a comment', '# note to self', 'commands', 'not-a-command'],
  [
    'customer: comment lines before the command',
    '# import a year\nwa/messages pull 1y',
    'customer',
    pull(window(YEAR)),
  ],
  [
    'commands chat: ordinary text is an unknown command',
    'Hello there',
    'commands',
    error('Unknown command "Hello". Did you mean help? Commands: messages, contacts, queue, session, server, help.', ROOT_USAGE),
  ],

  // ── Help ─────────────────────────────────────────────────────────────────────────────────────────────────────────
  ['root help', 'wa/help', 'customer', { kind: 'help' }],
  ['root --help', 'wa/--help', 'customer', { kind: 'help' }],
  ['root -h', 'wa/-h', 'commands', { kind: 'help' }],
  ['help for messages', 'wa/help messages', 'customer', { kind: 'messages.help' }],
  ['help for queue', 'wa/help q', 'customer', { kind: 'queue.help' }],
  ['messages alone', 'wa/messages', 'customer', { kind: 'messages.help' }],
  ['messages --help', 'wa/messages --help', 'customer', { kind: 'messages.help' }],
  ['messages pull --help', 'wa/messages pull --help', 'customer', { kind: 'messages.help' }],
  ['messages help pull', 'wa/messages help pull', 'customer', { kind: 'messages.help' }],
  ['status --help shows help', 'wa/messages status --help', 'customer', { kind: 'messages.help' }],
  [
    'help for an unknown command',
    'wa/help groups',
    'customer',
    error('Unknown command "groups". Commands: messages, contacts, queue, session, server, help.', ROOT_USAGE),
  ],

  // ── Other messages actions ───────────────────────────────────────────────────────────────────────────────────────
  ['stop', 'wa/messages stop', 'customer', { kind: 'messages.stop' }],
  [
    'status takes no options',
    'wa/messages status --media',
    'customer',
    error('wa/messages status takes no options: remove --media.', MESSAGES_USAGE),
  ],
  [
    'stop takes no durations',
    'wa/messages stop 10d',
    'customer',
    error('Unexpected "10d" after wa/messages stop: remove it.', MESSAGES_USAGE),
  ],
  [
    'help takes no options',
    'wa/messages help --force',
    'customer',
    error('wa/messages help takes no options: remove --force.', MESSAGES_USAGE),
  ],

  // ── Queue ────────────────────────────────────────────────────────────────────────────────────────────────────────
  ['queue alone', 'wa/queue', 'customer', { kind: 'queue.help' }],
  ['queue help', 'wa/queue help', 'customer', { kind: 'queue.help' }],
  ['queue --help', 'wa/queue stop --help', 'customer', { kind: 'queue.help' }],
  ['alias q', 'wa/q stop inbox', 'customer', { kind: 'queue.stop', target: 'inbox' }],
  ['target whatsapp in any case', 'wa/queue status WhatsApp', 'customer', { kind: 'queue.status', target: 'whatsapp' }],
  ['waha is whatsapp', 'wa/queue start waha', 'customer', { kind: 'queue.start', target: 'whatsapp' }],
  ['target all', 'wa/queue start all', 'commands', { kind: 'queue.start', target: 'all' }],
  ['retry dead letters of every queue', 'wa/queue retry', 'customer', { kind: 'queue.retry', target: 'all' }],
  ['retry the replies only', 'queue retry inbox', 'commands', { kind: 'queue.retry', target: 'inbox' }],
  ['server status', 'server status', 'commands', { kind: 'server.status' }],
  ['server reboot asks first', 'wa/server reboot', 'customer', { kind: 'server.reboot', force: false, confirmed: false }],
  ["reboot -f --yes (WAHA app's -f)", 'server reboot -f --yes', 'commands', { kind: 'server.reboot', force: true, confirmed: true }],
  ['server alone', 'wa/server', 'customer', { kind: 'server.help' }],
  ['server reboot with a stray word', 'wa/server reboot now', 'customer', error('Unexpected "now" after wa/server reboot: remove it.', SERVER_USAGE)],
  // ── contacts (WAHA's app's names and defaults) ─────────────────────────────────────────────────────────────────────
  ['contacts alone', 'wa/contacts', 'customer', { kind: 'contacts.help' }],
  ['help for contacts', 'wa/help contacts', 'customer', { kind: 'contacts.help' }],
  ['contacts pull --help', 'contacts pull --help', 'commands', { kind: 'contacts.help' }],
  ['contacts status', 'contacts status', 'commands', { kind: 'contacts.status' }],
  ['contacts stop', 'wa/contacts stop', 'customer', { kind: 'contacts.stop' }],
  ['contacts pull: the defaults', 'contacts pull', 'commands', { kind: 'contacts.pull', options: contacts() }],
  ['--avatar alone is if-missing', 'contacts pull --avatar', 'commands', { kind: 'contacts.pull', options: contacts({ avatar: 'if-missing' }) }],
  ['-a before another flag is if-missing', 'contacts pull -a -g', 'commands', { kind: 'contacts.pull', options: contacts({ avatar: 'if-missing', groups: true }) }],
  [
    'every option, short spellings',
    'wa/contacts pull -a update -n if-raw -g -l --na -b 50 -p 0 --at 3 -t 2m --dc 0 --db 500ms',
    'customer',
    {
      kind: 'contacts.pull',
      options: contacts({ avatar: 'update', updateNames: 'if-raw', groups: true, lids: true, attributes: false, batch: 50, progress: 0, attempts: 3, timeoutMs: 120_000, delayContactMs: 0, delayBatchMs: 500 }),
    },
  ],
  ['--update-names=always', 'contacts pull --update-names=always', 'commands', { kind: 'contacts.pull', options: contacts({ updateNames: 'always' }) }],
  ['-gl groups short switches', 'contacts pull -gl', 'commands', { kind: 'contacts.pull', options: contacts({ groups: true, lids: true }) }],
  ['an avatar mode that does not exist', 'contacts pull --avatar always', 'commands', error('Invalid value "always" for --avatar: use `if-missing` or `update`.', CONTACTS_USAGE)],
  ['--update-names needs its mode', 'contacts pull --update-names', 'commands', error('Option --update-names needs a value, like --update-names if-raw.', CONTACTS_USAGE)],
  ['a negative delay', 'contacts pull --delay-contact -1s', 'commands', error('Invalid value "-1s" for --delay-contact: use a pause like 0.1s, 500ms or 2s (0 for none), at most 1m.', CONTACTS_USAGE)],
  ['a timeout too short for a page', 'contacts pull -t 1s', 'commands', error('Invalid value "1s" for --timeout: an attempt needs at least 10s.', CONTACTS_USAGE)],
  ['batch 0', 'contacts pull --batch 0', 'commands', error('Invalid value "0" for --batch: use a whole number from 1 to 1000.', CONTACTS_USAGE)],
  ['a messages option', 'contacts pull --media', 'commands', error('Unknown option "--media".', CONTACTS_USAGE)],
  ['a stray word', 'contacts pull 30d', 'commands', error('Unexpected "30d" after wa/contacts pull: remove it.', CONTACTS_USAGE)],
  ['an action that does not exist', 'wa/contacts sync', 'customer', error('Unknown action "sync" for wa/contacts. Actions: pull, status, stop, help.', CONTACTS_USAGE)],
  ['session alone', 'wa/session', 'customer', { kind: 'session.help' }],
  ['help for session', 'wa/help session', 'customer', { kind: 'session.help' }],
  ['session status', 'session status', 'commands', { kind: 'session.status' }],
  ["WAHA app's numbers: 2 is restart", 'wa/session 2', 'customer', { kind: 'session.restart' }],
  ['6 is qr', 'session 6', 'commands', { kind: 'session.qr' }],
  ['7 is screenshot', 'session 7', 'commands', { kind: 'session.screenshot' }],
  ['stop without --yes asks first', 'wa/session stop', 'customer', { kind: 'session.stop', confirmed: false }],
  ['logout --yes', 'session logout --yes', 'commands', { kind: 'session.logout', confirmed: true }],
  ['4 -y is stop, confirmed', 'session 4 -y', 'commands', { kind: 'session.stop', confirmed: true }],
  [
    'unknown session action, with a suggestion',
    'wa/session qrr',
    'customer',
    error('Unknown action "qrr" for wa/session. Did you mean qr? Actions: status, restart, start, stop, logout, qr, screenshot, help.', SESSION_USAGE),
  ],
  ['--yes where nothing is to confirm', 'wa/session status --yes', 'customer', error('wa/session status takes no options: remove --yes.', SESSION_USAGE)],
  ['a word after a session action', 'wa/session stop now', 'customer', error('Unexpected "now" after wa/session stop: remove it.', SESSION_USAGE)],
  [
    'unknown queue target',
    'wa/queue stop message_created',
    'customer',
    error('Unknown queue "message_created": use inbox, whatsapp (or waha) or all.', QUEUE_USAGE),
  ],
  [
    'unknown queue action',
    'wa/queue pause',
    'customer',
    error('Unknown action "pause" for wa/queue. Actions: status, start, stop, retry, help.', QUEUE_USAGE),
  ],
  [
    'two queue targets',
    'wa/queue stop inbox whatsapp',
    'customer',
    error('Unexpected "whatsapp" after wa/queue stop: remove it.', QUEUE_USAGE),
  ],
  [
    'queue takes no options',
    'wa/queue status --force',
    'customer',
    error('wa/queue status takes no options: remove --force.', QUEUE_USAGE),
  ],

  // ── Unknown commands, actions, options ───────────────────────────────────────────────────────────────────────────
  [
    'unknown option with a suggestion',
    'wa/messages pull --medias',
    'customer',
    error('Unknown option "--medias". Did you mean --media?'),
  ],
  [
    'unknown option in the wrong case',
    'wa/messages pull --Media',
    'customer',
    error('Unknown option "--Media". Did you mean --media?'),
  ],
  [
    'misspelt groups',
    'wa/messages pull --grups',
    'customer',
    error('Unknown option "--grups". Did you mean --groups?'),
  ],
  [
    'negated switch that does not exist',
    'wa/messages pull --no-media',
    'customer',
    error('Unknown option "--no-media". Did you mean --media?'),
  ],
  [
    'unknown option without a suggestion',
    'wa/messages pull --verbose',
    'customer',
    error('Unknown option "--verbose".'),
  ],
  ['a short option glued to its value', 'wa/messages pull -b10', 'customer', error('Unknown option "-b10".')],
  [
    'unknown action with a suggestion',
    'wa/messages puul 10d',
    'customer',
    error(
      'Unknown action "puul" for wa/messages. Did you mean pull? Actions: pull, status, stop, help.',
      MESSAGES_USAGE,
    ),
  ],
  [
    'a duration where the action goes',
    'wa/messages 10d',
    'customer',
    error(
      'Unknown action "10d" for wa/messages. Did you mean pull 10d? Actions: pull, status, stop, help.',
      MESSAGES_USAGE,
    ),
  ],
  [
    'unknown action without a suggestion',
    'wa/messages sync',
    'customer',
    error('Unknown action "sync" for wa/messages. Actions: pull, status, stop, help.', MESSAGES_USAGE),
  ],
  [
    'an option where the action goes',
    'wa/messages --media',
    'customer',
    error('wa/messages needs an action first: pull, status, stop, help.', MESSAGES_USAGE),
  ],
  [
    'unknown command with a suggestion',
    'wa/mesages pull',
    'customer',
    error('Unknown command "mesages". Did you mean messages? Commands: messages, contacts, queue, session, server, help.', ROOT_USAGE),
  ],
  [
    'unknown command without a suggestion',
    'wa/chats pull',
    'customer',
    error('Unknown command "chats". Commands: messages, contacts, queue, session, server, help.', ROOT_USAGE),
  ],
  [
    'non-Latin action',
    'wa/messages тянуть',
    'customer',
    error('Unknown action "тянуть" for wa/messages. Actions: pull, status, stop, help.', MESSAGES_USAGE),
  ],
  [
    'non-Latin command',
    'wa/сообщения',
    'customer',
    error('Unknown command "сообщения". Commands: messages, contacts, queue, session, server, help.', ROOT_USAGE),
  ],

  // ── Durations and the window ─────────────────────────────────────────────────────────────────────────────────────
  [
    'bad duration',
    'wa/messages pull 5x',
    'customer',
    error('Invalid duration "5x": use a number with s, m, h, d, w or y, like 12h or 30d'),
  ],
  [
    'a word that is not a duration',
    'wa/messages pull 10d yesterday',
    'customer',
    error('Invalid duration "yesterday": use a number with s, m, h, d, w or y, like 12h or 30d'),
  ],
  [
    'a number without a unit',
    'wa/messages pull 10',
    'customer',
    error('Invalid duration "10": add a unit, like 10d for days or 10h for hours (only 0 needs none)'),
  ],
  [
    'a negative duration',
    'wa/messages pull -5d',
    'customer',
    error('Invalid duration "-5d": durations cannot be negative, they already count back from now; write 5d'),
  ],
  [
    'months written as mo',
    'wa/messages pull 6mo',
    'customer',
    error('Invalid duration "6mo": months are not a unit here and m means minutes; write it in days, like 180d'),
  ],
  [
    'months written out',
    'wa/messages pull "6 months"',
    'customer',
    error('Invalid duration "6 months": months are not a unit here and m means minutes; write it in days, like 180d'),
  ],
  [
    'one month',
    'wa/messages pull 1month',
    'customer',
    error('Invalid duration "1month": months are not a unit here and m means minutes; write it in days, like 30d'),
  ],
  [
    'capital M',
    'wa/messages pull 6M',
    'customer',
    error('Invalid duration "6M": M could mean minutes or months; write 6m for minutes or 180d for about 6 months'),
  ],
  [
    'an empty window',
    'wa/messages pull 1d 1d',
    'customer',
    error('The window is empty: it starts and ends 1d ago. Give two different durations, like 2d 1d.'),
  ],
  [
    'an empty window ending now',
    'wa/messages pull 0',
    'customer',
    error('The window is empty: it starts and ends 0d ago. Give two different durations, like 2d 1d.'),
  ],
  [
    'three durations',
    'wa/messages pull 30d 20d 10d',
    'customer',
    error('Too many durations: "10d" would be a third one. Give at most two, a start and an end, like 30d 20d.'),
  ],
  [
    'a bad timeout',
    'wa/messages pull --timeout 5x',
    'customer',
    error('Invalid duration "5x" for --timeout: use a number with s, m, h, d, w or y, like 12h or 30d'),
  ],
  [
    'a timeout without a unit',
    'wa/messages pull -t 60',
    'customer',
    error('Invalid duration "60" for --timeout: add a unit, like 60d for days or 60h for hours (only 0 needs none)'),
  ],
  [
    'a zero timeout',
    'wa/messages pull --timeout 0',
    'customer',
    error('Invalid duration "0" for --timeout: it must be longer than 0, like 30s or 10m'),
  ],
  [
    'a negative media timeout',
    'wa/messages pull --tm -5s',
    'customer',
    error(
      'Invalid duration "-5s" for --timeout-media: durations cannot be negative, they already count back from now; write 5s',
    ),
  ],

  // ── Numbers ──────────────────────────────────────────────────────────────────────────────────────────────────────
  [
    'batch 0',
    'wa/messages pull --batch 0',
    'customer',
    error('Invalid value "0" for --batch: use a whole number from 1 to 1000.'),
  ],
  [
    'batch -1',
    'wa/messages pull --batch -1',
    'customer',
    error('Invalid value "-1" for --batch: use a whole number from 1 to 1000.'),
  ],
  [
    'batch abc',
    'wa/messages pull --batch abc',
    'customer',
    error('Invalid value "abc" for --batch: use a whole number from 1 to 1000.'),
  ],
  [
    'batch 1.5',
    'wa/messages pull -b 1.5',
    'customer',
    error('Invalid value "1.5" for --batch: use a whole number from 1 to 1000.'),
  ],
  [
    'batch too big',
    'wa/messages pull --batch 1001',
    'customer',
    error('Invalid value "1001" for --batch: use a whole number from 1 to 1000.'),
  ],
  [
    'attempts 0',
    'wa/messages pull --attempts 0',
    'customer',
    error('Invalid value "0" for --attempts: use a whole number from 1 to 50.'),
  ],
  [
    'attempts too many',
    'wa/messages pull --at 51',
    'customer',
    error('Invalid value "51" for --attempts: use a whole number from 1 to 50.'),
  ],
  [
    'progress -3',
    'wa/messages pull --progress -3',
    'customer',
    error('Invalid value "-3" for --progress: use 0 (no progress reports) or a whole number from 10 to 1000000.'),
  ],
  [
    'progress 1 (a report per message)',
    'wa/messages pull --progress 1',
    'customer',
    error('Invalid value "1" for --progress: use 0 (no progress reports) or a whole number from 10 to 1000000.'),
  ],
  [
    'progress 9',
    'wa/messages pull -p 9',
    'customer',
    error('Invalid value "9" for --progress: use 0 (no progress reports) or a whole number from 10 to 1000000.'),
  ],
  [
    'a timeout past timer overflow',
    'wa/messages pull --timeout 30d',
    'customer',
    error('Invalid duration "30d" for --timeout: the longest allowed is 24d'),
  ],

  // ── Values: missing, extra, repeated, invalid ────────────────────────────────────────────────────────────────────
  [
    '--chat at the end',
    'wa/messages pull --chat',
    'customer',
    error('Option --chat needs a value, like --chat 12025550101@c.us.'),
  ],
  [
    '--batch followed by an option',
    'wa/messages pull --batch --media',
    'customer',
    error('Option --batch needs a value, like --batch 100.'),
  ],
  [
    '-p without a value',
    'wa/messages pull 10d -p',
    'customer',
    error('Option -p needs a value, like --progress 1000.'),
  ],
  [
    'an empty inline value',
    'wa/messages pull --batch=',
    'customer',
    error('Option --batch needs a value, like --batch 100.'),
  ],
  [
    'a switch given a word',
    'wa/messages pull --media yes',
    'customer',
    error('Option --media is a switch and takes no value: remove "yes".'),
  ],
  [
    'a switch given an inline value',
    'wa/messages pull --force=true',
    'customer',
    error('Option --force is a switch and takes no value: remove "true".'),
  ],
  [
    'a repeated value option',
    'wa/messages pull --batch 10 --batch 20',
    'customer',
    error('Option --batch is given more than once: keep only one.'),
  ],
  [
    'a repeat through an alias',
    'wa/messages pull -b 1 --batch 2',
    'customer',
    error('Option --batch is given more than once: keep only one.'),
  ],
  [
    'a repeated chat',
    'wa/messages pull --chat 1@c.us -c 2@c.us',
    'customer',
    error('Option --chat is given more than once: keep only one.'),
  ],
  [
    'a chat that is not an id',
    'wa/messages pull --chat hello',
    'customer',
    error(
      'Invalid chat "hello" for --chat: use all, a chat id like 12025550101@c.us or 123456789@g.us, or a phone number with country code.',
    ),
  ],

  // ── Quotes and size ──────────────────────────────────────────────────────────────────────────────────────────────
  [
    'an unterminated double quote',
    'wa/messages pull --chat "123@g.us',
    'customer',
    error(
      'A `"` quote is opened but never closed: close it, or put a backslash before it to keep it as text.',
      ROOT_USAGE,
    ),
  ],
  [
    'an unterminated single quote',
    "wa/messages pull 10d --chat '123@g.us",
    'commands',
    error(
      "A `'` quote is opened but never closed: close it, or put a backslash before it to keep it as text.",
      ROOT_USAGE,
    ),
  ],
  [
    'a very long command',
    `wa/messages pull ${'--media '.repeat(600)}`,
    'customer',
    { errorStartsWith: 'The command is too long (4817 characters; the limit is 4000). Send a shorter one.\n' },
  ],
];

function run(input: string, where: Where): ParseResult {
  return parseCommand(input, { prefix: 'wa/', commandsChat: where === 'commands', texts });
}

describe(parseCommand.name, () => {
  it('has a large table of cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(90);
  });

  it.each(CASES)('%s: %j', (_title, input, where, expected) => {
    const result = run(input, where);
    if (expected === 'not-a-command') {
      expect(result).toEqual({ type: 'not-a-command' });
    } else if ('error' in expected) {
      expect(result).toEqual({ type: 'error', message: expected.error });
    } else if ('errorStartsWith' in expected) {
      expect(result.type).toBe('error');
      expect(result.type === 'error' && result.message.startsWith(expected.errorStartsWith)).toBe(true);
    } else {
      expect(result).toEqual({ type: 'command', command: expected, text: expect.any(String) });
    }
  });

  describe('when it returns the normalised command text', () => {
    it.each([
      ['wa/messages pull 10d --media', 'wa/messages pull 10d --media'],
      ['**wa/Messages  Pull**\n   30d\n   --groups   # all groups', 'wa/messages pull 30d --groups'],
      ['messages pull --chat "+1 202 555 0101"', "wa/messages pull --chat '+1 202 555 0101'"],
      ['wa/q STOP Inbox', 'wa/queue stop inbox'],
      ['wa/', 'wa/help'],
    ])('turns %j into %j', (input, text) => {
      const result = run(input, 'commands');
      expect(result.type === 'command' && result.text).toBe(text);
    });
  });

  describe('when the prefix is configured differently', () => {
    it('uses it to recognise commands and shows it in replies', () => {
      const ctx = { prefix: '!', commandsChat: false, texts };
      expect(parseCommand('!messages status', ctx)).toMatchObject({ command: { kind: 'messages.status' } });
      expect(parseCommand('wa/messages status', ctx)).toEqual({ type: 'not-a-command' });
      expect(parseCommand('!messages pull --medias', ctx)).toEqual({
        type: 'error',
        message:
          'Unknown option "--medias". Did you mean --media?\nUsage: `!messages pull [start] [end] [options]` (send `!messages help` for all options)',
      });
    });
  });

  describe('when a long message is not a command', () => {
    it('ignores it in a customer conversation instead of answering "too long"', () => {
      expect(run('x'.repeat(10_000), 'customer')).toEqual({ type: 'not-a-command' });
    });
  });

  describe('when the input is random', () => {
    // A fixed seed keeps the run reproducible; it is printed so a failure can be replayed.
    const seed = 20251030;
    const alphabet = [
      'wa/',
      'messages',
      'queue',
      'pull',
      ' ',
      '\n',
      '"',
      "'",
      '\\',
      '#',
      '*',
      '_',
      '`',
      '-',
      '--',
      '=',
      'media',
      'b',
      '10d',
      '0',
      '—',
      '“',
      'я',
      '\u200b',
      '@',
      'c.us',
      '~~',
      '-5',
      '1.5',
    ];
    it(`never throws (seed ${seed})`, () => {
      let state = seed;
      const next = (): number => {
        state = (state * 1103515245 + 12345) % 2 ** 31;
        return state;
      };
      for (let i = 0; i < 3000; i++) {
        const parts = Array.from({ length: 1 + (next() % 12) }, () => alphabet[next() % alphabet.length]);
        const input = (next() % 2 === 0 ? 'wa/' : '') + parts.join('');
        for (const where of ['customer', 'commands'] as const) {
          expect(() => run(input, where)).not.toThrow();
        }
      }
    });
  });
});
