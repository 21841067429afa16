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
  private readonly caches = new Map<string, WatchCache>();
  private readonly written = new Map<string, number>();

  constructor(deps: KindCachesDeps) {
    // Identical managedFields trees are shared between cached objects: most of their memory otherwise.
    const interner = new FieldsInterner();
    const decode = (kv: Parameters<typeof decodeStored>[0]) => interner.intern(decodeStored(kv));
    for (const kind of deps.kinds) {
      const cache = new WatchCache({
        store: deps.store,
        prefix: keyPrefix(kind),
        decode,
        logger: deps.logger.child({ component: 'watchcache', resource: kind.plural }),
        clock: deps.clock,
        bookmarkIntervalMs: deps.bookmarkIntervalMs,
      });
      this.caches.set(kind.plural, cache);
    }
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
    const c = this.caches.get(kind.plural);
    if (!c) throw new Error(`no watch cache for ${kind.plural}`);
    return c;
  }

  /** Record that this server wrote revision `rv` of `kind` (later reads wait for it). */
  noteWrite(kind: KindInfo, rv: number): void {
    if (rv > (this.written.get(kind.plural) ?? 0)) this.written.set(kind.plural, rv);
    this.of(kind).noteRevision(rv);
  }

  /** Wait until `kind`'s cache has every write this server made (and at least `minRv`). */
  async fresh(kind: KindInfo, minRv = 0): Promise<WatchCache> {
    const cache = this.of(kind);
    const want = Math.max(minRv, this.written.get(kind.plural) ?? 0);
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
