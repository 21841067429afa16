import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FieldSet, keyPE, pathToString, valuePE } from './fieldset.ts';
import { checkFieldManager, managerFromUserAgent } from './managers.ts';
import { fieldsOf, valueAtPath } from './walk.ts';

const p = (...pes: string[]) => pes;

describe('FieldSet', () => {
  const a = FieldSet.of([p('f:spec', 'f:priority'), p('f:spec', 'f:groups', keyPE({ name: 'web' })), p('f:spec', 'f:groups', keyPE({ name: 'web' }), 'f:count')]);
  const b = FieldSet.of([p('f:spec', 'f:priority'), p('f:spec', 'f:type')]);

  it('writes and reads FieldsV1, members with children as "."', () => {
    const v1 = a.toFieldsV1();
    assert.deepEqual(v1, { 'f:spec': { 'f:groups': { 'k:{"name":"web"}': { '.': {}, 'f:count': {} } }, 'f:priority': {} } });
    assert.deepEqual(JSON.stringify(v1), '{"f:spec":{"f:groups":{"k:{\\"name\\":\\"web\\"}":{".":{},"f:count":{}}},"f:priority":{}}}');
    assert.ok(FieldSet.fromFieldsV1(v1).equals(a));
  });
  it('set operations', () => {
    assert.deepEqual(a.union(b).paths().map(pathToString), ['.spec.groups[name="web"]', '.spec.groups[name="web"].count', '.spec.priority', '.spec.type']);
    assert.deepEqual(a.intersection(b).paths(), [['f:spec', 'f:priority']]);
    assert.deepEqual(a.difference(b).paths().map(pathToString), ['.spec.groups[name="web"]', '.spec.groups[name="web"].count']);
    assert.ok(a.has(['f:spec', 'f:priority']) && !a.has(['f:spec']));
    assert.ok(a.hasAtOrBelow(['f:spec']) && !a.hasAtOrBelow(['f:status']));
    assert.ok(new FieldSet().isEmpty() && !a.isEmpty());
  });
  it('reads junk FieldsV1 without throwing', () => {
    assert.ok(FieldSet.fromFieldsV1(null).isEmpty());
    assert.deepEqual(FieldSet.fromFieldsV1({ 'f:a': 1, 'f:b': {}, 'f:c': [] }).paths(), [['f:b']]);
  });
  it('prints paths as Kubernetes does', () => {
    assert.equal(pathToString(['f:metadata', 'f:finalizers', valuePE('x')]), '.metadata.finalizers[="x"]');
    assert.equal(pathToString(['f:spec', 'f:ports', keyPE({ label: 'http' })]), '.spec.ports[label="http"]');
    assert.equal(pathToString(['f:a', 'i:3']), '.a[3]');
    assert.equal(keyPE({ b: 1, a: 'x' }), 'k:{"a":"x","b":1}');
  });
});

describe('fieldsOf and valueAtPath', () => {
  const obj = {
    apiVersion: 'drover.dev/v1',
    kind: 'Job',
    metadata: { name: 'x', uid: 'u', labels: { a: 'b' }, finalizers: ['f1'] },
    spec: { groups: [{ name: 'web', network: { ports: [{ label: 'http', to: 80 }] }, tasks: [{ name: 't', config: { ports: ['http'] } }] }], meta: {} },
  };
  it('owns leaves, empty objects and keyed items; never identity or server metadata', () => {
    assert.deepEqual(fieldsOf(obj).paths().map(pathToString), [
      '.metadata.finalizers[="f1"]',
      '.metadata.labels.a',
      '.spec.groups[name="web"]',
      '.spec.groups[name="web"].name',
      '.spec.groups[name="web"].network.ports[label="http"]',
      '.spec.groups[name="web"].network.ports[label="http"].label',
      '.spec.groups[name="web"].network.ports[label="http"].to',
      '.spec.groups[name="web"].tasks[name="t"]',
      '.spec.groups[name="web"].tasks[name="t"].config.ports',
      '.spec.groups[name="web"].tasks[name="t"].name',
      '.spec.meta',
    ]);
  });
  it('resolves paths through keyed items', () => {
    for (const path of fieldsOf(obj).paths()) assert.notEqual(valueAtPath(obj, path), undefined, pathToString(path));
    assert.equal(valueAtPath(obj, ['f:spec', 'f:groups', keyPE({ name: 'web' }), 'f:network', 'f:ports', keyPE({ label: 'http' }), 'f:to']), 80);
    assert.equal(valueAtPath(obj, ['f:spec', 'f:groups', keyPE({ name: 'nope' })]), undefined);
  });
});

describe('field manager names', () => {
  it('derives the default from the User-Agent', () => {
    assert.equal(managerFromUserAgent('kubectl/v1.30.0 (linux/amd64) kubernetes/abc'), 'kubectl');
    assert.equal(managerFromUserAgent('drover-controller'), 'drover-controller');
    assert.equal(managerFromUserAgent(undefined), 'unknown');
  });
  it('requires a manager for apply and bounds its length', () => {
    assert.throws(() => checkFieldManager(undefined, true), /fieldManager: Required value/);
    assert.throws(() => checkFieldManager('x'.repeat(129), false), /Too long/);
    checkFieldManager(undefined, false);
    checkFieldManager('kubectl', true);
  });
});
