import { backoffDelay, retry, retryFor } from './backoff';

describe('backoffDelay', () => {
  it('doubles from the base up to the cap', () => {
    const policy = { baseMs: 500, maxMs: 3000 };
    expect([0, 1, 2, 3, 4, 50].map((a) => backoffDelay(a, policy))).toEqual([500, 1000, 2000, 3000, 3000, 3000]);
  });

  it('adds jitter below the given bound', () => {
    for (let i = 0; i < 50; i++) {
      const delay = backoffDelay(1, { baseMs: 100, maxMs: 1000, jitterMs: 50 });
      expect(delay).toBeGreaterThanOrEqual(200);
      expect(delay).toBeLessThan(250);
    }
  });
});

describe('retry', () => {
  const policy = { baseMs: 1, maxMs: 2 };

  it('retries retryable errors until a call succeeds', async () => {
    const seen: number[] = [];
    const result = await retry(
      async (attempt) => {
        seen.push(attempt);
        if (attempt < 2) throw new Error('flaky');
        return 'ok';
      },
      { attempts: 5, policy, retryable: () => true },
    );
    expect(result).toBe('ok');
    expect(seen).toEqual([0, 1, 2]);
  });

  it('throws at once an error that is not retryable', async () => {
    let calls = 0;
    await expect(
      retry(
        async () => {
          calls++;
          throw new Error('bad request');
        },
        { attempts: 5, policy, retryable: (e) => (e as Error).message !== 'bad request' },
      ),
    ).rejects.toThrow('bad request');
    expect(calls).toBe(1);
  });

  it('throws the last error once the attempts are spent, telling onRetry about each wait', async () => {
    const retries: number[] = [];
    await expect(
      retry(
        async (attempt) => {
          throw new Error(`try ${attempt}`);
        },
        { attempts: 3, policy, retryable: () => true, onRetry: (_e, attempt) => retries.push(attempt) },
      ),
    ).rejects.toThrow('try 2');
    expect(retries).toEqual([0, 1]);
  });

  it('stops waiting when the signal aborts', async () => {
    const controller = new AbortController();
    const pending = retry(
      async () => {
        throw new Error('down');
      },
      { attempts: 10, policy: { baseMs: 60_000, maxMs: 60_000 }, retryable: () => true, signal: controller.signal },
    );
    controller.abort(new Error('shutting down'));
    await expect(pending).rejects.toThrow('shutting down');
  });
});

describe('retryFor', () => {
  it('retries for a time window, not a count, then throws the last error', async () => {
    let calls = 0;
    const started = Date.now();
    await expect(
      retryFor(
        async () => {
          calls++;
          throw new Error(`down ${calls}`);
        },
        { windowMs: 60, policy: { baseMs: 5, maxMs: 5 }, retryable: () => true },
      ),
    ).rejects.toThrow(/down \d+/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(60);
    expect(calls).toBeGreaterThan(5);
  });

  it('gives back what succeeds within the window, and throws a non-retryable error at once', async () => {
    let calls = 0;
    await expect(retryFor(async () => (++calls < 3 ? Promise.reject(new Error('blip')) : 'ok'), { windowMs: 1000, policy: { baseMs: 1, maxMs: 1 }, retryable: () => true })).resolves.toBe('ok');
    await expect(retryFor(async () => Promise.reject(new Error('bad')), { windowMs: 1000, policy: { baseMs: 1, maxMs: 1 }, retryable: () => false })).rejects.toThrow('bad');
  });
});
