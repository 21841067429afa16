import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ApiObject } from '../../../api/schemas/kind.ts';
import { ApiError } from '../../apierrors/status.ts';
import { applyPatch, recordUpdate, type ApplyRequest } from './index.ts';

type Spec = Record<string, unknown>;
const job = (spec: Spec, meta: Record<string, unknown> = {}): ApiObject => ({
  apiVersion: 'drover.dev/v1',
  kind: 'Job',
  metadata: { name: 'web', namespace: 'default', ...meta },
  spec,
});
const apply = (live: ApiObject | undefined, applied: ApiObject, manager: string, extra: Partial<ApplyRequest> = {}) =>
  applyPatch({ live, applied, manager, force: false, now: '2025-01-01T00:00:00Z', ...extra });
const entry = (obj: ApiObject, manager: string) => obj.metadata.managedFields?.find((e) => e.manager === manager);
const fieldsOfManager = (obj: ApiObject, manager: string) => entry(obj, manager)?.fieldsV1;
// A non-apply write as the REST handler does it: new object, ownership recorded.
function update(live: ApiObject, change: (o: any) => void, manager: string, subresource?: string): ApiObject {
  const next = structuredClone(live) as any;
  change(next);
  next.metadata.managedFields = recordUpdate({ live, updated: next, manager, now: '2025-01-02T00:00:00Z', subresource });
  return next;
}
const isConflict = (msg: string, fields: string[]) => (e: unknown) => {
  assert.ok(e instanceof ApiError);
  assert.equal(e.code, 409);
  assert.equal(e.reason, 'Conflict');
  assert.equal(e.message, msg);
  assert.deepEqual(
    e.status.details?.causes?.map((c) => [c.reason, c.field]),
    fields.map((f) => ['FieldManagerConflict', f]),
  );
  return true;
};

