import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ApiObject, ManagedFieldsEntry } from '../../../api/schemas/kind.ts';
import { applyPatch, recordUpdate } from './index.ts';

const job = (spec: Record<string, unknown>, meta: Record<string, unknown> = {}): ApiObject => ({
  apiVersion: 'drover.dev/v1',
  kind: 'Job',
  metadata: { name: 'web', namespace: 'default', ...meta },
  spec,
});
function write(live: ApiObject | undefined, next: ApiObject, manager: string, now = 't1', subresource?: string): ApiObject {
  const out = structuredClone(next);
  const managedFields = recordUpdate({ live, updated: next, manager, now, subresource });
  if (managedFields.length > 0) out.metadata.managedFields = managedFields;
  else delete out.metadata.managedFields;
  return out;
}
const fieldsOf = (o: ApiObject, manager: string) => o.metadata.managedFields?.find((e) => e.manager === manager)?.fieldsV1;

describe('recordUpdate', () => {
  it('on create the writer owns everything, new nested objects as members', () => {
    const out = write(undefined, job({ priority: 50, update: { maxParallel: 1 }, groups: [{ name: 'web', count: 1 }] }, { labels: { app: 'web' }, uid: 'u', resourceVersion: '3' }), 'kubectl-create');
    assert.deepEqual(out.metadata.managedFields, [
      {
        manager: 'kubectl-create',
        operation: 'Update',
        apiVersion: 'drover.dev/v1',
        time: 't1',
        fieldsType: 'FieldsV1',
        fieldsV1: {
          'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
          'f:spec': {
            'f:groups': { 'k:{"name":"web"}': { '.': {}, 'f:count': {}, 'f:name': {} } },
            'f:priority': {},
            'f:update': { '.': {}, 'f:maxParallel': {} },
          },
        },
      },
    ] satisfies ManagedFieldsEntry[]);
  });

  it('takes changed fields from other managers, Apply ones included', () => {
    const applied = applyPatch({ applied: job({ priority: 50, type: 'service' }), manager: 'alice', force: false, now: 't0' });
    const next = structuredClone(applied);
    (next.spec as any).priority = 70;
    const out = write(applied, next, 'kubectl-edit', 't2');
    assert.deepEqual(fieldsOf(out, 'alice'), { 'f:spec': { 'f:type': {} } });
    assert.deepEqual(fieldsOf(out, 'kubectl-edit'), { 'f:spec': { 'f:priority': {} } });
    assert.deepEqual(out.metadata.managedFields?.map((e) => [e.manager, e.operation, e.time]), [
      ['alice', 'Apply', 't0'],
      ['kubectl-edit', 'Update', 't2'],
    ]);
  });

  it('a write that changes nothing leaves the entries exactly as they were', () => {
    const first = write(undefined, job({ priority: 1 }), 'a', 't1');
    const again = write(first, structuredClone(first), 'b', 't9');
    assert.deepEqual(again.metadata.managedFields, first.metadata.managedFields);
  });

  it('a removed field leaves every owner, and empty entries are dropped', () => {
    const first = write(undefined, job({ priority: 1 }), 'a');
    const second = write(first, job({ priority: 1, type: 'batch' }), 'b');
    const third = write(second, job({ type: 'batch' }), 'c');
    assert.deepEqual(third.metadata.managedFields?.map((e) => e.manager), ['b']);
  });

  it('the same manager accumulates its fields and gets a fresh time', () => {
    const first = write(undefined, job({ priority: 1 }), 'ctl', 't1');
    const second = write(first, job({ priority: 1, type: 'batch' }), 'ctl', 't2');
    assert.deepEqual(second.metadata.managedFields, [
      { manager: 'ctl', operation: 'Update', apiVersion: 'drover.dev/v1', time: 't2', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:priority': {}, 'f:type': {} } } },
    ]);
  });

  it('records the subresource, kept apart from main-resource writes of the same manager', () => {
    const first = write(undefined, job({ priority: 1 }), 'agent');
    const second = write(first, { ...first, status: { phase: 'running' } }, 'agent', 't2', 'status');
    assert.deepEqual(second.metadata.managedFields?.map((e) => [e.manager, e.subresource, e.fieldsV1]), [
      ['agent', undefined, { 'f:spec': { 'f:priority': {} } }],
      ['agent', 'status', { 'f:status': { 'f:phase': {} } }],
    ]);
  });

  it('list items added by one manager and extended by another', () => {
    const first = write(undefined, job({ groups: [{ name: 'web', count: 1 }] }), 'a');
    const second = write(first, job({ groups: [{ name: 'web', count: 1, meta: { x: '1' } }, { name: 'api' }] }), 'b');
    assert.deepEqual(fieldsOf(second, 'b'), {
      'f:spec': { 'f:groups': { 'k:{"name":"api"}': { '.': {}, 'f:name': {} }, 'k:{"name":"web"}': { 'f:meta': { '.': {}, 'f:x': {} } } } },
    });
    assert.deepEqual(fieldsOf(second, 'a'), { 'f:spec': { 'f:groups': { 'k:{"name":"web"}': { '.': {}, 'f:count': {}, 'f:name': {} } } } });
  });
});
