import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evalJsonPath, humanDuration, toTable } from './table.ts';
import { widget, widgetKind } from './test-support.ts';

test('humanDuration matches apimachinery', () => {
  const s = 1000;
  const cases: Array<[number, string]> = [
    [-5 * s, '<invalid>'],
    [-1 * s, '0s'],
    [0, '0s'],
    [59 * s, '59s'],
    [119 * s, '119s'],
    [120 * s, '2m'],
    [125 * s, '2m5s'],
    [10 * 60 * s, '10m'],
    [179 * 60 * s, '179m'],
    [3 * 3600 * s, '3h'],
    [3 * 3600 * s + 20 * 60 * s, '3h20m'],
    [8 * 3600 * s, '8h'],
    [47 * 3600 * s, '47h'],
    [50 * 3600 * s, '2d2h'],
    [72 * 3600 * s, '3d'],
    [30 * 24 * 3600 * s, '30d'],
    [(365 * 3 + 10) * 24 * 3600 * s, '3y10d'],
    [365 * 9 * 24 * 3600 * s, '9y'],
  ];
  for (const [ms, want] of cases) assert.equal(humanDuration(ms), want, `${ms}ms`);
});

test('evalJsonPath handles fields, wildcards and indexes', () => {
  const obj = { spec: { groups: [{ count: 1 }, { count: 3 }], m: { a: 'x' } } };
  assert.deepEqual(evalJsonPath(obj, '.spec.groups[*].count'), [1, 3]);
  assert.deepEqual(evalJsonPath(obj, '.spec.groups[1].count'), [3]);
  assert.deepEqual(evalJsonPath(obj, '{.spec.m.a}'), ['x']);
  assert.deepEqual(evalJsonPath(obj, '.spec.missing.x'), []);
});

test('builds a Table: Name first, printer columns, Age last, metadata rows', () => {
  const w = widget('w1', { size: 3, color: 'red' }, { namespace: 'default', creationTimestamp: '2024-01-01T00:00:00Z', resourceVersion: '7' });
  const now = Date.parse('2024-01-01T00:05:00Z');
  const t = toTable(widgetKind, [w], { includeObject: 'Metadata', nowMs: now, listMeta: { resourceVersion: '9' } });
  assert.deepEqual(t.columnDefinitions.map((c) => c.name), ['Name', 'Size', 'Color', 'Phase', 'Age']);
  assert.equal(t.columnDefinitions[3]!.priority, 1);
  assert.deepEqual(t.rows[0]!.cells, ['w1', 3, 'red', null, '5m']);
  assert.deepEqual(t.rows[0]!.object, { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: w.metadata });
  assert.equal(t.metadata.resourceVersion, '9');
  const full = toTable(widgetKind, [w], { includeObject: 'Object', nowMs: now });
  assert.equal(full.rows[0]!.object, w);
  const none = toTable(widgetKind, [w], { includeObject: 'None', nowMs: now, withColumns: false });
  assert.equal(none.rows[0]!.object, undefined);
  assert.deepEqual(none.columnDefinitions, []);
});

test('count columns show how many entries a map or list holds, 0 when absent (kubectl DATA, SECRETS)', () => {
  const kind = { ...widgetKind, printerColumns: [{ name: 'Data', jsonPath: '.data', type: 'integer' as const, count: true }, { name: 'Refs', jsonPath: '.refs', type: 'integer' as const, count: true }] };
  const obj = (extra: Record<string, unknown>) => ({ ...widget('w'), metadata: { name: 'w', creationTimestamp: '2024-01-01T00:00:00Z' }, ...extra });
  const cells = (extra: Record<string, unknown>) => toTable(kind, [obj(extra)], { includeObject: 'None', nowMs: Date.parse('2024-01-01T00:00:10Z') }).rows[0]!.cells;
  assert.deepEqual(cells({ data: { a: '1', b: '2' }, refs: [{ name: 'x' }] }), ['w', 2, 1, '10s']);
  assert.deepEqual(cells({}), ['w', 0, 0, '10s']);
});
