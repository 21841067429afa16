// Where the memory store's changes become durable. The store applies a change to its in-memory state
// at once (so the next compare-and-swap sees it) but acknowledges it, shows it to readers and delivers
// it to watches only once the log says it is durable.
import type { WalRecord } from './wal.ts';

/** The memory store's durability boundary. */
export interface CommitLog {
  /** Highest revision that is durable: reads are served at it, watches deliver up to it. */
  readonly durable: number;
  /** Logs `rec` (the change that produced `revision`, if any); resolves once it is durable. */
  append(rec: WalRecord, revision?: number): Promise<void>;
  /** Resolves once everything appended so far is durable (answers that depend on not-yet-durable state). */
  barrier(): Promise<void>;
  /** Calls `fn` whenever the durable revision moves. */
  onDurable(fn: (revision: number) => void): void;
  /** Flushes and releases the log. */
  close(): Promise<void>;
}

/** No persistence: everything is durable as soon as it is applied (tests, throwaway dev stores). */
export class VolatileLog implements CommitLog {
  private readonly listeners: Array<(revision: number) => void> = [];

  constructor(public durable: number) {}

  append(_rec: WalRecord, revision?: number): Promise<void> {
    if (revision !== undefined && revision > this.durable) {
      this.durable = revision;
      for (const fn of this.listeners) fn(revision);
    }
    return Promise.resolve();
  }

  barrier(): Promise<void> {
    return Promise.resolve();
  }

  onDurable(fn: (revision: number) => void): void {
    this.listeners.push(fn);
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}
