// The job diff and its annotations on raw specs: how each kind of value is compared (scalars, maps, keyed and
// keyless lists, lists of scalars, values that change shape), groups and tasks matched by name, unchanged parts
// kept only when contextual, and what each change is annotated as forcing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JobSpec } from '../../../api/schemas/index.ts';
import { annotate, groupUpdates } from './annotate.ts';
import { diffObject, jobDiff } from './diff.ts';
import type { GroupChanges } from './types.ts';

const spec = (over: Record<string, unknown> = {}, task: Record<string, unknown> = {}, group: Record<string, unknown> = {}): JobSpec =>
  ({
    type: 'service',
    datacenters: ['dc1'],
    groups: [{ name: 'web', count: 1, ...group, tasks: [{ name: 'server', driver: 'docker', config: { image: 'nginx:1', args: ['-g', 'daemon off;'] }, ...task }] }],
    ...over,
  }) as unknown as JobSpec;

const cases: Array<{ name: string; old: Record<string, unknown>; next: Record<string, unknown>; want: unknown }> = [
  { name: 'equal scalars: nothing', old: { a: 1 }, next: { a: 1 }, want: { type: 'None', fields: [], objects: [] } },
  { name: 'an edited scalar', old: { a: 1 }, next: { a: 2 }, want: { type: 'Edited', fields: [{ type: 'Edited', name: 'a', old: '1', new: '2' }], objects: [] } },
  {
    name: 'added and removed fields, sorted by name',
    old: { b: 'x' },
    next: { a: true },
    want: { type: 'Edited', fields: [{ type: 'Added', name: 'a', new: 'true' }, { type: 'Deleted', name: 'b', old: 'x' }], objects: [] },
  },
  {
    name: 'a map is an object of fields',
    old: { env: { A: '1', B: '2' } },
    next: { env: { A: '1', B: '3' } },
    want: { type: 'Edited', fields: [], objects: [{ type: 'Edited', name: 'env', fields: [{ type: 'Edited', name: 'B', old: '2', new: '3' }], objects: [] }] },
  },
  {
    name: 'lists of scalars compare by index',
    old: { args: ['a', 'b'] },
    next: { args: ['a', 'c', 'd'] },
    want: { type: 'Edited', fields: [{ type: 'Edited', name: 'args[1]', old: 'b', new: 'c' }, { type: 'Added', name: 'args[2]', new: 'd' }], objects: [] },
  },
  {
    name: 'lists of labelled objects compare by label',
    old: { ports: [{ label: 'http', static: 80 }, { label: 'admin' }] },
    next: { ports: [{ label: 'http', static: 8080 }] },
    want: {
      type: 'Edited',
      fields: [],
      objects: [
        { type: 'Edited', name: 'ports[http]', fields: [{ type: 'Edited', name: 'static', old: '80', new: '8080' }], objects: [] },
        { type: 'Deleted', name: 'ports[admin]', fields: [{ type: 'Deleted', name: 'label', old: 'admin' }], objects: [] },
      ],
    },
  },
  {
    name: 'lists without keys are sets: a changed element is one removed and one added',
    old: { constraints: [{ attribute: 'a', value: '1' }, { attribute: 'b', value: '2' }] },
    next: { constraints: [{ attribute: 'b', value: '2' }, { attribute: 'a', value: '9' }] },
    want: {
      type: 'Edited',
      fields: [],
      objects: [
        { type: 'Deleted', name: 'constraints', fields: [{ type: 'Deleted', name: 'attribute', old: 'a' }, { type: 'Deleted', name: 'value', old: '1' }], objects: [] },
        { type: 'Added', name: 'constraints', fields: [{ type: 'Added', name: 'attribute', new: 'a' }, { type: 'Added', name: 'value', new: '9' }], objects: [] },
      ],
    },
  },
  {
    name: 'a value that changes shape is removed and added',
    old: { v: 'x' },
    next: { v: { y: 1 } },
    want: { type: 'Edited', fields: [{ type: 'Deleted', name: 'v', old: 'x' }], objects: [{ type: 'Added', name: 'v', fields: [{ type: 'Added', name: 'y', new: '1' }], objects: [] }] },
  },
];

for (const c of cases) {
  test(`diffObject: ${c.name}`, () => {
    const { type, fields, objects } = diffObject('x', c.old, c.next, false);
    assert.deepEqual({ type, fields, objects }, c.want);
  });
}

