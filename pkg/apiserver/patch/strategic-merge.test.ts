import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { listRules } from '../../../api/schemas/index.ts';
import { ApiError } from '../../apierrors/status.ts';
import { applyStrategicMergePatch, createStrategicMergePatch } from './index.ts';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON

/** A stored job: server defaults (killTimeout, leader, network mode) filled inside list items. */
const live = (): Json => ({
  apiVersion: 'drover.dev/v1',
  kind: 'Job',
  metadata: { name: 'web', finalizers: ['a', 'b'], labels: { app: 'web' } },
  spec: {
    datacenters: ['dc1', 'dc2'],
    groups: [
      {
        name: 'web',
        count: 1,
        network: { mode: 'host', ports: [{ label: 'http' }, { label: 'admin', static: 9000 }] },
        tasks: [
          { name: 'server', driver: 'docker', config: { image: 'nginx', ports: ['http'] }, killTimeout: '5s', leader: false, env: { A: '1' } },
          { name: 'sidecar', driver: 'exec', killTimeout: '5s', leader: false },
        ],
      },
      { name: 'db', count: 1, tasks: [{ name: 'redis', driver: 'docker', killTimeout: '5s' }] },
    ],
  },
  status: { conditions: [{ type: 'Ready', status: 'False' }, { type: 'Scheduled', status: 'True' }] },
});

const apply = (patch: unknown, obj: Json = live()) => applyStrategicMergePatch(obj, patch, listRules) as Json;
const isApiError = (code: number, msg?: RegExp) => (e: unknown) =>
  e instanceof ApiError && e.code === code && (msg === undefined || msg.test(e.message));

