// Helpers of the conformance suite: opening a store per test, collecting watch events, asserting errors.
import assert from 'node:assert/strict';
import { isStoreError, type KeyValue, type Store, type StoreErrorCode, type Watch, type WatchEvent, type WatchHandlers } from './store.ts';

/** Opens a fresh store (empty under its key space) and cleans it up afterwards. */
export type OpenStore = () => Promise<{ store: Store; cleanup(): Promise<void> }>;

/** Runs `fn` against a freshly opened store, always cleaning up. */
export async function withStore(open: OpenStore, fn: (store: Store) => Promise<void>): Promise<void> {
  const { store, cleanup } = await open();
  try {
    await fn(store);
  } finally {
    await cleanup();
  }
}

/** Asserts that `p` rejects with a StoreError of `code`; returns the error. */
export async function rejectsWith(p: Promise<unknown>, code: StoreErrorCode): Promise<Error & { current?: KeyValue }> {
  try {
    await p;
  } catch (err) {
    assert.ok(isStoreError(err, code), `expected StoreError ${code}, got ${String(err)}`);
    return err;
  }
  assert.fail(`expected StoreError ${code}, but it succeeded`);
}

/** A watch's deliveries, with a way to wait for a condition on them. */
export class Collector {
  readonly events: WatchEvent[] = [];
  readonly errors: Error[] = [];
  batches = 0;
  private waiters: Array<{ check: () => boolean; resolve: () => void }> = [];

  /** Handlers to pass to Store.watch. */
  readonly handlers: WatchHandlers = {
    onEvents: (events) => {
      this.batches++;
      this.events.push(...events);
      this.wake();
    },
    onError: (err) => {
      this.errors.push(err);
      this.wake();
    },
  };

  /** Resolves once `check()` holds (checked after every delivery). */
  until(check: () => boolean): Promise<void> {
    if (check()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ check, resolve }));
  }

  /** Resolves once an event at `revision` or later arrived (or an error ended the watch). */
  untilRevision(revision: number): Promise<void> {
    return this.until(() => this.errors.length > 0 || (this.events.at(-1)?.kv.modRevision ?? 0) >= revision);
  }

  /** Resolves once the watch reported an error. */
  untilError(): Promise<Error> {
    return this.until(() => this.errors.length > 0).then(() => this.errors[0]!);
  }

  private wake(): void {
    const pending = this.waiters;
    this.waiters = [];
    for (const w of pending) {
      if (w.check()) w.resolve();
      else this.waiters.push(w);
    }
  }
}

/** Starts a watch on `store` feeding a new Collector. */
export function collect(store: Store, prefix: string, startRevision: number): { watch: Watch; c: Collector } {
  const c = new Collector();
  return { watch: store.watch(prefix, startRevision, c.handlers), c };
}

/** A comparable summary of an event: "put /k=v@7" or "delete /k=v@8". */
export function describeEvent(ev: WatchEvent): string {
  return `${ev.type} ${ev.kv.key}=${ev.kv.value}@${ev.kv.modRevision}`;
}

/** Revisions in `events` never go down, and no (key, revision) repeats. */
export function assertOrderedOnce(events: readonly WatchEvent[]): void {
  const seen = new Set<string>();
  let last = 0;
  for (const ev of events) {
    assert.ok(ev.kv.modRevision >= last, `revision went back: ${ev.kv.modRevision} after ${last}`);
    last = ev.kv.modRevision;
    const id = `${ev.kv.key}@${ev.kv.modRevision}`;
    assert.ok(!seen.has(id), `duplicate event ${id}`);
    seen.add(id);
  }
}

/** A deterministic string of `bytes` length, distinct per `seed`. */
export function filler(seed: number, bytes: number): string {
  const unit = `${seed.toString(36)}-abcdefghijklmnopqrstuvwxyz0123456789-`;
  return unit.repeat(Math.ceil(bytes / unit.length)).slice(0, bytes);
}
