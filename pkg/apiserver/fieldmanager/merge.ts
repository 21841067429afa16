// Merging an applied configuration into the live object, and removing the fields an applier gave up.
import type { FieldSet, PathElement } from './fieldset.ts';
import { classifyList, sameListKind, type ListRules } from './lists.ts';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const own = (o: Record<string, unknown>, k: string) => (Object.hasOwn(o, k) ? o[k] : undefined);

/**
 * `applied` merged over `live`: objects merge key by key, associative and set lists item by item, everything
 * else (scalars, atomic lists, nulls) is taken from `applied`. Returns a fresh value; inputs are not touched.
 */
export function mergeApplied(live: unknown, applied: unknown, field: string | undefined, rules: ListRules): unknown {
  if (applied === undefined) return structuredClone(live);
  if (isObject(applied)) {
    const out: Record<string, unknown> = isObject(live) ? structuredClone(live) : {};
    for (const [k, v] of Object.entries(applied)) out[k] = mergeApplied(own(out, k), v, k, rules);
    return out;
  }
  if (Array.isArray(applied) && Array.isArray(live)) {
    const sa = classifyList(applied, field, rules);
    const sl = classifyList(live, field, rules);
    const keyedA = sa.kind === 'map' || sa.kind === 'set';
    const keyedL = sl.kind === 'map' || sl.kind === 'set';
    // An applied `[]` over a keyed list states no items: other managers' items stay (structured-merge-diff).
    if ((keyedA && (sl.kind === 'empty' || sameListKind(sl, sa))) || (sa.kind === 'empty' && keyedL)) {
      const liveItems = keyedL ? sl.items : [];
      const appliedItems = keyedA ? sa.items : [];
      return mergeItems<unknown>(liveItems, appliedItems, (l, a) => mergeApplied(l, a, undefined, rules));
    }
  }
  return structuredClone(applied);
}

/**
 * Merge two keyed lists. Applied items come in the applied order (merged with their live twins); a live item
 * the configuration does not mention stays right after the live item it followed, so lists other managers
 * extended keep their shape.
 */
function mergeItems<T>(live: { pe: PathElement; item: T }[], applied: { pe: PathElement; item: T }[], merge: (l: T | undefined, a: T) => unknown): unknown[] {
  const appliedPEs = new Set(applied.map((x) => x.pe));
  const liveByPE = new Map(live.map((x) => [x.pe, x.item]));
  const head: unknown[] = [];
  const after = new Map<PathElement, unknown[]>();
  let anchor: PathElement | undefined;
  for (const { pe, item } of live) {
    if (appliedPEs.has(pe)) {
      anchor = pe;
    } else if (anchor === undefined) {
      head.push(structuredClone(item));
    } else {
      after.set(anchor, [...(after.get(anchor) ?? []), structuredClone(item)]);
    }
  }
  const out = head;
  for (const { pe, item } of applied) out.push(merge(liveByPE.get(pe), item), ...(after.get(pe) ?? []));
  return out;
}

/**
 * Remove from `obj` (in place) the paths in `remove`, except where `keep` (what any owner still holds) has the
 * path or something below it; key fields of surviving list items are never removed. Objects and lists left
 * empty by a removal are dropped too (below the top level) unless someone owns them as such.
 */
export function removeFields(obj: Record<string, unknown>, remove: FieldSet, keep: FieldSet, rules: ListRules): void {
  pruneObject(obj, remove, keep, [], 0, rules);
}

function pruneObject(obj: Record<string, unknown>, remove: FieldSet, keep: FieldSet | undefined, protectedKeys: string[], depth: number, rules: ListRules): void {
  for (const pe of remove.elements()) {
    if (!pe.startsWith('f:')) continue;
    const name = pe.slice(2);
    if (!Object.hasOwn(obj, name) || protectedKeys.includes(name)) continue;
    if (pruneChild(obj[name], remove.child(pe)!, keep?.child(pe), name, depth + 1, rules)) delete obj[name];
  }
}

// Returns true when the parent should delete this value.
function pruneChild(value: unknown, remove: FieldSet, keep: FieldSet | undefined, field: string, depth: number, rules: ListRules): boolean {
  const kept = keep !== undefined && !keep.isEmpty();
  if (remove.isMember && !kept) return true;
  const emptyBefore = isEmptyContainer(value);
  if (isObject(value)) {
    pruneObject(value, remove, keep, [], depth, rules);
  } else if (Array.isArray(value)) {
    pruneList(value, remove, keep, field, depth, rules);
  }
  // Only what this removal emptied goes; an object someone owns as `{}` (or the top level) stays.
  return depth > 1 && !emptyBefore && isEmptyContainer(value) && !(keep?.isMember ?? false);
}

function pruneList(list: unknown[], remove: FieldSet, keep: FieldSet | undefined, field: string, depth: number, rules: ListRules): void {
  const shape = classifyList(list, field, rules);
  if (shape.kind !== 'map' && shape.kind !== 'set') return;
  const drop = new Set<number>();
  shape.items.forEach(({ pe, item }, i) => {
    const r = remove.child(pe);
    if (!r) return;
    const k = keep?.child(pe);
    if (r.isMember && (k === undefined || k.isEmpty())) drop.add(i);
    else if (shape.kind === 'map') pruneObject(item as Record<string, unknown>, r, k, shape.keys, depth + 1, rules);
  });
  const survivors = list.filter((_, i) => !drop.has(i));
  list.splice(0, list.length, ...survivors);
}

const isEmptyContainer = (v: unknown) => (Array.isArray(v) ? v.length === 0 : isObject(v) && Object.keys(v).length === 0);

/** Drop object properties whose value is null (an applied `null` means "unset, and I own it"). */
export function dropNulls(value: unknown): void {
  if (Array.isArray(value)) {
    value.forEach(dropNulls);
  } else if (isObject(value)) {
    for (const k of Object.keys(value)) {
      if (value[k] === null) delete value[k];
      else dropNulls(value[k]);
    }
  }
}
