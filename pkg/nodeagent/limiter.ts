// A concurrency limiter: at most `limit` calls in flight, the rest wait their turn in order. Agents use it so
// thousands of writes (registrations, heartbeats, status reports) reach the API server a few at a time instead
// of all at once.

/** Runs async functions with at most `limit` of them in flight. */
export class Limiter {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError('limiter: limit must be a positive integer');
  }

  /** Run `fn` when a slot is free; resolves or rejects with its outcome. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.active++;
    try {
      return await fn();
    } finally {
      // Hand the slot straight to the next waiter (active stays the same) or give it back.
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }

  /** Calls in flight. */
  inFlight(): number {
    return this.active;
  }

  /** Calls waiting for a slot. */
  queued(): number {
    return this.waiting.length;
  }
}
