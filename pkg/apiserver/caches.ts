// One watch cache per kind, and read-your-writes on top: every write this server makes notes its revision for
// the kind, and reads of that kind first wait until the kind's cache has seen it. Reads never call the store.
import type { ApiObject, KindInfo } from '../../api/schemas/kind.ts';
import type { Clock } from '../clock/clock.ts';
import type { Logger } from '../log/logger.ts';
import type { Store } from '../storage/store.ts';
import { decodeStored, keyPrefix } from './codec.ts';
import { FieldsInterner } from './fields-interner.ts';
import { WatchCache } from './watchcache/index.ts';
import type { CacheListOptions, CacheListResult, CacheWatch, CacheWatchOptions } from './watchcache/types.ts';

/** Dependencies of the cache set. */
export interface KindCachesDeps {
  store: Store;
  logger: Logger;
  clock: Clock;
  kinds: KindInfo[];
  bookmarkIntervalMs?: number;
}

/** The watch caches of every kind, with per-kind read-your-writes. */
export class KindCaches {
  // Keyed by the kind's key prefix: unique across groups (a custom kind may reuse a built-in plural).
  private readonly caches = new Map<string, WatchCache>();
  private readonly written = new Map<string, number>();
  private readonly decode: (kv: Parameters<typeof decodeStored>[0]) => ApiObject;

  constructor(private readonly deps: KindCachesDeps) {
    // Identical managedFields trees are shared between cached objects: most of their memory otherwise.
    const interner = new FieldsInterner();
    this.decode = (kv) => interner.intern(decodeStored(kv));
    for (const kind of deps.kinds) this.caches.set(keyPrefix(kind), this.create(kind));
  }

  private create(kind: KindInfo): WatchCache {
    return new WatchCache({
      store: this.deps.store,
      prefix: keyPrefix(kind),
      decode: this.decode,
      logger: this.deps.logger.child({ component: 'watchcache', resource: kind.plural }),
      clock: this.deps.clock,
      bookmarkIntervalMs: this.deps.bookmarkIntervalMs,
    });
  }

  /** Add and start the cache of a kind registered at run time (a custom kind); a no-op when it has one. */
  async add(kind: KindInfo): Promise<void> {
    const key = keyPrefix(kind);
    if (this.caches.has(key)) return;
    const cache = this.create(kind);
    this.caches.set(key, cache);
    await cache.start();
  }

  /** Stop and drop the cache of a kind no longer served (its watchers end). */
  remove(kind: KindInfo): void {
    const key = keyPrefix(kind);
    this.caches.get(key)?.stop();
    this.caches.delete(key);
    this.written.delete(key);
  }

  /** True when `kind` has a cache. */
  has(kind: KindInfo): boolean {
    return this.caches.has(keyPrefix(kind));
  }

  /** Start every cache and wait until each has its initial list. */
  async start(): Promise<void> {
    await Promise.all([...this.caches.values()].map((c) => c.start()));
  }

  /** Stop every cache (ends their watchers). */
  stop(): void {
    for (const c of this.caches.values()) c.stop();
  }

  /** True when every cache has synced and follows the store (readiness). */
  synced(): boolean {
    return [...this.caches.values()].every((c) => c.isSynced());
  }

  /** The cache of `kind`. */
  of(kind: KindInfo): WatchCache {
    const c = this.caches.get(keyPrefix(kind));
    if (!c) throw new Error(`no watch cache for ${kind.plural}`);
    return c;
  }

  /** Record that this server wrote revision `rv` of `kind` (later reads wait for it). */
  noteWrite(kind: KindInfo, rv: number): void {
    const key = keyPrefix(kind);
    if (rv > (this.written.get(key) ?? 0)) this.written.set(key, rv);
    this.of(kind).noteRevision(rv);
  }

  /** Wait until `kind`'s cache has every write this server made (and at least `minRv`). */
  async fresh(kind: KindInfo, minRv = 0): Promise<WatchCache> {
    const cache = this.of(kind);
    const want = Math.max(minRv, this.written.get(keyPrefix(kind)) ?? 0);
    if (cache.revision() < want) await cache.waitFor(want);
    return cache;
  }

  /** One object from the cache after read-your-writes; undefined when absent. Shared: do not mutate. */
  async get(kind: KindInfo, key: string): Promise<ApiObject | undefined> {
    const cache = await this.fresh(kind);
    return cache.get(key)?.obj;
  }

  /** A list page at the cache's current revision, after waiting for `minRv` and this server's writes. */
  async list(kind: KindInfo, opts: CacheListOptions, minRv = 0): Promise<CacheListResult> {
    const cache = await this.fresh(kind, minRv);
    return cache.list(opts);
  }

  /** A list page at exactly revision `rv` (continue tokens, resourceVersionMatch=Exact). */
  async listAt(kind: KindInfo, rv: number, opts: CacheListOptions): Promise<CacheListResult> {
    const cache = await this.fresh(kind, rv);
    return cache.listAt(rv, opts);
  }

  /** A watch on `kind`'s cache. */
  watch(kind: KindInfo, opts: CacheWatchOptions): CacheWatch {
    return this.of(kind).watch(opts);
  }
}
