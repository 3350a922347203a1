/**
 * Two small throttles for the fake ChatWoot: a FIFO semaphore modelling Puma's thread pool behind a proxy that
 * refuses when its queue is full, and Rack::Attack's fixed windows aligned to the epoch.
 */

export class FifoSemaphore {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private capacity: number) {}

  get inUse(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting.length;
  }

  /** Resolves true once a slot is held; false at once when `maxWaiting` requests already wait. */
  async acquire(maxWaiting: number): Promise<boolean> {
    if (this.active < this.capacity) {
      this.active++;
      return true;
    }
    if (this.waiting.length >= maxWaiting) return false;
    await new Promise<void>((resolve) => this.waiting.push(resolve));
    return true;
  }

  release(): void {
    const next = this.active <= this.capacity ? this.waiting.shift() : undefined;
    if (next) next();
    else this.active--;
  }

  setCapacity(capacity: number): void {
    this.capacity = capacity;
    while (this.active < this.capacity && this.waiting.length > 0) {
      this.active++;
      this.waiting.shift()!();
    }
  }
}

/** A counter per fixed window `Math.floor(now / period)`, reset when the window changes (not sliding). */
export class FixedWindowCounter {
  private window = -1;
  private count = 0;

  /** Counts one hit; false when it is beyond `limit` in the current window. */
  hit(limit: number, periodSec: number, now = Date.now()): boolean {
    const window = Math.floor(now / 1000 / periodSec);
    if (window !== this.window) {
      this.window = window;
      this.count = 0;
    }
    this.count++;
    return this.count <= limit;
  }

  reset(): void {
    this.window = -1;
    this.count = 0;
  }
}
