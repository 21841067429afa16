import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ApiError } from '../../apierrors/status.ts';
import { applyJsonPatch, applyMergePatch, createMergePatch, pointerToFieldPath } from './index.ts';

const job = () => ({
  apiVersion: 'drover.dev/v1',
  kind: 'Job',
  metadata: { name: 'web', labels: { app: 'web' } },
  spec: { priority: 50, datacenters: ['dc1'], groups: [{ name: 'web', count: 1 }] },
});

const isApiError = (code: number, msg?: RegExp) => (e: unknown) =>
  e instanceof ApiError && e.code === code && (msg === undefined || msg.test(e.message));

describe('applyJsonPatch', () => {
  const cases: { name: string; patch: unknown[]; check: (o: any) => void }[] = [
    { name: 'replace a scalar', patch: [{ op: 'replace', path: '/spec/priority', value: 70 }], check: (o) => assert.equal(o.spec.priority, 70) },
    { name: 'add to an array end', patch: [{ op: 'add', path: '/spec/datacenters/-', value: 'dc2' }], check: (o) => assert.deepEqual(o.spec.datacenters, ['dc1', 'dc2']) },
    { name: 'add inside an array', patch: [{ op: 'add', path: '/spec/datacenters/0', value: 'dc0' }], check: (o) => assert.deepEqual(o.spec.datacenters, ['dc0', 'dc1']) },
    { name: 'remove a label', patch: [{ op: 'remove', path: '/metadata/labels/app' }], check: (o) => assert.deepEqual(o.metadata.labels, {}) },
    {
      name: 'test then replace',
      patch: [
        { op: 'test', path: '/spec/groups/0/count', value: 1 },
        { op: 'replace', path: '/spec/groups/0/count', value: 3 },
      ],
      check: (o) => assert.equal(o.spec.groups[0].count, 3),
    },
    { name: 'escaped key', patch: [{ op: 'add', path: '/metadata/labels/drover.dev~1job', value: 'x' }], check: (o) => assert.equal(o.metadata.labels['drover.dev/job'], 'x') },
    { name: 'copy', patch: [{ op: 'copy', from: '/spec/groups/0', path: '/spec/groups/-' }], check: (o) => assert.equal(o.spec.groups.length, 2) },
    { name: 'move', patch: [{ op: 'move', from: '/metadata/labels', path: '/metadata/annotations' }], check: (o) => assert.deepEqual([o.metadata.labels, o.metadata.annotations], [undefined, { app: 'web' }]) },
    { name: 'empty patch', patch: [], check: (o) => assert.deepEqual(o, job()) },
    { name: 'extra members are ignored', patch: [{ op: 'remove', path: '/spec/priority', value: 'ignored', x: 1 }], check: (o) => assert.equal(o.spec.priority, undefined) },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const input = job();
      const patch = structuredClone(c.patch);
      c.check(applyJsonPatch(input, patch));
      assert.deepEqual(input, job(), 'input untouched');
      assert.deepEqual(patch, c.patch, 'patch untouched');
    });
  }

  it('does not share structure with the patch', () => {
    const value = { name: 'api', count: 2 };
    const out = applyJsonPatch(job(), [{ op: 'add', path: '/spec/groups/-', value }]) as any;
    out.spec.groups[1].count = 9;
    assert.equal(value.count, 2);
  });

  const malformed: { name: string; patch: unknown; msg: RegExp }[] = [
    { name: 'not an array', patch: { op: 'add' }, msg: /must be a JSON array/ },
    { name: 'op not an object', patch: ['x'], msg: /operation 0: must be an object/ },
    { name: 'unknown op', patch: [{ op: 'merge', path: '/a' }], msg: /unknown op "merge"/ },
    { name: 'path missing', patch: [{ op: 'remove' }], msg: /path must be a string/ },
    { name: 'path not a pointer', patch: [{ op: 'remove', path: 'spec' }], msg: /is not a JSON pointer/ },
    { name: 'bad escape', patch: [{ op: 'remove', path: '/a~2' }], msg: /is not a JSON pointer/ },
    { name: 'value missing', patch: [{ op: 'add', path: '/a' }], msg: /add needs a value/ },
    { name: 'from missing', patch: [{ op: 'move', path: '/a' }], msg: /from must be a string/ },
    { name: '__proto__ path', patch: [{ op: 'add', path: '/__proto__/polluted', value: 1 }], msg: /not allowed/ },
    { name: 'constructor/prototype path', patch: [{ op: 'add', path: '/constructor/prototype/polluted', value: 1 }], msg: /not allowed/ },
    { name: '__proto__ key in a value', patch: JSON.parse('[{"op":"add","path":"/spec/x","value":{"__proto__":{"polluted":1}}}]'), msg: /"__proto__" is not allowed/ },
  ];
  for (const c of malformed) {
    it(`400 for ${c.name}`, () => assert.throws(() => applyJsonPatch(job(), c.patch), isApiError(400, c.msg)));
  }

  const notApplicable: { name: string; patch: unknown[]; msg: RegExp; field: string }[] = [
    { name: 'failing test', patch: [{ op: 'test', path: '/spec/priority', value: 10 }], msg: /testing value \/spec\/priority failed/, field: 'spec.priority' },
    { name: 'remove missing', patch: [{ op: 'remove', path: '/spec/nope' }], msg: /doc is missing path: \/spec\/nope/, field: 'spec.nope' },
    { name: 'replace missing', patch: [{ op: 'replace', path: '/spec/nope', value: 1 }], msg: /doc is missing path/, field: 'spec.nope' },
    { name: 'add under missing parent', patch: [{ op: 'add', path: '/spec/a/b', value: 1 }], msg: /doc is missing path/, field: 'spec.a.b' },
    { name: 'index out of range', patch: [{ op: 'add', path: '/spec/datacenters/5', value: 'x' }], msg: /out of bounds/, field: 'spec.datacenters[5]' },
    { name: 'bad index', patch: [{ op: 'replace', path: '/spec/groups/x/count', value: 1 }], msg: /does not apply/, field: 'spec.groups.x.count' },
    { name: 'move from missing', patch: [{ op: 'move', from: '/spec/nope', path: '/spec/x' }], msg: /missing from path: \/spec\/nope/, field: 'spec.x' },
    { name: 'move into own child', patch: [{ op: 'move', from: '/spec', path: '/spec/inner' }], msg: /into its own child/, field: 'spec.inner' },
    { name: 'replace root with a scalar', patch: [{ op: 'replace', path: '', value: 5 }], msg: /not an object/, field: '' },
  ];
  for (const c of notApplicable) {
    it(`422 for ${c.name}`, () => {
      assert.throws(
        () => applyJsonPatch(job(), c.patch),
        (e: unknown) => isApiError(422, c.msg)(e) && (c.field === '' || (e as ApiError).status.details?.causes?.[0]?.field === c.field),
      );
    });
  }
  it('leaves Object.prototype alone', () => {
    for (const p of ['/__proto__/polluted', '/constructor/prototype/polluted']) {
      assert.throws(() => applyJsonPatch({}, [{ op: 'add', path: p, value: 1 }]));
    }
    assert.equal(({} as any).polluted, undefined);
  });
});