describe('applyPatch', () => {
  it('creates: the object is the configuration and the applier owns what it set', () => {
    const cfg = job({ priority: 50, datacenters: ['dc1'], groups: [{ name: 'web', count: 1 }] }, { labels: { app: 'web' } });
    const out = apply(undefined, cfg, 'alice');
    assert.deepEqual({ ...out, metadata: { ...out.metadata, managedFields: undefined } }, { ...cfg, metadata: { ...cfg.metadata, managedFields: undefined } });
    assert.deepEqual(out.metadata.managedFields, [
      {
        manager: 'alice',
        operation: 'Apply',
        apiVersion: 'drover.dev/v1',
        time: '2025-01-01T00:00:00Z',
        fieldsType: 'FieldsV1',
        fieldsV1: {
          'f:metadata': { 'f:labels': { 'f:app': {} } },
          'f:spec': {
            'f:datacenters': {},
            'f:groups': { 'k:{"name":"web"}': { '.': {}, 'f:count': {}, 'f:name': {} } },
            'f:priority': {},
          },
        },
      },
    ]);
  });

  it('re-applying an unchanged configuration is a no-op, time included', () => {
    const cfg = job({ priority: 50, groups: [{ name: 'web', count: 1 }] });
    const first = apply(undefined, cfg, 'alice');
    const again = apply(first, cfg, 'alice', { now: '2030-01-01T00:00:00Z' });
    assert.deepEqual(again, first);
  });

  it('removes a field the applier stopped stating and owned alone', () => {
    const first = apply(undefined, job({ priority: 50, type: 'service' }, { labels: { app: 'web' } }), 'alice');
    const out = apply(first, job({ type: 'service' }), 'alice', { now: 't2' });
    assert.deepEqual(out.spec, { type: 'service' });
    assert.equal(out.metadata.labels, undefined, 'a map emptied by the removal goes too');
    assert.deepEqual(fieldsOfManager(out, 'alice'), { 'f:spec': { 'f:type': {} } });
    assert.equal(entry(out, 'alice')?.time, 't2');
  });

  it('shares ownership of an equal value and keeps a field another manager still states', () => {
    const a = apply(undefined, job({ priority: 50, type: 'service' }), 'alice');
    const b = apply(a, job({ priority: 50 }), 'bob');
    assert.deepEqual(fieldsOfManager(b, 'bob'), { 'f:spec': { 'f:priority': {} } });
    assert.deepEqual(fieldsOfManager(b, 'alice'), { 'f:spec': { 'f:priority': {}, 'f:type': {} } });
    const c = apply(b, job({ type: 'service' }), 'alice');
    assert.deepEqual(c.spec, { priority: 50, type: 'service' }, 'bob still owns priority');
    assert.deepEqual(fieldsOfManager(c, 'alice'), { 'f:spec': { 'f:type': {} } });
  });

  it('conflicts with an Update manager that owns a field it would change', () => {
    const created = apply(undefined, job({ priority: 50 }), 'alice');
    const edited = update(created, (o) => (o.spec.priority = 70), 'kubectl-client-side-apply');
    assert.throws(
      () => apply(edited, job({ priority: 10 }), 'alice'),
      isConflict('Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using drover.dev/v1: .spec.priority', ['.spec.priority']),
    );
    // Stating the value it already has is not a conflict: ownership is shared.
    const shared = apply(edited, job({ priority: 70 }), 'alice');
    assert.deepEqual(fieldsOfManager(shared, 'kubectl-client-side-apply'), { 'f:spec': { 'f:priority': {} } });
    assert.deepEqual(fieldsOfManager(shared, 'alice'), { 'f:spec': { 'f:priority': {} } });
  });

  it('lists every conflict, grouped by manager', () => {
    const a = apply(undefined, job({ priority: 50, type: 'service', groups: [{ name: 'web', count: 1 }] }), 'alice');
    assert.throws(
      () => apply(a, job({ priority: 1, type: 'batch', groups: [{ name: 'web', count: 2 }] }), 'bob'),
      isConflict(
        'Apply failed with 3 conflicts: conflicts with "alice":\n- .spec.groups[name="web"].count\n- .spec.priority\n- .spec.type',
        ['.spec.groups[name="web"].count', '.spec.priority', '.spec.type'],
      ),
    );
  });

  it('force moves ownership instead of failing', () => {
    const a = apply(undefined, job({ priority: 50, type: 'service' }), 'alice');
    const b = apply(a, job({ priority: 10 }), 'bob', { force: true });
    assert.equal((b.spec as Spec).priority, 10);
    assert.deepEqual(fieldsOfManager(b, 'alice'), { 'f:spec': { 'f:type': {} } });
    assert.deepEqual(fieldsOfManager(b, 'bob'), { 'f:spec': { 'f:priority': {} } });
    const c = apply(b, job({ type: 'batch' }), 'bob', { force: true });
    assert.equal(entry(c, 'alice'), undefined, 'an entry left with nothing is dropped');
    // alice no longer owns priority or type; re-applying her old config now conflicts with bob.
    assert.throws(() => apply(c, job({ priority: 50, type: 'service' }), 'alice'), (e: unknown) => e instanceof ApiError && e.code === 409);
  });

  it('merges associative lists by key and keeps items other managers own', () => {
    const a = apply(undefined, job({ groups: [{ name: 'web', count: 1, tasks: [{ name: 'app', driver: 'mock' }] }] }), 'alice');
    const b = apply(a, job({ groups: [{ name: 'api', count: 2 }] }), 'bob');
    assert.deepEqual((b.spec as any).groups, [
      { name: 'web', count: 1, tasks: [{ name: 'app', driver: 'mock' }] },
      { name: 'api', count: 2 },
    ]);
    // alice adds a task and changes her group; bob's group is untouched.
    const c = apply(b, job({ groups: [{ name: 'web', count: 3, tasks: [{ name: 'app', driver: 'mock' }, { name: 'log', driver: 'mock' }] }] }), 'alice');
    assert.deepEqual((c.spec as any).groups, [
      { name: 'web', count: 3, tasks: [{ name: 'app', driver: 'mock' }, { name: 'log', driver: 'mock' }] },
      { name: 'api', count: 2 },
    ]);
    // A field inside bob's item is his: changing it conflicts with a path naming the item by key.
    assert.throws(
      () => apply(c, job({ groups: [{ name: 'api', count: 5 }] }), 'alice'),
      isConflict('Apply failed with 1 conflict: conflict with "bob": .spec.groups[name="api"].count', ['.spec.groups[name="api"].count']),
    );
    // alice drops her group: it goes, bob's stays.
    const d = apply(c, job({ groups: [] }), 'alice');
    assert.deepEqual((d.spec as any).groups, [{ name: 'api', count: 2 }]);
    assert.deepEqual(fieldsOfManager(d, 'alice'), { 'f:spec': { 'f:groups': {} } }, 'an empty list is owned as a leaf');
  });

  it('keeps a dropped item while another manager owns a field inside it, keys included', () => {
    const a = apply(undefined, job({ groups: [{ name: 'web', count: 1, meta: { a: 'x' } }] }), 'alice');
    const b = update(a, (o) => (o.spec.groups[0].meta.b = 'y'), 'controller');
    const c = apply(b, job({ groups: [{ name: 'api', count: 1 }] }), 'alice');
    assert.deepEqual((c.spec as any).groups, [{ name: 'web', meta: { b: 'y' } }, { name: 'api', count: 1 }]);
  });

  it('keeps live items in place around the applied order', () => {
    const a = apply(undefined, job({ groups: [{ name: 'a' }, { name: 'b' }] }), 'alice');
    const b = update(a, (o) => o.spec.groups.splice(1, 0, { name: 'x' }), 'ctl');
    const c = apply(b, job({ groups: [{ name: 'b' }, { name: 'a' }, { name: 'c' }] }), 'alice');
    assert.deepEqual((c.spec as any).groups.map((g: any) => g.name), ['b', 'a', 'x', 'c']);
  });

  it('replaces atomic lists whole and owns them as one field', () => {
    const a = apply(undefined, job({ datacenters: ['dc1', 'dc2'] }), 'alice');
    const b = apply(a, job({ datacenters: ['dc3'] }), 'alice');
    assert.deepEqual((b.spec as any).datacenters, ['dc3']);
    const c = update(b, (o) => o.spec.datacenters.push('dc4'), 'ctl');
    assert.throws(() => apply(c, job({ datacenters: ['dc3'] }), 'alice'), isConflict('Apply failed with 1 conflict: conflict with "ctl" using drover.dev/v1: .spec.datacenters', ['.spec.datacenters']));
  });

  it('treats finalizers as a set owned per value', () => {
    const a = apply(undefined, job({}, { finalizers: ['drover.dev/a'] }), 'alice');
    const b = update(a, (o) => o.metadata.finalizers.push('drover.dev/gc'), 'gc');
    assert.deepEqual(fieldsOfManager(b, 'gc'), { 'f:metadata': { 'f:finalizers': { 'v:"drover.dev/gc"': {} } } });
    const c = apply(b, job({}), 'alice');
    assert.deepEqual(c.metadata.finalizers, ['drover.dev/gc']);
  });

  it('ignores server-owned metadata in the configuration and keeps the live values', () => {
    const live = { ...apply(undefined, job({ priority: 1 }), 'alice') };
    live.metadata = { ...live.metadata, uid: 'u1', resourceVersion: '7', generation: 2, creationTimestamp: '2024-01-01T00:00:00Z' };
    const cfg = job({ priority: 1 }, { uid: 'other', resourceVersion: '1', generation: 9, managedFields: [{ manager: 'x', operation: 'Apply', apiVersion: 'v', fieldsType: 'FieldsV1', fieldsV1: {} }] });
    const out = apply(live, cfg, 'alice');
    assert.deepEqual(out, live);
  });

  it('applies through /status only the status, and the main resource can ignore status', () => {
    const a = apply(undefined, job({ priority: 1 }), 'alice');
    const s = apply(a, { ...job({ priority: 99 }), status: { phase: 'running' } }, 'agent', { subresource: 'status' });
    assert.deepEqual([(s.spec as Spec).priority, (s.status as any).phase], [1, 'running']);
    assert.deepEqual(entry(s, 'agent'), {
      manager: 'agent',
      operation: 'Apply',
      apiVersion: 'drover.dev/v1',
      time: '2025-01-01T00:00:00Z',
      fieldsType: 'FieldsV1',
      fieldsV1: { 'f:status': { 'f:phase': {} } },
      subresource: 'status',
    });
    const m = apply(s, { ...job({ priority: 1 }), status: { phase: 'dead' } }, 'alice', { resetFields: ['status'] });
    assert.deepEqual(m, s);
  });

  it('a null in the configuration unsets the field and owns it', () => {
    const a = apply(undefined, job({ priority: 1, type: 'batch' }), 'alice');
    const b = apply(a, job({ priority: null, type: 'batch' }), 'bob', { force: true });
    assert.deepEqual(b.spec, { type: 'batch' });
    assert.deepEqual(fieldsOfManager(b, 'bob'), { 'f:spec': { 'f:priority': {}, 'f:type': {} } });
  });

  it('rejects __proto__ keys with 400 and leaves inputs untouched', () => {
    const live = apply(undefined, job({ priority: 1 }), 'alice');
    const before = structuredClone(live);
    assert.throws(() => apply(live, JSON.parse('{"apiVersion":"drover.dev/v1","kind":"Job","metadata":{"name":"web"},"spec":{"__proto__":{"x":1}}}'), 'bob'), (e: unknown) => e instanceof ApiError && e.code === 400);
    const cfg = job({ priority: 2, groups: [{ name: 'g' }] });
    const cfgBefore = structuredClone(cfg);
    const out = apply(live, cfg, 'alice');
    (out.spec as any).groups[0].name = 'mutated';
    assert.deepEqual([live, cfg], [before, cfgBefore]);
  });
});
