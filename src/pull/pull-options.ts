/**
 * What a history pull is asked to do (`wa/messages pull` parses into this), its defaults and limits, and how its
 * window reads in reports. The command grammar validates against these; the pull engine reads nothing else.
 */
import { DAY, formatDuration, MINUTE, SECOND } from '../common/durations';

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

/** Bounds of the numeric options, as the grammar checks them and the help states them. */
export const PULL_LIMITS: Readonly<Record<'batch' | 'progress' | 'attempts', { min: number; max: number }>> = {
  batch: { min: 1, max: 1000 },
  // 0 = no progress reports; below 10 a report per message or two would flood the conversation.
  progress: { min: 10, max: 1_000_000 },
  attempts: { min: 1, max: 50 },
};

export function defaultPullOptions(): PullOptions {
  return {
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
}

/** The window as shown to agents: `1d` when it ends now, else `30d-20d`. */
export function describeWindow(window: PullWindow): string {
  const start = formatDuration(window.startAgoMs);
  return window.endAgoMs === 0 ? start : `${start}-${formatDuration(window.endAgoMs)}`;
}
