// The two-way strategic merge patch between two objects, computed the way kubectl computes one
// (apimachinery's CreateTwoWayMergePatch with $setElementOrder): maps diff recursively with `null` for removed
// fields; keyed lists send only changed or new items (each with its key), `{$patch: delete, <key>}` for removed
// ones and `$setElementOrder/<list>` whenever the list's content or order changed; set lists send added values,
// `$deleteFromPrimitiveList/<list>` for removed ones and their new order; other lists are sent whole when they
// differ. Clients use it to send minimal patches that leave server-filled fields alone; tests use it to check
// that applying the patch gives back the target.
import type { ListRules } from '../../../api/schemas/list-rules.ts';
import { jsonEqual } from './merge-patch.ts';
import { isPlainObject, own } from './safe-keys.ts';
import {
  DELETE_FROM_PRIMITIVE_LIST, PATCH_DIRECTIVE, SET_ELEMENT_ORDER, keyedItemsFit, listStrategy, scalarId, setItemsFit,
} from './strategic-merge.ts';

type Json = Record<string, unknown>;

/** The strategic merge patch that turns object `from` into object `to` under the list rules `rules`. */
export function createStrategicMergePatch(from: Json, to: Json, rules: ListRules): Json {
  const patch: Json = {};
  for (const [key, after] of Object.entries(to)) {
    const before = own(from, key);
    if (before === undefined) patch[key] = structuredClone(after);
    else if (isPlainObject(before) && isPlainObject(after)) {
      const sub = createStrategicMergePatch(before, after, rules);
      if (Object.keys(sub).length > 0) patch[key] = sub;
    } else if (Array.isArray(before) && Array.isArray(after)) Object.assign(patch, diffList(key, before, after, rules));
    else if (!jsonEqual(before, after)) patch[key] = structuredClone(after);
  }
  for (const key of Object.keys(from)) if (!Object.hasOwn(to, key)) patch[key] = null;
  return patch;
}

/** The patch entries (the list itself and its directives) for list field `field`. */
function diffList(field: string, before: unknown[], after: unknown[], rules: ListRules): Json {
  const strategy = listStrategy(field, rules);
  if (strategy.merge === 'key' && keyedItemsFit(before, strategy.key) && keyedItemsFit(after, strategy.key)) {
    return diffKeyed(field, before, after, strategy.key, rules);
  }
  if (strategy.merge === 'value' && setItemsFit(before) && setItemsFit(after)) return diffSet(field, before, after);
  return jsonEqual(before, after) ? {} : { [field]: structuredClone(after) };
}

function diffKeyed(field: string, before: Json[], after: Json[], key: string, rules: ListRules): Json {
  const byKey = new Map(before.map((b) => [scalarId(b[key]), b] as const));
  const kept = new Set(after.map((a) => scalarId(a[key])));
  const items: Json[] = [];
  for (const a of after) {
    const b = byKey.get(scalarId(a[key]));
    if (b === undefined) items.push(structuredClone(a));
    else {
      const sub = createStrategicMergePatch(b, a, rules);
      if (Object.keys(sub).length > 0) items.push({ [key]: a[key], ...sub });
    }
  }
  // Deletions go last, as kubectl sends them.
  for (const b of before) if (!kept.has(scalarId(b[key]))) items.push({ [PATCH_DIRECTIVE]: 'delete', [key]: b[key] });
  const out: Json = {};
  if (items.length > 0) out[field] = items;
  const sameOrder = before.length === after.length && before.every((b, i) => jsonEqual(b[key], after[i][key]));
  if (items.length > 0 || !sameOrder) out[SET_ELEMENT_ORDER + field] = after.map((a) => ({ [key]: a[key] }));
  return out;
}

function diffSet(field: string, before: unknown[], after: unknown[]): Json {
  const had = new Set(before.map(scalarId));
  const has = new Set(after.map(scalarId));
  const added = after.filter((v) => !had.has(scalarId(v)));
  const removed = before.filter((v) => !has.has(scalarId(v)));
  const out: Json = {};
  if (added.length > 0) out[field] = added;
  if (removed.length > 0) out[DELETE_FROM_PRIMITIVE_LIST + field] = removed;
  if (!jsonEqual(before, after)) out[SET_ELEMENT_ORDER + field] = [...after];
  return out;
}
