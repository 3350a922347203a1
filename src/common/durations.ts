/** Durations as agents read them: compact (`30d`, `12h`) for windows and options, rounded for elapsed times. */

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
/** A year of 365.25 days, as `ms` counts it. */
export const YEAR = 365.25 * DAY;
/**
 * The longest duration that may become a timer: setTimeout fires at once past 2^31-1 ms (about 24.8 days), so a
 * `--timeout 30d` would end a pull immediately. Timeouts and timer-backed settings stay at or below 24 days.
 */
export const MAX_TIMER_MS = 24 * DAY;

/**
 * Compact text for a duration that parses back to the same value: the largest unit that divides it exactly
 * (`1d`, `30d`, `12h`, `36h`, `90s`), whole years as days (`1y` → `365d`), `0d` for zero.
 */
export function formatDuration(value: number): string {
  const abs = Math.abs(Math.round(value));
  const sign = value < 0 ? '-' : '';
  if (abs === 0) return '0d';
  if (abs % YEAR === 0) return `${sign}${(abs / YEAR) * 365}d`;
  for (const [unit, size] of [
    ['d', DAY],
    ['h', HOUR],
    ['m', MINUTE],
    ['s', SECOND],
  ] as const) {
    if (abs >= size && abs % size === 0) return `${sign}${abs / size}${unit}`;
  }
  return `${sign}${abs}ms`;
}

/** An elapsed or remaining time: `4.2s` under ten seconds, then `42s`, `3m 5s`, `2h 10m`. */
export function formatElapsed(ms: number): string {
  if (ms < 10_000) return `${(Math.max(0, ms) / 1000).toFixed(1)}s`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${s % 60}s`;
  return `${Math.floor(m / 60)}h ${m % 60}m`;
}
