import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../apierrors/status.ts';
import { resolveRequest } from './request-info.ts';
import { gadgetKind, namespaceKind, widgetKind } from './test-support.ts';

const byPlural = new Map([namespaceKind, widgetKind, gadgetKind].map((k) => [k.plural, k]));
const resolve = (path: string, method = 'GET', watch = false) => resolveRequest(path.split('/'), method, watch, byPlural);

test('resolves paths to kind, namespace, name, subresource and verb', () => {
  const cases: Array<[string, string, boolean, Record<string, unknown>]> = [
    ['namespaces/default/widgets', 'GET', false, { plural: 'widgets', namespace: 'default', verb: 'list' }],
    ['namespaces/default/widgets', 'GET', true, { plural: 'widgets', namespace: 'default', verb: 'watch' }],
    ['namespaces/default/widgets', 'POST', false, { plural: 'widgets', namespace: 'default', verb: 'create' }],
    ['namespaces/default/widgets', 'DELETE', false, { plural: 'widgets', namespace: 'default', verb: 'deletecollection' }],
    ['namespaces/default/widgets/w1', 'GET', false, { plural: 'widgets', name: 'w1', verb: 'get' }],
    ['namespaces/default/widgets/w1', 'PUT', false, { plural: 'widgets', name: 'w1', verb: 'update' }],
    ['namespaces/default/widgets/w1/status', 'PATCH', false, { plural: 'widgets', name: 'w1', subresource: 'status', verb: 'patch' }],
    ['namespaces/default/widgets/w1', 'DELETE', false, { name: 'w1', verb: 'delete' }],
    ['widgets', 'GET', false, { plural: 'widgets', namespace: undefined, verb: 'list' }],
    ['watch/namespaces/ns1/widgets', 'GET', false, { namespace: 'ns1', verb: 'watch' }],
    ['namespaces', 'GET', false, { plural: 'namespaces', verb: 'list' }],
    ['namespaces/default', 'GET', false, { plural: 'namespaces', name: 'default', verb: 'get' }],
    // A namespace's own status subresource, not a kind named "status" inside it.
    ['namespaces/default/status', 'PUT', false, { plural: 'namespaces', name: 'default', subresource: 'status', verb: 'update' }],
    ['gadgets/g1', 'PUT', false, { plural: 'gadgets', name: 'g1', verb: 'update' }],
    ['namespaces/default/widgets/a%2Eb', 'GET', false, { name: 'a.b' }],
    ['namespaces/default/widgets/', 'GET', false, { verb: 'list' }],
  ];
  for (const [path, method, watch, want] of cases) {
    const got = resolve(path, method, watch);
    const flat = { plural: got.kind.plural, namespace: got.namespace, name: got.name, subresource: got.subresource, verb: got.verb };
    for (const [k, v] of Object.entries(want)) assert.equal(flat[k as keyof typeof flat], v, `${method} ${path}: ${k}`);
  }
});

test('rejects what Kubernetes does not serve, with 404 or 405', () => {
  const cases: Array<[string, string, number]> = [
    ['namespaces/default/unknowns', 'GET', 404],
    ['namespaces/default/gadgets', 'GET', 404], // cluster-scoped kind under a namespace
    ['gadgets/g1/status', 'GET', 404], // no status subresource
    ['namespaces/default/widgets/w1/scale', 'GET', 404],
    ['namespaces/default/widgets/w1/status/x', 'GET', 404],
    ['widgets/w1', 'GET', 404], // namespaced object without namespace
    ['widgets', 'POST', 405],
    ['namespaces/default/widgets/w1', 'POST', 405],
    ['namespaces/default/widgets', 'PUT', 405],
    ['namespaces/default/widgets', 'PATCH', 405],
    ['namespaces/default/widgets/w1/status', 'DELETE', 405],
    ['namespaces/default/widgets/%E0%A4%A', 'GET', 400],
  ];
  for (const [path, method, code] of cases) {
    assert.throws(
      () => resolve(path, method),
      (e: unknown) => e instanceof ApiError && e.code === code,
      `${method} ${path} → ${code}`,
    );
  }
});
