// The watch cache: one store watch per kind fanned out to every client; lists and watches served from memory.
export { WatchCache } from './watch-cache.ts';
export type {
  CachedObject,
  CacheEvent,
  CacheEventType,
  CacheListOptions,
  CacheListResult,
  CacheWatch,
  CacheWatchOptions,
  WatchCacheDeps,
} from './types.ts';
