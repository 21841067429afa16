// Storage keys and the stored form of objects. The stored value is the object's JSON without
// metadata.resourceVersion: the revision is the key's modRevision, added back on every read.
import { GROUP, groupOf, type ApiObject, type KindInfo } from '../../api/schemas/kind.ts';
import type { KeyValue } from '../storage/store.ts';

/** Root of every drover.dev key in the store. */
export const REGISTRY_ROOT = `/registry/${GROUP}/`;

/**
 * The key prefix of every object of `kind`, or of one namespace's objects when `namespace` is given:
 * `/registry/drover.dev/jobs/`, and for core kinds `/registry/secrets/` as Kubernetes lays them out (so a
 * Secret's key names what encryption at rest covers).
 */
export function keyPrefix(kind: KindInfo, namespace?: string): string {
  const group = groupOf(kind);
  const base = group === '' ? `/registry/${kind.plural}/` : `/registry/${group}/${kind.plural}/`;
  return kind.namespaced && namespace ? `${base}${namespace}/` : base;
}

/** The key of one object. */
export function objectKey(kind: KindInfo, namespace: string | undefined, name: string): string {
  return kind.namespaced ? `${keyPrefix(kind)}${namespace ?? ''}/${name}` : `${keyPrefix(kind)}${name}`;
}

/** The key of a stored object, derived from its own metadata. */
export function keyOf(kind: KindInfo, obj: ApiObject): string {
  return objectKey(kind, obj.metadata.namespace, obj.metadata.name);
}

/** Serialize an object for the store: everything except metadata.resourceVersion. */
export function encodeStored(obj: ApiObject): string {
  const { resourceVersion: _rv, ...metadata } = obj.metadata;
  return JSON.stringify({ ...obj, metadata });
}

/** Decode a stored value and stamp it with the key's modRevision as its resourceVersion. */
export function decodeStored(kv: KeyValue): ApiObject {
  const obj = JSON.parse(kv.value) as ApiObject;
  obj.metadata.resourceVersion = String(kv.modRevision);
  return obj;
}

/** A deep copy of a JSON value (objects here are plain JSON). */
export function clone<T>(v: T): T {
  return structuredClone(v);
}

/** Structural equality of two JSON values (key order ignored). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => deepEqual(x, bb[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const ak = Object.keys(ao).filter((k) => ao[k] !== undefined);
  const bk = Object.keys(bo).filter((k) => bo[k] !== undefined);
  return ak.length === bk.length && ak.every((k) => Object.hasOwn(bo, k) && deepEqual(ao[k], bo[k]));
}
