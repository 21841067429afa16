// From informer events to queue keys. Only the key travels: the event payload is dropped on purpose, because a
// level-based reconcile re-reads the current state and must not act on an event's possibly stale copy.
import type { ApiObject } from '../../../api/schemas/kind.ts';
import type { WorkQueue } from './workqueue.ts';

/** An informer event type. */
export type InformerEvent = 'add' | 'update' | 'delete';

/**
 * The part of an informer the runtime needs: handler registration. pkg/client/informer.ts' Informer fits it;
 * as there and in client-go, `update` handlers receive the old object first, then the new one. (Written as one
 * non-generic method, rather than Pick<Informer<T>, 'on'>, so TypeScript can infer T from a real informer.)
 */
export interface EventSource<T> {
  on(event: InformerEvent, fn: (obj: T, newObj?: T) => void): unknown;
}

/**
 * Maps an object (the newest version; for updates also the previous one as `old`) to the keys to reconcile: one key, several (e.g. a
 * node change fanning out to the jobs placed on it), or none (undefined or []) to ignore the event.
 */
export type KeyFn<T, K> = (obj: T, event: InformerEvent, old?: T) => K | readonly K[] | undefined;

/** The key of an object: `namespace/name`, or `name` for a cluster-scoped object. */
export function objectKey(obj: Pick<ApiObject, 'metadata'>): string {
  const { namespace, name } = obj.metadata;
  return namespace ? `${namespace}/${name}` : name;
}

/** Split a key made by objectKey back into namespace (absent for cluster-scoped) and name. */
export function splitKey(key: string): { namespace?: string; name: string } {
  const i = key.indexOf('/');
  // Names and namespaces are DNS-1123, so they never contain a slash: the first one is the separator.
  return i < 0 ? { name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

/** Register add/update/delete handlers on `informer` that queue the key(s) of each changed object; returns an unsubscribe. */
export function enqueueFromInformer<T extends ApiObject, K extends {} = string>(
  informer: EventSource<T>,
  queue: Pick<WorkQueue<K>, 'add'>,
  keyFn?: KeyFn<T, K>,
): () => void {
  const toKeys: KeyFn<T, K> = keyFn ?? ((obj) => objectKey(obj) as unknown as K);
  const enqueue = (event: InformerEvent, obj: T, old?: T) => {
    const keys = toKeys(obj, event, old);
    if (keys === undefined) return;
    if (Array.isArray(keys)) for (const k of keys as readonly K[]) queue.add(k);
    else queue.add(keys as K);
  };
  const offs = [
    informer.on('add', (obj) => enqueue('add', obj)),
    informer.on('update', (oldObj, newObj) => enqueue('update', newObj ?? oldObj, newObj === undefined ? undefined : oldObj)),
    informer.on('delete', (obj) => enqueue('delete', obj)),
  ];
  return () => offs.forEach((off) => typeof off === 'function' && off());
}
