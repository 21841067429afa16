// Property: for random structural schemas, every generated schema passes CRD admission, and an object of the
// custom kind is accepted by the shared validator exactly when an independent oracle (a direct reading of the
// structural-schema rules: types, required, enums, minimum, nullable, int-or-string, strict objects unless
// preserve-unknown-fields) accepts it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { CustomResourceDefinition } from '../../../api/schemas/index.ts';
import { validateObject } from '../../../api/schemas/validate.ts';
import { crdCauses } from './admission.ts';
import { kindFromCrd } from './custom-kind.ts';

type Json = Record<string, unknown>;
const NAMES = ['a', 'b', 'c'];

const leaf: fc.Arbitrary<Json> = fc.oneof(
  fc.record({ type: fc.constant('string') }),
  fc.record({ type: fc.constant('string'), enum: fc.uniqueArray(fc.constantFrom('x', 'y', 'z'), { minLength: 1, maxLength: 2 }) }),
  fc.record({ type: fc.constant('integer'), minimum: fc.integer({ min: -3, max: 3 }) }),
  fc.record({ type: fc.constant('boolean'), nullable: fc.constant(true) }),
  fc.constant({ 'x-kubernetes-int-or-string': true }),
  fc.constant({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true }),
);

const { node } = fc.letrec<{ node: Json }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.record({ type: fc.constant('array'), items: tie('node') }),
    fc.record({ type: fc.constant('object'), additionalProperties: tie('node') }),
    fc.dictionary(fc.constantFrom(...NAMES), tie('node'), { minKeys: 1, maxKeys: 3 }).chain((properties) =>
      fc.subarray(Object.keys(properties)).map((required) => ({ type: 'object', properties, ...(required.length ? { required } : {}) }))),
  ),
}));

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The oracle: does `v` satisfy the structural schema `s`? */
function accepts(s: Json, v: unknown): boolean {
  if (s.nullable === true && v === null) return true;
  if (s['x-kubernetes-int-or-string'] === true) return typeof v === 'string' || Number.isInteger(v);
  switch (s.type) {
    case 'string':
      return typeof v === 'string' && (!Array.isArray(s.enum) || s.enum.includes(v));
    case 'integer':
      return Number.isInteger(v) && (typeof s.minimum !== 'number' || (v as number) >= s.minimum);
    case 'boolean':
      return typeof v === 'boolean';
    case 'array':
      return Array.isArray(v) && v.every((i) => accepts(s.items as Json, i));
    case 'object': {
      if (!isObj(v)) return false;
      if (s['x-kubernetes-preserve-unknown-fields'] === true && !s.properties) return true;
      if (s.additionalProperties) return Object.values(v).every((x) => accepts(s.additionalProperties as Json, x));
      const props = (s.properties ?? {}) as Record<string, Json>;
      if (((s.required as string[] | undefined) ?? []).some((r) => !(r in v))) return false;
      return Object.entries(v).every(([k, x]) => k in props && accepts(props[k]!, x));
    }
    default:
      return false;
  }
}

/** Values that satisfy `s`, so mutations of them probe the boundary. */
function valid(s: Json): fc.Arbitrary<unknown> {
  if (s['x-kubernetes-int-or-string'] === true) return fc.oneof(fc.string({ maxLength: 3 }), fc.integer());
  switch (s.type) {
    case 'string':
      return Array.isArray(s.enum) ? fc.constantFrom(...(s.enum as string[])) : fc.string({ maxLength: 3 });
    case 'integer':
      return fc.integer({ min: s.minimum as number, max: 100 });
    case 'boolean':
      return fc.oneof(fc.boolean(), fc.constant(null));
    case 'array':
      return fc.array(valid(s.items as Json), { maxLength: 3 });
    default: {
      if (s['x-kubernetes-preserve-unknown-fields'] === true) return fc.dictionary(fc.constantFrom('p', 'q'), fc.integer(), { maxKeys: 2 });
      if (s.additionalProperties) return fc.dictionary(fc.constantFrom('k1', 'k2'), valid(s.additionalProperties as Json), { maxKeys: 2 });
      const props = s.properties as Record<string, Json>;
      const req = new Set((s.required as string[] | undefined) ?? []);
      return fc.record(Object.fromEntries(Object.entries(props).map(([k, p]) => [k, valid(p)])), { requiredKeys: [...req] });
    }
  }
}

/** A valid value, a valid value with an unknown key somewhere at its top, or arbitrary JSON. */
const candidate = (s: Json) => fc.oneof(
  valid(s),
  valid(s).map((v) => (isObj(v) ? { ...v, zz: 1 } : v)),
  valid(s).map((v) => (isObj(v) && Object.keys(v).length > 0 ? { ...v, [Object.keys(v)[0]!]: 'wrong' } : v)),
  fc.jsonValue({ maxDepth: 2 }).filter((v) => !JSON.stringify(v).includes('__proto__')),
);

function crdWith(spec: Json): CustomResourceDefinition {
  return {
    apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'things.example.com' },
    spec: {
      group: 'example.com', scope: 'Namespaced', names: { plural: 'things', kind: 'Thing' },
      versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec }, required: ['spec'] } } }],
    },
  } as CustomResourceDefinition;
}

test('the validator of a custom kind agrees with the structural-schema oracle', () => {
  const outcomes = { accepted: 0, refused: 0 };
  fc.assert(
    fc.property(node.chain((s) => fc.tuple(fc.constant(s), candidate(s))), ([schema, value]) => {
      const crd = crdWith(schema);
      assert.deepEqual(crdCauses(crd), [], JSON.stringify(schema));
      const kind = kindFromCrd(crd);
      const obj = { apiVersion: 'example.com/v1', kind: 'Thing', metadata: { name: 'x', namespace: 'default' }, spec: structuredClone(value) };
      const causes = validateObject(kind, obj);
      outcomes[causes.length === 0 ? 'accepted' : 'refused']++;
      assert.equal(causes.length === 0, accepts(schema, value), `${JSON.stringify(schema)} ${JSON.stringify(value)} ${JSON.stringify(causes)}`);
    }),
    { numRuns: 300 },
  );
  // Both sides of the boundary were probed.
  assert.ok(outcomes.accepted > 30 && outcomes.refused > 30, JSON.stringify(outcomes));
});
