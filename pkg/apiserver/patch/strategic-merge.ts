// Strategic merge patch (`application/strategic-merge-patch+json`): a merge patch that knows how lists merge.
// Maps merge recursively and `null` deletes, as in a JSON merge patch; a list whose field the list rules key
// (groups/tasks by `name`, ports by `label`) merges item by item, so fields the server defaulted inside an item
// survive a patch that does not mention them; a set list (finalizers) merges by value; every other list is
// replaced. Directives, as Kubernetes defines them:
//   `$patch: replace | merge | delete` in a map (replace its content / merge, the default / remove it), and as a
//     list element: `{$patch: replace}` replaces the whole list with the other elements, `{$patch: delete, <key>: v}`
//     removes the item keyed v;
//   `$setElementOrder/<list>: [...]` the order of the list after the patch (keyed items by key, or values);
//   `$deleteFromPrimitiveList/<list>: [...]` values to remove from a list of scalars;
//   `$retainKeys: [...]` fields of the map to keep; every other field of the live map is cleared.
// kubectl computes such patches for client-side apply from the OpenAPI extensions x-kubernetes-patch-strategy and
// x-kubernetes-patch-merge-key, which the schemas carry next to the list rules (api/schemas/list-rules.ts).
import type { ListRules } from '../../../api/schemas/list-rules.ts';
import { apiError, badRequest, type ApiError } from '../../apierrors/status.ts';
import { jsonEqual } from './merge-patch.ts';
import { assertSafeKeys, isPlainObject, own } from './safe-keys.ts';

type Json = Record<string, unknown>;

/** The `$patch` directive key. */
export const PATCH_DIRECTIVE = '$patch';
/** The `$retainKeys` directive key. */
export const RETAIN_KEYS = '$retainKeys';
/** Prefix of the `$setElementOrder/<list>` directive keys. */
export const SET_ELEMENT_ORDER = '$setElementOrder/';
/** Prefix of the `$deleteFromPrimitiveList/<list>` directive keys. */
export const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList/';

/** How one list merges: by an item key, by value, or not at all (the patch replaces it). */
export type ListStrategy = { merge: 'key'; key: string } | { merge: 'value' } | { merge: 'none' };

/** The strategy of the list under field `field` (undefined for a list inside a list, which never merges). */
export function listStrategy(field: string | undefined, rules: ListRules): ListStrategy {
  const rule = field !== undefined && Object.hasOwn(rules, field) ? rules[field] : undefined;
  if (rule?.type === 'set') return { merge: 'value' };
  // Strategic merge has one merge key; lists keyed by several fields are replaced (as in Kubernetes).
  if (rule?.type === 'map' && rule.keys.length === 1) return { merge: 'key', key: rule.keys[0] };
  return { merge: 'none' };
}

/** True for a string, number or boolean. */
export const isScalar = (v: unknown): v is string | number | boolean => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
/** Identity of a scalar for sets and keys: 1 and "1" differ. */
export const scalarId = (v: unknown): string => JSON.stringify(v);

/**
 * Whether `items` can merge by `key`: objects each carrying a scalar key, no key twice. Lists that do not fit
 * (service names are optional) are atomic, as the field manager treats them.
 */
export function keyedItemsFit(items: readonly unknown[], key: string): items is Json[] {
  const seen = new Set<string>();
  for (const it of items) {
    if (!isPlainObject(it) || !isScalar(own(it, key))) return false;
    const id = scalarId(it[key]);
    if (seen.has(id)) return false;
    seen.add(id);
  }
  return true;
}

/** Whether `items` can merge by value: unique scalars. */
export function setItemsFit(items: readonly unknown[]): boolean {
  return items.every(isScalar) && new Set(items.map(scalarId)).size === items.length;
}

/**
 * Apply a strategic merge patch to `obj` with the list merge rules `rules` and return a new object. A patch that
 * is not a JSON object or holds a malformed directive is 400 BadRequest; a directive that does not fit this
 * object (deleting values from a list of objects, deleting the object itself) is 422 Invalid. Neither `obj` nor
 * `patch` is modified, and the result shares no structure with them.
 */