describe('applyMergePatch', () => {
  const cases: { name: string; patch: object; want: object }[] = [
    { name: 'sets a nested field', patch: { spec: { priority: 70 } }, want: { ...job(), spec: { ...job().spec, priority: 70 } } },
    { name: 'null deletes', patch: { metadata: { labels: null } }, want: { ...job(), metadata: { name: 'web' } } },
    { name: 'null for an absent key is a no-op', patch: { status: null }, want: job() },
    { name: 'arrays replace', patch: { spec: { datacenters: ['a', 'b'] } }, want: { ...job(), spec: { ...job().spec, datacenters: ['a', 'b'] } } },
    { name: 'object replaces a scalar, nulls inside dropped', patch: { spec: { priority: { a: 1, b: null } } }, want: { ...job(), spec: { ...job().spec, priority: { a: 1 } } } },
    { name: 'empty patch', patch: {}, want: job() },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const input = job();
      assert.deepEqual(applyMergePatch(input, c.patch), c.want);
      assert.deepEqual(input, job());
    });
  }
  it('rejects a patch that is not an object with 400', () => {
    for (const p of [[], null, 5, 'x', [{ op: 'add' }]]) assert.throws(() => applyMergePatch(job(), p), isApiError(400, /must be a JSON object/));
  });
  it('rejects __proto__ and treats constructor as plain data', () => {
    assert.throws(() => applyMergePatch({}, JSON.parse('{"__proto__":{"polluted":1}}')), isApiError(400));
    assert.throws(() => applyMergePatch({}, JSON.parse('{"a":{"__proto__":{"polluted":1}}}')), isApiError(400));
    const out = applyMergePatch({}, { constructor: { prototype: { polluted: 1 } } }) as any;
    assert.deepEqual(Object.keys(out), ['constructor']);
    assert.equal(({} as any).polluted, undefined);
    assert.equal(Object.prototype.hasOwnProperty.call(Object.prototype, 'polluted'), false);
  });

  const json = fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: 'small' }, fc.integer(), fc.string({ maxLength: 3 }), fc.boolean(), fc.array(tie('leaf'), { maxLength: 2 }), tie('object')),
    leaf: fc.oneof(fc.integer(), fc.string({ maxLength: 3 })),
    object: fc.dictionary(fc.constantFrom('a', 'b', 'c', 'constructor'), tie('value'), { maxKeys: 3 }).map((o) => ({ ...o })),
  }));
  it('createMergePatch(a, b) applied to a gives b', () => {
    fc.assert(
      fc.property(json.object, json.object, (a, b) => {
        assert.deepEqual(applyMergePatch(a as object, createMergePatch(a, b)), b);
      }),
    );
  });
});

describe('pointerToFieldPath', () => {
  it('renders Kubernetes field paths', () => {
    assert.equal(pointerToFieldPath('/spec/groups/0/count'), 'spec.groups[0].count');
    assert.equal(pointerToFieldPath('/metadata/labels/a~1b~0c'), 'metadata.labels.a/b~c');
    assert.equal(pointerToFieldPath(''), '');
  });
});
