import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ApiObject } from '../../api/schemas/kind.ts';
import { FieldsInterner } from './fields-interner.ts';

const job = (name: string, fields: Record<string, unknown>) =>
  JSON.parse(
    JSON.stringify({
      apiVersion: 'drover.dev/v1',
      kind: 'Job',
      metadata: { name, managedFields: [{ manager: 'm', operation: 'Update', apiVersion: 'drover.dev/v1', fieldsType: 'FieldsV1', fieldsV1: fields }] },
    }),
  ) as ApiObject;

const tree = (o: ApiObject) => o.metadata.managedFields![0]!.fieldsV1;

test('equal fieldsV1 trees are shared between objects, different ones are not', () => {
  const interner = new FieldsInterner();
  const a = interner.intern(job('a', { 'f:spec': { 'f:type': {} } }));
  const b = interner.intern(job('b', { 'f:spec': { 'f:type': {} } }));
  const c = interner.intern(job('c', { 'f:spec': { 'f:priority': {} } }));
  assert.equal(tree(a), tree(b));
  assert.notEqual(tree(a), tree(c));
  assert.deepEqual(tree(c), { 'f:spec': { 'f:priority': {} } });
  assert.equal(interner.size, 2);
});

test('shared trees are frozen all the way down, so a writer that forgets to copy fails loudly', () => {
  const interner = new FieldsInterner();
  const a = interner.intern(job('a', { 'f:spec': { 'f:type': {} } }));
  assert.ok(Object.isFrozen(tree(a)));
  assert.throws(() => {
    (tree(a)['f:spec'] as Record<string, unknown>)['f:x'] = {};
  }, TypeError);
  const copy = structuredClone(a);
  (tree(copy)['f:spec'] as Record<string, unknown>)['f:x'] = {};
  assert.deepEqual(tree(copy), { 'f:spec': { 'f:type': {}, 'f:x': {} } }, 'a copy is writable');
});

test('objects without managedFields pass through unchanged', () => {
  const interner = new FieldsInterner();
  const o = { apiVersion: 'drover.dev/v1', kind: 'Job', metadata: { name: 'x' } } as ApiObject;
  assert.equal(interner.intern(o), o);
  assert.deepEqual(o, { apiVersion: 'drover.dev/v1', kind: 'Job', metadata: { name: 'x' } });
  assert.equal(interner.size, 0);
});