export function applyStrategicMergePatch(obj: object, patch: unknown, rules: ListRules): object {
  if (!isPlainObject(patch)) throw badRequest('strategic merge patch must be a JSON object');
  assertSafeKeys(patch, 'patch');
  if (own(patch, PATCH_DIRECTIVE) === 'delete') throw notApplicable('', '$patch: delete cannot delete the object itself');
  return mergeMap(isPlainObject(obj) ? obj : {}, patch, '', rules);
}

/** Merge map `patch` into `live`: `live` is copied, never changed. */
function mergeMap(live: Json, patch: Json, path: string, rules: ListRules): Json {
  const directive = own(patch, PATCH_DIRECTIVE);
  if (directive !== undefined && directive !== 'replace' && directive !== 'merge' && directive !== 'delete') {
    throw malformed(path, `unknown $patch directive ${JSON.stringify(directive)} (want "replace", "merge" or "delete")`);
  }
  const out: Json = directive === 'replace' ? {} : structuredClone(live);
  if (Object.hasOwn(patch, RETAIN_KEYS)) retainKeys(out, patch, path);
  const done = new Set<string>();
  for (const key of Object.keys(patch)) {
    if (key === PATCH_DIRECTIVE || key === RETAIN_KEYS) continue;
    const field = listFieldOf(key, path) ?? key;
    if (done.has(field)) continue;
    done.add(field);
    const value = mergeField(own(out, field), patch, field, join(path, field), rules);
    if (value === undefined) delete out[field];
    else out[field] = value;
  }
  return out;
}

/** The list a `$setElementOrder/` or `$deleteFromPrimitiveList/` key is about; undefined for other keys. */
function listFieldOf(key: string, path: string): string | undefined {
  for (const prefix of [SET_ELEMENT_ORDER, DELETE_FROM_PRIMITIVE_LIST]) {
    if (!key.startsWith(prefix)) continue;
    if (key.length === prefix.length) throw malformed(path, `${JSON.stringify(key)} does not name a list`);
    return key.slice(prefix.length);
  }
  return undefined;
}

/** The new value of `field` (undefined: absent) given its live value and the patch's value and list directives. */
function mergeField(live: unknown, patch: Json, field: string, path: string, rules: ListRules): unknown {
  const value = own(patch, field);
  const order = own(patch, SET_ELEMENT_ORDER + field);
  const deletions = own(patch, DELETE_FROM_PRIMITIVE_LIST + field);
  const listDirectives = order !== undefined || deletions !== undefined;
  if (listDirectives) checkListDirectives(order, deletions, field, path);
  if (value === null) return undefined;
  if (Array.isArray(value)) return mergeList(Array.isArray(live) ? live : undefined, value, order, deletions, field, path, rules);
  // Directives alone reorder or prune a live list; with no live list there is nothing to do.
  if (value === undefined) return Array.isArray(live) ? mergeList(live, undefined, order, deletions, field, path, rules) : live;
  if (listDirectives) throw malformed(path, 'list directives given for a field that is not set to a list');
  if (isPlainObject(value)) {
    if (own(value, PATCH_DIRECTIVE) === 'delete') return undefined;
    return mergeMap(isPlainObject(live) ? live : {}, value, path, rules);
  }
  return value;
}

/** 400 unless `$setElementOrder` is a list and `$deleteFromPrimitiveList` a list of scalars. */
function checkListDirectives(order: unknown, deletions: unknown, field: string, path: string): void {
  if (order !== undefined && !Array.isArray(order)) throw malformed(path, `${SET_ELEMENT_ORDER}${field} must be a list`);
  if (deletions !== undefined && !(Array.isArray(deletions) && deletions.every(isScalar))) {
    throw malformed(path, `${DELETE_FROM_PRIMITIVE_LIST}${field} must be a list of scalars`);
  }
}

