import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kinds, kindByKind, kindByPlural, lookupKind } from './index.ts';
import type { ApiObject } from './kind.ts';

type Json = Record<string, any>;

test('lookupKind resolves kinds, plurals, singulars, short names and group-qualified names', () => {
  const cases: Array<[string, string | undefined]> = [
    ['job', 'Job'], ['jobs', 'Job'], ['Job', 'Job'], ['jobs.drover.dev', 'Job'], ['jobs.v1.drover.dev', 'Job'],
    ['eval', 'Evaluation'], ['evals', 'Evaluation'], ['alloc', 'Allocation'], ['allocs', 'Allocation'],
    ['deploy', 'Deployment'], ['no', 'Node'], ['ns', 'Namespace'], ['vol', 'Volume'], ['NODES', 'Node'], ['pods', undefined],
  ];
  for (const [input, want] of cases) assert.equal(lookupKind(input)?.kind, want, input);
});

test('names are unique across kinds', () => {
  const names = kinds.flatMap((k) => [k.plural, k.singular, ...k.shortNames]);
  assert.equal(new Set(names).size, names.length);
  assert.equal(kindByKind.size, kinds.length);
  assert.equal(kindByPlural.get('allocations')?.kind, 'Allocation');
});

test('scopes and status subresources follow the design', () => {
  assert.deepEqual(kinds.filter((k) => !k.namespaced).map((k) => k.kind).sort(), ['ClusterRole', 'ClusterRoleBinding', 'CustomResourceDefinition', 'Namespace', 'Node', 'Token']);
  for (const k of ['Job', 'Allocation', 'Evaluation', 'Deployment', 'Node']) assert.equal(kindByKind.get(k)!.hasStatus, true, k);
});

/** True when a dotted path (with [*] or not) exists in the kind's schema. */
function pathExists(schema: Json, path: string): boolean {
  let s: Json | undefined = schema;
  for (const part of path.replace(/^\./, '').replace(/\[\*\]/g, '').split('.')) {
    while (s?.type === 'array') s = s.items;
    s = s?.properties?.[part];
    if (!s) return false;
  }
  return true;
}

test('printer columns and selectable fields name real schema fields', () => {
  for (const k of kinds) {
    for (const c of k.printerColumns) assert.ok(pathExists(k.schema as Json, c.jsonPath), `${k.kind} column ${c.jsonPath}`);
    for (const f of Object.keys(k.selectableFields)) assert.ok(pathExists(k.schema as Json, f), `${k.kind} field ${f}`);
  }
});

test('selectable field extractors read values as strings', () => {
  const alloc = kindByKind.get('Allocation')!;
  const obj = { apiVersion: 'drover.dev/v1', kind: 'Allocation', metadata: { name: 'a' }, spec: { nodeName: 'n1', jobName: 'j', groupName: 'g', jobVersion: 2 }, status: { clientStatus: 'running' } } as ApiObject;
  assert.equal(alloc.selectableFields['spec.nodeName'](obj), 'n1');
  assert.equal(alloc.selectableFields['status.clientStatus'](obj), 'running');
  assert.equal(alloc.selectableFields['spec.desiredStatus'](obj), undefined);
  for (const f of ['spec.nodeName', 'spec.jobName', 'spec.groupName', 'spec.desiredStatus', 'status.clientStatus']) assert.ok(f in alloc.selectableFields);
  assert.ok('status.phase' in kindByKind.get('Evaluation')!.selectableFields);
  assert.ok('spec.datacenter' in kindByKind.get('Node')!.selectableFields);
});
