// One priority level: a number of seats, and queues of waiting requests. Each flow hashes to one queue; when a
// seat frees, queues are served round-robin (one request from each non-empty queue in turn), so a flow with a
// thousand waiting requests cannot starve one with a single request: it waits at most one round. A request that
// would overflow its queue, or waits longer than the level's queue wait, is rejected (the caller answers 429).
import type { Clock, Timer } from '../clock/clock.ts';

/** Why a request was not admitted (`cancelled`: its client went away while it waited). */
export type RejectReason = 'queue-full' | 'time-out' | 'cancelled';

/** An admitted request's seat: give it back once, when the request no longer needs it. */
export interface Seat {
  release(): void;
}

/** The outcome of asking for a seat. */
export type Admission = { admitted: true; seat: Seat; waitedMs: number } | { admitted: false; reason: RejectReason; waitedMs: number };

interface Waiter {
  enqueuedAt: number;
  width: number;
  resolve(a: Admission): void;
  timer?: Timer;
}

/** Options of a FairQueue. */
export interface FairQueueOptions {
  seats: number;
  queues: number;
  queueLengthLimit: number;
  maxQueueWaitMs: number;
  clock: Clock;
}

/** The seats and queues of one level. */
export class FairQueue {
  private executing = 0;
  private readonly queues: Waiter[][];
  /** The next queue the round-robin looks at. */
  private next = 0;
  private waiting = 0;

  constructor(private readonly opts: FairQueueOptions) {
    this.queues = Array.from({ length: Math.max(1, opts.queues) }, () => []);
  }

  /** Requests holding a seat. */
  get inFlight(): number {
    return this.executing;
  }

  /** Requests waiting in a queue. */
  get queued(): number {
    return this.waiting;
  }

  /**
   * Ask for `width` seats (default 1; a big list takes more, capped at the level's seats) for a request of
   * `flow`; resolves when it gets them or is rejected. Aborting `signal` takes a waiting request out of its queue.
   */
  admit(flow: string, width = 1, signal?: AbortSignal): Promise<Admission> {
    const w0 = Math.max(1, Math.min(Math.ceil(width), this.opts.seats));
    if (this.executing + w0 <= this.opts.seats && this.waiting === 0) {
      this.executing += w0;
      return Promise.resolve({ admitted: true, seat: this.seat(w0), waitedMs: 0 });
    }
    const queue = this.queues[queueIndex(flow, this.queues.length)]!;
    if (queue.length >= this.opts.queueLengthLimit) return Promise.resolve({ admitted: false, reason: 'queue-full', waitedMs: 0 });
    if (signal?.aborted) return Promise.resolve({ admitted: false, reason: 'cancelled', waitedMs: 0 });
    return new Promise<Admission>((resolve) => {
      const w: Waiter = { enqueuedAt: this.opts.clock.now(), width: w0, resolve };
      const leave = (reason: RejectReason) => {
        const i = queue.indexOf(w);
        if (i < 0) return;
        queue.splice(i, 1);
        this.waiting--;
        w.timer?.cancel();
        signal?.removeEventListener('abort', onAbort);
        resolve({ admitted: false, reason, waitedMs: this.opts.clock.now() - w.enqueuedAt });
        // The head of this queue may have been what held the others back (a wide request).
        this.dispatch();
      };
      const onAbort = () => leave('cancelled');
      w.resolve = (a) => {
        signal?.removeEventListener('abort', onAbort);
        resolve(a);
      };
      queue.push(w);
      this.waiting++;
      w.timer = this.opts.clock.setTimeout(() => leave('time-out'), this.opts.maxQueueWaitMs);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private seat(width: number): Seat {
    let held = true;
    return {
      release: () => {
        if (!held) return;
        held = false;
        this.executing -= width;
        this.dispatch();
      },
    };
  }

  /**
   * Give free seats to waiting requests, one queue after another. The request whose turn it is waits until
   * enough seats are free for its width (nothing jumps it), so a wide request is never starved by narrow ones.
   */
  private dispatch(): void {
    while (this.waiting > 0) {
      let q = this.queues[this.next]!;
      while (q.length === 0) {
        this.next = (this.next + 1) % this.queues.length;
        q = this.queues[this.next]!;
      }
      if (this.executing + q[0]!.width > this.opts.seats) return;
      const w = q.shift()!;
      this.next = (this.next + 1) % this.queues.length;
      this.waiting--;
      w.timer?.cancel();
      this.executing += w.width;
      w.resolve({ admitted: true, seat: this.seat(w.width), waitedMs: this.opts.clock.now() - w.enqueuedAt });
    }
  }
}

/** The queue of a flow: a stable string hash (FNV-1a) modulo the number of queues. */
export function queueIndex(flow: string, queues: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < flow.length; i++) {
    h ^= flow.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % queues;
}
