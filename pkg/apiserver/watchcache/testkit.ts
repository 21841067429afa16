// Test helpers for the watch cache: a memory store, objects as the API server stores them, a store wrapper
// that can break the cache's watch, and a watch recorder.
import type { ApiObject } from '../../../api/schemas/kind.ts';
import { ManualClock, type Clock } from '../../clock/clock.ts';
import { silentLogger } from '../../log/logger.ts';
import { openMemoryStore } from '../../storage/memory/index.ts';
import type { KeyValue, Store, Watch, WatchHandlers } from '../../storage/store.ts';
import { withRv } from './convert.ts';
import type { CacheEvent, CacheWatchOptions, WatchCacheDeps } from './types.ts';
import { WatchCache } from './watch-cache.ts';

/** The prefix the tests cache. */
export const JOBS = '/registry/drover.dev/jobs/';
/** Another kind's prefix: writes there move the global revision only. */
export const NODES = '/registry/drover.dev/nodes/';

/** Decode as the API server does: the stored JSON has no resourceVersion, the modRevision is it. */
export function decode(kv: KeyValue): ApiObject {
  const obj = JSON.parse(kv.value) as ApiObject;
  obj.metadata.resourceVersion = String(kv.modRevision);
  return obj;
}

/** A stored Job value. */
export function job(ns: string, name: string, labels: Record<string, string> = {}, spec: unknown = {}): string {
  return JSON.stringify({ apiVersion: 'drover.dev/v1', kind: 'Job', metadata: { name, namespace: ns, labels }, spec });
}

/** Key of a job. */
export const jobKey = (ns: string, name: string) => `${JOBS}${ns}/${name}`;

/** A store whose watches the test can break, as a network cut or a compaction would. */
export class BreakableStore implements Store {
  private readonly live = new Map<Watch, WatchHandlers>();
  constructor(
    readonly inner: Store,
    private readonly opts: { progress?: boolean } = {},
  ) {}
  get = (key: string) => this.inner.get(key);
  list: Store['list'] = (p, o) => this.inner.list(p, o);
  create: Store['create'] = (k, v) => this.inner.create(k, v);
  update: Store['update'] = (k, v, r) => this.inner.update(k, v, r);
  delete: Store['delete'] = (k, r) => this.inner.delete(k, r);
  txn: Store['txn'] = (c, o) => this.inner.txn(c, o);
  compact: Store['compact'] = (r) => this.inner.compact(r);
  status: Store['status'] = () => this.inner.status();
  health: Store['health'] = () => this.inner.health();
  close: Store['close'] = () => this.inner.close();
  /** Number of watches ever opened. */
  opened = 0;
  /** Number of open watches. */
  get watches(): number {
    return this.live.size;
  }
  watch(prefix: string, start: number, h: WatchHandlers): Watch {
    // Without progress: like an etcd watch without progress_notify, an idle prefix hears nothing.
    const inner = this.opts.progress === false ? { onEvents: h.onEvents, onError: h.onError } : h;
    const w: Watch = this.inner.watch(prefix, start, inner);
    this.opened++;
    const wrapped: Watch = { cancel: () => (this.live.delete(wrapped), w.cancel()) };
    this.live.set(wrapped, h);
    return wrapped;
  }
  /** End every open watch with `err`. */
  breakAll(err: Error): void {
    for (const [w, h] of [...this.live]) {
      w.cancel();
      h.onError(err);
    }
  }
}

/** A started cache over a fresh memory store (or `store`), with a manual clock unless one is given. */
export async function openCache(
  over: Partial<WatchCacheDeps> & { store?: Store; clock?: Clock } = {},
): Promise<{ cache: WatchCache; store: Store; clock: Clock; close(): Promise<void> }> {
  const store = over.store ?? (await openMemoryStore({}));
  const clock = over.clock ?? new ManualClock(1_000_000);
  const cache = new WatchCache({ prefix: JOBS, decode, logger: silentLogger, ...over, store, clock });
  await cache.start();
  return {
    cache,
    store,
    clock,
    async close() {
      cache.stop();
      await store.close();
    },
  };
}

/** Wait until the cache reflects everything the store has written. */
export async function settle(cache: WatchCache, store: Store): Promise<number> {
  const { revision } = await store.status();
  await cache.waitFor(revision);
  return revision;
}

/** Records a watch's callbacks. */
export interface Recorder {
  events: CacheEvent[];
  bookmarks: number[];
  initialEnd?: number;
  error?: Error;
  opts: Omit<CacheWatchOptions, 'fromRv'>;
}

/** Callbacks that record into a Recorder. */
export function recorder(extra: Partial<CacheWatchOptions> = {}): Recorder {
  const r: Recorder = {
    events: [],
    bookmarks: [],
    opts: {
      onEvent: (e) => void r.events.push(e),
      onBookmark: (rv) => void r.bookmarks.push(rv),
      onInitialEventsEnd: (rv) => void (r.initialEnd = rv),
      onError: (err) => void (r.error = err),
      ...extra,
    },
  };
  return r;
}

/**
 * Apply watch events to a name → object state (what an informer would hold). An event inside a multi-object
 * revision carries its in-revision position as resourceVersion; the state keeps the revision it maps back to,
 * as a GET of the same version shows it, so it compares with the store's state.
 */
export function applyEvents(state: Map<string, ApiObject>, events: CacheEvent[]): Map<string, ApiObject> {
  for (const e of events) {
    if (e.type === 'DELETED') state.delete(e.key);
    else state.set(e.key, e.pos === e.rv ? e.obj : withRv(e.obj, e.rv));
  }
  return state;
}

/** The store's objects under `prefix` (at `revision`) as key → object. */
export async function storeState(store: Store, prefix: string, revision?: number): Promise<Map<string, ApiObject>> {
  const res = await store.list(prefix, { revision });
  return new Map(res.kvs.map((kv) => [kv.key, decode(kv)]));
}

/** Let the memory store's watch deliveries (setImmediate) run. */
export const tick = () => new Promise<void>((r) => setImmediate(r));