/** The list after the patch: merged by key or value when its rule and content allow, else replaced. */
function mergeList(live: unknown[] | undefined, patch: unknown[] | undefined, order: unknown, deletions: unknown, field: string, path: string, rules: ListRules): unknown[] {
  const strategy = listStrategy(field, rules);
  const items = patch ?? [];
  let merged: unknown[];
  if (strategy.merge === 'key' && keyedPatchFits(items, strategy.key, path) && liveFits(live ?? [], items, strategy.key, path)) {
    merged = mergeKeyed((live ?? []) as Json[], items, order as unknown[] | undefined, strategy.key, path, rules);
  } else if (strategy.merge === 'value' && setItemsFit(items) && setItemsFit(live ?? [])) {
    merged = mergeSet(live ?? [], items, order as unknown[] | undefined, path);
  } else {
    merged = structuredClone(patch ?? live ?? []);
  }
  if (deletions !== undefined) merged = deleteValues(merged, deletions as unknown[], path);
  return merged;
}

const isDirectiveItem = (it: unknown): it is Json => isPlainObject(it) && Object.hasOwn(it, PATCH_DIRECTIVE) && it[PATCH_DIRECTIVE] !== 'merge';
const mergeMarkerOnly = (it: unknown) => isPlainObject(it) && it[PATCH_DIRECTIVE] === 'merge' && Object.keys(it).length === 1;

/** Whether patch items merge by `key`; 400 when they carry directives but cannot be merged. */
function keyedPatchFits(items: unknown[], key: string, path: string): boolean {
  const plain = items.filter((it) => !isDirectiveItem(it) && !mergeMarkerOnly(it));
  if (keyedItemsFit(plain, key)) return true;
  if (items.some(isDirectiveItem)) throw malformed(path, `list items must be objects with a unique "${key}" to use $patch directives`);
  return false;
}

/** Whether the live items merge by `key`; 422 when they cannot but the patch uses list directives. */
function liveFits(live: unknown[], items: unknown[], key: string, path: string): boolean {
  if (keyedItemsFit(live, key)) return true;
  if (items.some(isDirectiveItem)) throw notApplicable(path, `the live list cannot be merged by "${key}" (an item lacks it or repeats it)`);
  return false;
}

/** Merge keyed `items` into `live`: directive elements first, then each item into its namesake or appended. */
function mergeKeyed(live: Json[], items: unknown[], order: unknown[] | undefined, key: string, path: string, rules: ListRules): Json[] {
  let base: Json[] = live;
  let replace = false;
  const updates: Json[] = [];
  items.forEach((it, i) => {
    if (mergeMarkerOnly(it)) return;
    if (!isDirectiveItem(it)) return void updates.push(it as Json);
    const d = it[PATCH_DIRECTIVE];
    if (d === 'replace') replace = true;
    else if (d === 'delete') {
      if (!isScalar(own(it, key))) throw malformed(`${path}[${i}]`, `$patch: delete needs the merge key "${key}"`);
      base = base.filter((b) => !jsonEqual(b[key], it[key]));
    } else throw malformed(`${path}[${i}]`, `unknown $patch directive ${JSON.stringify(d)} (want "replace", "merge" or "delete")`);
  });
  if (replace) base = [];
  const merged = base.map((b) => structuredClone(b));
  for (const item of updates) {
    const at = merged.findIndex((b) => jsonEqual(b[key], item[key]));
    const next = mergeMap(at >= 0 ? merged[at] : {}, item, `${path}[${key}=${String(item[key])}]`, rules);
    if (at >= 0) merged[at] = next;
    else merged.push(next);
  }
  const wanted = orderKeys(order, updates.map((u) => u[key]), (o) => (isPlainObject(o) && isScalar(own(o, key)) ? o[key] : undefined), key, path);
  return enforceOrder(merged, wanted, replace ? [] : live.map((l) => l[key]), (m) => m[key]);
}

/** Merge scalar `items` into `live`, each value once. */
function mergeSet(live: unknown[], items: unknown[], order: unknown[] | undefined, path: string): unknown[] {
  const merged = [...live];
  const seen = new Set(live.map(scalarId));
  for (const v of items) {
    if (seen.has(scalarId(v))) continue;
    seen.add(scalarId(v));
    merged.push(v);
  }
  const wanted = orderKeys(order, items, (o) => (isScalar(o) ? o : undefined), 'value', path);
  return enforceOrder(merged, wanted, live, (m) => m);
}

