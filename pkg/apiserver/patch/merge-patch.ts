// JSON merge patch (RFC 7386), `application/merge-patch+json`. Lists replace whole; strategic-merge.ts is the
// list-aware variant.
import { badRequest } from '../../apierrors/status.ts';
import { assertSafeKeys, isPlainObject, own } from './safe-keys.ts';

/**
 * Apply a merge patch to `obj` and return a new object: `null` deletes a key, objects merge recursively,
 * everything else (arrays included) replaces. A patch that is not a JSON object is a 400 BadRequest.
 * Neither `obj` nor `patch` is modified, and the result shares no structure with `patch`.
 */
export function applyMergePatch(obj: object, patch: unknown): object {
  if (!isPlainObject(patch)) throw badRequest('merge patch must be a JSON object');
  assertSafeKeys(patch, 'patch');
  return mergeValue(obj, patch) as object;
}

function mergeValue(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return structuredClone(patch);
  const out: Record<string, unknown> = isPlainObject(target) ? structuredClone(target) : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete out[key];
    else out[key] = mergeValue(own(out, key), value);
  }
  return out;
}

/** The merge patch that turns `from` into `to` (RFC 7386 §3 inverse); used by clients to send minimal patches. */
export function createMergePatch(from: unknown, to: unknown): unknown {
  if (!isPlainObject(from) || !isPlainObject(to)) return structuredClone(to);
  const patch: Record<string, unknown> = {};
  for (const key of Object.keys(from)) if (!Object.hasOwn(to, key)) patch[key] = null;
  for (const [key, value] of Object.entries(to)) {
    const before = own(from, key);
    if (before === undefined) patch[key] = structuredClone(value);
    else if (!jsonEqual(before, value)) patch[key] = createMergePatch(before, value);
  }
  return patch;
}

/** Deep equality of JSON values (key order ignored). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && jsonEqual(a[k], b[k]));
  }
  return false;
}