describe('applyStrategicMergePatch', () => {
  const cases: { name: string; patch: Json; check: (o: Json) => void }[] = [
    {
      name: 'keyed items merge by key and keep server defaults',
      patch: { spec: { groups: [{ name: 'web', tasks: [{ name: 'server', env: { B: '2' } }] }] } },
      check: (o) => {
        const server = o.spec.groups[0].tasks[0];
        assert.deepEqual(server.env, { A: '1', B: '2' });
        assert.equal(server.killTimeout, '5s');
        assert.equal(o.spec.groups[0].tasks.length, 2);
        assert.equal(o.spec.groups[0].network.mode, 'host');
        assert.deepEqual(o.spec.groups.map((g: Json) => g.name), ['web', 'db']);
      },
    },
    {
      name: 'a new keyed item is added; $setElementOrder places it',
      patch: { spec: { groups: [{ name: 'api', tasks: [{ name: 'a', driver: 'mock' }] }], '$setElementOrder/groups': [{ name: 'web' }, { name: 'api' }, { name: 'db' }] } },
      check: (o) => {
        assert.deepEqual(o.spec.groups.map((g: Json) => g.name), ['web', 'api', 'db']);
        assert.deepEqual(o.spec.groups[1], { name: 'api', tasks: [{ name: 'a', driver: 'mock' }] });
        assert.equal(o.spec.groups[0].tasks[0].killTimeout, '5s');
      },
    },
    {
      name: 'without $setElementOrder a new item goes before the server-only ones (as in Kubernetes)',
      patch: { spec: { groups: [{ name: 'api', tasks: [{ name: 'a', driver: 'mock' }] }] } },
      check: (o) => assert.deepEqual(o.spec.groups.map((g: Json) => g.name), ['api', 'web', 'db']),
    },
    {
      name: '$setElementOrder alone reorders',
      patch: { spec: { '$setElementOrder/groups': [{ name: 'db' }, { name: 'web' }] } },
      check: (o) => {
        assert.deepEqual(o.spec.groups.map((g: Json) => g.name), ['db', 'web']);
        assert.equal(o.spec.groups[1].tasks.length, 2);
      },
    },
    {
      name: '$patch: delete removes a keyed item',
      patch: { spec: { groups: [{ name: 'web', tasks: [{ $patch: 'delete', name: 'sidecar' }] }] } },
      check: (o) => assert.deepEqual(o.spec.groups[0].tasks.map((t: Json) => t.name), ['server']),
    },
    {
      name: '{$patch: replace} replaces the whole list',
      patch: { spec: { groups: [{ name: 'web', tasks: [{ $patch: 'replace' }, { name: 'only', driver: 'mock' }] }] } },
      check: (o) => assert.deepEqual(o.spec.groups[0].tasks, [{ name: 'only', driver: 'mock' }]),
    },
    {
      name: '$patch: replace in a map replaces its content',
      patch: { spec: { groups: [{ name: 'web', network: { $patch: 'replace', ports: [{ label: 'x' }] } }] } },
      check: (o) => assert.deepEqual(o.spec.groups[0].network, { ports: [{ label: 'x' }] }),
    },
    {
      name: '$patch: delete in a map removes it',
      patch: { spec: { groups: [{ name: 'web', network: { $patch: 'delete' } }] } },
      check: (o) => assert.equal(o.spec.groups[0].network, undefined),
    },
    {
      name: '$patch: merge is the default',
      patch: { metadata: { $patch: 'merge', labels: { tier: 'x' } }, spec: { groups: [{ $patch: 'merge' }, { name: 'db', count: 2, $patch: 'merge' }] } },
      check: (o) => {
        assert.deepEqual(o.metadata.labels, { app: 'web', tier: 'x' });
        assert.deepEqual(o.spec.groups.map((g: Json) => [g.name, g.count]), [['web', 1], ['db', 2]]);
      },
    },
    {
      name: 'ports merge by label',
      patch: { spec: { groups: [{ name: 'web', network: { ports: [{ label: 'admin', static: 9100 }] } }] } },
      check: (o) => assert.deepEqual(o.spec.groups[0].network, { mode: 'host', ports: [{ label: 'http' }, { label: 'admin', static: 9100 }] }),
    },
    {
      name: 'a list named like a keyed one but holding scalars (docker config ports) is replaced',
      patch: { spec: { groups: [{ name: 'web', tasks: [{ name: 'server', config: { ports: ['admin'] } }] }] } },
      check: (o) => assert.deepEqual(o.spec.groups[0].tasks[0].config, { image: 'nginx', ports: ['admin'] }),
    },
    {
      name: 'unkeyed lists replace',
      patch: { spec: { datacenters: ['dc3'] } },
      check: (o) => assert.deepEqual(o.spec.datacenters, ['dc3']),
    },
    {
      name: 'set lists merge by value; $deleteFromPrimitiveList removes values; order follows $setElementOrder',
      patch: { metadata: { finalizers: ['c', 'a'], '$deleteFromPrimitiveList/finalizers': ['b'], '$setElementOrder/finalizers': ['c', 'a'] } },
      check: (o) => assert.deepEqual(o.metadata.finalizers, ['c', 'a']),
    },
    {
      name: '$deleteFromPrimitiveList also prunes an unkeyed list of scalars',
      patch: { spec: { '$deleteFromPrimitiveList/datacenters': ['dc1', 'nope'] } },
      check: (o) => assert.deepEqual(o.spec.datacenters, ['dc2']),
    },
    {
      name: 'conditions merge by type',
      patch: { status: { conditions: [{ type: 'Ready', status: 'True' }] } },
      check: (o) => assert.deepEqual(o.status.conditions, [{ type: 'Ready', status: 'True' }, { type: 'Scheduled', status: 'True' }]),
    },
    {
      name: '$retainKeys clears the fields it does not list',
      patch: { spec: { groups: [{ name: 'db', $retainKeys: ['name', 'tasks', 'count'], count: 3 }] } },
      check: (o) => assert.deepEqual(o.spec.groups[1], { name: 'db', count: 3, tasks: [{ name: 'redis', driver: 'docker', killTimeout: '5s' }] }),
    },
    {
      name: 'null deletes, also inside a keyed item',
      patch: { metadata: { labels: null }, spec: { groups: [{ name: 'web', tasks: [{ name: 'server', env: null }] }] } },
      check: (o) => {
        assert.equal(o.metadata.labels, undefined);
        assert.equal(o.spec.groups[0].tasks[0].env, undefined);
      },
    },
    {
      name: 'an empty keyed list merges nothing (clearing needs $patch: replace or null)',
      patch: { spec: { groups: [] } },
      check: (o) => assert.equal(o.spec.groups.length, 2),
    },
    {
      name: 'list directives for an absent list do nothing',
      patch: { spec: { '$setElementOrder/spreads': [], '$deleteFromPrimitiveList/quota': ['x'] } },
      check: (o) => assert.deepEqual(o.spec, live().spec),
    },
    { name: 'empty patch', patch: {}, check: (o) => assert.deepEqual(o, live()) },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const input = live();
      const patch = structuredClone(c.patch);
      const out = apply(patch, input);
      c.check(out);
      assert.deepEqual(input, live(), 'input untouched');
      assert.deepEqual(patch, c.patch, 'patch untouched');
    });
  }

  it('shares no structure with its inputs', () => {
    const patch = { spec: { groups: [{ name: 'new', tasks: [{ name: 't', env: { A: '1' } }] }] } };
    const input = live();
    const out = apply(patch, input);
    out.spec.groups[0].tasks[0].env.A = 'changed';
    out.spec.groups[1].tasks[0].env.A = 'changed';
    assert.equal(patch.spec.groups[0].tasks[0].env.A, '1');
    assert.equal(input.spec.groups[0].tasks[0].env.A, '1');
  });

  const malformed: { name: string; patch: unknown; msg: RegExp }[] = [
    { name: 'not an object', patch: [{ spec: {} }], msg: /must be a JSON object/ },
    { name: 'unknown $patch in a map', patch: { spec: { $patch: 'bogus' } }, msg: /unknown \$patch directive "bogus"/ },
    { name: 'unknown $patch in a list', patch: { spec: { groups: [{ $patch: 'bogus', name: 'web' }] } }, msg: /unknown \$patch directive "bogus"/ },
    { name: '$patch: delete without the merge key', patch: { spec: { groups: [{ $patch: 'delete' }] } }, msg: /needs the merge key "name"/ },
    { name: 'directives in a list whose items have no key', patch: { spec: { groups: [{ $patch: 'delete', name: 'web' }, { count: 2 }] } }, msg: /unique "name" to use \$patch directives/ },
    { name: '$setElementOrder not a list', patch: { spec: { '$setElementOrder/groups': { name: 'web' } } }, msg: /must be a list/ },
    { name: '$setElementOrder element without the key', patch: { spec: { '$setElementOrder/groups': [{ count: 1 }] } }, msg: /must give the name of an item/ },
    { name: '$setElementOrder not matching the patch list', patch: { spec: { groups: [{ name: 'db', count: 2 }, { name: 'web', count: 2 }], '$setElementOrder/groups': [{ name: 'web' }, { name: 'db' }] } }, msg: /does not match its \$setElementOrder/ },
    { name: '$setElementOrder missing a patched item', patch: { spec: { groups: [{ name: 'new' }], '$setElementOrder/groups': [{ name: 'web' }] } }, msg: /does not match/ },
    { name: '$deleteFromPrimitiveList of objects', patch: { metadata: { '$deleteFromPrimitiveList/finalizers': [{ a: 1 }] } }, msg: /list of scalars/ },
    { name: 'a directive key without a list name', patch: { spec: { '$setElementOrder/': [] } }, msg: /does not name a list/ },
    { name: 'list directives next to a scalar', patch: { spec: { datacenters: 'x', '$setElementOrder/datacenters': ['x'] } }, msg: /not set to a list/ },
    { name: '$retainKeys not a list', patch: { spec: { $retainKeys: 'groups' } }, msg: /must be a list of field names/ },
    { name: 'a patched field missing from $retainKeys', patch: { spec: { $retainKeys: ['groups'], type: 'batch' } }, msg: /"type" is patched but not listed/ },
    { name: '__proto__', patch: JSON.parse('{"spec":{"__proto__":{"polluted":1}}}'), msg: /not allowed/ },
  ];
  for (const c of malformed) {
    it(`400 for ${c.name}`, () => assert.throws(() => apply(c.patch), isApiError(400, c.msg)));
  }

  const notApplicable: { name: string; patch: unknown; msg: RegExp; field: string }[] = [
    { name: 'deleting the object', patch: { $patch: 'delete' }, msg: /cannot delete the object itself/, field: '' },
    { name: 'deleting values from a list of objects', patch: { spec: { '$deleteFromPrimitiveList/groups': ['web'] } }, msg: /applies to a list of scalars/, field: 'spec.groups' },
  ];
  for (const c of notApplicable) {
    it(`422 for ${c.name}`, () =>
      assert.throws(() => apply(c.patch), (e: unknown) => isApiError(422, c.msg)(e) && (e as ApiError).status.details?.causes?.[0]?.field === c.field));
  }

  it('422 for list directives when the live keyed list cannot be merged', () => {
    const obj = live();
    obj.spec.groups.push({ name: 'web', tasks: [] });
    assert.throws(() => apply({ spec: { groups: [{ $patch: 'delete', name: 'db' }] } }, obj), isApiError(422, /cannot be merged by "name"/));
    // Without directives such a list is simply replaced, as the field manager treats it (atomic).
    assert.deepEqual(apply({ spec: { groups: [{ name: 'x' }] } }, obj).spec.groups, [{ name: 'x' }]);
  });

  it('leaves Object.prototype alone', () => {
    assert.throws(() => apply(JSON.parse('{"__proto__":{"polluted":1}}')));
    const out = apply({ spec: { constructor: { prototype: { polluted: 1 } } } });
    assert.deepEqual(out.spec.constructor, { prototype: { polluted: 1 } });
    assert.equal(({} as Json).polluted, undefined);
  });
});