test('contextual keeps unchanged fields and objects as None', () => {
  const d = diffObject('x', { a: 1, m: { k: 'v' }, l: [{ p: 1 }] }, { a: 2, m: { k: 'v' }, l: [{ p: 1 }] }, true);
  assert.deepEqual(d.fields, [{ type: 'Edited', name: 'a', old: '1', new: '2' }]);
  assert.deepEqual(d.objects.map((o) => [o.name, o.type, o.fields]), [
    ['l', 'None', [{ type: 'None', name: 'p', old: '1', new: '1' }]],
    ['m', 'None', [{ type: 'None', name: 'k', old: 'v', new: 'v' }]],
  ]);
});

test('jobDiff: a new job is Added through and through; an unchanged one is None', () => {
  const added = jobDiff('web', undefined, spec(), false);
  assert.equal(added.type, 'Added');
  assert.deepEqual(added.taskGroups.map((g) => [g.name, g.type, g.tasks.map((t) => [t.name, t.type])]), [['web', 'Added', [['server', 'Added']]]]);
  assert.ok(added.fields.every((f) => f.type === 'Added'));
  assert.ok(!added.taskGroups[0]!.fields.some((f) => f.name === 'name'), 'the group name is its identity, not a field');

  const same = jobDiff('web', spec(), spec(), false);
  assert.equal(same.type, 'None');
  assert.deepEqual(same.taskGroups.map((g) => [g.type, g.fields, g.objects, g.tasks.map((t) => [t.type, t.fields, t.objects])]), [['None', [], [], [['None', [], []]]]]);
});

test('jobDiff: groups and tasks matched by name, removed ones listed after the new ones', () => {
  const old = spec();
  const next = spec({}, { name: 'proxy' });
  (next.groups as unknown as Array<Record<string, unknown>>).push({ name: 'db', tasks: [{ name: 'pg', driver: 'exec' }] });
  const d = jobDiff('web', old, next, false);
  assert.equal(d.type, 'Edited');
  assert.deepEqual(d.taskGroups.map((g) => [g.name, g.type, g.tasks.map((t) => `${t.name}:${t.type}`)]), [
    ['web', 'Edited', ['proxy:Added', 'server:Deleted']],
    ['db', 'Added', ['pg:Added']],
  ]);
});

const changes = (over: Partial<GroupChanges>): GroupChanges => ({ place: 0, stop: 0, inPlaceUpdate: 0, destructiveUpdate: 0, migrate: 0, ignore: 0, canary: 0, lost: 0, reschedule: 0, ...over });

test('annotate: what each task change forces, and the count', () => {
  const annotations = (old: JobSpec | undefined, next: JobSpec | undefined) => {
    const d = jobDiff('web', old, next, false);
    annotate(d, old, next, {});
    return d.taskGroups.map((g) => ({ tasks: g.tasks.map((t) => t.annotations), count: g.fields.find((f) => f.name === 'count')?.annotations }));
  };
  const rows: Array<[string, JobSpec | undefined, JobSpec | undefined, unknown]> = [
    ['new group', undefined, spec(), [{ tasks: [['forces create']], count: ['forces create'] }]],
    ['removed group', spec(), undefined, [{ tasks: [['forces destroy']], count: ['forces destroy'] }]],
    ['config change', spec(), spec({}, { config: { image: 'nginx:2' } }), [{ tasks: [['forces create/destroy update']], count: undefined }]],
    ['kill timeout', spec(), spec({}, { killTimeout: '9s' }), [{ tasks: [['forces in-place update']], count: undefined }]],
    ['count down', spec({}, {}, { count: 3 }), spec({}, {}, { count: 2 }), [{ tasks: [[]], count: ['forces destroy'] }]],
    ['task added to a group', spec(), spec({}, { name: 'other' }), [{ tasks: [['forces create/destroy update'], ['forces create/destroy update']], count: undefined }]],
  ];
  for (const [name, old, next, want] of rows) assert.deepEqual(annotations(old, next), want, name);
});

test('groupUpdates: Nomad\'s labels with non-zero counts (replacements count as creates, lost as destroys)', () => {
  assert.deepEqual(groupUpdates(undefined), {});
  assert.deepEqual(groupUpdates(changes({ place: 1, reschedule: 1, stop: 1, lost: 2, inPlaceUpdate: 3, destructiveUpdate: 4, migrate: 5, ignore: 6 })), {
    create: 2, destroy: 3, migrate: 5, 'in-place update': 3, 'create/destroy update': 4, ignore: 6,
  });
});
