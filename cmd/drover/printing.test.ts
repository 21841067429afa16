// Table output built from the server's Table cells: column choice, NAMESPACE with -A, wide, alignment.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kindByKind } from '../../api/schemas/index.ts';
import { age, formatTable, tableHeader, tableRow } from './table.ts';

test('job table: NAME first, printer columns, AGE last; NAMESPACE with -A; wide adds priority columns', () => {
  const kind = kindByKind.get('Job')!;
  const now = Date.parse('2025-01-01T00:10:00Z');
  const job = { apiVersion: 'drover.dev/v1', kind: 'Job', metadata: { name: 'web', namespace: 'prod', creationTimestamp: '2025-01-01T00:00:00Z' }, spec: { type: 'service', priority: 50, datacenters: ['dc1', 'dc2'] } };
  const narrow = { kind, withNamespace: false, wide: false, now };
  assert.deepEqual(tableHeader(narrow), ['NAME', 'TYPE', 'PRIORITY', 'STATUS', 'VERSION', 'AGE']);
  assert.deepEqual(tableRow(narrow, job), ['web', 'service', '50', '<none>', '<none>', '10m']);
  const wide = { ...narrow, withNamespace: true, wide: true };
  assert.deepEqual(tableHeader(wide), ['NAMESPACE', 'NAME', 'TYPE', 'PRIORITY', 'STATUS', 'VERSION', 'DATACENTERS', 'AGE']);
  assert.deepEqual(tableRow(wide, job), ['prod', 'web', 'service', '50', '<none>', '<none>', '["dc1","dc2"]', '10m']);
});

test('formatTable aligns columns three spaces apart and leaves the last unpadded', () => {
  assert.deepEqual(formatTable([['NAME', 'STATUS', 'AGE'], ['a-long-name', 'x', '1s']]), ['NAME          STATUS   AGE', 'a-long-name   x        1s']);
});

test('age renders like kubectl and tolerates missing timestamps', () => {
  const now = Date.parse('2025-01-03T00:00:00Z');
  assert.equal(age('2025-01-01T00:00:00Z', now), '2d');
  assert.equal(age('2025-01-02T23:55:00Z', now), '5m');
  assert.equal(age(undefined, now), '<unknown>');
  assert.equal(age('not a date', now), '<unknown>');
});
