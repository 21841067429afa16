// Keeps a CacheState in step with the store: list, then one store watch from the list's revision + 1. A broken
// watch is re-created from the cache's own revision + 1 (never trusting a client library's resume); a watch
// that fell behind a compaction is replaced by a relist whose differences become synthetic events.
import type { Clock, Timer } from '../../clock/clock.ts';
import type { Logger } from '../../log/logger.ts';
import { Backoff } from '../../retry/backoff.ts';
import type { KeyValue, Store, Watch, WatchEvent } from '../../storage/store.ts';
import { isStoreError } from '../../storage/store.ts';
import type { CacheState, RelistSnapshot } from './cache-state.ts';
import { keyAfter } from './sorted-index.ts';

/** What the reflector tells its cache. */
export interface ReflectorHooks {
  /** The state changed (events appended and/or the revision moved). */
  changed(): void;
}

/** Delays before a failed list or watch is tried again: 100 ms doubling to 5 s; reset by a success. */
const RETRY_BACKOFF = { initialMs: 100, maxMs: 5_000 };

/** Read every key under `prefix` at one revision, a page at a time; returns that revision. */
export async function listPaged(store: Store, prefix: string, pageSize: number, onPage: (kvs: KeyValue[]) => void, revision?: number): Promise<number> {
  let startKey: string | undefined;
  let rev = revision;
  for (;;) {
    const page = await store.list(prefix, { revision: rev, limit: pageSize, startKey });
    rev = page.revision;
    onPage(page.kvs);
    if (!page.more || page.kvs.length === 0) return rev;
    startKey = keyAfter(page.kvs[page.kvs.length - 1].key);
  }
}

/** Follows one key prefix of the store into a CacheState. */
export class Reflector {
  private watch?: Watch;
  private gen = 0; // bumps on every (re)watch so late callbacks of an old watch are ignored
  private timer?: Timer;
  private readonly backoff = new Backoff(RETRY_BACKOFF);
  private stopped = false;
  /** True once the store has sent a progress notification (it tells idle prefixes how far it got). */
  progressSeen = false;

  constructor(
    private readonly deps: { store: Store; prefix: string; logger: Logger; clock: Clock; pageSize: number },
    private readonly state: CacheState,
    private readonly hooks: ReflectorHooks,
  ) {}

  /** Initial list and watch; retries while the store is unavailable. */
  async sync(): Promise<void> {
    for (;;) {
      try {
        const rev = await listPaged(this.deps.store, this.deps.prefix, this.deps.pageSize, (kvs) => this.state.load(kvs));
        if (this.stopped) return;
        this.state.loaded(rev);
        this.openWatch(rev + 1);
        return;
      } catch (err) {
        if (!isStoreError(err, 'Unavailable') || this.stopped) throw err;
        this.deps.logger.warn('watch cache: initial list failed, retrying', { prefix: this.deps.prefix, err });
        await this.deps.clock.sleep(this.backoff.next());
      }
    }
  }

  /** Stop watching the store. */
  stop(): void {
    this.stopped = true;
    this.gen++;
    this.watch?.cancel();
    this.watch = undefined;
    this.timer?.cancel();
  }

  private openWatch(from: number): void {
    const gen = ++this.gen;
    const live = () => gen === this.gen && !this.stopped;
    try {
      this.watch = this.deps.store.watch(this.deps.prefix, from, {
        onEvents: (evs: WatchEvent[]) => {
          if (!live()) return;
          this.backoff.reset();
          this.state.apply(evs);
          this.hooks.changed();
        },
        onProgress: (rev: number) => {
          this.progressSeen = true;
          if (live() && this.state.advance(rev)) this.hooks.changed();
        },
        onError: (err: Error) => {
          if (live()) this.recover(err);
        },
      });
    } catch (err) {
      this.recover(err as Error);
    }
  }

  private recover(err: Error): void {
    this.gen++;
    this.watch?.cancel();
    this.watch = undefined;
    const compacted = isStoreError(err, 'Compacted');
    this.deps.logger.warn(compacted ? 'watch cache fell behind a compaction, relisting' : 'watch cache: store watch failed, re-watching', {
      prefix: this.deps.prefix,
      fromRv: this.state.rev + 1,
      err,
    });
    if (compacted) void this.relist();
    else this.after(this.backoff.next(), () => this.openWatch(this.state.rev + 1));
  }

  private async relist(): Promise<void> {
    const snap: RelistSnapshot = { rev: 0, keys: new Set(), changed: [] };
    try {
      snap.rev = await listPaged(this.deps.store, this.deps.prefix, this.deps.pageSize, (kvs) => {
        for (const kv of kvs) {
          snap.keys.add(kv.key);
          // Decode only what differs: an unchanged object keeps its parsed copy.
          if (this.state.objects.get(kv.key)?.rv === kv.modRevision) continue;
          const e = this.state.entry(kv);
          if (e) snap.changed.push(e);
        }
      });
    } catch (err) {
      if (this.stopped) return;
      this.deps.logger.warn('watch cache: relist failed, retrying', { prefix: this.deps.prefix, err });
      this.after(this.backoff.next(), () => void this.relist());
      return;
    }
    if (this.stopped) return;
    this.backoff.reset();
    this.state.replace(snap);
    this.hooks.changed();
    this.openWatch(snap.rev + 1);
  }

  private after(ms: number, fn: () => void): void {
    this.timer?.cancel();
    this.timer = this.deps.clock.setTimeout(() => {
      if (!this.stopped) fn();
    }, ms);
  }
}
