// Turning store events into cache events, and cache events into what one filtered watcher should see.
import type { ApiObject } from '../../../api/schemas/kind.ts';
import type { KeyValue, WatchEvent } from '../../storage/store.ts';
import type { CacheEvent } from './types.ts';

/** A shallow copy of `obj` carrying resourceVersion `rv` (the spec and status objects stay shared). */
export function withRv(obj: ApiObject, rv: number | string): ApiObject {
  return { ...obj, metadata: { ...obj.metadata, resourceVersion: String(rv) } };
}

/** `obj` carrying the event resourceVersion `rvText`: itself when it already does (the revision's last event). */
export function atEventRv(obj: ApiObject, rvText: string): ApiObject {
  return obj.metadata.resourceVersion === rvText ? obj : withRv(obj, rvText);
}

/**
 * A store event as a cache event, for watchers reading the store directly (no cache state to compare with):
 * the type comes from prevKv when the store sends it, else from the key's version.
 */
export function fromStoreEvent(we: WatchEvent, decode: (kv: KeyValue) => ApiObject, rvText: string = String(we.kv.modRevision)): CacheEvent {
  const key = we.kv.key;
  const rv = we.kv.modRevision;
  const pos = Number(rvText);
  const prev = we.prevKv && we.prevKv.value ? decode(we.prevKv) : undefined;
  if (we.type === 'put') {
    const type = prev || we.kv.version > 1 ? 'MODIFIED' : 'ADDED';
    return { type, obj: atEventRv(decode(we.kv), rvText), prev, rv, pos, key };
  }
  // A delete's kv carries the deleted value when the backend has it; prevKv always does.
  const last = prev ?? decode(we.kv);
  return { type: 'DELETED', obj: withRv(last, rvText), prev, rv, pos, key };
}

/**
 * What a watcher with `prefix` and `filter` sees of `e` (Kubernetes' cacheWatcher rules): an object that stops
 * matching arrives as DELETED (its previous state at the event's revision), one that starts matching as ADDED.
 */
export function forWatcher(e: CacheEvent, prefix: string, filter?: (o: ApiObject) => boolean): CacheEvent | undefined {
  if (!e.key.startsWith(prefix)) return undefined;
  if (!filter) return e;
  const cur = e.type !== 'DELETED' && filter(e.obj);
  // Without a previous state (a direct store read without prevKv) assume it matched: a spurious DELETED for an
  // object the client never had is harmless, a missing one leaves a ghost.
  const old = e.type === 'ADDED' ? false : e.prev ? filter(e.prev) : e.type === 'DELETED' ? filter(e.obj) : true;
  if (cur && old) return e;
  if (cur) return e.type === 'ADDED' ? e : { ...e, type: 'ADDED' };
  // The DELETED carries the event's own resourceVersion (its in-revision position, not only the revision).
  if (old) return e.type === 'DELETED' ? e : { ...e, type: 'DELETED', obj: withRv(e.prev ?? e.obj, e.obj.metadata.resourceVersion ?? e.rv) };
  return undefined;
}
