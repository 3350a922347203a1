// What the `wa/` command grammar produces. The parser is pure: it turns the text an agent typed into one of these
// values, and every user-visible reply it needs comes from the texts module.

export type QueueTarget = 'inbox' | 'whatsapp' | 'all';

export interface PullWindow {
  /** How long ago the window starts, in ms. Always >= endAgoMs. */
  startAgoMs: number;
  /** How long ago the window ends, in ms; 0 = now. */
  endAgoMs: number;
}

export interface PullOptions {
  window: PullWindow; // startAgoMs >= endAgoMs (values sorted); defaults 1d, 0
  /** 'all', or a chat id as typed (a bare phone number is normalised to `<digits>@c.us`). */
  chat: string;
  force: boolean;
  include: { dm: boolean; groups: boolean; channels: boolean; status: boolean; broadcast: boolean };
  media: boolean;
  pause: boolean;
  resolveConversations: boolean;
  /** Page size, 1..1000, default 100. */
  batch: number;
  /** Report every N messages, 0 = off, default 1000. */
  progress: number;
  /** Attempts per job, 1..50, default 6. */
  attempts: number;
  /** Time limit of one job attempt, > 0, default 10m. */
  timeoutMs: number;
  /** Time limit of one media download, > 0, default 30s. */
  timeoutMediaMs: number;
  dryRun: boolean;
}

export type Command =
  | { kind: 'help' } // root help: lists `messages` and `queue`
  | { kind: 'messages.help' }
  | { kind: 'messages.status' }
  | { kind: 'messages.stop' }
  | { kind: 'messages.pull'; options: PullOptions }
  | { kind: 'queue.help' }
  | { kind: 'queue.status' | 'queue.start' | 'queue.stop'; target: QueueTarget };

export type ParseResult =
  | { type: 'not-a-command' } // a customer-conversation message without the prefix; or empty text
  | { type: 'command'; command: Command; text: string } // text = normalised single-line command
  | { type: 'error'; message: string }; // exact user-facing reply (markdown), from the texts module
