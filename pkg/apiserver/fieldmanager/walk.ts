// Walks that turn objects into field sets: what a configuration sets (apply ownership) and what changed
// between two versions (update ownership, conflict detection), following structured-merge-diff.
import { jsonEqual } from '../patch/merge-patch.ts';
import { FieldSet, fieldPE, type PathElement } from './fieldset.ts';
import { classifyList, sameListKind, DEFAULT_LIST_RULES, type ListRules, type ListShape } from './lists.ts';

/** Metadata fields nobody owns: identity (name, namespace) and what the server writes. */
export const UNOWNED_META = [
  'name',
  'namespace',
  'uid',
  'resourceVersion',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'managedFields',
  'selfLink',
] as const;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The part of an object whose fields can be owned: drops apiVersion, kind and UNOWNED_META. */
export function ownable(obj: unknown): Record<string, unknown> {
  if (!isObject(obj)) return {};
  const { apiVersion: _v, kind: _k, ...rest } = obj;
  if (isObject(rest.metadata)) {
    const meta = { ...rest.metadata };
    for (const f of UNOWNED_META) delete meta[f];
    // Metadata holding only identity is not "an empty object the writer set".
    if (Object.keys(meta).length > 0) rest.metadata = meta;
    else delete rest.metadata;
  }
  return rest;
}

// 'config': leaves, empty objects and list items (what an applier states).
// 'all': also every non-empty object below the top level (what a write created).
// 'gone': 'all' plus every list itself, so an owner of an empty list (a leaf) loses it when the list goes.
type Mode = 'config' | 'all' | 'gone';

function collect(value: unknown, path: PathElement[], field: string | undefined, set: FieldSet, mode: Mode, rules: ListRules): void {
  if (isObject(value)) {
    const keys = Object.keys(value);
    // metadata/spec/status themselves are never owned, as Go's always-present structs are not in Kubernetes.
    if (keys.length === 0 ? path.length > 0 : mode !== 'config' && path.length > 1) set.insert(path);
    for (const k of keys) collect(value[k], [...path, fieldPE(k)], k, set, mode, rules);
  } else if (Array.isArray(value)) {
    collectList(classifyList(value, field, rules), path, set, mode, rules);
  } else if (value !== undefined) {
    set.insert(path);
  }
}

function collectList(shape: ListShape, path: PathElement[], set: FieldSet, mode: Mode, rules: ListRules): void {
  if (shape.kind === 'empty' || shape.kind === 'atomic' || mode === 'gone') set.insert(path);
  if (shape.kind === 'set') {
    for (const { pe } of shape.items) set.insert([...path, pe]);
  } else if (shape.kind === 'map') {
    for (const { pe, item } of shape.items) {
      set.insert([...path, pe]);
      for (const k of Object.keys(item)) collect(item[k], [...path, pe, fieldPE(k)], k, set, mode, rules);
    }
  }
}

/** The fields an applied configuration sets (its Apply ownership), excluding unowned metadata. */
export function fieldsOf(obj: unknown, rules: ListRules = DEFAULT_LIST_RULES): FieldSet {
  const set = new FieldSet();
  collect(ownable(obj), [], undefined, set, 'config', rules);
  return set;
}

/** Every path in `value` at `path`, objects included; lists too when the value is `gone`. */
function allPaths(value: unknown, path: PathElement[], field: string | undefined, set: FieldSet, rules: ListRules, mode: Mode = 'all'): void {
  collect(value, path, field, set, mode, rules);
}

/** What differs between two versions of an object, as structured-merge-diff's Comparison. */
export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

/** Compare the ownable parts of `before` and `after`. */
export function compareObjects(before: unknown, after: unknown, rules: ListRules = DEFAULT_LIST_RULES): Comparison {
  const c: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  compareValues(ownable(before), ownable(after), [], undefined, c, rules);
  return c;
}

