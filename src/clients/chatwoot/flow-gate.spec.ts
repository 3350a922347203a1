import { UpstreamError } from '../http/http-error';
import { FlowGate } from './flow-gate';

const err = (kind: UpstreamError['kind'], status?: number): UpstreamError => new UpstreamError('chatwoot', kind, status, 'post', '/x', '', kind);

describe('FlowGate', () => {
  it('never runs more requests at once than its limit, and lets live traffic go first', async () => {
    const gate = new FlowGate({ maxConcurrency: 2, rateLimit: 0, windowMs: 60_000, maxWaitMs: 10_000, keyPrefix: 't' });
    let running = 0;
    let peak = 0;
    const order: string[] = [];
    const task = (name: string) => async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 20));
      running--;
      order.push(name);
    };
    await Promise.all([gate.run('bulk', task('b1')), gate.run('bulk', task('b2')), gate.run('bulk', task('b3')), gate.run('live', task('l1'))]);
    expect(peak).toBe(2);
    expect(order.indexOf('l1')).toBeLessThan(order.indexOf('b3'));
    gate.close();
  });

  it('retries a 429 at the next window and a 503 with backoff, but throws client errors at once', async () => {
    const gate = new FlowGate({ maxConcurrency: 4, rateLimit: 0, windowMs: 200, maxWaitMs: 10_000, keyPrefix: 't' });
    const answers = [err('rate-limited', 429), err('unavailable', 503)];
    let calls = 0;
    const started = Date.now();
    const result = await gate.run('bulk', async () => {
      calls++;
      const next = answers.shift();
      if (next) throw next;
      return 'ok';
    });
    expect(result).toBe('ok');
    expect(calls).toBe(3);
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
    expect(gate.stats.rateLimited).toBe(1);
    expect(gate.stats.unavailable).toBe(1);
    await expect(gate.run('bulk', () => Promise.reject(err('client', 422)))).rejects.toThrow('client');
    gate.close();
  });

  it('after a flood 422 paces that conversation at the rate ChatWoot accepted', async () => {
    const gate = new FlowGate({ maxConcurrency: 4, rateLimit: 0, windowMs: 60_000, maxWaitMs: 500, keyPrefix: 't' });
    let accepted = 0;
    const post = () =>
      gate.run(
        'bulk',
        async () => {
          if (accepted >= 3) throw err('flood', 422);
          accepted++;
          return accepted;
        },
        'conv-1',
      );
    await post();
    await post();
    await post();
    // The fourth is refused and would have to wait a minute: more than this gate may wait, so it surfaces.
    await expect(post()).rejects.toThrow('flood');
    expect(gate.stats.flood).toBe(1);
    // Another conversation is not held back.
    await expect(gate.run('bulk', () => Promise.resolve('other'), 'conv-2')).resolves.toBe('other');
    gate.close();
  });
});
