// How lists merge and are owned. The rule is chosen by the list's field name — the rules come from the schemas'
// x-kubernetes-list-type / list-map-keys (api/schemas/list-rules.ts) — and confirmed by the content: a "map" list
// whose items all carry their keys is associative (items owned and merged one by one), a "set" list of unique
// scalars is owned per value, anything else — and every list whose items do not fit its rule — is atomic (owned
// and replaced whole).
import { listRules } from '../../../api/schemas/index.ts';
import type { ListRule, ListRules } from '../../../api/schemas/list-rules.ts';
import { keyPE, valuePE, type PathElement } from './fieldset.ts';

export type { ListRule, ListRules };

/** Drover's associative and set lists as the schemas declare them: groups, tasks, services, checks, ports; metadata lists. */
export const DEFAULT_LIST_RULES: ListRules = listRules;

/** A list as classified for merging: its items with their path elements, or atomic/empty. */
export type ListShape =
  | { kind: 'empty' }
  | { kind: 'atomic' }
  | { kind: 'map'; keys: string[]; items: { pe: PathElement; item: Record<string, unknown> }[] }
  | { kind: 'set'; items: { pe: PathElement; item: unknown }[] };

const isScalar = (v: unknown) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Classify `list`, found under field `field` (undefined for a list inside a list), by `rules`. */
export function classifyList(list: unknown[], field: string | undefined, rules: ListRules): ListShape {
  if (list.length === 0) return { kind: 'empty' };
  const rule = field !== undefined && Object.hasOwn(rules, field) ? rules[field] : undefined;
  if (!rule) return { kind: 'atomic' };
  const seen = new Set<PathElement>();
  if (rule.type === 'set') {
    const items: { pe: PathElement; item: unknown }[] = [];
    for (const item of list) {
      if (!isScalar(item)) return { kind: 'atomic' };
      const pe = valuePE(item);
      if (seen.has(pe)) return { kind: 'atomic' };
      seen.add(pe);
      items.push({ pe, item });
    }
    return { kind: 'set', items };
  }
  const items: { pe: PathElement; item: Record<string, unknown> }[] = [];
  for (const item of list) {
    if (!isObject(item) || !rule.keys.every((k) => Object.hasOwn(item, k) && isScalar(item[k]))) return { kind: 'atomic' };
    const pe = keyPE(Object.fromEntries(rule.keys.map((k) => [k, item[k]])));
    // Duplicate keys cannot be told apart; validation rejects them, here the list just stays atomic.
    if (seen.has(pe)) return { kind: 'atomic' };
    seen.add(pe);
    items.push({ pe, item });
  }
  return { kind: 'map', keys: rule.keys, items };
}

/** Whether two classified lists can be compared or merged item by item. */
export function sameListKind(a: ListShape, b: ListShape): boolean {
  if (a.kind === 'map' && b.kind === 'map') return a.keys.join(',') === b.keys.join(',');
  return a.kind === 'set' && b.kind === 'set';
}