/**
 * The identities the patch orders, from `$setElementOrder` (checked: each element names an item, and the patch
 * items appear in it in the same relative order) or else from the patch items themselves.
 */
function orderKeys(order: unknown[] | undefined, patched: unknown[], idOf: (o: unknown) => unknown, what: string, path: string): unknown[] {
  if (order === undefined) return patched;
  const ids = order.map((o, i) => {
    const id = idOf(o);
    if (id === undefined) throw malformed(`${path}[${i}]`, `$setElementOrder elements must give the ${what} of an item`);
    return id;
  });
  let at = 0;
  for (const p of patched) {
    while (at < ids.length && !jsonEqual(ids[at], p)) at++;
    if (at === ids.length) throw malformed(path, `the order of the patch list does not match its $setElementOrder list (${JSON.stringify(p)})`);
  }
  return ids;
}

/**
 * Order the merged list as Kubernetes does: items the patch orders (`wanted`) first take that order; the other
 * (server-only) items keep their live order and are slotted in before the first ordered item that follows them
 * in the live list.
 */
function enforceOrder<T>(merged: T[], wanted: unknown[], liveIds: unknown[], idOf: (m: T) => unknown): T[] {
  const rank = new Map(wanted.map((w, i) => [scalarId(w), i] as const));
  const liveRank = new Map(liveIds.map((l, i) => [scalarId(l), i] as const));
  const ordered = merged.filter((m) => rank.has(scalarId(idOf(m)))).sort((a, b) => rank.get(scalarId(idOf(a)))! - rank.get(scalarId(idOf(b)))!);
  const serverOnly = merged.filter((m) => !rank.has(scalarId(idOf(m))));
  const out: T[] = [];
  let i = 0;
  let j = 0;
  while (i < serverOnly.length || j < ordered.length) {
    const li = i < serverOnly.length ? liveRank.get(scalarId(idOf(serverOnly[i]))) : undefined;
    const ri = j < ordered.length ? liveRank.get(scalarId(idOf(ordered[j]))) : undefined;
    const takeLeft = j >= ordered.length || (i < serverOnly.length && li !== undefined && ri !== undefined && li < ri);
    out.push(takeLeft ? serverOnly[i++] : ordered[j++]);
  }
  return out;
}

/** `$deleteFromPrimitiveList`: remove values from a list of scalars. */
function deleteValues(list: unknown[], values: unknown[], path: string): unknown[] {
  if (!list.every(isScalar)) throw notApplicable(path, '$deleteFromPrimitiveList applies to a list of scalars; delete items of a keyed list with $patch: delete');
  const drop = new Set(values.map(scalarId));
  return list.filter((v) => !drop.has(scalarId(v)));
}

/** `$retainKeys`: every patched field must be listed; live fields not listed are cleared. */
function retainKeys(out: Json, patch: Json, path: string): void {
  const keep = patch[RETAIN_KEYS];
  if (!Array.isArray(keep) || !keep.every((k) => typeof k === 'string')) throw malformed(path, `${RETAIN_KEYS} must be a list of field names`);
  const kept = new Set<string>(keep);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k === PATCH_DIRECTIVE || k === RETAIN_KEYS || k.startsWith(SET_ELEMENT_ORDER) || k.startsWith(DELETE_FROM_PRIMITIVE_LIST)) continue;
    if (!kept.has(k)) throw malformed(path, `field ${JSON.stringify(k)} is patched but not listed in ${RETAIN_KEYS}`);
  }
  for (const k of Object.keys(out)) if (!kept.has(k)) delete out[k];
}

const join = (path: string, field: string) => (path === '' ? field : `${path}.${field}`);

// A malformed directive is the client's syntax error, whatever the object holds.
function malformed(path: string, detail: string): ApiError {
  return badRequest(`invalid strategic merge patch${path ? ` at ${path}` : ''}: ${detail}`);
}

// A well-formed directive that does not fit this object: 422 with the field, as the JSON patch errors.
function notApplicable(path: string, detail: string): ApiError {
  return apiError('Invalid', `the server rejected our request due to an error in our request: ${detail}`, {
    causes: [{ reason: 'FieldValueInvalid', field: path, message: detail }],
  });
}
