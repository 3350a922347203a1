// What the `wa/` command grammar produces. The parser is pure: it turns the text an agent typed into one of these
// values, and every user-visible reply it needs comes from the texts module.
import type { ContactsOptions } from '../../contacts/contacts-options';
import type { PullOptions } from '../../pull/pull-options';
import type { QueueTarget } from '../../queue/queue.constants';

export type Command =
  | { kind: 'help' } // root help: lists `messages` and `queue`
  | { kind: 'messages.help' }
  | { kind: 'messages.status' }
  | { kind: 'messages.stop' }
  | { kind: 'messages.pull'; options: PullOptions }
  | { kind: 'contacts.help' | 'contacts.status' | 'contacts.stop' }
  | { kind: 'contacts.pull'; options: ContactsOptions }
  | { kind: 'queue.help' }
  | { kind: 'queue.status' | 'queue.start' | 'queue.stop' | 'queue.retry'; target: QueueTarget }
  | { kind: 'session.help' }
  | { kind: 'session.status' | 'session.start' | 'session.restart' | 'session.qr' | 'session.screenshot' }
  // Stopping and logging out cut WhatsApp off for every agent: they ask for `--yes` first.
  | { kind: 'session.stop' | 'session.logout'; confirmed: boolean }
  | { kind: 'server.help' }
  | { kind: 'server.status' }
  // A reboot stops WAHA for every session on it: it asks for `--yes`; `--force` (WAHA's app: -f) skips the graceful stop.
  | { kind: 'server.reboot'; force: boolean; confirmed: boolean };

export type ParseResult =
  | { type: 'not-a-command' } // a customer-conversation message without the prefix; or empty text
  | { type: 'command'; command: Command; text: string } // text = normalised single-line command
  | { type: 'error'; message: string }; // exact user-facing reply (markdown), from the texts module
