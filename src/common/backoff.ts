/**
 * Exponential backoff, written once: the delay before retry number `attempt` (0 for the first retry) is
 * `min(maxMs, baseMs · 2^attempt)` plus up to `jitterMs` of random jitter. `retry` runs a call until it succeeds,
 * the error is not worth retrying, or the attempts are spent; BullMQ's own job backoff is set in queue/job-options.ts.
 */
import { sleep } from './sleep';

export interface BackoffPolicy {
  baseMs: number;
  maxMs: number;
  /** Random extra wait in [0, jitterMs), so retries of many callers spread out. */
  jitterMs?: number;
}

export function backoffDelay(attempt: number, policy: BackoffPolicy): number {
  const exponential = policy.baseMs * 2 ** Math.max(0, Math.min(attempt, 30));
  return Math.min(policy.maxMs, exponential) + (policy.jitterMs ? Math.random() * policy.jitterMs : 0);
}

export interface RetryOptions {
  /** Calls in all, the first included (≥ 1). */
  attempts: number;
  policy: BackoffPolicy;
  /** True when a later call may succeed; anything else is thrown at once. */
  retryable: (error: unknown) => boolean;
  /** Aborts the wait between calls (the signal's reason is thrown). */
  signal?: AbortSignal;
  /** Called before each wait, e.g. to log. */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

/** Runs `fn` until it succeeds; throws the last error when it is not retryable or the attempts are spent. */
export function retry<T>(fn: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  return retryUntil(fn, options, (attempt) => attempt + 1 >= options.attempts);
}

/** The one retry loop: `spent` says, after a retryable failure, whether to give up (attempt, first failure in ms). */
async function retryUntil<T>(
  fn: (attempt: number) => Promise<T>,
  options: Omit<RetryOptions, 'attempts'>,
  spent: (attempt: number, firstFailureAt: number) => boolean,
): Promise<T> {
  let firstFailureAt = 0;
  for (let attempt = 0; ; attempt++) {
    options.signal?.throwIfAborted();
    try {
      return await fn(attempt);
    } catch (error) {
      firstFailureAt ||= Date.now();
      if (!options.retryable(error) || spent(attempt, firstFailureAt)) throw error;
      const delay = backoffDelay(attempt, options.policy);
      options.onRetry?.(error, attempt, delay);
      await sleep(delay, options.signal);
    }
  }
}

export interface RetryForOptions {
  /** Keep retrying this long from the first failure, then throw the last error. */
  windowMs: number;
  policy: BackoffPolicy;
  retryable: (error: unknown) => boolean;
  signal?: AbortSignal;
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
}

/** Runs `fn` until it succeeds; retryable errors are retried for `windowMs` (a fault that lasts, not a count). */
export function retryFor<T>(fn: (attempt: number) => Promise<T>, options: RetryForOptions): Promise<T> {
  return retryUntil(fn, options, (_attempt, firstFailureAt) => Date.now() - firstFailureAt > options.windowMs);
}
