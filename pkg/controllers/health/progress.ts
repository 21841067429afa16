// Whether the control plane itself kept up: a ticker on our own clock that should fire every `periodMs`. When it
// fires late, this process (and the API server in it, or the machine) was starved for the difference, and
// nothing it saw or failed to see during that time says anything about the nodes. The stalled time adds up, and
// node silence is measured in time the control plane was making progress (observer.ts subtracts it), so a
// starved control plane never marks a node down for a silence it caused itself.

/** Options of a ProgressMonitor. */
export interface ProgressOptions {
  /** The ticker's period (default 1 s). */
  periodMs?: number;
  /** Lateness that counts as a stall (default 1 s): timer jitter below it is ignored. */
  toleranceMs?: number;
}

export const DEFAULT_PROGRESS_PERIOD_MS = 1000;
export const DEFAULT_PROGRESS_TOLERANCE_MS = 1000;

/** Cumulative stalled time of the control plane, from the lateness of a periodic tick. */
export class ProgressMonitor {
  readonly periodMs: number;
  private readonly toleranceMs: number;
  private last: number | undefined;
  private total = 0;
  private lastStall = { at: -Infinity, ms: 0 };

  constructor(opts: ProgressOptions = {}) {
    this.periodMs = opts.periodMs ?? DEFAULT_PROGRESS_PERIOD_MS;
    this.toleranceMs = opts.toleranceMs ?? DEFAULT_PROGRESS_TOLERANCE_MS;
  }

  /** The ticker fired at `now`. Returns the stall it reveals (ms, 0 if none). */
  tick(now: number): number {
    const prev = this.last;
    this.last = now;
    if (prev === undefined) return 0;
    const late = now - prev - this.periodMs;
    if (late <= this.toleranceMs) return 0;
    this.total += late;
    this.lastStall = { at: now, ms: late };
    return late;
  }

  /** Milliseconds the control plane was stalled, in total, up to `now` (a tick overdue right now counts too). */
  stalledMs(now: number): number {
    if (this.last === undefined) return this.total;
    const overdue = now - this.last - this.periodMs;
    return this.total + (overdue > this.toleranceMs ? overdue : 0);
  }

  /** The last stall seen: when it ended and how long it was. */
  lastStallSeen(): { at: number; ms: number } {
    return this.lastStall;
  }
}