describe('createStrategicMergePatch', () => {
  it('sends what kubectl sends: changed keyed items with their key, deletions, the new order', () => {
    const before = live();
    const after = live();
    after.spec.groups[0].tasks[0].env = { A: '1', B: '2' };
    after.spec.groups[0].tasks.splice(1, 1);
    after.metadata.finalizers = ['b', 'c'];
    assert.deepEqual(createStrategicMergePatch(before, after, listRules), {
      metadata: { finalizers: ['c'], '$deleteFromPrimitiveList/finalizers': ['a'], '$setElementOrder/finalizers': ['b', 'c'] },
      spec: {
        groups: [{ name: 'web', tasks: [{ name: 'server', env: { B: '2' } }, { $patch: 'delete', name: 'sidecar' }], '$setElementOrder/tasks': [{ name: 'server' }] }],
        '$setElementOrder/groups': [{ name: 'web' }, { name: 'db' }],
      },
    });
    assert.deepEqual(createStrategicMergePatch(before, live(), listRules), {});
  });

  // Random job-like objects: keyed lists (groups → tasks, ports), a set (finalizers), atomic lists, free-form maps.
  const scalar = fc.oneof(fc.integer({ min: 0, max: 3 }), fc.constantFrom('a', 'b', 'c'), fc.boolean());
  const freeMap = fc.dictionary(fc.constantFrom('x', 'y', 'constructor'), scalar, { maxKeys: 2 }).map((o) => ({ ...o }));
  const keyed = <T>(key: string, item: fc.Arbitrary<T>) =>
    fc.uniqueArray(fc.record({ k: fc.constantFrom('p', 'q', 'r', 's'), v: item }), { selector: (e) => e.k, maxLength: 3 }).map((es) => es.map((e) => ({ [key]: e.k, ...e.v })));
  const port = fc.record({ static: fc.integer({ min: 1, max: 3 }) }, { requiredKeys: [] });
  const task = fc.record(
    { driver: fc.constantFrom('mock', 'exec'), env: freeMap, args: fc.array(scalar, { maxLength: 2 }), config: fc.record({ ports: fc.array(fc.constantFrom('a', 'b'), { maxLength: 2 }) }, { requiredKeys: [] }) },
    { requiredKeys: [] },
  );
  const group = fc.record({ count: fc.integer({ min: 0, max: 2 }), tasks: keyed('name', task), network: fc.record({ mode: fc.constantFrom('host', 'bridge'), ports: keyed('label', port) }, { requiredKeys: [] }) }, { requiredKeys: [] });
  const job = fc.record(
    {
      metadata: fc.record({ labels: freeMap, finalizers: fc.uniqueArray(fc.constantFrom('f1', 'f2', 'f3'), { maxLength: 3 }) }, { requiredKeys: [] }),
      spec: fc.record({ datacenters: fc.array(fc.constantFrom('dc1', 'dc2'), { maxLength: 2 }), groups: fc.oneof(keyed('name', group), fc.array(scalar, { maxLength: 2 })), meta: freeMap }, { requiredKeys: [] }),
    },
    { requiredKeys: [] },
  ).map((o) => JSON.parse(JSON.stringify(o)) as Json); // plain JSON: fast-check records have no prototype

  it('applied to the old object, the two-way patch gives the new one', () => {
    fc.assert(
      fc.property(job, job, (before, after) => {
        const patch = JSON.parse(JSON.stringify(createStrategicMergePatch(before, after, listRules)));
        assert.deepEqual(applyStrategicMergePatch(before, patch, listRules), after);
      }),
      { numRuns: 500 },
    );
  });

  it('fields the server filled inside surviving keyed items are kept', () => {
    const withDefaults = (obj: Json): Json => {
      const out = structuredClone(obj);
      for (const g of Array.isArray(out.spec?.groups) ? out.spec.groups : []) {
        if (typeof g !== 'object') continue;
        g.defaulted = true;
        for (const t of g.tasks ?? []) t.killTimeout = '5s';
      }
      return out;
    };
    fc.assert(
      fc.property(job, job, (before, after) => {
        const patch = createStrategicMergePatch(before, after, listRules);
        const got = applyStrategicMergePatch(withDefaults(before), patch, listRules) as Json;
        const groups = (o: Json) => (Array.isArray(o.spec?.groups) && o.spec.groups.every((g: unknown) => typeof g === 'object') ? o.spec.groups : []);
        const had = new Map(groups(before).map((g: Json) => [g.name, g]));
        for (const g of groups(got)) {
          const old = had.get(g.name) as Json | undefined;
          // A group that was there before and stays: its defaults survive, and so do those of its staying tasks.
          if (!old) continue;
          assert.equal(g.defaulted, true);
          const oldTasks = new Set((old.tasks ?? []).map((t: Json) => t.name));
          for (const t of g.tasks ?? []) if (oldTasks.has(t.name)) assert.equal(t.killTimeout, '5s');
        }
      }),
      { numRuns: 200 },
    );
  });
});
