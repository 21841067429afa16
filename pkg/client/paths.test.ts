import { test } from 'node:test';
import assert from 'node:assert/strict';
import { queryString, resourcePath } from './paths.ts';

const job = { kind: 'Job', plural: 'jobs', namespaced: true };
const node = { kind: 'Node', plural: 'nodes', namespaced: false };

test('resourcePath builds collection, object and subresource paths', () => {
  const cases: Array<[Parameters<typeof resourcePath>[0], string]> = [
    [{ kind: job }, '/apis/drover.dev/v1/jobs'],
    [{ kind: job, namespace: 'prod' }, '/apis/drover.dev/v1/namespaces/prod/jobs'],
    [{ kind: job, namespace: 'prod', name: 'web' }, '/apis/drover.dev/v1/namespaces/prod/jobs/web'],
    [{ kind: job, namespace: 'prod', name: 'web', subresource: 'status' }, '/apis/drover.dev/v1/namespaces/prod/jobs/web/status'],
    [{ kind: node, namespace: 'ignored', name: 'n1' }, '/apis/drover.dev/v1/nodes/n1'],
    [{ kind: job, namespace: 'a b', name: 'x/y' }, '/apis/drover.dev/v1/namespaces/a%20b/jobs/x%2Fy'],
  ];
  for (const [loc, want] of cases) assert.equal(resourcePath(loc), want);
});

test('resourcePath refuses a subresource without a name', () => {
  assert.throws(() => resourcePath({ kind: job, subresource: 'status' }), TypeError);
});

test('queryString drops unset values and encodes the rest', () => {
  assert.equal(queryString(undefined), '');
  assert.equal(queryString({ a: undefined, b: '' }), '');
  assert.equal(queryString({ labelSelector: 'app=web,tier!=db', limit: 5, watch: true }), '?labelSelector=app%3Dweb%2Ctier%21%3Ddb&limit=5&watch=true');
});