function compareValues(a: unknown, b: unknown, path: PathElement[], field: string | undefined, c: Comparison, rules: ListRules): void {
  // An applied null unsets: against an absent field it changes nothing.
  if ((a === undefined || a === null) && (b === undefined || b === null)) return;
  if (a === undefined) return allPaths(b, path, field, c.added, rules);
  if (b === undefined) return allPaths(a, path, field, c.removed, rules, 'gone');
  if (isObject(a) && isObject(b)) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
      compareValues(Object.hasOwn(a, k) ? a[k] : undefined, Object.hasOwn(b, k) ? b[k] : undefined, [...path, fieldPE(k)], k, c, rules);
    }
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) return compareLists(classifyList(a, field, rules), classifyList(b, field, rules), a, b, path, c, rules);
  if (jsonEqual(a, b)) return;
  // A scalar or atomic value changed; when the type changed, the contents on each side appear or vanish too.
  c.modified.insert(path);
  if (typeof a === 'object' && a !== null) allPaths(a, path, field, c.removed, rules, 'gone');
  if (typeof b === 'object' && b !== null) allPaths(b, path, field, c.added, rules);
}

function compareLists(sa: ListShape, sb: ListShape, a: unknown[], b: unknown[], path: PathElement[], c: Comparison, rules: ListRules): void {
  if (sa.kind === 'empty' && sb.kind === 'empty') return;
  const keyed = (s: ListShape) => s.kind === 'map' || s.kind === 'set';
  if (sameListKind(sa, sb) || (sa.kind === 'empty' && keyed(sb)) || (sb.kind === 'empty' && keyed(sa))) {
    // An empty list is owned as a leaf; it goes away (or appears) when items arrive (or all leave).
    if (sa.kind === 'empty') c.removed.insert(path);
    if (sb.kind === 'empty') c.added.insert(path);
    const itemsA = new Map(sa.kind === 'map' || sa.kind === 'set' ? sa.items.map((x) => [x.pe, x.item] as const) : []);
    const itemsB = new Map(sb.kind === 'map' || sb.kind === 'set' ? sb.items.map((x) => [x.pe, x.item] as const) : []);
    for (const [pe, item] of itemsA) {
      if (!itemsB.has(pe)) itemPaths(item, [...path, pe], c.removed, rules, 'gone');
      else compareValues(item, itemsB.get(pe), [...path, pe], undefined, c, rules); // set items are equal by identity
    }
    for (const [pe, item] of itemsB) if (!itemsA.has(pe)) itemPaths(item, [...path, pe], c.added, rules);
    return;
  }
  if (jsonEqual(a, b)) return;
  c.modified.insert(path);
  if (keyed(sa)) collectList(sa, path, c.removed, 'gone', rules);
  if (keyed(sb)) collectList(sb, path, c.added, 'all', rules);
}

// A list item is owned as a member (its presence) plus its fields.
function itemPaths(item: unknown, path: PathElement[], set: FieldSet, rules: ListRules, mode: Mode = 'all'): void {
  set.insert(path);
  if (isObject(item)) for (const k of Object.keys(item)) allPaths(item[k], [...path, fieldPE(k)], k, set, rules, mode);
}

/** The value at a field path (undefined when absent); `k:`/`v:` elements find list items by key or value. */
export function valueAtPath(obj: unknown, path: readonly PathElement[]): unknown {
  let cur: unknown = obj;
  for (const pe of path) {
    const body = pe.slice(2);
    if (pe.startsWith('f:')) {
      cur = isObject(cur) && Object.hasOwn(cur, body) ? cur[body] : undefined;
    } else if (pe.startsWith('k:') && Array.isArray(cur)) {
      const keys = Object.entries(JSON.parse(body) as Record<string, unknown>);
      cur = cur.find((it) => isObject(it) && keys.every(([k, v]) => it[k] === v));
    } else if (pe.startsWith('v:') && Array.isArray(cur)) {
      const v = JSON.parse(body) as unknown;
      cur = cur.includes(v) ? v : undefined;
    } else {
      return undefined;
    }
    if (cur === undefined) return undefined;
  }
  return cur;
}
