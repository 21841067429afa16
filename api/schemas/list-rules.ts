// List merge rules, read from the schemas: the one place they are declared is the list schema itself
// (KeyedList / SetList in common.ts). The field manager (server-side apply) and strategic merge patch look rules
// up by the name of the field holding the list, so every list field of one name must follow one rule; this
// derivation refuses schemas where two lists of the same name disagree, or where the list-type and the patch
// strategy extensions of one list say different things.

/** The merge rule for lists under one field name: items identified by key fields, or unique scalars. */
export type ListRule = { type: 'map'; keys: string[] } | { type: 'set' };

/** List rules by the name of the field holding the list. */
export type ListRules = Readonly<Record<string, ListRule>>;

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const describe = (rule: ListRule | undefined) => (rule === undefined ? 'atomic' : rule.type === 'set' ? 'set' : `map keyed by ${rule.keys.join(',')}`);

/**
 * The rule an array schema declares, or undefined for an atomic list. Throws when the extensions disagree:
 * a map list must name its keys and, with one key, carry the matching patch merge key; a set list must merge.
 */
export function listRuleOf(schema: Json, where = 'list'): ListRule | undefined {
  const type = schema['x-kubernetes-list-type'];
  const keys = schema['x-kubernetes-list-map-keys'];
  const strategy = schema['x-kubernetes-patch-strategy'];
  const mergeKey = schema['x-kubernetes-patch-merge-key'];
  if (type === undefined || type === 'atomic') {
    if (strategy !== undefined || mergeKey !== undefined) throw new Error(`${where}: a patch strategy needs x-kubernetes-list-type map or set`);
    return undefined;
  }
  if (type === 'set') {
    if (strategy !== 'merge' || mergeKey !== undefined) throw new Error(`${where}: a set list must have patch strategy merge and no merge key`);
    return { type: 'set' };
  }
  if (type !== 'map' || !Array.isArray(keys) || keys.length === 0 || !keys.every((k) => typeof k === 'string')) {
    throw new Error(`${where}: x-kubernetes-list-type ${JSON.stringify(type)} needs x-kubernetes-list-map-keys`);
  }
  // Strategic merge patch has a single merge key; a list keyed by several fields stays a replace list there.
  const wantMergeKey = keys.length === 1 ? keys[0] : undefined;
  if ((wantMergeKey === undefined) !== (strategy === undefined) || mergeKey !== wantMergeKey) {
    throw new Error(`${where}: patch strategy/merge key do not match x-kubernetes-list-map-keys ${JSON.stringify(keys)}`);
  }
  return { type: 'map', keys: [...keys] };
}

/**
 * The rules of every list field reachable from `schemas` (by a name used in error messages, e.g. the kind), by
 * field name. Throws when two list fields of the same name have different rules (an unmarked list counts as
 * atomic): a by-name lookup could not tell them apart.
 */
export function listRulesOf(schemas: Readonly<Record<string, unknown>>): ListRules {
  const found = new Map<string, { rule: ListRule | undefined; where: string }>();
  const seen = new Set<unknown>();
  const visit = (s: unknown, where: string): void => {
    if (!isObject(s) || seen.has(s)) return;
    seen.add(s);
    if (isObject(s.properties)) {
      for (const [name, prop] of Object.entries(s.properties)) {
        const at = `${where}.${name}`;
        if (isObject(prop) && prop.type === 'array') record(name, listRuleOf(prop, at), at);
        visit(prop, at);
      }
    }
    if (isObject(s.items)) visit(s.items, `${where}[]`);
    if (isObject(s.additionalProperties)) visit(s.additionalProperties, `${where}{}`);
    for (const k of ['allOf', 'anyOf', 'oneOf'] as const) if (Array.isArray(s[k])) (s[k] as unknown[]).forEach((x) => visit(x, where));
  };
  const record = (name: string, rule: ListRule | undefined, where: string): void => {
    const prev = found.get(name);
    if (prev === undefined) found.set(name, { rule, where });
    else if (describe(prev.rule) !== describe(rule)) {
      throw new Error(`list field "${name}" is ${describe(prev.rule)} at ${prev.where} but ${describe(rule)} at ${where}`);
    }
  };
  for (const [name, s] of Object.entries(schemas)) visit(s, name);
  const rules: Record<string, ListRule> = {};
  for (const [name, { rule }] of [...found].sort(([a], [b]) => a.localeCompare(b))) if (rule) rules[name] = rule;
  return rules;
}
