// Properties of server-side apply over random job configurations and managers.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { ApiObject } from '../../../api/schemas/kind.ts';
import { ApiError } from '../../apierrors/status.ts';
import { applyPatch, recordUpdate } from './index.ts';
import { FieldSet, pathToString } from './fieldset.ts';
import { fieldsOf, valueAtPath } from './walk.ts';
import { DEFAULT_LIST_RULES } from './lists.ts';

// fc.record builds null-prototype objects; configurations are plain JSON.
const plain = <T>(v: T): T => JSON.parse(JSON.stringify(v));

const task = fc.record({ name: fc.constantFrom('app', 'log'), driver: fc.constantFrom('mock', 'exec') }, { requiredKeys: ['name'] });
const group = fc.record(
  {
    name: fc.constantFrom('web', 'api', 'db'),
    count: fc.integer({ min: 0, max: 2 }),
    meta: fc.dictionary(fc.constantFrom('a', 'b'), fc.constantFrom('x', 'y'), { maxKeys: 2 }),
    tasks: fc.uniqueArray(task, { selector: (t) => t.name, maxLength: 2 }),
  },
  { requiredKeys: ['name'] },
);
const spec = fc.record(
  {
    priority: fc.oneof(fc.integer({ min: 0, max: 2 }), fc.constant(null)),
    type: fc.constantFrom('service', 'batch'),
    datacenters: fc.array(fc.constantFrom('dc1', 'dc2'), { maxLength: 2 }),
    groups: fc.uniqueArray(group, { selector: (g) => g.name, maxLength: 3 }),
  },
  { requiredKeys: [] },
);
const config: fc.Arbitrary<ApiObject> = fc
  .tuple(spec, fc.dictionary(fc.constantFrom('app', 'tier'), fc.constantFrom('web', 'db'), { maxKeys: 2 }))
  .map(([s, labels]) =>
    plain({ apiVersion: 'drover.dev/v1', kind: 'Job', metadata: { name: 'j', namespace: 'default', ...(Object.keys(labels).length ? { labels } : {}) }, spec: s }),
  );
const manager = fc.constantFrom('a', 'b', 'c');

const isKeyedList = (path: readonly string[]) => Object.hasOwn(DEFAULT_LIST_RULES, (path.at(-1) ?? '').slice(2));
const isObject = (v: unknown) => typeof v === 'object' && v !== null && !Array.isArray(v);

function tryApply(live: ApiObject | undefined, applied: ApiObject, mgr: string, force: boolean, now: string): ApiObject | undefined {
  try {
    return applyPatch({ live, applied, manager: mgr, force, now });
  } catch (e) {
    if (e instanceof ApiError && e.code === 409) return undefined;
    throw e;
  }
}

// A live object shaped by two appliers and one ordinary writer.
const liveObject = fc.tuple(config, config, config).map(([a, b, c]) => {
  let live = applyPatch({ applied: a, manager: 'a', force: false, now: 't1' });
  live = applyPatch({ live, applied: b, manager: 'b', force: true, now: 't2' });
  const edited = structuredClone(live);
  // A stored object never holds nulls (validation rejects them); only apply configurations do.
  edited.spec = JSON.parse(JSON.stringify(c.spec, (_k, v) => (v === null ? undefined : v)));
  edited.metadata.managedFields = recordUpdate({ live, updated: edited, manager: 'editor', now: 't3' });
  return edited;
});

describe('applyPatch properties', () => {
  it('applying the same configuration twice is idempotent', () => {
    fc.assert(
      fc.property(liveObject, config, manager, fc.boolean(), (live, cfg, mgr, force) => {
        const once = tryApply(live, cfg, mgr, force, 't4');
        if (!once) return;
        assert.deepEqual(applyPatch({ live: once, applied: cfg, manager: mgr, force: false, now: 't5' }), once);
      }),
    );
  });

  it('never loses or changes a field another manager owns (without force)', () => {
    fc.assert(
      fc.property(liveObject, config, manager, (live, cfg, mgr) => {
        const out = tryApply(live, cfg, mgr, false, 't4');
        if (!out) return;
        for (const e of live.metadata.managedFields ?? []) {
          if (e.manager === mgr && e.operation === 'Apply') continue;
          const after = FieldSet.fromFieldsV1(out.metadata.managedFields?.find((x) => x.manager === e.manager && x.operation === e.operation)?.fieldsV1);
          for (const path of FieldSet.fromFieldsV1(e.fieldsV1).paths()) {
            const before = valueAtPath(live, path);
            const now = valueAtPath(out, path);
            // An object owned as such, or an owned `[]` (a keyed list stated empty), states no contents: others may fill it
            // (as in structured-merge-diff); it only has to stay there.
            if (isObject(before) || (Array.isArray(before) && (before.length === 0 || isKeyedList(path)))) {
              assert.equal(Array.isArray(now), Array.isArray(before), `${e.manager} lost ${pathToString(path)}`);
              assert.notEqual(now, undefined, `${e.manager} lost ${pathToString(path)}`);
              continue;
            }
            assert.deepEqual(now, before, `${e.manager} lost ${pathToString(path)}`);
            assert.ok(after.has(path), `${e.manager} no longer owns ${pathToString(path)}`);
          }
        }
      }),
    );
  });

  it('the result holds every value the configuration states, and a forced apply leaves nothing to conflict', () => {
    fc.assert(
      fc.property(liveObject, config, manager, (live, cfg, mgr) => {
        const out = applyPatch({ live, applied: cfg, manager: mgr, force: true, now: 't4' });
        for (const path of fieldsOf(cfg).paths()) {
          const want = valueAtPath(cfg, path);
          if (want === null) assert.equal(valueAtPath(out, path), undefined, pathToString(path));
          else if (typeof want !== 'object' || (Array.isArray(want) && want.length > 0)) assert.deepEqual(valueAtPath(out, path), want, pathToString(path));
          else assert.notEqual(valueAtPath(out, path), undefined, pathToString(path));
        }
        assert.deepEqual(applyPatch({ live: out, applied: cfg, manager: mgr, force: false, now: 't5' }), out);
      }),
    );
  });

  it('every entry owns only fields that exist, unless it stated a null', () => {
    fc.assert(
      fc.property(liveObject, config, manager, fc.boolean(), (live, cfg, mgr, force) => {
        const out = tryApply(live, cfg, mgr, force, 't4');
        if (!out) return;
        for (const e of out.metadata.managedFields ?? []) {
          for (const path of FieldSet.fromFieldsV1(e.fieldsV1).paths()) {
            if (valueAtPath(out, path) !== undefined) continue;
            // Only a stated null (or an item holding one) may own an absent field.
            assert.equal(e.operation, 'Apply', `${e.manager} owns missing ${pathToString(path)}`);
          }
        }
      }),
    );
  });
});
