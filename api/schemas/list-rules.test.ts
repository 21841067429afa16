import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Type } from '@sinclair/typebox';
import { KeyedList, Obj, SetList } from './common.ts';
import { listRules, listRuleOf, listRulesOf } from './index.ts';

test('the schemas declare the keyed and set lists the field manager and strategic merge patch use', () => {
  assert.deepEqual(listRules, {
    categories: { type: 'set' },
    checks: { type: 'map', keys: ['name'] },
    conditions: { type: 'map', keys: ['type'] },
    finalizers: { type: 'set' },
    groups: { type: 'map', keys: ['name'] },
    ownerReferences: { type: 'map', keys: ['uid'] },
    ports: { type: 'map', keys: ['label'] },
    secrets: { type: 'map', keys: ['name'] },
    services: { type: 'map', keys: ['name'] },
    shortNames: { type: 'set' },
    tasks: { type: 'map', keys: ['name'] },
  });
});

test('KeyedList and SetList carry both the list type and the patch strategy', () => {
  const keyed = KeyedList(Obj({ name: Type.String() }), 'name') as Record<string, unknown>;
  assert.equal(keyed['x-kubernetes-list-type'], 'map');
  assert.deepEqual(keyed['x-kubernetes-list-map-keys'], ['name']);
  assert.equal(keyed['x-kubernetes-patch-strategy'], 'merge');
  assert.equal(keyed['x-kubernetes-patch-merge-key'], 'name');
  assert.deepEqual(listRuleOf(keyed), { type: 'map', keys: ['name'] });
  assert.deepEqual(listRuleOf(SetList(Type.String()) as Record<string, unknown>), { type: 'set' });
  assert.equal(listRuleOf(Type.Array(Type.String()) as Record<string, unknown>), undefined);
});

test('inconsistent list extensions are refused', () => {
  const cases: Array<[string, Record<string, unknown>, RegExp]> = [
    ['strategy on an atomic list', { type: 'array', 'x-kubernetes-patch-strategy': 'merge' }, /needs x-kubernetes-list-type/],
    ['map without keys', { type: 'array', 'x-kubernetes-list-type': 'map' }, /needs x-kubernetes-list-map-keys/],
    ['merge key differs from the map key', { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'], 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-patch-merge-key': 'id' }, /do not match/],
    ['map list without patch strategy', { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'] }, /do not match/],
    ['set list with a merge key', { type: 'array', 'x-kubernetes-list-type': 'set', 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-patch-merge-key': 'x' }, /set list/],
  ];
  for (const [name, schema, msg] of cases) assert.throws(() => listRuleOf(schema), msg, name);
  // Several keys: a server-side apply map, but strategic merge patch has one merge key, so no strategy.
  assert.deepEqual(listRuleOf({ type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['a', 'b'] }), { type: 'map', keys: ['a', 'b'] });
});

test('two lists of one name with different rules are refused (rules are looked up by field name)', () => {
  const a = Obj({ ports: KeyedList(Obj({ label: Type.String() }), 'label') });
  const b = Obj({ inner: Obj({ ports: Type.Array(Type.String()) }) });
  assert.throws(() => listRulesOf({ A: a, B: b }), /list field "ports" is map keyed by label at A\.ports but atomic at B\.inner\.ports/);
  assert.deepEqual(listRulesOf({ A: a, C: Obj({ x: Obj({ ports: KeyedList(Obj({ label: Type.String() }), 'label') }) }) }), { ports: { type: 'map', keys: ['label'] } });
});
