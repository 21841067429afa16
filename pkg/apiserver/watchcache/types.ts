// The watch cache's public shapes: what the REST handlers pass in and get back.
import type { ApiObject } from '../../../api/schemas/kind.ts';
import type { Clock } from '../../clock/clock.ts';
import type { Logger } from '../../log/logger.ts';
import type { KeyValue, Store } from '../../storage/store.ts';

/** One object held by the cache. Objects are shared with every reader: treat them as read-only. */
export interface CachedObject {
  /** The full store key, e.g. `/registry/drover.dev/jobs/default/web`. */
  key: string;
  obj: ApiObject;
  /** The object's modRevision (its resourceVersion). */
  rv: number;
  namespace?: string;
  name: string;
}

/** Kind of change in a cache event. */
export type CacheEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One change, as buffered and as delivered to watchers. */
export interface CacheEvent {
  type: CacheEventType;
  /** The new state; for DELETED the last state with resourceVersion set to the delete revision. */
  obj: ApiObject;
  /** The state before this event (absent for ADDED). */
  prev?: ApiObject;
  /** Store revision of the change. */
  rv: number;
  /**
   * The event's place in the kind's history: its resourceVersion as a number (event-rv.ts). Equal to `rv` for
   * the last event of a revision; the earlier events of a multi-object revision lie between rv - 1 and rv.
   */
  pos: number;
  key: string;
}

/** Options of `list` and `listAt`. */
export interface CacheListOptions {
  /** Key prefix inside the cache's prefix (e.g. a namespace: `<prefix>default/`); a relative `default/` is accepted. */
  prefix?: string;
  /** Keep only objects for which this returns true (label and field selectors). */
  filter?: (o: ApiObject) => boolean;
  /** At most this many items; 0/undefined = all. */
  limit?: number;
  /** Start at this key (inclusive): the `nextKey` of the previous page. */
  continueKey?: string;
}

/** A page of a list. */
export interface CacheListResult {
  items: ApiObject[];
  /** The revision the list reflects (the list's resourceVersion). */
  rv: number;
  /** Where the next page starts (pass as `continueKey`, with `listAt(rv)`); absent on the last page. */
  nextKey?: string;
  /** Objects after this page (only without a filter, like Kubernetes' remainingItemCount). */
  remaining?: number;
}

/** Options of `watch`. */
export interface CacheWatchOptions {
  /**
   * Deliver every event whose position (resourceVersion as a number, CacheEvent.pos) is greater than fromRv: a
   * revision, or an event's in-revision position; 0 = start at the current state (see sendInitialEvents).
   */
  fromRv: number;
  /** Key prefix inside the cache's prefix, as in CacheListOptions. */
  prefix?: string;
  /** Objects that stop matching arrive as DELETED, objects that start matching as ADDED. */
  filter?: (o: ApiObject) => boolean;
  /** One event. A returned promise is awaited before the next event is handed over (back-pressure). */
  onEvent(e: CacheEvent): void | Promise<void>;
  /** Periodic "you have everything up to rv" (only when caught up); omit to get none. */
  onBookmark?(rv: number): void;
  /** After the synthetic ADDED events of sendInitialEvents: the revision they reflect (k8s.io/initial-events-end). */
  onInitialEventsEnd?(rv: number): void;
  /** Terminal: ApiError 410 Expired (too old), 429 TooManyRequests (too slow), 503 (cache stopped), or a consumer error. */
  onError(err: Error): void;
  /**
   * Start with ADDED events for every current object, then live events. Default: true when fromRv is 0
   * (Kubernetes' watch without resourceVersion), false otherwise; pass false with fromRv 0 to get only new events.
   */
  sendInitialEvents?: boolean;
}

/** A running watch. */
export interface CacheWatch {
  cancel(): void;
}

/** Dependencies and tuning of a WatchCache. */
export interface WatchCacheDeps {
  store: Store;
  /** The kind's key prefix, e.g. `/registry/drover.dev/jobs/` (must end with `/`). */
  prefix: string;
  /** Parse a stored value into an object (sets metadata.resourceVersion from modRevision). */
  decode: (kv: KeyValue) => ApiObject;
  logger: Logger;
  clock: Clock;
  /** Bookmark period for watchers that asked (default 60 s). */
  bookmarkIntervalMs?: number;
  /** Keep at least this many events even once compacted in the store (default 102,400). */
  maxBufferEvents?: number;
  /** A watcher more than this many live events behind is ended with 429 (default 10,000). */
  maxWatcherLag?: number;
  /** Default waitFor timeout (default 3 s, as Kubernetes waits for a fresh enough cache). */
  waitTimeoutMs?: number;
  /** Keys per store range request while (re)listing (default 2,000). */
  listPageSize?: number;
}
