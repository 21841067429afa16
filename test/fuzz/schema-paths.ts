// Where hostile values can go in an object of a kind, read from the kind's JSON schema (not from the validator,
// so a validator that forgot a place would be caught): every strict struct, where an unknown field must be
// rejected, and every typed location, where a value of another JSON type must be rejected.
import type { KindInfo } from '../../api/schemas/kind.ts';

/** One step into a JSON value: a property name, an array index, or a key of a free map. */
export interface Step {
  key: string | number;
  /** True for a key of a map (`additionalProperties: {schema}`), shown as `[key]` in field paths. */
  mapKey?: boolean;
}

/** The JSON types a schema location can declare. */
export type JsonType = 'string' | 'integer' | 'number' | 'boolean' | 'object' | 'array';

/** A location in an object, with the field path the API server names it by (`spec.groups[0].count`). */
export interface Location {
  steps: Step[];
  field: string;
}

/** A strict struct: only `known` properties are allowed there. */
export interface StructLocation extends Location {
  known: ReadonlySet<string>;
}

/** A location whose schema declares one JSON type. */
export interface TypedLocation extends Location {
  type: JsonType;
}

/** Every strict struct and typed location of a kind, up to a depth. */
export interface SchemaPoints {
  structs: StructLocation[];
  typed: TypedLocation[];
}

type Schema = Record<string, unknown>;

/** The key used for map entries the walk invents (a valid label key and a valid map key everywhere). */
export const MAP_KEY = 'k1';

/** Walk `kind`'s schema down to `maxDepth` steps. Free-form subtrees are typed but not entered. */
export function schemaPoints(kind: KindInfo, maxDepth = 14): SchemaPoints {
  const out: SchemaPoints = { structs: [], typed: [] };
  walk(kind.schema as unknown as Schema, [], '', 0, maxDepth, out);
  return out;
}

function walk(s: Schema, steps: Step[], field: string, depth: number, maxDepth: number, out: SchemaPoints): void {
  const type = s.type as JsonType | undefined;
  if (type && steps.length > 0) out.typed.push({ steps, field, type });
  if (depth >= maxDepth || s['x-kubernetes-preserve-unknown-fields'] === true) return;
  if (type === 'object') {
    const props = (s.properties ?? {}) as Record<string, Schema>;
    if (s.additionalProperties === false) out.structs.push({ steps, field, known: new Set(Object.keys(props)) });
    for (const [name, sub] of Object.entries(props)) {
      walk(sub, [...steps, { key: name }], field ? `${field}.${name}` : name, depth + 1, maxDepth, out);
    }
    if (typeof s.additionalProperties === 'object' && s.additionalProperties !== null) {
      walk(s.additionalProperties as Schema, [...steps, { key: MAP_KEY, mapKey: true }], `${field}[${MAP_KEY}]`, depth + 1, maxDepth, out);
    }
  } else if (type === 'array' && typeof s.items === 'object' && s.items !== null) {
    walk(s.items as Schema, [...steps, { key: 0 }], `${field}[0]`, depth + 1, maxDepth, out);
  }
}

/** True when `field` is `prefix` or lies under it. */
export function under(field: string, prefix: string): boolean {
  return field === prefix || field.startsWith(`${prefix}.`) || field.startsWith(`${prefix}[`);
}

/**
 * Set `value` at `steps` inside `root` (mutated), creating missing containers on the way: an array when the
 * next step is an index, an object otherwise. Existing containers of the wrong shape are replaced.
 */
export function setAt(root: Record<string, unknown>, steps: Step[], value: unknown): void {
  let cur: unknown = root;
  steps.forEach((step, i) => {
    const last = i === steps.length - 1;
    const next = steps[i + 1];
    const fresh = () => (typeof next?.key === 'number' ? [] : {});
    if (Array.isArray(cur)) {
      const idx = step.key as number;
      if (last) cur[idx] = value;
      else if (typeof cur[idx] !== 'object' || cur[idx] === null) cur[idx] = fresh();
      cur = cur[idx];
      return;
    }
    const obj = cur as Record<string, unknown>;
    const key = String(step.key);
    if (last) obj[key] = value;
    else {
      const have = obj[key];
      const wantArray = typeof next?.key === 'number';
      if (typeof have !== 'object' || have === null || Array.isArray(have) !== wantArray) obj[key] = fresh();
      cur = obj[key];
    }
  });
}

/** Values of a JSON type other than `type` (never null: JSON null means "unset" to many Kubernetes clients). */
export function wrongTypeValues(type: JsonType): unknown[] {
  switch (type) {
    case 'integer':
      return ['3', 3.5, true, [3], { value: 3 }];
    case 'number':
      return ['3', true, [3]];
    case 'string':
      return [3, true, ['s'], { s: 's' }];
    case 'boolean':
      return ['true', 1, [true]];
    case 'object':
      return ['x', 3, [{}]];
    case 'array':
      return ['x', 3, { item: 'x' }];
  }
}
