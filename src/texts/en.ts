// Every user-visible text of the service, in English. Templates use the renderer in ./render-template.ts
// ({{var}}, {{#section}}, {{^inverted}}); output is ChatWoot markdown. An operator can replace any key through an
// overrides file (see Texts.load). The vars each key expects are listed in the comment above it; `?` = optional.
// The type of `Texts.render` reads the variable names out of these literals, so a misspelt name fails the typecheck.
//
// Emoji conventions: ⏳ running, ✅ done, ⏹️ stopped, ❌ failed, ℹ️ information, ⚠️ warning, 💡 advice,
// 🆕 created, 🟢 already there / running, ⚪ skipped / paused, 🔴 failed, 💬 chats, 🗣️ conversations, ⏱️ window or time,
// 🧩 queues.

/** The lines of a template joined with newlines, keeping the literal type so `Texts` can read its variables. */
function lines<const T extends readonly string[]>(...parts: T): JoinLines<T> {
  return parts.join('\n') as JoinLines<T>;
}

type JoinLines<T extends readonly string[], Acc extends string = ''> = T extends readonly [
  infer Head extends string,
  ...infer Rest extends string[],
]
  ? JoinLines<Rest, Acc extends '' ? Head : `${Acc}\n${Head}`>
  : Acc;

export const en = {
  // ── Help ─────────────────────────────────────────────────────────────────────────────────────────────────────────
  // [prefix]
  'help.root': lines(
    '🤖 **WhatsApp ⇄ ChatWoot commands**',
    '',
    '- 💬 `{{prefix}}messages` — import WhatsApp history into ChatWoot: `pull`, `status`, `stop`',
    '- 🧩 `{{prefix}}queue` — inspect, pause and resume the live message queues',
    '- 👤 `{{prefix}}contacts` — import WhatsApp contacts (and group names) into ChatWoot, with their pictures: `pull`, `status`, `stop`',
    '- 📱 `{{prefix}}session` — the WhatsApp session: status, start, stop, restart, logout, QR to pair, screenshot',
    '- 🖥️ `{{prefix}}server` — the WAHA server: status, reboot (when SERVER_COMMANDS is on)',
    '- ❓ `{{prefix}}help` — this list',
    '',
    'Send `{{prefix}}messages help`, `{{prefix}}contacts help`, `{{prefix}}queue help` or `{{prefix}}session help` for the details of each.',
    '',
    '📍 **Where to type them**',
    '- In the **WhatsApp Integration** conversation every message is a command{{#prefix}}, so `{{prefix}}` can be left out{{/prefix}}.',
    '- In a **customer conversation** a command must start with {{#prefix}}`{{prefix}}`{{/prefix}}{{^prefix}}the command prefix{{/prefix}} and be sent as a normal reply (private notes are ignored). It is never delivered to the customer, and `messages pull` there imports only that contact.',
  ),
  // [prefix]
  'help.messages': lines(
    '💬 **{{prefix}}messages** — import WhatsApp history into ChatWoot',
    '',
    'Usage: `{{prefix}}messages pull [start] [end] [options]`',
    '',
    '**Actions**',
    '- `pull` — start an import',
    '- `status` — progress of the running import, or the result of the last one',
    '- `stop` — stop the running import',
    '- `help` — this help',
    '',
    '📍 **Which chats**',
    '- In the **WhatsApp Integration** conversation: every chat of this inbox.',
    '- In a **customer conversation**: only that contact. There the command must start with {{#prefix}}`{{prefix}}`{{/prefix}}{{^prefix}}the command prefix{{/prefix}} and be a normal reply, not a private note.',
    '',
    '⏱️ **Window**: two durations counted back from now; their order does not matter.',
    '- `pull` = `pull 1d` = `pull 1d 0d`: the last 24 hours',
    '- `pull 30d 20d`: from 30 days ago until 20 days ago',
    '- Units: `s` seconds, `m` minutes, `h` hours, `d` days, `w` weeks, `y` years; a plain `0` means now.',
    '- ⚠️ `6m` is six **minutes**. For about six months write `180d`.',
    '',
    '⚙️ **Options**',
    '- `--chat`, `-c <chat>` — one chat only: `all` (default), a chat id like `12025550101@c.us` or `123456789@g.us`, or a phone number with country code',
    '- `--force`, `-f` — import messages again even when they are already in ChatWoot',
    '- `--no-dm`, `--nd` — leave out direct (1:1) chats',
    '- `--groups`, `-g` — include groups',
    '- `--channels`, `--ch` — include channels',
    '- `--status`, `-s` — include status updates',
    '- `--broadcast`, `--bc` — include broadcast lists',
    '- `--media`, `-m` — download photos, videos, voice notes and files (slower); without it only text is imported',
    '- `--pause` — hold the live queues during the import and resume them afterwards (global: every session on the same Redis)',
    '- `--resolve-conversations`, `--rc` — resolve the imported conversations at the end',
    '- `--batch`, `-b <n>` — messages fetched per page, 1 to 1000 (default 100)',
    '- `--progress`, `-p <n>` — post progress every n messages, at least 10; 0 = never (default 1000)',
    '- `--attempts`, `--at <n>` — tries of a message ChatWoot refuses (or of a chat that fails), 1 to 50 (default 6); an outage (429, 5xx, timeouts) does not count: it is waited out{{#retryWindow}} for up to {{retryWindow}}{{/retryWindow}}',
    '- `--timeout`, `-t <duration>` — time limit of one try (default 10m, at most 24d)',
    '- `--timeout-media`, `--tm <duration>` — time limit of one media download (default 30s, at most 24d)',
    '- `--dry-run` — count what would be imported, import nothing',
    '- `--help`, `-h` — this help',
    '',
    '📌 **Examples**',
    '- `{{prefix}}messages pull 1d --force --media`',
    '- `{{prefix}}messages pull 10d`',
    '- `{{prefix}}messages pull 30d 20d`, then `20d 10d`, then `10d`: one message each, to import older history in slices',
    '- `{{prefix}}messages pull 1y --rc --pause`',
    '- `{{prefix}}messages pull --groups --channels --status --broadcast`',
    '- `{{prefix}}messages pull --no-dm --groups`',
    '',
    'Options may also go one per line, which suits canned responses. Anything after ` #` on a line is ignored.',
  ),
  // [prefix]
  'help.queue': lines(
    '🧩 **{{prefix}}queue** — the live message queues',
    '',
    'Usage: `{{prefix}}queue status|start|stop|retry [inbox|whatsapp|all]`',
    '',
    '- `status` — each queue: running or paused, how many messages wait, and how many failed for good',
    '- `stop` — pause: new messages wait in the queue instead of being delivered',
    '- `start` — resume: the waiting messages are delivered',
    '- `retry` — send again the messages that failed for good (kept for a week), oldest first, after those waiting',
    '- `help` — this help',
    '',
    'Which queues: `inbox` (ChatWoot → WhatsApp), `whatsapp` or `waha` (WhatsApp → ChatWoot), `all` (the default).',
    '',
    '⚠️ Pausing is global: it holds messages for every session and worker connected to the same Redis, not only this inbox. If `{{prefix}}messages pull --pause` fails, resume by hand with `{{prefix}}queue start`.',
  ),

  // [prefix]
  'help.session': lines(
    '📱 **{{prefix}}session** — the WhatsApp session in WAHA',
    '',
    'Usage: `{{prefix}}session status|start|stop|restart|logout|qr|screenshot` (or their numbers 1–7, as in WAHA\'s app)',
    '',
    '- `status` (1) — whether WhatsApp is connected, the engine and the account',
    '- `restart` (2) — stop and start the session (a stuck connection)',
    '- `start` (3) — start a stopped session',
    '- `stop --yes` (4) — stop it: no messages come or go until `start`',
    '- `logout --yes` (5) — unpair the phone: pairing again needs the QR',
    '- `qr` (6) — the pairing QR as an image, renewed here until it is scanned (2 minutes at most): scan it in WhatsApp → Linked devices',
    '- `screenshot` (7) — what the session\'s browser shows (WEBJS and WPP; the others show the QR while pairing)',
  ),

  // [prefix]
  'help.server': lines(
    '🖥️ **{{prefix}}server** — the WAHA server (only when SERVER_COMMANDS=true)',
    '',
    'Usage: `{{prefix}}server status|reboot [--force] --yes`',
    '',
    '- `status` — WAHA\'s version, engine, tier and uptime; the bridge\'s workers and Redis memory',
    '- `reboot --yes` — stop WAHA so its restart policy starts it again (every session on it reconnects); `--force` (`-f`) stops it at once instead of gracefully',
  ),

  // [prefix]
  'help.contacts': lines(
    '👤 **{{prefix}}contacts** — WhatsApp contacts into ChatWoot',
    '',
    'Usage: `{{prefix}}contacts pull [options]`, `{{prefix}}contacts status`, `{{prefix}}contacts stop`',
    '',
    'Creates the ChatWoot contact of every WhatsApp contact that has none (matched as `messages pull` matches them: WhatsApp ids, then the phone number), and writes the WhatsApp ids into its attributes. One pull runs at a time; a pull that stopped or failed resumes where it was when you send the same `pull` again.',
    '',
    '**Options**',
    '- `--avatar`, `-a` [`if-missing`|`update`] — upload WhatsApp profile pictures: only to contacts without one (`if-missing`, also `-a` alone), or replacing theirs (`update`)',
    '- `--update-names`, `-n` `no`|`if-raw`|`always` — rename contacts that exist to their saved WhatsApp name: never (default), only where ChatWoot shows a number or an id (`if-raw`), or always',
    '- `--groups`, `-g` — also groups, named `<subject> (Group)`',
    '- `--lids`, `-l` — also contacts WhatsApp only lists by their private id (`@lid`)',
    '- `--no-attributes`, `--na` — leave the attributes of contacts that exist as they are',
    '- `--batch`, `-b` N — contacts read from WhatsApp per page (default 100)',
    '- `--progress`, `-p` N — a progress report every N contacts (default 100; 0 = none)',
    '- `--attempts`, `--at` N — how often to try again when WhatsApp or ChatWoot stop answering, from where it stopped (default 6: about 8 minutes of outage)',
    '- `--timeout`, `-t` D — how long one attempt runs before it hands over to the next, going on where it was (default 10m)',
    '- `--delay-contact`, `--dc` D — pause after each contact (default 0.1s: WhatsApp frowns on fast picture look-ups)',
    '- `--delay-batch`, `--db` D — pause after each page (default 1s)',
    '',
    'Example: `{{prefix}}contacts pull --avatar --groups`',
  ),

  // ── Usage lines (appended to every grammar error) ───────────────────────────────────────────────────────────────
  // [prefix]
  'usage.root': 'Usage: `{{prefix}}messages …`, `{{prefix}}contacts …`, `{{prefix}}queue …`, `{{prefix}}session …` or `{{prefix}}server …` (send `{{prefix}}help` for the list)',
  // [prefix]
  'usage.contacts': 'Usage: `{{prefix}}contacts pull [options]|status|stop` (send `{{prefix}}contacts help` for all options)',
  // [prefix]
  'usage.server': 'Usage: `{{prefix}}server status|reboot [--force] --yes` (send `{{prefix}}server help` for details)',
  // [prefix]
  'usage.session': 'Usage: `{{prefix}}session status|start|stop|restart|logout|qr|screenshot` (send `{{prefix}}session help` for details)',
  // [prefix]
  'usage.messages':
    'Usage: `{{prefix}}messages pull|status|stop|help` (send `{{prefix}}messages help` for all options)',
  // [prefix]
  'usage.pull':
    'Usage: `{{prefix}}messages pull [start] [end] [options]` (send `{{prefix}}messages help` for all options)',
  // [prefix]
  'usage.queue':
    'Usage: `{{prefix}}queue status|start|stop|retry [inbox|whatsapp|all]` (send `{{prefix}}queue help` for details)',

  // ── Grammar errors: one line each; `grammar.reply` puts the usage line under it ─────────────────────────────────
  // [error, usage]
  'grammar.reply': lines('{{error}}', '{{usage}}'),
  // [length, max]
  'grammar.tooLong': 'The command is too long ({{length}} characters; the limit is {{max}}). Send a shorter one.',
  // [quote]
  'grammar.unterminatedQuote':
    'A `{{quote}}` quote is opened but never closed: close it, or put a backslash before it to keep it as text.',
  // [count]
  'grammar.multipleCommands': 'This message holds {{count}} commands: send them one message at a time.',
  // [command, suggestion?, commands]
  'grammar.unknownCommand':
    'Unknown command "{{command}}".{{#suggestion}} Did you mean {{suggestion}}?{{/suggestion}} Commands: {{commands}}.',
  // [command, action, suggestion?, actions]
  'grammar.unknownAction':
    'Unknown action "{{action}}" for {{command}}.{{#suggestion}} Did you mean {{suggestion}}?{{/suggestion}} Actions: {{actions}}.',
  // [command, actions]
  'grammar.missingAction': '{{command}} needs an action first: {{actions}}.',
  // [option, suggestion?]
  'grammar.unknownOption': 'Unknown option "{{option}}".{{#suggestion}} Did you mean {{suggestion}}?{{/suggestion}}',
  // [option, example]
  'grammar.optionNeedsValue': 'Option {{option}} needs a value, like {{example}}.',
  // [option, value]
  'grammar.optionTakesNoValue': 'Option {{option}} is a switch and takes no value: remove "{{value}}".',
  // [option]
  'grammar.repeatedOption': 'Option {{option}} is given more than once: keep only one.',
  // [command, option]
  'grammar.noOptions': '{{command}} takes no options: remove {{option}}.',
  // [command, argument]
  'grammar.unexpectedArgument': 'Unexpected "{{argument}}" after {{command}}: remove it.',
  // [value]
  'grammar.tooManyDurations':
    'Too many durations: "{{value}}" would be a third one. Give at most two, a start and an end, like 30d 20d.',
  // [start, end]
  'grammar.emptyWindow':
    'The window is empty: it starts and ends {{start}} ago. Give two different durations, like 2d 1d.',
  // [option, value, min, max]
  'grammar.invalidNumber': 'Invalid value "{{value}}" for {{option}}: use a whole number from {{min}} to {{max}}.',
  // [value, option, min, max]
  'grammar.invalidProgress': 'Invalid value "{{value}}" for {{option}}: use 0 (no progress reports) or a whole number from {{min}} to {{max}}.',
  // [value, option]
  'grammar.invalidChat':
    'Invalid chat "{{value}}" for {{option}}: use all, a chat id like 12025550101@c.us or 123456789@g.us, or a phone number with country code.',

  // ── Duration errors (first line; also used outside the grammar) ─────────────────────────────────────────────────
  // [value, option?]
  'duration.invalid':
    'Invalid duration "{{value}}"{{#option}} for {{option}}{{/option}}: use a number with s, m, h, d, w or y, like 12h or 30d',
  // [value, option?]
  'duration.noUnit':
    'Invalid duration "{{value}}"{{#option}} for {{option}}{{/option}}: add a unit, like {{value}}d for days or {{value}}h for hours (only 0 needs none)',
  // [value, option?, positive]
  'duration.negative':
    'Invalid duration "{{value}}"{{#option}} for {{option}}{{/option}}: durations cannot be negative, they already count back from now; write {{positive}}',
  // [value, option?, days]
  'duration.months':
    'Invalid duration "{{value}}"{{#option}} for {{option}}{{/option}}: months are not a unit here and m means minutes; write it in days, like {{days}}d',
  // [value, option?, number, days]
  'duration.ambiguousM':
    'Invalid duration "{{value}}"{{#option}} for {{option}}{{/option}}: M could mean minutes or months; write {{number}}m for minutes or {{days}}d for about {{number}} months',
  // [value, option?, max]
  'duration.tooLong':
    'Invalid duration "{{value}}"{{#option}} for {{option}}{{/option}}: the longest allowed is {{max}}',
  // [value, option?]
  'duration.notPositive':
    'Invalid duration "{{value}}"{{#option}} for {{option}}{{/option}}: it must be longer than 0, like 30s or 10m',

  // ── History pull lifecycle ───────────────────────────────────────────────────────────────────────────────────────
  // [scope, window, chats?, options?, prefix]
  'pull.started': lines(
    '⏳ **Pulling messages** · 💬 {{scope}} · ⏱️ {{window}}{{#chats}} · {{chats}} chats{{/chats}}{{#options}} · ⚙️ {{options}}{{/options}}',
    'Send `{{prefix}}messages status` to follow it.',
  ),
  // [processed, total?, created, exists, ignored, failed, chatsDone, chatsTotal, last?, rate, hint?]
  'pull.progress': lines(
    '⏳ {{processed}}{{#total}} of {{total}}{{/total}} messages · 🆕 {{created}} · 🟢 {{exists}} · ⚪ {{ignored}} · 🔴 {{failed}} · 💬 {{chatsDone}}/{{chatsTotal}} chats{{#last}} · 📅 {{last}}{{/last}} · ⚡ {{rate}} msg/s',
    '{{#hint}}',
    '{{hint}}',
    '{{/hint}}',
  ),
  // [scope?, window?, created, exists, ignored, failed, chats, conversations, resolved?, elapsed, rate, failedChats? (list of chat ids), outage?]
  'pull.completed': lines(
    '✅ **Pull finished**{{#scope}} · 💬 {{scope}}{{/scope}}{{#window}} · ⏱️ {{window}}{{/window}}',
    '🆕 {{created}} created · 🟢 {{exists}} already there · ⚪ {{ignored}} skipped · 🔴 {{failed}} failed',
    '💬 {{chats}} chats · 🗣️ {{conversations}} conversations{{#resolved}} ({{resolved}} resolved){{/resolved}} · ⏱️ {{elapsed}} · ⚡ {{rate}} msg/s',
    '{{#failedChats.length}}',
    '',
    '⚠️ These chats did not finish:',
    '{{#failedChats}}',
    '- `{{.}}`',
    '{{/failedChats}}',
    'Pull each again with `--chat <id>`; what is already imported is skipped.',
    '{{/failedChats.length}}',
    '{{#outage}}',
    '⏳ It waited out an outage on the way (last: {{outage}}).',
    '{{/outage}}',
  ),
  // [scope?, window?, created, exists, ignored, failed, chats, conversations, resolved?, elapsed, rate, outage?]
  'pull.stopped': lines(
    '⏹️ **Pull stopped**{{#scope}} · 💬 {{scope}}{{/scope}}{{#window}} · ⏱️ {{window}}{{/window}}',
    '🆕 {{created}} created · 🟢 {{exists}} already there · ⚪ {{ignored}} skipped · 🔴 {{failed}} failed',
    '💬 {{chats}} chats · 🗣️ {{conversations}} conversations{{#resolved}} ({{resolved}} resolved){{/resolved}} · ⏱️ {{elapsed}} · ⚡ {{rate}} msg/s',
    'Send the same pull again to continue: messages already imported are skipped.',
    '{{#outage}}',
    '⏳ It waited out an outage on the way (last: {{outage}}).',
    '{{/outage}}',
  ),
  // [what (ChatWoot or WhatsApp), reason, window] an import has been waiting for an upstream for a while
  'pull.waiting':
    '⏳ **{{what}} is not answering** ({{reason}}). The import waits and goes on by itself as soon as it answers (for up to {{window}}); nothing is skipped.',
  'upstream.waha': 'WhatsApp (WAHA)',
  'upstream.chatwoot': 'ChatWoot',
  // [reason, prefix, queuesPaused?]
  'pull.failed': lines(
    '❌ **Pull failed**: {{reason}}',
    'Check `{{prefix}}messages status`, fix the cause and send the pull again: messages already imported are skipped.',
    '{{#queuesPaused}}',
    '⚠️ The live queues are still paused. Resume them with `{{prefix}}queue start`.',
    '{{/queuesPaused}}',
  ),
  // [scope, state, startedAgo, prefix]
  'pull.alreadyRunning': lines(
    '⏳ A pull is already {{state}} for **{{scope}}** (started {{startedAgo}} ago). Only one runs at a time.',
    'Wait for it to finish, or stop it with `{{prefix}}messages stop`. Progress: `{{prefix}}messages status`.',
  ),
  // [window, prefix]
  'pull.noChats':
    'ℹ️ No WhatsApp chat has messages in the window ⏱️ {{window}}, so there is nothing to pull. Try a longer one, like `{{prefix}}messages pull 30d`, or include more chat types with `--groups` or `--channels`.',
  // [rows (list of {name, count}), total, chats?, estimate, window?]
  'pull.dryRun': lines(
    '🧪 **Dry run**: nothing was imported{{#window}} · ⏱️ {{window}}{{/window}}',
    '{{#rows}}',
    '- {{name}}: {{count}}',
    '{{/rows}}',
    'Total: **{{total}}** messages{{#chats}} in {{chats}} chats{{/chats}} · estimated time: {{estimate}}',
    'Send the same command without `--dry-run` to import them.',
  ),
  // [running, state, scope, window, created, exists, ignored, failed, chatsDone, chatsTotal, conversations,
  //  resolved?, earliest?, latest?, elapsed, rate, eta? (shown only while running), failedIds? (at most 20 ids),
  //  failedMore? (how many ids were left out), error? (why a pull failed), prefix]
  'pull.status': lines(
    '{{#running}}⏳{{/running}}{{^running}}📋{{/running}} **Pull: {{state}}** · 💬 {{scope}} · ⏱️ {{window}}',
    '{{#error}}',
    '❌ {{error}}',
    '{{/error}}',
    '',
    '🗨️ **Messages**',
    '- 🆕 Created: **{{created}}**',
    '- 🟢 Already in ChatWoot: {{exists}}',
    '- ⚪ Skipped: {{ignored}}',
    '- 🔴 Failed: {{failed}}',
    '{{#earliest}}',
    '- 🗓️ Earliest: {{earliest}}',
    '{{/earliest}}',
    '{{#latest}}',
    '- 🗓️ Latest: {{latest}}',
    '{{/latest}}',
    '',
    '💬 Chats: {{chatsDone}} of {{chatsTotal}} done · 🗣️ Conversations: {{conversations}}{{#resolved}} ({{resolved}} resolved){{/resolved}}',
    '⏱️ {{elapsed}} · ⚡ {{rate}} msg/s{{#running}}{{#eta}} · ⌛ about {{eta}} left{{/eta}}{{/running}}',
    '{{#failedIds.length}}',
    '',
    '🔴 **Failed messages**',
    '{{#failedIds}}',
    '- `{{.}}`',
    '{{/failedIds}}',
    '{{#failedMore}}',
    '- … and {{failedMore}} more',
    '{{/failedMore}}',
    '{{/failedIds.length}}',
    '{{#board}}',
    '',
    '🧭 Jobs: [this pull]({{{plan}}}) · [all pull jobs]({{{queue}}})',
    '{{/board}}',
    '{{#running}}',
    '',
    'Stop it with `{{prefix}}messages stop`.',
    '{{/running}}',
  ),
  // What a pull covers, in its reports: every chat, or the customer conversation's contact.
  'pull.scope.all': 'all chats',
  'pull.scope.contact': 'this contact',
  // The options a pull runs with, listed in `pull.started` (joined with commas).
  'pull.option.noDm': 'no DMs',
  'pull.option.groups': 'groups',
  'pull.option.channels': 'channels',
  'pull.option.status': 'status',
  'pull.option.broadcast': 'broadcast lists',
  'pull.option.media': 'media',
  'pull.option.force': 'force',
  'pull.option.pause': 'queues paused',
  'pull.option.resolve': 'resolve conversations',
  // [timeout] why a chat's try was given up: it made no progress for --timeout
  'pull.noProgress': 'no progress for {{timeout}}',
  // [prefix]
  'pull.statusNone': 'ℹ️ No pull has run here yet. Start one with `{{prefix}}messages pull`.',
  // [scope?, prefix]
  'pull.stopRequested':
    '⏹️ Stopping the pull{{#scope}} for **{{scope}}**{{/scope}} after the current page. A summary follows once it has stopped; `{{prefix}}messages status` shows where it is.',
  // [prefix]
  'pull.noneToStop': 'ℹ️ No pull is running, so there is nothing to stop.',
  // [queues? (names)]
  'pull.pauseNoticeQueuesPaused':
    '⚪🧩 Live queues paused for this pull{{#queues}} ({{queues}}){{/queues}}: new messages wait and are delivered when it ends. The pause is global, for every session on the same Redis.',
  // [queues? (names)]
  'queues.resumedAfterPull':
    '🟢🧩 Live queues resumed after the pull{{#queues}} ({{queues}}){{/queues}}: the messages that waited are being delivered now.',

  // ── wa/contacts ─────────────────────────────────────────────────────────────────────────────────────────────────
  // Pieces of the options summary: [mode] for avatar and names.
  'contacts.option.avatar': 'avatars: {{mode}}',
  'contacts.option.names': 'names: {{mode}}',
  'contacts.option.groups': 'groups',
  'contacts.option.lids': '@lid contacts',
  'contacts.option.noAttributes': 'no attributes',
  // [options?, prefix] (and the counters)
  'contacts.started': lines(
    '👤⏳ **Pulling contacts**{{#options}} · ⚙️ {{options}}{{/options}}',
    'Send `{{prefix}}contacts status` to follow it, `{{prefix}}contacts stop` to stop it.',
  ),
  // [processed, options?, prefix]
  'contacts.resumed': lines(
    '👤⏳ **Resuming the contacts pull** where it stopped ({{processed}} contacts done){{#options}} · ⚙️ {{options}}{{/options}}',
    'Send `{{prefix}}contacts status` to follow it, `{{prefix}}contacts stop` to stop it.',
  ),
  // [processed, created, updated, renamed, skipped, errors, avatars, rate]
  'contacts.progress':
    '👤⏳ {{processed}} contacts · 🆕 {{created}} created · 🔄 {{updated}} updated · 🏷️ {{renamed}} renamed · ⚪ {{skipped}} skipped · 🔴 {{errors}} errors · 🖼️ {{avatars}} avatars · ⚡ {{rate}}/s',
  // [counters, elapsed, failures (list), failuresMore]
  'contacts.completed': lines(
    '👤✅ **Contacts pulled**: {{processed}} contacts in {{elapsed}}',
    '🆕 {{created}} created · 🔄 {{updated}} updated · 🏷️ {{renamed}} renamed · ⚪ {{skipped}} skipped · 🔴 {{errors}} errors · 🖼️ {{avatars}} avatars',
    '{{#failures.length}}',
    '',
    '🔴 ChatWoot or WhatsApp refused these:',
    '{{#failures}}',
    '- `{{.}}`',
    '{{/failures}}',
    '{{#failuresMore}}',
    '- … and {{failuresMore}} more',
    '{{/failuresMore}}',
    '{{/failures.length}}',
  ),
  // [counters, elapsed, prefix]
  'contacts.stopped': lines(
    '👤⏹️ **Contacts pull stopped** after {{processed}} contacts ({{elapsed}})',
    '🆕 {{created}} created · 🔄 {{updated}} updated · 🏷️ {{renamed}} renamed · ⚪ {{skipped}} skipped · 🔴 {{errors}} errors · 🖼️ {{avatars}} avatars',
    'Send the same `{{prefix}}contacts pull` again to go on where it stopped.',
  ),
  // [error, counters, prefix]
  'contacts.failed': lines(
    '👤❌ **Contacts pull failed** after {{processed}} contacts: {{error}}',
    '🆕 {{created}} created · 🔄 {{updated}} updated · 🏷️ {{renamed}} renamed · ⚪ {{skipped}} skipped · 🔴 {{errors}} errors · 🖼️ {{avatars}} avatars',
    'WhatsApp or ChatWoot did not answer through every attempt. Check `{{prefix}}session status` and that ChatWoot is up, then send the same `{{prefix}}contacts pull` again: it goes on where it stopped (add `--attempts 20` to wait out a longer outage).',
  ),
  // [state, running, resumable, counters, elapsed, options?, error?, failures, failuresMore, board?, prefix]
  'contacts.status': lines(
    '{{#running}}👤⏳{{/running}}{{^running}}👤📋{{/running}} **Contacts pull: {{state}}**{{#options}} · ⚙️ {{options}}{{/options}}',
    '{{#error}}',
    '❌ {{error}}',
    '{{/error}}',
    '- 🆕 Created: **{{created}}**',
    '- 🔄 Updated: {{updated}}',
    '- 🏷️ Renamed: {{renamed}}',
    '- ⚪ Skipped: {{skipped}}',
    '- 🔴 Errors: {{errors}}',
    '- 🖼️ Avatars: {{avatars}}',
    '',
    '👤 {{processed}} contacts · ⏱️ {{elapsed}} · ⚡ {{rate}}/s',
    '{{#failures.length}}',
    '',
    '🔴 **Refused**',
    '{{#failures}}',
    '- `{{.}}`',
    '{{/failures}}',
    '{{#failuresMore}}',
    '- … and {{failuresMore}} more',
    '{{/failuresMore}}',
    '{{/failures.length}}',
    '{{#board}}',
    '',
    '🧭 Job: [on the queue board]({{{board}}})',
    '{{/board}}',
    '{{#running}}',
    '',
    'Stop it with `{{prefix}}contacts stop`.',
    '{{/running}}',
    '{{#resumable}}',
    '',
    'Send the same `{{prefix}}contacts pull` again to go on where it stopped.',
    '{{/resumable}}',
  ),
  // [prefix]
  'contacts.statusNone': 'ℹ️ No contacts pull has run here yet. Start one with `{{prefix}}contacts pull` (`{{prefix}}contacts help` lists the options).',
  // [state, processed, startedAgo, prefix]
  'contacts.alreadyRunning': lines(
    '⏳ A contacts pull is already {{state}} ({{processed}} contacts done, started {{startedAgo}} ago). Only one runs at a time.',
    'Follow it with `{{prefix}}contacts status`, or stop it with `{{prefix}}contacts stop`.',
  ),
  // [prefix]
  'contacts.stopRequested': '⏹️ Stopping the contacts pull before its next contact. A summary follows once it has stopped; `{{prefix}}contacts status` shows where it is.',
  'contacts.noneToStop': 'ℹ️ No contacts pull is running, so there is nothing to stop.',
  // [option, value, choices]
  'grammar.invalidChoice': 'Invalid value "{{value}}" for {{option}}: use {{choices}}.',
  // [option, value, min]
  'grammar.timeoutTooShort': 'Invalid value "{{value}}" for {{option}}: an attempt needs at least {{min}}.',
  // [option, value, max]
  'grammar.invalidDelay': 'Invalid value "{{value}}" for {{option}}: use a pause like 0.1s, 500ms or 2s (0 for none), at most {{max}}.',

  // ── Advice attached to progress or failure reports ───────────────────────────────────────────────────────────────
  'hint.tooManyMessages':
    '💡 ChatWoot refuses with "Too many messages": set `CONVERSATION_MESSAGE_PER_MINUTE_LIMIT` to at least `3000` in the ChatWoot environment and restart ChatWoot.',
  'hint.rateLimited':
    "💡 ChatWoot is rate-limiting this service (HTTP 429): set `RACK_ATTACK_LIMIT=30000`, or add this server's IP address to `RACK_ATTACK_ALLOWED_IPS`, in the ChatWoot environment.",
  'hint.chatwootSlow':
    '💡 ChatWoot answers slowly or with 503: it looks overloaded. The pull keeps retrying; a smaller `--batch` or a quieter hour helps.',

  // ── Queues ───────────────────────────────────────────────────────────────────────────────────────────────────────
  // [queues (list of {name, label, paused, waiting, active, delayed, failed}), prefix]
  'queue.status': lines(
    '📊 **Queues**',
    '{{#queues}}',
    '- {{#paused}}⚪ Paused{{/paused}}{{^paused}}🟢 Running{{/paused}} · **{{name}}** ({{label}}) · {{waiting}} waiting · {{active}} active · {{delayed}} delayed · {{failed}} failed{{#dead}} · 🔴 {{dead}} failed for good (`{{prefix}}queue retry {{name}}`){{/dead}}',
    '{{/queues}}',
    '{{^queues}}',
    'No queues.',
    '{{/queues}}',
    '',
    'ℹ️ Pausing is global: it applies to every worker connected to the same Redis.',
  ),
  // [names] `queue retry` found no dead letters
  'queue.nothingToRetry': 'Nothing to send again: no message of {{names}} failed for good (or it was older than the dead letters are kept).',
  // [rows (list of {name, label, count})]
  'queue.retried': lines(
    '🔁 Sending again what failed for good:',
    '{{#rows}}',
    '- **{{name}}** ({{label}}): {{count}}',
    '{{/rows}}',
    'They go after the messages that arrived meanwhile, so a conversation may show them out of their original order.',
  ),
  // [names, prefix]
  'queue.paused':
    '⚪🧩 Paused: {{names}}. New messages wait until `{{prefix}}queue start`. This holds for every worker on the same Redis.',
  // [names, prefix]
  'queue.resumed':
    '🟢🧩 Resumed: {{names}}. Waiting messages are being delivered. This holds for every worker on the same Redis.',
  // [target]
  'queue.unknownTarget': 'Unknown queue "{{target}}": use inbox, whatsapp (or waha) or all.',
  // queue labels, for `queue.status` rows
  'queue.label.inbox': 'ChatWoot → WhatsApp',
  'queue.label.whatsapp': 'WhatsApp → ChatWoot',

  // ── WhatsApp messages written into ChatWoot ─────────────────────────────────────────────────────────────────────
  // [date]
  'message.historyDate': '`📥🗓️ {{date}}`',
  // [participant, text]
  'message.groupParticipant': lines('👥 **{{participant}}**', '', '{{text}}'),
  // [caption?]
  'message.mediaNotDownloaded': lines(
    '{{#caption}}',
    '{{caption}}',
    '',
    '{{/caption}}',
    '🖼️⚠️ **This message has media that could not be downloaded.**',
    '📱 Open WhatsApp to see it.',
  ),
  // [caption?]
  'message.mediaNotRequested': lines(
    '{{#caption}}',
    '{{caption}}',
    '',
    '{{/caption}}',
    '🖼️ **Media not imported**: this pull ran without `--media`.',
    '📱 Open WhatsApp to see it. Pulls import media only when `--media` is given.',
  ),
  // [caption?, size?, limit, filename?]
  'message.mediaTooLarge': lines(
    '{{#caption}}',
    '{{caption}}',
    '',
    '{{/caption}}',
    '📦⚠️ **This message has a file too large to import**{{#filename}} ({{filename}}){{/filename}}: {{#size}}{{size}}, {{/size}}over the {{limit}} limit.',
    '📱 Open WhatsApp to see it. An administrator can raise MEDIA_MAX_SIZE (ChatWoot itself accepts 40 MB unless its upload limit was raised).',
  ),
  // [live (true for a live location), where (name, address), link (map link)]
  'message.location': lines(
    '📍 {{#live}}**Live location**{{/live}}{{^live}}**Location**{{/live}}{{#where}}: {{where}}{{/where}}',
    '{{#link}}',
    '{{link}}',
    '{{/link}}',
    '{{#live}}',
    '📱 It moves: open WhatsApp to follow it.',
    '{{/live}}',
  ),
  // [cards (each: name, phones)]
  'message.contacts': lines('👤 **Shared contact**', '{{#cards}}', '- {{name}}{{#phones}}: {{phones}}{{/phones}}', '{{/cards}}'),
  // [question, options, multiple (several answers allowed)]
  'message.poll': lines('📊 **Poll**: {{question}}', '{{#options}}', '- {{.}}', '{{/options}}', '{{#multiple}}', '_Several answers allowed._', '{{/multiple}}'),
  // [name, canceled, description?, when?, place?]
  'message.event': lines(
    '📅 **Event**: {{name}}{{#canceled}} (**canceled**){{/canceled}}',
    '{{#description}}',
    '{{description}}',
    '{{/description}}',
    '{{#when}}',
    '🕒 {{when}}',
    '{{/when}}',
    '{{#place}}',
    '📍 {{place}}',
    '{{/place}}',
  ),
  // [images, videos]
  'message.album': '🖼️ **Album**{{#images}}: {{images}} photo(s){{/images}}{{#videos}}, {{videos}} video(s){{/videos}}. Each follows as its own message.',
  'message.viewOnce': lines('👁️ **View-once message**', '📱 WhatsApp shows it once, on the phone only: it is not copied here.'),
  // [text]
  'message.forwarded': lines('↪️ _Forwarded_', '{{text}}'),
  // [text]
  'message.statusReply': lines('💬 _Replied to a status_', '{{text}}'),
  // [text, title, description?]
  'message.linkPreview': lines('{{text}}', '', '> 🔗 **{{title}}**', '{{#description}}', '> {{description}}', '{{/description}}'),
  // [type]
  'message.unsupported': lines(
    '⚠️ **This kind of WhatsApp message ({{type}}) cannot be shown here.**',
    '📱 Open WhatsApp to see it.',
  ),
  // ── WhatsApp updates: reactions, edits, deletions, poll votes, calls (clients/waha/waha-updates.ts) ──────────────
  // [emoji ('' when the reaction was removed), unknown (the message is not in ChatWoot, so nothing is quoted)]
  'update.reaction':
    '{{#emoji}}{{emoji}} **Reacted** to {{/emoji}}{{^emoji}}**Removed a reaction** from {{/emoji}}{{^unknown}}this message{{/unknown}}{{#unknown}}a message not copied here{{/unknown}}',
  // [text]
  'update.edited': lines('{{text}}', '', '`✏️ Edited in WhatsApp`'),
  // the ChatWoot copy could not be deleted: a note answering it says so
  'update.deleted': lines('🗑️ **Deleted in WhatsApp** by its sender.', '📱 It is gone from the WhatsApp chat; this copy stays here.'),
  // [options (the chosen options, joined; empty when the vote was withdrawn)]
  'update.pollVote': '🗳️ {{#options}}**Voted**: {{options}}{{/options}}{{^options}}**Withdrew their vote**{{/options}}',
  'update.pollVoteFailed': lines('🗳️⚠️ **A poll vote arrived that could not be read here.**', '📱 Open WhatsApp to see it.'),
  // [video (true for a video call), group (true for a group call), time]
  'update.callReceived': lines(
    '📞 **Incoming {{#video}}video{{/video}}{{^video}}voice{{/video}} call**{{#group}} (group call){{/group}} at {{time}}.',
    '📱 Calls are answered in WhatsApp: call back from the phone if it was missed.',
  ),
  // [time]
  'update.callAccepted': '📞 **Call answered** at {{time}} (on the phone or another device).',
  // [time]
  'update.callRejected': '📞 **Call declined or ended** at {{time}}.',
  // [subject]
  'contact.groupName': '{{subject}} (Group)',
  // [name]
  'contact.channelName': '{{name}} (Channel)',
  'contact.statusName': '🟢 Status',
  // [jid]
  'contact.broadcastName': 'Broadcast List ({{jid}})',
  'integration.contactName': 'WhatsApp Integration',

  // ── Live relay ───────────────────────────────────────────────────────────────────────────────────────────────────
  // [name, text]: AGENT_NAME_PREFIX, on WhatsApp (WhatsApp's own formatting: *bold*)
  'relay.agentName': lines('*{{name}}*:', '{{text}}'),
  // [reason]
  'relay.revokeFailed': lines(
    '⚠️ **Deleted here, but not on WhatsApp**: {{reason}}',
    '👉 WhatsApp deletes a message for everyone only for about two days after it was sent: the customer still sees it.',
  ),
  // [reason, excerpt? (of the reply), action? (what to do; a generic hint when absent)]
  'relay.sendFailed': lines(
    '⚠️ **Not delivered to WhatsApp**: {{reason}}',
    '{{#excerpt}}',
    '> {{excerpt}}',
    '{{/excerpt}}',
    '{{#action}}',
    '👉 What to do: {{action}}.',
    '{{/action}}',
    '{{^action}}',
    '👉 Check that the WhatsApp session is connected, then retry the message.',
    '{{/action}}',
  ),
  // Reasons and actions used in `relay.sendFailed`.
  'relay.noChatId': 'this contact has no WhatsApp chat id or phone number',
  'relay.noChatIdAction': 'add the phone number to the contact and send again',
  'relay.sendFailedAction': 'check the WhatsApp session with WAHA and send the message again',
  // [parts (file names or texts)] a send had no answer and WhatsApp cannot be asked whether it arrived
  'relay.sendUnconfirmed': lines(
    '⚠️ **Delivery not confirmed**: WAHA did not answer while sending {{parts}}, and cannot tell whether it went out.',
    '👉 Check the chat on WhatsApp and send it again if it is missing.',
  ),
  // [prefix, queue, ttl] how to copy again what failed for good (it was kept as a dead letter)
  'relay.retryAction':
    'fix the cause, then send `{{prefix}}queue retry {{queue}}` here to try again (it is kept for {{ttl}}); it lands after the messages that arrived meanwhile',
  // [prefix, ttl] how to send again an agent reply that failed for good (kept as a dead letter, marked failed)
  'relay.retryReplyAction':
    'fix the cause, then press **Retry** on the message (ChatWoot offers it for a day), or send `{{prefix}}queue retry inbox` in the WhatsApp Integration conversation (it is kept for {{ttl}}); it goes out after the replies sent meanwhile',
  // [files, hosts] an agent attachment whose URL is neither on ChatWoot nor in MEDIA_HOSTS
  'relay.attachmentRefused': lines(
    '⚠️ **Not sent to WhatsApp**: {{files}}. The file is not on this ChatWoot ({{hosts}}), and the bridge only sends files from ChatWoot itself or the hosts in its MEDIA_HOSTS setting.',
    '💡 Upload the file in ChatWoot and send it again. If ChatWoot serves files from another address (its FRONTEND_URL or a CDN), an administrator adds that host to MEDIA_HOSTS.',
  ),
  // [version?] once per conversation, when WAHA refuses media sends (WAHA Core before 2026.6.1)
  'relay.attachmentsNotDelivered': lines(
    '⚠️ **Attachments are not delivered to WhatsApp**: this WAHA{{#version}} ({{version}}){{/version}} is WAHA Core, which sends files only from version 2026.6.1 (or with WAHA Plus).',
    'The customer gets the text of your messages only. Send files another way, or upgrade WAHA.',
  ),
  // [chat, reason]
  // [chat, reason, excerpt?, action?]
  'relay.receiveFailed': lines(
    '⚠️ **A WhatsApp message from `{{chat}}` could not be copied to ChatWoot**: {{reason}}',
    '{{#excerpt}}',
    '> {{excerpt}}',
    '{{/excerpt}}',
    '📱 Open WhatsApp to read it.{{#action}} Then {{action}}.{{/action}}',
  ),
  // [session, status, next? (what to do, from session.next.*)]
  'session.status': lines('📱 WhatsApp session **{{session}}** is now **{{status}}**.', '{{#next}}', '👉 {{next}}', '{{/next}}'),
  // what to do next, by session status [prefix]
  'session.next.scan': 'Pair the phone again: send `{{prefix}}session qr` and scan the QR in WhatsApp → Linked devices.',
  'session.next.stopped': 'Start it with `{{prefix}}session start`: until then no messages come or go.',
  'session.next.failed': 'Try `{{prefix}}session restart`; if it fails again, `{{prefix}}session logout --yes`, then `{{prefix}}session qr` to pair again.',
  'session.next.starting': 'It is connecting: ask `{{prefix}}session status` again in a minute.',
  // [session, status, engine?, account?, next?]
  'session.report': lines(
    '📱 **Session {{session}}**: **{{status}}**{{#engine}} · {{engine}}{{/engine}}',
    '{{#account}}',
    'Account: {{account}}',
    '{{/account}}',
    '{{#next}}',
    '👉 {{next}}',
    '{{/next}}',
  ),
  // [command, logout (true for logout)]
  'session.confirm': lines(
    '⚠️ `{{command}}` {{#logout}}unpairs the phone: WhatsApp stops for every agent until someone scans a new QR.{{/logout}}{{^logout}}stops WhatsApp for every agent: no messages come or go until `start`.{{/logout}}',
    'Send `{{command}} --yes` to go ahead.',
  ),
  // [command, session, status, next?]
  'session.done': lines('📱 `{{command}}`: session {{session}} is now **{{status}}**.', '{{#next}}', '👉 {{next}}', '{{/next}}'),
  // [command, prefix]
  'session.noAnswer': '⏳ WAHA did not answer `{{command}}` in time: it may have been done. Send `{{prefix}}session status` to see.',
  // [command, reason]
  'session.refused': '⚠️ WAHA refused `{{command}}`: {{reason}}',
  // [left]
  'session.qrCaption': '📱 Scan this QR in WhatsApp → Settings → Linked devices → Link a device. A new one follows here when WhatsApp renews it ({{left}} left).',
  // [status, next?]
  'session.qrNotNeeded': lines('No QR to show: the session is **{{status}}**.', '{{#next}}', '👉 {{next}}', '{{/next}}'),
  // [session, account?]
  'session.paired': '✅ Paired: session {{session}} is connected{{#account}} as {{account}}{{/account}}.',
  // [timeout, prefix]
  'session.qrTimeout': '⌛ The QR was not scanned within {{timeout}}. Send `{{prefix}}session qr` for a new one.',
  // [session, engine]
  'session.screenshotCaption': '🖥️ What session {{session}} ({{engine}}) shows now.',
  'server.disabled': '🖥️ Server commands are off for this inbox: an administrator can set SERVER_COMMANDS=true (and list who may run them in COMMAND_AGENTS).',
  // [version, engine, tier?, uptime?, started?, workers, redis]
  'server.statusReply': lines(
    '🖥️ **WAHA** {{version}} · {{engine}}{{#tier}} · {{tier}}{{/tier}}',
    '{{#uptime}}',
    'Up for {{uptime}} (since {{started}})',
    '{{/uptime}}',
    '🧩 Bridge workers: {{workers}} · Redis memory: {{redis}}',
  ),
  // [command]
  'server.confirm': lines('⚠️ `{{command}}` stops WAHA: every session on it disconnects until WAHA is started again (by its restart policy).', 'Send `{{command}} --yes` to go ahead.'),
  // [force, prefix]
  'server.rebooting': '🖥️ WAHA is stopping{{#force}} at once{{/force}}{{^force}} gracefully{{/force}}: its restart policy starts it again, and the sessions reconnect within a minute or two. Send `{{prefix}}server status` to see it back.',
  // [reason]
  'server.refused': '⚠️ WAHA refused: {{reason}}',
  // [reason, engine?]
  'session.noScreenshot': lines('No screenshot: {{reason}}', '{{#engine}}', 'Only WEBJS and WPP run a browser to show; {{engine}} shows the QR while pairing and nothing once connected.', '{{/engine}}'),
  // [reason, window] a reply has been failing on a WAHA outage for a while (said once per reply)
  'relay.replyWaits':
    '⏳ WhatsApp (WAHA) is not answering ({{reason}}), so this reply waits: it goes out by itself as soon as WAHA answers again (for up to {{window}}), in order with the replies after it.',
  // [status, window] the first time a reply waits for the session
  'relay.sessionNotWorking':
    '⏳ The WhatsApp session is **{{status}}**, so this reply waits: it goes out as soon as the session works again (for up to {{window}}). Reconnect it in WAHA (scan the QR code if asked).',

  // ── What the servers are (posted in the WhatsApp Integration conversation once per change) ────────────────────
  // [waha, chatwoot, adaptations (list of lines), problems (list of lines)]
  'server.report': lines(
    'ℹ️ **Servers found**: WAHA {{waha}} · ChatWoot {{chatwoot}}',
    '{{#adaptations.length}}',
    '',
    '🔧 **What the bridge does because of them**',
    '{{#adaptations}}',
    '- {{.}}',
    '{{/adaptations}}',
    '{{/adaptations.length}}',
    '{{#problems.length}}',
    '',
    '⚠️ **What will not work, and what to change**',
    '{{#problems}}',
    '- {{.}}',
    '{{/problems}}',
    '{{/problems.length}}',
  ),
  // [version, engine, tier] how WAHA is named in the report
  'server.waha': '{{version}} ({{engine}}{{#tier}}, {{tier}}{{/tier}})',
  'server.unknown': 'unknown',
  'server.adapt.sortHere':
    'History is read newest first and put in order here: this WAHA cannot list it oldest first (NOWEB and GOWS can from 2025.10.5; WEBJS never does).',
  'server.adapt.lidsMerged': "An @lid chat and the phone chat of one person are read as one history (WAHA merges them).",
  'server.adapt.lidsJoined': 'An @lid chat and the phone chat of one person are read together and merged by time into one conversation.',
  'server.adapt.textOnly':
    'Agent attachments cannot be sent (WAHA Core before 2026.6.1): customers get the text, and the agent a note in the conversation.',
  'server.adapt.wpp': 'WPP engine: history is read without server-side filters and put in order here, which takes longer.',
  'server.problem.noFilters':
    'History import needs WAHA 2024.10.9 or later (paging and time filters on messages). Upgrade WAHA.',
  'server.problem.noLids':
    '@lid chats cannot be matched to phone numbers before WAHA 2025.5.4 (lids API): the same person may get two conversations. Upgrade WAHA.',
  'server.problem.nowebStore':
    'NOWEB keeps no store for this session, so chats and messages cannot be read: create the session with config.noweb.store.enabled=true and fullSync=true.',
  'server.problem.nowebShallow':
    'NOWEB synced only about 3 months of history (config.noweb.store.fullSync was off when the session was paired); older messages cannot be pulled.',
  'server.problem.chatwootSourceId':
    'ChatWoot before 3.4 drops the source_id of messages, so the bridge cannot recognise a post whose answer was lost. Upgrade ChatWoot.',
  'server.problem.chatwootUnsigned':
    'ChatWoot before 4.13 does not sign API inbox webhooks. Upgrade ChatWoot to check that webhooks really come from it.',
  // [rdb? (RDB snapshots are on)] Redis runs without an append-only file
  'server.problem.redisNoAof':
    'Redis keeps no append-only file{{#rdb}} (RDB snapshots only){{/rdb}}: if it restarts, it forgets what the bridge recorded since its last snapshot, if any (so a pull imports those messages again, and queued replies are lost). Set `appendonly yes` in redis.conf (or `CONFIG SET appendonly yes`, then `CONFIG REWRITE`).',
  // [policy] Redis may evict keys
  'server.problem.redisEviction':
    'Redis may delete keys when its memory is full (`maxmemory-policy {{policy}}`): the record of what was imported and queued messages could vanish. Set `maxmemory-policy noeviction` in redis.conf.',
  // [what, reason]
  'server.problem.unreachable': 'Could not ask {{what}}: {{reason}}',
  // [events (the missing event names)]
  'server.problem.missingEvents':
    "WAHA's webhook to this bridge does not send {{events}}: what they carry (reactions, edits, deletions, votes, calls, read receipts, session changes) never arrives. Add them to the session's webhook events in WAHA (the bridge does not rewrite the session's config: WAHA restarts the session on every config change).",

  // ── Generic ──────────────────────────────────────────────────────────────────────────────────────────────────────
  'command.notAllowed': lines(
    '⛔ This command was not run: commands are limited to the agents listed in the bridge\'s COMMAND_AGENTS setting.',
    '💡 Ask an administrator to run it, or to add you to COMMAND_AGENTS.',
  ),
  // [reason, prefix]
  'command.failed': lines(
    '❌ The command failed: {{reason}}',
    'Try again in a moment. Send `{{prefix}}help` for the list of commands.',
  ),
} as const satisfies Record<string, string>;

export type TextKey = keyof typeof en;
