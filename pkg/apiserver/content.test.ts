import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../apierrors/status.ts';
import { decodeObjectBody, decodePatchBody, negotiateOutput, patchTypeOf } from './content.ts';

const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    if (e instanceof ApiError) return e.code;
    throw e;
  }
  return 0;
};

test('decodes JSON and YAML bodies without coercion', () => {
  assert.deepEqual(decodeObjectBody(Buffer.from('{"a":"1","b":2}'), 'application/json; charset=utf-8'), { a: '1', b: 2 });
  assert.deepEqual(decodeObjectBody(Buffer.from('a: "1"\nb: 2\nc: 2024-01-01\n'), 'application/yaml'), { a: '1', b: 2, c: '2024-01-01' });
  assert.equal(decodeObjectBody(Buffer.from('  '), 'application/json'), undefined);
  assert.deepEqual(decodeObjectBody(Buffer.from('{"x":1}'), undefined), { x: 1 });
});

test('maps bad bodies to 400 and unknown media types to 415', () => {
  const cases: Array<[() => unknown, number]> = [
    [() => decodeObjectBody(Buffer.from('{"a":'), 'application/json'), 400],
    [() => decodeObjectBody(Buffer.from('a: [1'), 'application/yaml'), 400],
    [() => decodeObjectBody(Buffer.from('{"metadata":{"__proto__":{"x":1}}}'), 'application/json'), 400],
    [() => decodeObjectBody(Buffer.from('a: 1\na: 2\n'), 'application/yaml'), 400],
    [() => decodeObjectBody(Buffer.from('['.repeat(200_000) + ']'.repeat(200_000)), 'application/json'), 400],
    [() => decodeObjectBody(Buffer.from('{"a":'.repeat(150) + '1' + '}'.repeat(150)), 'application/json'), 400],
    [() => decodeObjectBody(Buffer.from('x'), 'application/vnd.kubernetes.protobuf'), 415],
    [() => patchTypeOf('application/json'), 415],
    [() => patchTypeOf(undefined), 415],
    [() => decodePatchBody(Buffer.from(''), 'merge'), 400],
    [() => decodePatchBody(Buffer.from('[{'), 'json'), 400],
  ];
  for (const [fn, want] of cases) assert.equal(code(fn), want);
});

test('knows the four patch types', () => {
  assert.equal(patchTypeOf('application/json-patch+json'), 'json');
  assert.equal(patchTypeOf('application/merge-patch+json'), 'merge');
  assert.equal(patchTypeOf('application/strategic-merge-patch+json'), 'strategic');
  assert.equal(patchTypeOf('application/apply-patch+yaml'), 'apply');
  assert.deepEqual(decodePatchBody(Buffer.from('metadata:\n  name: x\n'), 'apply'), { metadata: { name: 'x' } });
});

test('negotiates Table and PartialObjectMetadata in the client order', () => {
  const kubectl = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
  assert.deepEqual(negotiateOutput(kubectl), { as: 'Table' });
  assert.deepEqual(negotiateOutput(undefined), { as: 'Object' });
  assert.deepEqual(negotiateOutput('*/*'), { as: 'Object' });
  assert.deepEqual(negotiateOutput('application/vnd.kubernetes.protobuf, application/json'), { as: 'Object' });
  assert.deepEqual(negotiateOutput('application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1'), { as: 'PartialObjectMetadata' });
  assert.deepEqual(negotiateOutput('application/json;as=APIGroupDiscoveryList;v=v2;g=apidiscovery.k8s.io,application/json'), { as: 'Object' });
  assert.equal(code(() => negotiateOutput('application/vnd.kubernetes.protobuf')), 406);
  assert.equal(code(() => negotiateOutput('application/json;as=Foo;g=meta.k8s.io;v=v1')), 406);
});
